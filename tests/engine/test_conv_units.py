"""dlviz.convolution.units: a unit opened from the snapshot alone equals the trained model's
own output at that position, its receptive box matches the gradient footprint of that unit
in the model, and a digit read with the snapshot's weights gets the model's probabilities."""

import numpy as np
import pytest
import torch

from dlviz.convolution.session import CnnConfig, CnnSession
from dlviz.convolution.units import (
    UnitConfig,
    open_picked,
    open_unit,
    read_digit,
    read_learners_digit,
    unit_line,
)


@pytest.fixture(scope="module", params=["max", "avg", "none"])
def trained(request):
    session = CnnSession(CnnConfig(blocks=3, channels=4, kernel=3, pool=request.param, seed=1))
    session.train_steps(30)
    return session, session.snapshot()


def test_every_opened_unit_sums_to_the_models_output_there(trained):
    _session, snap = trained
    rng = np.random.default_rng(0)
    for layer, maps in enumerate(snap.conv):
        for _ in range(6):
            c, i, j = (int(rng.integers(n)) for n in maps.shape)
            unit = open_unit(snap, layer, c, i, j)
            assert unit.value == pytest.approx(float(maps[c, i, j]), abs=1e-4)
            assert unit.relu == pytest.approx(float(snap.relu[layer][c, i, j]), abs=1e-4)
            products = unit.window.patch * unit.weights
            np.testing.assert_allclose(unit.window.products, products, atol=1e-9)
            assert unit.channel_sums.sum() + unit.bias == pytest.approx(unit.value, abs=1e-9)


def test_the_receptive_box_is_the_units_gradient_footprint(trained):
    session, snap = trained
    net = session.model.eval()
    image = session.x_test[0:1].clone().requires_grad_(True)  # the probe (probe=1)
    for layer, maps in enumerate(snap.conv):
        _c, h, w = maps.shape
        for i, j in ((0, 0), (h // 2, w // 2), (h - 1, w - 1)):
            image.grad = None
            net.stages(image).conv[layer][0, 0, i, j].backward()
            rows, cols = np.nonzero(image.grad[0, 0].abs().numpy() > 0)
            box = open_unit(snap, layer, 0, i, j).box
            if len(rows):  # a dead path leaves no footprint; the box still bounds it
                assert box[0] <= rows.min() and rows.max() <= box[1]
                assert box[2] <= cols.min() and cols.max() <= box[3]
    # a first-layer unit in the interior sees exactly its k×k patch
    assert open_unit(snap, 0, 0, 5, 6).box == (4, 6, 5, 7)


def test_the_box_grows_with_depth_and_indices_outside_raise(trained):
    _, snap = trained
    sides = [open_unit(snap, layer, 0, 1, 1).box for layer in range(3)]
    spans = [b[1] - b[0] for b in sides]
    assert spans == sorted(spans) and spans[0] < spans[-1]
    with pytest.raises(IndexError, match="layer 4"):
        open_unit(snap, 3, 0, 0, 0)
    with pytest.raises(IndexError, match="filter 5"):
        open_unit(snap, 0, 4, 0, 0)
    with pytest.raises(IndexError):
        open_unit(snap, 0, 0, 99, 0)


def test_a_digit_read_with_the_snapshot_gets_the_models_probabilities(trained):
    session, snap = trained
    digits = session.raw_test[:5]
    with torch.no_grad():
        expected = torch.softmax(session.model.eval()(session.x_test[:5]), 1).numpy()
    for digit, probs in zip(digits, expected, strict=True):
        reading = read_digit(snap, digit)
        np.testing.assert_allclose(reading.probs, probs, atol=1e-5)
        assert len(reading.maps) == 3 and reading.image.shape == (16, 16)
    first = read_digit(snap, session.raw_test[0])
    for mine, theirs in zip(first.maps, session.model.stages(session.x_test[:1]).relu, strict=True):
        np.testing.assert_allclose(mine, theirs[0].detach().numpy(), atol=1e-5)


def test_a_unit_picked_from_the_address_is_clamped_to_the_network(trained):
    _, snap = trained
    filters, side = snap.conv[2].shape[0], snap.conv[2].shape[-1]  # 16 maps, 4×4 when pooled
    far = open_picked(snap, UnitConfig(layer=3, channel=64, row=16, col=16))
    assert (far.layer, far.channel, far.row, far.col) == (2, filters - 1, side - 1, side - 1)
    first = open_picked(snap, UnitConfig(layer=1, channel=2, row=3, col=4))
    assert (first.layer, first.channel, first.row, first.col) == (0, 1, 2, 3)
    assert first.field == 3  # one 3×3 conv
    assert open_picked(snap, UnitConfig(layer=2)).field == (8 if snap.pool != "none" else 5)


def test_the_units_sum_is_written_out_with_its_value_and_relu(trained):
    _, snap = trained
    unit = open_unit(snap, 1, 0, 1, 1)  # 4 input maps
    line = unit_line(unit, max_terms=3)
    assert r"\dots" in line and r"\text{one sum per input map}" in line
    assert line.endswith(f"= {unit.value:.4g}, \\qquad \\operatorname{{ReLU}}(z) = {unit.relu:.4g}")
    single = unit_line(open_unit(snap, 0, 0, 1, 1))
    assert r"\sum \text{patch} \times w" in single and r"\dots" not in single


def test_the_learners_digit_from_a_drawing_or_an_upload(trained):
    _, snap = trained
    assert read_learners_digit(snap, None, None) == (None, None)
    blank = np.zeros((64, 64, 4), np.uint8)
    blank[..., 3] = 255
    assert read_learners_digit(snap, None, blank) == (None, None)  # nothing drawn
    drawn = blank.copy()
    drawn[8:56, 30:34, :3] = 255  # a white stroke on black: a 1
    reading, problem = read_learners_digit(snap, None, drawn)
    assert problem is None and reading.probs.shape == (10,)
    assert reading.probs.sum() == pytest.approx(1.0, abs=1e-5)
    reading, problem = read_learners_digit(snap, b"hello", drawn)  # the upload comes first
    assert reading is None and "not a PNG, JPEG" in problem
