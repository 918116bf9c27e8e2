"""Transposed convolution explained as a stretch: zeros inserted between the input's cells,
a border added, then an ordinary stride-1 convolution with the kernel flipped. NumPy only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dlviz.convolution.windows import Pair, conv2d, pair


@dataclass(frozen=True)
class Stretched:
    """A transposed convolution as a stretch then an ordinary convolution. `border` holds
    ((top, bottom), (left, right)): zeros added around `stretched` (negative: cropped)."""

    stretched: np.ndarray  # (C_in, (H−1)·sh + 1, (W−1)·sw + 1): s − 1 zeros between cells
    padded: np.ndarray  # (C_in, Ho + dh·(kh−1), Wo + dw·(kw−1)): stretched, bordered
    flipped: np.ndarray  # (C_out, C_in, kh, kw): the kernel flipped in both axes, in/out swapped
    output: np.ndarray  # (C_out, Ho, Wo)
    border: tuple[Pair, Pair]
    stride: Pair
    padding: Pair
    dilation: Pair
    output_padding: Pair


def _border(x: np.ndarray, border: tuple[Pair, Pair]) -> np.ndarray:
    """(C, H, W) with border[axis] = (before, after) zeros added; a negative amount crops."""
    grow = [(0, 0)] + [(max(0, lo), max(0, hi)) for lo, hi in border]
    x = np.pad(x, grow)
    (t, b), (left, r) = [(max(0, -lo), max(0, -hi)) for lo, hi in border]
    return x[:, t : x.shape[1] - b, left : x.shape[2] - r]


def conv_transpose_stretch(
    x: np.ndarray,
    weight: np.ndarray,
    *,
    stride: int | Sequence[int] = 1,
    padding: int | Sequence[int] = 0,
    dilation: int | Sequence[int] = 1,
    output_padding: int | Sequence[int] = 0,
) -> Stretched:
    """Transposed convolution of x (C_in, H, W) with weight (C_in, C_out, kh, kw), as torch's
    conv_transpose2d: put s − 1 zeros between input cells, add d·(k−1) − p zeros on each side
    (plus output_padding on the far side), then convolve with stride 1 with the kernel flipped
    and its in/out channels swapped. Output (C_out, Ho, Wo), Ho = (H−1)s − 2p + d(k−1) + op + 1."""
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(weight, dtype=np.float64)
    if x.ndim != 3 or w.ndim != 4 or w.shape[0] != x.shape[0] or 0 in x.shape or 0 in w.shape:
        raise ValueError(
            f"A transposed convolution needs x (C_in, H, W) and weight (C_in, C_out, kh, kw), "
            f"got {x.shape} and {w.shape}."
        )
    s, d = pair(stride, "stride"), pair(dilation, "dilation")
    p, op = pair(padding, "padding", minimum=0), pair(output_padding, "output_padding", minimum=0)
    for axis in (0, 1):
        if op[axis] >= max(s[axis], d[axis]):
            raise ValueError(
                f"output_padding must be smaller than the stride or the dilation, got {op}."
            )
        n, k = x.shape[1 + axis], w.shape[2 + axis]
        if (n - 1) * s[axis] - 2 * p[axis] + d[axis] * (k - 1) + op[axis] + 1 < 1:
            raise ValueError(f"The padding {p} leaves nothing of the transposed convolution.")
    stretched = np.zeros((x.shape[0], (x.shape[1] - 1) * s[0] + 1, (x.shape[2] - 1) * s[1] + 1))
    stretched[:, :: s[0], :: s[1]] = x
    spans = [d[a] * (w.shape[2 + a] - 1) - p[a] for a in (0, 1)]
    border = ((spans[0], spans[0] + op[0]), (spans[1], spans[1] + op[1]))
    padded = _border(stretched, border)  # (C_in, Ho + dh·(kh−1), Wo + dw·(kw−1))
    flipped = np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))  # (C_out, C_in, …)
    output = conv2d(padded, flipped, dilation=d)  # (C_out, Ho, Wo)
    return Stretched(stretched, padded, flipped, output, border, s, p, d, op)
