"""Explicit 2-D convolution (cross-correlation, as deep-learning libraries define it), pooling
and transposed convolution in NumPy, keeping every window (taps, patch, products, sum) so a
page can show any output cell. Vectorised, no torch; tests check it against torch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

Pair = tuple[int, int]  # (rows, columns): one value per axis
POOLS = ("max", "avg")


def pair(value: int | Sequence[int], name: str, minimum: int = 1) -> Pair:
    """`value` as (rows, columns): one whole number for both axes, or two; each ≥ `minimum`."""
    items = [value, value] if np.ndim(value) == 0 else list(value)  # type: ignore[arg-type]
    whole = all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in items)
    if len(items) != 2 or not whole:
        raise ValueError(f"{name} must be a whole number or a pair of them, got {value!r}.")
    if min(items) < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}.")
    return int(items[0]), int(items[1])


def resolve_padding(
    padding: str | int | Sequence[int], kernel: Pair, dilation: Pair, stride: Pair
) -> Pair:
    """Zero rows/columns added on each side: "valid" → (0, 0); "same" → d·(k−1)/2 per axis
    (stride 1 and an odd span d·(k−1)+1 only); a number or a pair ≥ 0 as given."""
    if not isinstance(padding, str):
        return pair(padding, "padding", minimum=0)
    if padding.lower() == "valid":
        return 0, 0
    if padding.lower() != "same":
        raise ValueError(f"Unknown padding {padding!r}: use 'valid', 'same' or a number.")
    if tuple(stride) != (1, 1):
        raise ValueError(
            "'same' padding needs stride 1: a larger stride shrinks the output, padding or not."
        )
    spans = [d * (k - 1) for k, d in zip(kernel, dilation)]
    if any(span % 2 for span in spans):
        raise ValueError(
            f"'same' padding needs a kernel with a centre pixel, but it spans {spans[0] + 1}×"
            f"{spans[1] + 1} pixels: an even span would need more padding on one side."
        )
    return spans[0] // 2, spans[1] // 2


def output_size(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Output length along one axis: ⌊(n + 2p − d·(k−1) − 1) / s⌋ + 1. ValueError if < 1."""
    if min(n, kernel, stride, dilation) < 1 or padding < 0:
        raise ValueError("Sizes, kernel, stride and dilation must be ≥ 1 and padding ≥ 0.")
    span = dilation * (kernel - 1) + 1
    if n + 2 * padding < span:
        raise ValueError(
            f"The kernel does not fit: it spans {span} pixels (size {kernel}, dilation "
            f"{dilation}) but the padded input is only {n + 2 * padding} wide."
        )
    return (n + 2 * padding - span) // stride + 1


@dataclass(frozen=True)
class Window:
    """One output cell and what lies under it. `rows` (kh,) and `cols` (kw,) are the taps'
    coordinates in the unpadded input (< 0 or ≥ the input size: a padding cell); `patch` and
    `products` are (C, kh, kw); `value` is the output cell."""

    row: int
    col: int
    rows: np.ndarray
    cols: np.ndarray
    patch: np.ndarray
    products: np.ndarray
    value: float
    argmax: int | None = None  # max pooling: the winning tap, row-major over (kh, kw)

    @property
    def winner(self) -> Pair | None:
        """Max pooling: (tap row, tap column) of the winning tap; None otherwise."""
        return None if self.argmax is None else divmod(self.argmax, len(self.cols))


@dataclass(frozen=True)
class Windows:
    """Every window of a convolution (`kind` "conv") or a pooling ("max", "avg"). `products`:
    patch × kernel for "conv" and patch / (kh·kw) for "avg" (so output = Σ products + bias);
    the patch itself for "max" (the values compared). Arrays are read-only."""

    kind: str
    padded: np.ndarray  # (C, H + 2ph, W + 2pw) float64; max pooling pads with −inf
    patches: np.ndarray  # (Ho, Wo, C, kh, kw) the padded input under each tap
    products: np.ndarray  # (Ho, Wo, C, kh, kw)
    output: np.ndarray  # (Ho, Wo)
    rows: np.ndarray  # (Ho, kh) int64 tap rows in the unpadded input
    cols: np.ndarray  # (Wo, kw) int64 tap columns in the unpadded input
    kernel: Pair
    stride: Pair
    padding: Pair
    dilation: Pair
    weights: np.ndarray | None = None  # (C, kh, kw) for "conv"
    bias: float = 0.0
    argmax: np.ndarray | None = None  # (Ho, Wo) int64 for "max": winning tap, row-major

    def __post_init__(self) -> None:
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    @property
    def cells(self) -> int:
        """How many windows (output cells) there are."""
        return int(self.output.size)

    def cell(self, position: int) -> Pair:
        """Output (row, col), 0-based, of the 1-based `position` counted row by row, as a
        learner moves a window along; clamped to the output."""
        return divmod(min(max(position, 1), self.cells) - 1, self.output.shape[1])

    def window(self, i: int, j: int) -> Window:
        """The window of output cell (i, j), 0 ≤ i < Ho, 0 ≤ j < Wo."""
        if not (0 <= i < self.output.shape[0] and 0 <= j < self.output.shape[1]):
            raise IndexError(f"Output cell ({i}, {j}) is outside the {self.output.shape} output.")
        taps = (self.rows[i], self.cols[j], self.patches[i, j], self.products[i, j])
        win = None if self.argmax is None else int(self.argmax[i, j])
        return Window(i, j, *taps, value=float(self.output[i, j]), argmax=win)


