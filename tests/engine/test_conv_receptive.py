"""dlviz.convolution.receptive: the receptive-field recursion and boxes against a brute-force
footprint (backprop from one unit of an equivalent torch stack with all-ones weights and see
which input pixels get a gradient), and the textbook closed forms."""

import itertools

import numpy as np
import pytest
import torch
from torch import nn

from dlviz.convolution.receptive import Layer, receptive_box, receptive_fields

STACKS = {
    "two convs": [Layer(3, padding=1), Layer(3, padding=1)],
    "strided": [Layer(3, stride=2, padding=1), Layer(3, stride=2), Layer(3, padding=1)],
    "dilated": [Layer(3, dilation=2, padding=2), Layer(3, dilation=3), Layer(2)],
    "dilated, odd padding": [Layer(3, dilation=2, padding=1), Layer(2, dilation=3, padding=1)],
    "conv pool conv": [Layer(3), Layer(2, stride=2, name="pool"), Layer(3)],
    "even, padded pool": [
        Layer(4, stride=2, padding=1),
        Layer(3, stride=2, padding=1, name="pool"),
    ],
    "cropping": [Layer(2, stride=2), Layer(3, padding=1), Layer(5, stride=3, padding=2)],
}


def _torch_stack(layers: list[Layer]) -> nn.Sequential:
    """The stack in torch: "pool" layers average (counting padded zeros), others are 1-channel
    convolutions with all-ones weights, so no gradient cancels."""
    modules: list[nn.Module] = []
    for layer in layers:
        if layer.name == "pool":
            modules.append(nn.AvgPool2d(layer.kernel, layer.stride, layer.padding))
            continue
        conv = nn.Conv2d(
            1, 1, layer.kernel, layer.stride, layer.padding, layer.dilation, bias=False
        )
        nn.init.ones_(conv.weight)
        modules.append(conv.double())
    return nn.Sequential(*modules)


def _footprints(net: nn.Sequential, shape: tuple[int, int]) -> np.ndarray:
    """(Ho, Wo, H, W): whether each input pixel gets a nonzero gradient from each output unit,
    by autograd (the Jacobian of the stack, one backward pass per unit, vectorised)."""
    x = torch.zeros(*shape, dtype=torch.float64)
    jacobian = torch.func.jacrev(lambda image: net(image[None, None])[0, 0])(x)
    return jacobian.detach().numpy() != 0


def _box(footprint: np.ndarray) -> tuple[int, int, int, int]:
    """(row0, row1, col0, col1) bounding box of the True pixels of a (H, W) mask."""
    rows, cols = np.nonzero(footprint)
    return rows.min(), rows.max(), cols.min(), cols.max()


@pytest.mark.parametrize("name", list(STACKS))
def test_receptive_box_is_the_gradient_footprint_of_every_unit(name):
    layers, shape = STACKS[name], (23, 26)
    footprints = _footprints(_torch_stack(layers), shape)  # (Ho, Wo, H, W)
    out = footprints.shape[:2]
    field = receptive_fields(layers)[-1]
    interior = 0
    for row, col in itertools.product(range(out[0]), range(out[1])):
        box = receptive_box(layers, row, col, *shape)
        assert box == _box(footprints[row, col]), (row, col)
        # the recursion's box: centre start + index·jump, side size
        lo = [round(field.start + i * field.jump - (field.size - 1) / 2) for i in (row, col)]
        formula = (lo[0], lo[0] + field.size - 1, lo[1], lo[1] + field.size - 1)
        if formula[0] >= 0 and formula[1] < shape[0] and formula[2] >= 0 and formula[3] < shape[1]:
            assert box == formula, (row, col)
            interior += 1
    assert interior > 0


def test_border_boxes_skip_pixels_reached_only_through_padding():
    # 7 rows: the 2×2 stride-2 layer's units see rows 0–1, 2–3, 4–5 (row 6 is dropped), and the
    # padded 3-tap layer's last unit sees units 1, 2 and a padding zero: rows 2–5, where the
    # recursion's box, rows 2–7, clipped to the image would say 2–6.
    layers = [Layer(2, stride=2), Layer(3, padding=1)]
    assert receptive_box(layers, 2, 0, 7, 7)[:2] == (2, 5)
    assert receptive_box(layers, 2, 0, 7, 7) == _box(
        _footprints(_torch_stack(layers), (7, 7))[2, 0]
    )
    field = receptive_fields(layers)[-1]
    assert field.start + 2 * field.jump + (field.size - 1) / 2 == 7  # the unclipped edge


def test_last_layer_units_outside_the_output_raise():
    layers = STACKS["strided"]
    rows = _torch_stack(layers)(torch.zeros(1, 1, 20, 20, dtype=torch.float64)).shape[-2]
    receptive_box(layers, rows - 1, 0, 20, 20)
    with pytest.raises(ValueError, match="outside"):
        receptive_box(layers, rows, 0, 20, 20)


def test_closed_forms():
    conv3 = Layer(3)
    assert [f.size for f in receptive_fields([conv3] * 3)] == [3, 5, 7]
    pooled = receptive_fields([conv3, Layer(2, stride=2), conv3])
    assert [f.size for f in pooled] == [3, 4, 8]
    assert [f.jump for f in pooled] == [1, 2, 2]
    assert pooled[-1].start == pytest.approx(3.5)  # unit 0 sees input pixels 0…7
    same = receptive_fields([Layer(3, padding=1)] * 2)[-1]
    assert (same.size, same.jump, same.start) == (5, 1, 0.0)  # 'same' padding keeps centres
    dilated = receptive_fields([Layer(3, dilation=d) for d in (1, 2, 4)])
    assert [f.size for f in dilated] == [3, 7, 15]  # dilation doubling: 2^(L+1) − 1


def test_a_layer_rejects_impossible_values():
    for bad in [{"kernel": 0}, {"kernel": 3, "stride": 0}, {"kernel": 3, "padding": -1}]:
        with pytest.raises(ValueError, match="must be"):
            Layer(**bad)
