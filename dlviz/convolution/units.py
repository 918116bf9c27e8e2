"""Reading a trained CNN from its snapshot alone (no session): one unit opened at one output
position with the "by hand" arithmetic on its real input patch and learned weights, and a
new image (a drawn digit) passed through every layer to class probabilities.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from dlviz.convolution.images import UploadError, digit_from
from dlviz.convolution.model import SmallCnn, prepare
from dlviz.convolution.receptive import Layer, receptive_box, receptive_fields
from dlviz.convolution.session import CnnSnapshot
from dlviz.convolution.windows import Window, conv_windows
from dlviz.formulas import latex_number
from dlviz.knobs import Config, knob
from dlviz.models import seeded_weights


def spatial_layers(kernel: int, blocks: int, pool: str) -> list[Layer]:
    """The network's conv and pool layers as receptive-field Layers, input side first."""
    layers = []
    for b in range(blocks):
        layers.append(Layer(kernel, 1, kernel // 2, 1, name=f"conv {b + 1}"))
        if pool != "none":
            layers.append(Layer(2, 2, 0, 1, name=f"pool {b + 1}"))
    return layers


@dataclass(frozen=True)
class Unit:
    """One unit of a conv layer at one output position, for the probe image. 0-based
    indices; `window` holds the patch (C_in, k, k) of the layer's input under the kernel
    (zeros where it hangs over the padding), the weights' products and their sum + bias."""

    layer: int
    channel: int
    row: int
    col: int
    window: Window
    weights: np.ndarray  # (C_in, k, k) batch norm folded in
    bias: float
    channel_sums: np.ndarray  # (C_in,) Σ of each input channel's products
    relu: float  # max(0, value)
    box: tuple[int, int, int, int]  # (row0, row1, col0, col1) seen of the input image
    field: int  # the side of its receptive field away from the border, input pixels

    @property
    def value(self) -> float:
        """Σ products + bias: the conv output (after batch norm) at this position."""
        return self.window.value


def open_unit(snap: CnnSnapshot, layer: int, channel: int, row: int, col: int) -> Unit:
    """Unit `channel` of conv layer `layer` at (row, col) of its output, on the probe image;
    IndexError naming the range when an index is outside the network."""
    blocks = len(snap.weights)
    if not 0 <= layer < blocks:
        raise IndexError(f"layer {layer + 1} is outside the network's {blocks} conv layers")
    weights, biases = snap.weights[layer], snap.biases[layer]  # (C_out, C_in, k, k), (C_out,)
    if not 0 <= channel < len(weights):
        raise IndexError(f"filter {channel + 1} is outside layer {layer + 1}'s {len(weights)}")
    inputs = snap.probe[None] if layer == 0 else snap.pooled[layer - 1]  # (C_in, H, W)
    bias = float(biases[channel])
    seen = conv_windows(inputs.astype(np.float64), weights[channel].astype(np.float64),
                        padding=snap.kernel // 2, bias=bias)  # fmt: skip
    window = seen.window(row, col)  # IndexError outside the map
    stack = spatial_layers(snap.kernel, layer + 1, snap.pool)
    stack = stack[:-1] if snap.pool != "none" else stack  # the unit comes before its pool
    box = receptive_box(stack, row, col, snap.size, snap.size)
    field = receptive_fields(stack)[-1].size
    return Unit(layer, channel, row, col, window, weights[channel], bias,
                window.products.sum(axis=(1, 2)), max(0.0, window.value), box, field)  # fmt: skip


def open_picked(snap: CnnSnapshot, pick: UnitConfig) -> Unit:
    """The unit `pick` names (1-based, as the knobs show it), each index clamped to the
    network (an address may name row 9 of a 4×4 map)."""
    layer = min(pick.layer, len(snap.conv)) - 1
    c, h, w = snap.conv[layer].shape
    return open_unit(snap, layer, min(pick.channel, c) - 1, min(pick.row, h) - 1,
                     min(pick.col, w) - 1)  # fmt: skip


@dataclass(frozen=True)
class Reading:
    """A new image through the trained network: the image as it sees it (size, size), each
    block's ReLU maps (C, H, W) and the class probabilities (10,)."""

    image: np.ndarray
    maps: tuple[np.ndarray, ...]
    probs: np.ndarray


def trained_network(snap: CnnSnapshot) -> SmallCnn:
    """The snapshot's network as a SmallCnn in eval mode: its batch norm already folded into
    the conv weights, so one without batch norm computes what the trained one does."""
    widths = snap.weights[0].shape[0]
    with seeded_weights(0):  # built, then overwritten: leave every other generator alone
        net = SmallCnn(snap.size, len(snap.weights), widths, snap.kernel, snap.pool, False)
    with torch.no_grad():
        for conv, w, b in zip(net.convs, snap.weights, snap.biases, strict=True):
            conv.weight.copy_(torch.as_tensor(w)), conv.bias.copy_(torch.as_tensor(b))
        net.readout.weight.copy_(torch.as_tensor(snap.readout_weight))
        net.readout.bias.copy_(torch.as_tensor(snap.readout_bias))
    return net.eval()


@torch.no_grad()
def read_digit(snap: CnnSnapshot, digit: np.ndarray) -> Reading:
    """Classify one 8×8 digit image (pixels in [0, 1], ink bright) with the snapshot's
    weights, as the network does in eval mode."""
    x = prepare(np.asarray(digit, dtype=np.float32)[None], snap.size)  # (1, 1, size, size)
    seen = trained_network(snap).stages(x)
    maps = tuple(a[0].numpy() for a in seen.relu)  # (C, H, W) per block
    return Reading(x[0, 0].numpy(), maps, torch.softmax(seen.logits[0], 0).numpy())


def read_learners_digit(
    snap: CnnSnapshot, upload: bytes | None, drawing: np.ndarray | None
) -> tuple[Reading | None, str | None]:
    """(the network's reading of the learner's digit, why there is none): from an uploaded
    photo when there is one, else from the canvas's pixels (RGBA); (None, None) while
    nothing is drawn, (None, a one-line reason) for an upload that can't be used."""
    try:
        digit = digit_from(upload, drawing)
    except UploadError as err:
        return None, str(err)
    return (None if digit is None else read_digit(snap, digit)), None


@dataclass(frozen=True)
class UnitConfig(Config):
    """Which unit of the trained network to open (1-based; the page narrows each range to
    the network it has)."""

    layer: int = knob(1, "Layer", low=1, high=3, step=1)
    channel: int = knob(1, "Filter", low=1, high=64, step=1)
    row: int = knob(4, "Row", low=1, high=16, step=1)
    col: int = knob(4, "Column", low=1, high=16, step=1)


def unit_line(unit: Unit, max_terms: int = 5) -> str:
    """The unit's sum in LaTeX: each input channel's Σ patch × weights (the first
    `max_terms`, then "…": more overflow a laptop's width), plus the bias, the total, and what
    ReLU passes on."""
    sums = [latex_number(float(s)) for s in unit.channel_sums[:max_terms]]
    if len(unit.channel_sums) > max_terms:
        sums.append(r"\dots")
    several = len(unit.channel_sums) > 1
    label = r"\text{one sum per input map}" if several else r"\sum \text{patch} \times w"
    return (
        rf"z = \underbrace{{{' + '.join(sums)}}}_{{{label}}} + \underbrace{{"
        rf"{latex_number(unit.bias)}}}_{{b}} = {unit.value:.4g}, \qquad \operatorname{{ReLU}}(z) = "
        rf"{unit.relu:.4g}"
    )


def unit_limits(snap: CnnSnapshot) -> dict[str, dict[str, Any]]:
    """The largest value of each UnitConfig knob for this network, as dlviz.ui.knobs takes
    them: the layers it has, and the filters, rows and columns of the layer chosen."""

    def of_layer(axis: int) -> Callable[[Mapping[str, Any]], int]:
        return lambda chosen: int(snap.conv[chosen["layer"] - 1].shape[axis])

    return {"layer": {"high": len(snap.conv)}, "channel": {"high": of_layer(0)},
            "row": {"high": of_layer(1)}, "col": {"high": of_layer(2)}}  # fmt: skip
