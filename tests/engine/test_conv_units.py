"""dlviz.convolution.units: a unit opened from the snapshot alone equals the trained model's
own output at that position, its receptive box matches the gradient footprint of that unit
in the model, and a digit read with the snapshot's weights gets the model's probabilities."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from dlviz.convolution.images import digit_from_drawing
from dlviz.convolution.model import prepare
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
    footprints = 0
    for layer, maps in enumerate(snap.conv):
        _c, h, w = maps.shape
        for i, j in ((0, 0), (h // 2, w // 2), (h - 1, w - 1)):
            image.grad = None
            net.stages(image).conv[layer][0, 0, i, j].backward()
            rows, cols = np.nonzero(image.grad[0, 0].abs().numpy() > 0)
            box = open_unit(snap, layer, 0, i, j).box
            if not len(rows):  # every path through a dead ReLU: no footprint to compare
                continue
            footprints += 1
            seen = (rows.min(), rows.max(), cols.min(), cols.max())
            if snap.pool == "max":  # the gradient only flows through each pool's winner
                assert box[0] <= seen[0] and seen[1] <= box[1]
                assert box[2] <= seen[2] and seen[3] <= box[3]
            else:  # every pixel in the field reaches the unit
                assert box == seen
    assert footprints >= 6  # most of the 9 units were compared
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
    known = SimpleNamespace(channel_sums=np.array([1.5, -0.25]), bias=-0.1, value=1.15, relu=1.15)
    assert unit_line(known) == (
        r"z = \underbrace{1.5 + (-0.25)}_{\text{one sum per input map}} + \underbrace{(-0.1)}_{b}"
        r" = 1.15, \qquad \operatorname{ReLU}(z) = 1.15"
    )
    single = unit_line(open_unit(snap, 0, 0, 1, 1))
    assert r"\sum \text{patch} \times w" in single and r"\dots" not in single


def test_the_learners_digit_from_a_drawing_or_an_upload(trained):
    session, snap = trained
    assert read_learners_digit(snap, None, None) == (None, None)
    blank = np.zeros((64, 64, 4), np.uint8)
    blank[..., 3] = 255
    assert read_learners_digit(snap, None, blank) == (None, None)  # nothing drawn
    drawn = blank.copy()
    drawn[8:56, 30:34, :3] = 255  # a white stroke on black: a 1
    reading, problem = read_learners_digit(snap, None, drawn)
    digit = digit_from_drawing(drawn)  # (8, 8), as the page's canvas gives it
    with torch.no_grad():
        x = prepare(digit[None], snap.size)
        expected = torch.softmax(session.model.eval()(x)[0], 0).numpy()
    assert problem is None
    np.testing.assert_allclose(reading.probs, expected, atol=1e-5)
    np.testing.assert_allclose(reading.image, x[0, 0].numpy())
    reading, problem = read_learners_digit(snap, b"hello", drawn)  # the upload comes first
    assert reading is None and "not a PNG, JPEG" in problem
