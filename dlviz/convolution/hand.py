"""The page's two hands-on views as configs and results: convolution and pooling worked by hand
on a small typed grid (the tutorials' 5×5 example by default), and a kernel on a photo with
ReLU and pooling after it. Typed text that can't be used falls back with a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlviz.convolution.images import PHOTOS, UploadError, decode_upload, load_photo
from dlviz.convolution.kernels import KERNELS, get_kernel, parse_grid, parse_kernel
from dlviz.convolution.windows import (
    Windows,
    conv_windows,
    filter_image,
    pool_windows,
    resolve_padding,
)
from dlviz.formulas import latex_number
from dlviz.knobs import Config, knob

EXAMPLE_INPUT = "1 0 1 0 1; 0 1 0 1 0; 1 0 1 0 1; 0 1 0 1 0; 1 0 1 0 1"  # the tutorials' 5×5
EXAMPLE_KERNEL = "1 0 1; 0 1 0; 1 0 1"
MAX_INPUT_SIDE = 12  # rows or columns of a typed input grid
PADDINGS = {"0": "0 (valid)", "1": "1", "2": "2", "same": "same"}
MOST_WINDOWS = (MAX_INPUT_SIDE + 2 * 2) ** 2  # a 1×1 kernel, stride 1, padding 2 on 12×12
UPLOAD = "upload"  # the photo choice that takes the learner's own picture
CUSTOM = "custom"  # the kernel choice that takes typed weights
KERNEL_HELP = " · ".join(f"{k.label}: {k.about}" for k in KERNELS.values())
KERNEL_LABELS = {**{name: k.label for name, k in KERNELS.items()}, CUSTOM: "Type one"}


def _padding(choice: str) -> str | int:
    return choice if choice == "same" else int(choice)


@dataclass(frozen=True)
class HandConfig(Config):
    """A convolution worked by hand: a typed input and kernel, the window's geometry and
    the window shown (1-based, row by row)."""

    grid: str = knob(EXAMPLE_INPUT, "Input", high=500,
                     help="Rows separated by ; and numbers by spaces, up to 12×12.")  # fmt: skip
    kernel: str = knob(EXAMPLE_KERNEL, "Kernel", high=500,
                       help="Rows separated by ;, e.g. 1 0 -1; 2 0 -2; 1 0 -1. Fractions "
                       "like 1/9 work.")  # fmt: skip
    stride: int = knob(1, "Stride", low=1, high=3, options=(1, 2, 3), widget="segmented")
    padding: str = knob("0", "Padding", options=tuple(PADDINGS), labels=PADDINGS,
                        widget="segmented")  # fmt: skip
    dilation: int = knob(1, "Dilation", low=1, high=3, options=(1, 2, 3), widget="segmented")
    position: int = knob(1, "Window position", low=1, high=MOST_WINDOWS, step=1,
                         help="Which output cell is being computed, row by row.")  # fmt: skip


@dataclass(frozen=True)
class PoolConfig(Config):
    """Max and average pooling side by side on the by-hand input."""

    size: int = knob(2, "Pool size", low=2, high=3, options=(2, 3), widget="segmented")
    stride: int = knob(2, "Pool stride", low=1, high=3, options=(1, 2, 3), widget="segmented")
    position: int = knob(1, "Pool window", low=1, high=MAX_INPUT_SIDE**2, step=1)


@dataclass(frozen=True)
class Hand:
    """A convolution worked by hand: every window, the kernel used, and a sentence when
    the typed text or the geometry could not be used (the example or plain geometry shown
    instead)."""

    windows: Windows
    grid: np.ndarray  # (H, W) the input used
    kernel: np.ndarray  # (kh, kw) the kernel used
    problem: str | None


def work_by_hand(cfg: HandConfig) -> Hand:
    """The convolution `cfg` describes, or, with a sentence saying why: the example's grid
    or kernel for text that isn't a grid of numbers, stride 1 / no padding / dilation 1
    for a geometry that does not fit the grid."""
    problems = []
    try:
        grid = parse_grid(cfg.grid, what="input", max_side=MAX_INPUT_SIDE)
    except ValueError as err:
        grid = parse_grid(EXAMPLE_INPUT, what="input")
        problems.append(f"Input: {err} Using the example input.")
    try:
        kernel = parse_kernel(cfg.kernel)
    except ValueError as err:
        kernel = parse_kernel(EXAMPLE_KERNEL)
        problems.append(f"Kernel: {err} Using the example kernel.")
    geometry = {"stride": cfg.stride, "padding": _padding(cfg.padding), "dilation": cfg.dilation}
    try:
        windows = conv_windows(grid, kernel, **geometry)
    except ValueError as err:
        try:
            windows = conv_windows(grid, kernel)
        except ValueError as again:  # the input is too small even for plain sliding
            grid, kernel = parse_grid(EXAMPLE_INPUT, what="input"), parse_kernel(EXAMPLE_KERNEL)
            if str(err) != str(again):
                problems.append(str(err))
            problems.append(f"{again} Using the example with stride 1, no padding, dilation 1.")
            windows = conv_windows(grid, kernel)
        else:
            problems.append(f"{err} Showing stride 1, no padding, dilation 1 instead.")
    return Hand(windows, grid, kernel, " ".join(problems) or None)


def products_line(hand: Hand, row: int, col: int) -> str:
    """The sum of one window written out, in LaTeX: `1·1 + 0·0 + … = 5` (terms in reading
    order; a bias is added at the end when there is one)."""
    window = hand.windows.window(row, col)
    patch, kernel = window.patch[0], hand.kernel  # (kh, kw) each
    pairs = zip(patch.ravel(), kernel.ravel(), strict=True)
    terms = [f"{latex_number(x)}\\cdot{latex_number(w)}" for x, w in pairs]
    if hand.windows.bias:
        terms.append(latex_number(hand.windows.bias))
    return f"y_{{{row + 1},{col + 1}}} = " + " + ".join(terms) + f" = {window.value:.4g}"


def size_formula(hand: Hand) -> str:
    """The output-size formula with this grid's numbers, per side (LaTeX)."""
    w = hand.windows
    parts = []
    for axis, name in ((0, "rows"), (1, "columns")):
        n, k = hand.grid.shape[axis], w.kernel[axis]
        s, p, d = w.stride[axis], w.padding[axis], w.dilation[axis]
        out = w.output.shape[axis]  # what the formula gives (the windows were made by it)
        parts.append(
            rf"\text{{{name}: }}\left\lfloor \frac{{{n} + 2\cdot{p} - {d}\cdot({k}-1) - 1}}"
            rf"{{{s}}} \right\rfloor + 1 = {out}"
        )
    return r"\qquad ".join(parts)