@dataclass(frozen=True)
class _Grid:
    """The geometry of one sliding: per-axis kernel, stride, padding, dilation, output size."""

    kernel: Pair
    stride: Pair
    padding: Pair
    dilation: Pair
    out: Pair

    def taps(self, axis: int) -> np.ndarray:
        """(out, k) int64 input coordinates of every tap along `axis` (0 rows, 1 columns)."""
        starts = np.arange(self.out[axis]) * self.stride[axis] - self.padding[axis]
        return starts[:, None] + np.arange(self.kernel[axis]) * self.dilation[axis]


def _grid(shape: Sequence[int], kernel: Pair, stride, padding, dilation) -> _Grid:
    s, d = pair(stride, "stride"), pair(dilation, "dilation")
    p = resolve_padding(padding, kernel, d, s)
    out = tuple(output_size(shape[a], kernel[a], s[a], p[a], d[a]) for a in (0, 1))
    return _Grid(kernel, s, p, d, out)  # type: ignore[arg-type]


def _channels_first(array: np.ndarray, name: str, what: str) -> np.ndarray:
    """(C, …) float64 from a 2-D array (one channel) or a 3-D one."""
    a = np.asarray(array, dtype=np.float64)
    if a.ndim not in (2, 3) or 0 in a.shape:
        raise ValueError(f"{name} must be {what}, got shape {a.shape}.")
    return a[None] if a.ndim == 2 else a


def _pad(x: np.ndarray, padding: Pair, fill: float = 0.0) -> np.ndarray:
    """(C, H, W) → (C, H + 2ph, W + 2pw) with `fill` around."""
    (ph, pw) = padding
    return np.pad(x, ((0, 0), (ph, ph), (pw, pw)), constant_values=fill)


def _gather(padded: np.ndarray, grid: _Grid) -> np.ndarray:
    """(C, Hp, Wp) → (Ho, Wo, C, kh, kw): the padded input under every tap of every window."""
    (kh, kw), (sh, sw), (dh, dw) = grid.kernel, grid.stride, grid.dilation
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    view = sliding_window_view(padded, span, axis=(1, 2))  # (C, Hp−eh+1, Wp−ew+1, eh, ew)
    view = view[:, ::sh, ::sw, ::dh, ::dw]  # (C, Ho, Wo, kh, kw)
    return np.ascontiguousarray(view.transpose(1, 2, 0, 3, 4))


def _windows(kind: str, grid: _Grid, padded: np.ndarray, patches: np.ndarray, **rest) -> Windows:
    """A Windows of `kind` on `grid`."""
    geometry = {name: value for name, value in vars(grid).items() if name != "out"}
    return Windows(kind, padded, patches, rows=grid.taps(0), cols=grid.taps(1), **geometry, **rest)


def conv_windows(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    stride: int | Sequence[int] = 1,
    padding: str | int | Sequence[int] = 0,
    dilation: int | Sequence[int] = 1,
    bias: float = 0.0,
) -> Windows:
    """Convolution (cross-correlation) of `image` (H, W) or (C, H, W) with `kernel` (kh, kw)
    or (C, kh, kw), keeping every window: output[i, j] = Σ products[i, j] + bias, (Ho, Wo).
    The kernel's channels must match the image's (a 2-D kernel is one channel): for a
    kernel applied to each channel of a photo separately, use `filter_image`."""
    x = _channels_first(image, "The image", "(H, W) or (C, H, W)")  # (C, H, W)
    w = _channels_first(kernel, "The kernel", "(kh, kw) or (C, kh, kw)")  # (C, kh, kw)
    if w.shape[0] != x.shape[0]:
        raise ValueError(
            f"The kernel has {w.shape[0]} channel(s) but the image has {x.shape[0]}: give a "
            "(C, kh, kw) kernel, or use filter_image to filter each channel separately."
        )
    grid = _grid(x.shape[1:], w.shape[1:], stride, padding, dilation)
    padded = _pad(x, grid.padding)
    patches = _gather(padded, grid)  # (Ho, Wo, C, kh, kw)
    products = patches * w  # (Ho, Wo, C, kh, kw)
    output = products.reshape(*grid.out, -1).sum(axis=-1) + bias  # (Ho, Wo)
    rest = {"products": products, "output": output, "weights": w.copy(), "bias": float(bias)}
    return _windows("conv", grid, padded, patches, **rest)


