"""dlviz.convolution.units: a unit opened from the snapshot alone equals the trained model's
own output at that position, its receptive box matches the gradient footprint of that unit
in the model, and a digit read with the snapshot's weights gets the model's probabilities."""

import numpy as np
import pytest
import torch

from dlviz.convolution.session import CnnConfig, CnnSession
from dlviz.convolution.units import open_unit, read_digit


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
