"""The preset image kernels of the Convolution page (KERNELS) and typed kernels: parse a
learner's text into weights with a one-line message for every mistake, and write weights back
as text. NumPy only; applying a kernel lives in windows.py."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

MAX_SIDE = 9  # rows or columns a typed kernel may have
MAX_CHARS = 500  # characters of text parse_kernel reads
MAX_WEIGHT = 1000.0  # largest |weight| a typed kernel may hold
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")  # 3, -0.5, .5, 1e-3


@dataclass(frozen=True)
class Kernel:
    """A named kernel: `weights` (kh, kw) float64, read-only; `about` says what it does."""

    label: str
    weights: np.ndarray
    about: str

    def __post_init__(self) -> None:
        weights = np.array(self.weights, dtype=np.float64)  # a private copy
        weights.setflags(write=False)
        object.__setattr__(self, "weights", weights)


def _kernel(label: str, rows: list[list[float]], about: str, scale: float = 1.0) -> Kernel:
    return Kernel(label, np.array(rows, dtype=np.float64) / scale, about)


_SOBEL = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
_PREWITT = [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]
KERNELS: dict[str, Kernel] = {
    "identity": _kernel(
        "Identity",
        [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
        "Copies every pixel unchanged: the only non-zero weight is the centre's 1.",
    ),
    "box_blur": _kernel(
        "Box blur",
        [[1, 1, 1], [1, 1, 1], [1, 1, 1]],
        "Replaces each pixel by the plain average of its 3×3 neighbourhood, smearing detail.",
        scale=9,
    ),
    "gaussian_blur": _kernel(
        "Gaussian blur",
        [[1, 2, 1], [2, 4, 2], [1, 2, 1]],
        "Averages the neighbourhood with more weight near the centre: a softer blur than the box.",
        scale=16,
    ),
    "sharpen": _kernel(
        "Sharpen",
        [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
        "Adds to each pixel its difference from its four neighbours, so edges and texture pop.",
    ),
    "laplacian": _kernel(
        "Edges (Laplacian)",
        [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
        "Gives zero on flat regions and a strong answer wherever brightness bends, in any way.",
    ),
    "sobel_x": _kernel(
        "Sobel x",
        _SOBEL,
        "Right minus left, centre row counted twice: lights up vertical edges, signed by side.",
    ),
    "sobel_y": _kernel(
        "Sobel y",
        np.transpose(_SOBEL).tolist(),
        "Below minus above, centre column counted twice: lights up horizontal edges.",
    ),
    "prewitt_x": _kernel(
        "Prewitt x",
        _PREWITT,
        "Right minus left with the three rows weighted equally: another vertical-edge finder.",
    ),
    "prewitt_y": _kernel(
        "Prewitt y",
        np.transpose(_PREWITT).tolist(),
        "Below minus above with the three columns weighted equally: finds horizontal edges.",
    ),
    "emboss": _kernel(
        "Emboss",
        [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
        "Lower right minus upper left on top of the pixel itself: the picture looks lit from one "
        "side and pressed into metal.",
    ),
}


def get_kernel(name: str) -> Kernel:
    """The preset called `name`; ValueError listing the valid names otherwise."""
    if name not in KERNELS:
        raise ValueError(f"Unknown kernel {name!r}: choose one of {', '.join(KERNELS)}.")
    return KERNELS[name]


def _quote(token: str) -> str:
    return f'"{token if len(token) <= 20 else token[:20] + "…"}"'


def _number(token: str) -> float:
    """One weight from a token such as 3, -0.5, 1e-3, 1/9 or -1/8."""
    parts = token.split("/")
    if len(parts) > 2 or not all(_NUMBER.fullmatch(part) for part in parts):
        if token.lower().lstrip("+-") in ("nan", "inf", "infinity"):
            raise ValueError(f"{_quote(token)} is not allowed: every weight must be a real number.")
        raise ValueError(
            f"{_quote(token)} is not a number: write weights like 2, -0.5, 1e-3 or 1/9."
        )
    numerator = float(parts[0])
    denominator = float(parts[1]) if len(parts) == 2 else 1.0
    if denominator == 0:
        raise ValueError(f"{_quote(token)} divides by zero.")
    value = numerator / denominator  # inf for 1e400 or 1e300/1e-300
    if not abs(value) <= MAX_WEIGHT:
        raise ValueError(f"{_quote(token)} is huge: keep every weight between -1000 and 1000.")
    return value


def _count(n: int) -> str:
    return f"{n} number" if n == 1 else f"{n} numbers"


def parse_grid(text: str, *, what: str = "kernel", max_side: int = MAX_SIDE) -> np.ndarray:
    """Numbers (rows, cols) float64 from text: one row per line (or rows separated by ";"),
    numbers separated by spaces or commas; ints, decimals, exponents and fractions such as
    1/9. At most `max_side`×`max_side` numbers of size ≤ 1000 and 500 characters. ValueError
    with a one-line message naming `what` ("kernel", "input")."""
    if len(text) > MAX_CHARS:
        raise ValueError(f"The {what} text has {len(text)} characters; at most {MAX_CHARS} fit.")
    lines = [line.strip() for line in re.split(r"[;\r\n]", text)]
    rows = [[t for t in re.split(r"[\s,]+", line) if t] for line in lines if line.strip(" ,\t")]
    if not rows:
        raise ValueError(f"The {what} is empty: type rows of numbers, one row per line.")
    if len(rows) > max_side:
        raise ValueError(f"The {what} has {len(rows)} rows; at most {max_side} are allowed.")
    for r, row in enumerate(rows, start=1):
        if len(row) > max_side:
            raise ValueError(f"Row {r} has {len(row)} numbers; at most {max_side} are allowed.")
        if len(row) != len(rows[0]):
            raise ValueError(
                f"Rows differ in length: row {r} has {_count(len(row))}, row 1 has "
                f"{_count(len(rows[0]))}."
            )
    return np.array([[_number(t) for t in row] for row in rows], dtype=np.float64)


def parse_kernel(text: str) -> np.ndarray:
    """A typed kernel's weights (kh, kw): parse_grid with at most 9×9 weights."""
    return parse_grid(text, what="kernel", max_side=MAX_SIDE)