def pool_windows(
    image: np.ndarray,
    size: int | Sequence[int],
    *,
    stride: int | Sequence[int] | None = None,
    padding: int | Sequence[int] = 0,
    dilation: int | Sequence[int] = 1,
    kind: str = "max",
) -> Windows:
    """Max or average pooling of `image` (H, W), keeping every window; output (Ho, Wo).
    Like torch: stride defaults to the size, max pooling pads with −inf (a padding cell
    never wins), average pooling counts padded zeros (count_include_pad=True), and the
    padding is at most half the window size."""
    if kind not in POOLS:
        raise ValueError(f"Unknown pooling {kind!r}: choose one of {', '.join(POOLS)}.")
    x = np.asarray(image, dtype=np.float64)
    if x.ndim != 2 or 0 in x.shape:
        raise ValueError(f"Pooling takes one (H, W) image, got shape {x.shape}.")
    k = pair(size, "pool size")
    p = pair(padding, "padding", minimum=0)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(
            f"Pooling padding can be at most half the window size ({k[0] // 2}, {k[1] // 2} "
            f"for a {k[0]}×{k[1]} window), got {p}: more would make windows of padding only."
        )
    grid = _grid(x.shape, k, k if stride is None else stride, p, dilation)
    padded = _pad(x[None], grid.padding, -np.inf if kind == "max" else 0.0)  # (1, Hp, Wp)
    patches = _gather(padded, grid)  # (Ho, Wo, 1, kh, kw)
    flat = patches.reshape(*grid.out, -1)  # (Ho, Wo, kh·kw)
    if kind == "max":
        argmax = flat.argmax(axis=-1)  # (Ho, Wo): the first of equal maxima, row-major
        return _windows(
            kind, grid, padded, patches, products=patches, output=flat.max(-1), argmax=argmax
        )
    products = patches / (k[0] * k[1])
    return _windows(kind, grid, padded, patches, products=products, output=flat.mean(-1))


def conv2d(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    *,
    stride: int | Sequence[int] = 1,
    padding: str | int | Sequence[int] = 0,
    dilation: int | Sequence[int] = 1,
) -> np.ndarray:
    """Multi-channel convolution of x (C_in, H, W) with weight (C_out, C_in, kh, kw) and
    bias (C_out,) or None → (C_out, Ho, Wo), as torch's conv2d on one image."""
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(weight, dtype=np.float64)
    if x.ndim != 3 or w.ndim != 4 or w.shape[1] != x.shape[0]:
        raise ValueError(
            f"conv2d needs x (C_in, H, W) and weight (C_out, C_in, kh, kw), got {x.shape} "
            f"and {w.shape}."
        )
    grid = _grid(x.shape[1:], w.shape[2:], stride, padding, dilation)
    patches = _gather(_pad(x, grid.padding), grid)  # (Ho, Wo, C_in, kh, kw)
    out = np.einsum("hwcij,ocij->ohw", patches, w, optimize=True)  # (C_out, Ho, Wo)
    if bias is None:
        return out
    return out + np.asarray(bias, dtype=np.float64).reshape(w.shape[0], 1, 1)  # (C_out, 1, 1)


def filter_image(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    stride: int | Sequence[int] = 1,
    padding: str | int | Sequence[int] = 0,
    dilation: int | Sequence[int] = 1,
) -> np.ndarray:
    """One kernel (kh, kw) on a photo: gray (H, W) → (Ho, Wo); colour (H, W, C), channels
    last → (Ho, Wo, C), each channel filtered separately (depthwise)."""
    img = np.asarray(image, dtype=np.float64)
    k = np.asarray(kernel, dtype=np.float64)
    if img.ndim not in (2, 3) or k.ndim != 2 or 0 in img.shape or 0 in k.shape:
        raise ValueError(
            f"filter_image needs a (H, W) or (H, W, C) image and a (kh, kw) kernel, got "
            f"{img.shape} and {k.shape}."
        )
    x = img[None] if img.ndim == 2 else img.transpose(2, 0, 1)  # (C, H, W)
    grid = _grid(x.shape[1:], k.shape, stride, padding, dilation)
    padded = _pad(x, grid.padding)  # (C, Hp, Wp)
    out = np.zeros((x.shape[0], *grid.out))  # (C, Ho, Wo)
    (sh, sw), (dh, dw), (ho, wo) = grid.stride, grid.dilation, grid.out
    for (a, b), weight in np.ndenumerate(k):  # a loop over taps; every window at once
        rows = slice(a * dh, a * dh + sh * (ho - 1) + 1, sh)
        cols = slice(b * dw, b * dw + sw * (wo - 1) + 1, sw)
        out += weight * padded[:, rows, cols]
    return out[0] if img.ndim == 2 else out.transpose(1, 2, 0)