@dataclass(frozen=True)
class Pooled:
    """Max and average pooling of one grid (both empty, with a sentence, when the window
    does not fit)."""

    windows: tuple[Windows, ...]  # (max, avg), or () when `problem`
    problem: str | None

    @property
    def cells(self) -> int:
        """Windows per pooling (0 when the window does not fit)."""
        return self.windows[0].cells if self.windows else 0


def pool_by_hand(grid: np.ndarray, cfg: PoolConfig) -> Pooled:
    """Max and average pooling of `grid` with `cfg`'s window, or why the window does not fit."""
    try:
        kinds = ("max", "avg")
        return Pooled(tuple(pool_windows(grid, cfg.size, stride=cfg.stride, kind=k) for k in kinds),
                      None)  # fmt: skip
    except ValueError as err:
        return Pooled((), str(err))


@dataclass(frozen=True)
class PhotoConfig(Config):
    """A kernel on a photo: which photo, which kernel (or typed weights), how it slides and
    how the result is pooled."""

    photo: str = knob("china", "Photo", options=(*PHOTOS, UPLOAD),
                      labels={**PHOTOS, UPLOAD: "Your own picture"})  # fmt: skip
    color: bool = knob(False, "Colour", help="Filter the red, green and blue channels each on "
                       "its own instead of the grey picture.")  # fmt: skip
    kernel: str = knob("sobel_x", "Kernel", options=(*KERNELS, CUSTOM), labels=KERNEL_LABELS,
                       help=KERNEL_HELP)  # fmt: skip
    custom: str = knob("1 1 1; 0 0 0; -1 -1 -1", "Your kernel", high=500,
                       when=lambda v: v.get("kernel") == CUSTOM)  # fmt: skip
    stride: int = knob(1, "Stride", low=1, high=3, options=(1, 2, 3), widget="segmented")
    padding: str = knob("same", "Padding", options=("0", "same"), labels=PADDINGS,
                        widget="segmented")  # fmt: skip
    pool: str = knob("max", "Pooling", options=("max", "avg"), widget="segmented",
                     labels={"max": "max 2×2", "avg": "average 2×2"})  # fmt: skip


@dataclass(frozen=True)
class Filtered:
    """A photo, the kernel used, and the output, ReLU and 2×2 pooled maps (gray (H, W) or
    per channel (H, W, 3)); `problem` says why a typed kernel was replaced."""

    image: np.ndarray
    kernel: np.ndarray
    output: np.ndarray
    relu: np.ndarray
    pooled: np.ndarray
    problem: str | None

    @property
    def signed(self) -> bool:
        """Whether the kernel has negative weights (its output has both signs)."""
        return bool((self.kernel < 0).any())


def photo_of(cfg: PhotoConfig, upload: bytes | None) -> tuple[np.ndarray | None, str | None]:
    """(the picture `cfg` chooses, why it can't be had): a bundled photo, or the learner's
    upload (None before a file is chosen; a one-line reason for a file that can't be used)."""
    if cfg.photo != UPLOAD:
        return load_photo(cfg.photo, color=cfg.color), None
    try:
        return (decode_upload(upload, color=cfg.color) if upload else None), None
    except UploadError as err:
        return None, str(err)


def chosen_kernel(cfg: PhotoConfig) -> tuple[np.ndarray, str | None]:
    """The preset's weights, or the typed ones (Sobel x and a sentence if they can't be read)."""
    if cfg.kernel != CUSTOM:
        return get_kernel(cfg.kernel).weights, None
    try:
        return parse_kernel(cfg.custom), None
    except ValueError as err:
        return get_kernel("sobel_x").weights, f"Your kernel: {err} Using Sobel x instead."


def filter_photo(image: np.ndarray, cfg: PhotoConfig) -> Filtered:
    """`cfg`'s kernel over `image` (gray (H, W) or RGB (H, W, 3) in [0, 1]), then ReLU, then
    2×2 pooling with stride 2 per channel."""
    kernel, problem = chosen_kernel(cfg)
    padding = _padding(cfg.padding)
    try:
        resolve_padding(padding, kernel.shape, (1, 1), (cfg.stride, cfg.stride))
    except ValueError as err:  # 'same' needs stride 1 and odd sides
        padding, problem = 0, f"{problem or ''} {err} No padding used.".strip()
    out = filter_image(image, kernel, stride=cfg.stride, padding=padding)
    relu = np.maximum(out, 0.0)
    channels = relu[None] if relu.ndim == 2 else np.moveaxis(relu, -1, 0)  # (C, H, W)
    pooled = [pool_windows(c, 2, kind=cfg.pool).output for c in channels]
    pooled_arr = pooled[0] if relu.ndim == 2 else np.stack(pooled, axis=-1)
    return Filtered(image, kernel, out, relu, pooled_arr, (problem or "").strip() or None)
