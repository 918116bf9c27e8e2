"""Receptive fields of a stack of square convolution or pooling layers: each layer's field
size, jump and centre by the standard recursion, and the input box one unit sees. NumPy only;
it knows nothing of weights (see windows.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dlviz.convolution.windows import output_size


@dataclass(frozen=True)
class Layer:
    """One square convolution or pooling layer: the same kernel, stride, padding and
    dilation along both axes; `name` is a label such as "conv1" or "pool"."""

    kernel: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    name: str = ""

    def __post_init__(self) -> None:
        if min(self.kernel, self.stride, self.dilation) < 1 or self.padding < 0:
            raise ValueError(
                f"Layer {self.name or '?'}: kernel, stride and dilation must be ≥ 1 and "
                f"padding ≥ 0, got {self.kernel}, {self.stride}, {self.dilation}, {self.padding}."
            )

    @property
    def span(self) -> int:
        """Input pixels between the kernel's first and last tap: d·(k − 1)."""
        return self.dilation * (self.kernel - 1)


@dataclass(frozen=True)
class Field:
    """The receptive field of the units after one layer, in input pixels: `size` is its side,
    `jump` the distance between neighbouring units' centres, `start` the (possibly fractional
    or negative) input coordinate of unit 0's centre."""

    size: int
    jump: int
    start: float


def receptive_fields(layers: Sequence[Layer]) -> list[Field]:
    """One Field per layer, after that layer, from the input's (size 1, jump 1, start 0):
    size += d·(k−1)·jump, start += (d·(k−1)/2 − p)·jump, then jump ×= s."""
    size, jump, start = 1, 1, 0.0
    fields = []
    for layer in layers:
        size += layer.span * jump
        start += (layer.span / 2 - layer.padding) * jump
        jump *= layer.stride
        fields.append(Field(size, jump, start))
    return fields


def _seen(layers: Sequence[Layer], n: int, index: int) -> tuple[int, int]:
    """(first, last) input coordinates along one axis of length n that unit `index` of the
    last layer depends on: its taps traced back layer by layer, skipping padding cells."""
    sizes = [n]
    for layer in layers:
        sizes.append(
            output_size(sizes[-1], layer.kernel, layer.stride, layer.padding, layer.dilation)
        )
    if not 0 <= index < sizes[-1]:
        raise ValueError(f"Unit {index} is outside the last layer's {sizes[-1]} units.")
    units = np.array([index])  # the units of the current layer the chosen unit depends on
    for layer, below in zip(reversed(layers), reversed(sizes[:-1])):
        taps = (
            units[:, None] * layer.stride - layer.padding + np.arange(layer.kernel) * layer.dilation
        )
        taps = taps[(taps >= 0) & (taps < below)]  # (m,) real cells; padding carries nothing
        if taps.size == 0:
            raise ValueError(f"Unit {index} sees only padding: lower the padding.")
        units = np.unique(taps)
    return int(units[0]), int(units[-1])


def receptive_box(
    layers: Sequence[Layer], row: int, col: int, height: int, width: int
) -> tuple[int, int, int, int]:
    """(row0, row1, col0, col1): inclusive bounds of the pixels of a (height, width) input that
    unit (row, col) of the last layer sees. Inside the image this is the Field's box, centre
    start + index·jump, side size; at the border it is clipped to the pixels the unit reaches
    through real (not padding) cells of every layer."""
    row0, row1 = _seen(layers, height, row)
    col0, col1 = _seen(layers, width, col)
    return row0, row1, col0, col1
