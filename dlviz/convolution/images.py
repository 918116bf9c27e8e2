"""Images for the Convolution topic: bundled photos, safely decoded uploads and hand-drawn or
uploaded digits prepared like scikit-learn's 8×8 digits. NumPy, Pillow and scikit-learn only;
no convolution here (windows.py) and no widgets (dlviz.ui)."""

from __future__ import annotations

import functools
import io
import math

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from dlviz.data import make_digits

PHOTOS: dict[str, str] = {
    "china": "Chinese temple",
    "flower": "Flower",
    "digit": "A handwritten digit (8×8, scikit-learn)",
}
FORMATS: tuple[str, ...] = ("PNG", "JPEG", "GIF", "BMP", "WEBP")
MIN_SIDE, MAX_SIDE = 16, 512  # the range of `side`, pixels
MIN_INK = 0.005  # a drawing whose mean ink is below this (0.5 % of the canvas) is blank
_DEEP_MODES = {"I": 32, "F": 32}  # plus every "I;16*" mode: 16 bits
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R 601, as Pillow's "L"


class UploadError(ValueError):
    """An upload that cannot be used; its message is one line written for the learner."""


def _check_side(side: int) -> None:
    if not MIN_SIDE <= side <= MAX_SIDE:
        raise ValueError(f"side must be between {MIN_SIDE} and {MAX_SIDE} pixels, got {side}")


def _scaled_size(width: int, height: int, side: int) -> tuple[int, int]:
    """(width, height) with the longer side equal to `side` and the aspect ratio kept."""
    if width >= height:
        return side, max(1, round(height * side / width))
    return max(1, round(width * side / height)), side


@functools.cache
def _raw_photo(name: str) -> np.ndarray:
    """The decoded original, read-only: uint8 (H, W, 3) for a photo, float32 (8, 8) in [0, 1]
    for the digit. Cached: decoded once per process."""
    if name == "digit":
        x, y = make_digits()
        raw = x[np.flatnonzero(y == 0)[0]].reshape(8, 8)  # (64,) → (8, 8)
    else:
        from sklearn.datasets import load_sample_image  # lazily: see dlviz/data/digits.py

        raw = np.asarray(load_sample_image(f"{name}.jpg"), dtype=np.uint8)
    raw = raw.copy()
    raw.setflags(write=False)
    return raw


def load_photo(name: str, *, color: bool = False, side: int = 160) -> np.ndarray:
    """A bundled picture (see PHOTOS; nothing downloads), its longer side scaled to `side`
    pixels (16..512) keeping the aspect ratio: float32 in [0, 1], (H, W) gray (ITU-R 601 luma)
    or (H, W, 3) RGB. The digit is enlarged nearest-neighbour, bright ink on black. A fresh
    array every call."""
    if name not in PHOTOS:
        raise ValueError(f"Unknown photo {name!r}; valid names: {', '.join(PHOTOS)}")
    _check_side(side)
    raw = _raw_photo(name)
    if name == "digit":
        rows = np.arange(side) * raw.shape[0] // side  # nearest source row of each output row
        cols = np.arange(side) * raw.shape[1] // side
        big = raw[rows][:, cols]  # (8, 8) → (side, side)
        return np.repeat(big[..., None], 3, axis=2) if color else big.copy()
    img = Image.fromarray(raw)
    if not color:
        img = img.convert("L")
    img = img.resize(_scaled_size(*img.size, side), Image.Resampling.LANCZOS)
    return np.asarray(img, dtype=np.float32) / 255.0


def _megabytes(n_bytes: int) -> str:
    """`n_bytes` in MB (2**20 bytes), rounded up to one decimal, without a trailing '.0'."""
    mb = math.ceil(n_bytes / 2**20 * 10) / 10
    return f"{mb:g}"


def _open_lazily(data: bytes) -> Image.Image:
    """Pillow's lazy open (header only) of an allowed format; raises UploadError otherwise."""
    try:
        return Image.open(io.BytesIO(data), formats=FORMATS)
    except UnidentifiedImageError:
        raise UploadError("That file is not a PNG, JPEG, GIF, BMP or WebP image.") from None


def _check_header(img: Image.Image, max_pixels: int) -> None:
    """Refuse what the header already tells: too many pixels, too few, frames, deep modes."""
    width, height = img.size
    if width * height > max_pixels:
        raise UploadError(
            f"The image says it is {width:,} × {height:,} pixels; the limit is "
            f"{max_pixels:,} pixels in all. Upload a smaller picture."
        )
    if getattr(img, "n_frames", 1) > 1:
        raise UploadError("Animated images aren't supported: upload a single still picture.")
    bits = 16 if img.mode.startswith("I;16") else _DEEP_MODES.get(img.mode)
    if bits is not None:
        raise UploadError(
            f"This is a {bits}-bit image; save it as an 8-bit PNG or JPEG and upload that."
        )
    if width < MIN_SIDE or height < MIN_SIDE:
        raise UploadError(
            f"The image is {width} × {height} pixels; it must be at least {MIN_SIDE} × {MIN_SIDE}."
        )


def _decode(img: Image.Image, *, color: bool, side: int) -> Image.Image:
    """Decode, upright (EXIF), on white where transparent, in "RGB" or "L", at most `side`."""
    if img.format == "JPEG":
        img.draft("RGB" if color else "L", (side, side))  # decode at 1/2, 1/4 or 1/8 size
    try:
        img.load()
    except (OSError, SyntaxError, ValueError, EOFError):
        raise UploadError("The image file is damaged or cut short.") from None
    img = ImageOps.exif_transpose(img)
    if "A" in img.mode or "a" in img.mode or "transparency" in img.info:
        white = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, img.convert("RGBA"))
    img = img.convert("RGB")  # palette, 1-bit, L, CMYK, YCbCr … all become RGB
    if not color:
        img = img.convert("L")  # ITU-R 601 luma
    img.thumbnail((side, side), Image.Resampling.LANCZOS)  # never enlarges
    if min(img.size) < MIN_SIDE:  # a long thin strip: no kernel would fit across it
        raise UploadError(
            f"The picture is too thin: shrunk to {side} pixels it is {img.width} × {img.height}; "
            f"both sides must be at least {MIN_SIDE}."
        )
    return img


def decode_upload(
    data: bytes,
    *,
    color: bool = False,
    side: int = 160,
    max_bytes: int = 5 * 2**20,
    max_pixels: int = 25_000_000,
) -> np.ndarray:
    """An uploaded PNG, JPEG, GIF, BMP or WebP file as float32 in [0, 1], (H, W) gray (ITU-R
    601 luma) or (H, W, 3) RGB, upright per its EXIF orientation, transparency on white, the
    longer side shrunk to at most `side` pixels (16..512; small images keep their size).

    Raises UploadError (one line for the learner) for anything else: more than `max_bytes`
    (checked before Pillow sees it), a header declaring more than `max_pixels` pixels (checked
    before decoding), a side under MIN_SIDE pixels (before or after shrinking), animations,
    16/32-bit modes, damaged files."""
    _check_side(side)
    if len(data) > max_bytes:
        raise UploadError(
            f"The file is {_megabytes(len(data))} MB; the limit is {_megabytes(max_bytes)} MB."
        )
    try:  # (Pillow only warns between its limit and twice it; the header check is stricter)
        with _open_lazily(data) as img:
            _check_header(img, max_pixels)
            out = _decode(img, color=color, side=side)
    except UploadError:
        raise
    except Image.DecompressionBombError:
        raise UploadError(
            f"The image says it has more than {Image.MAX_IMAGE_PIXELS or 0:,} pixels; the "
            f"limit is {max_pixels:,}. Upload a smaller picture."
        ) from None
    except Exception:  # never a traceback for the learner
        raise UploadError("The image could not be read.") from None
    return np.asarray(out, dtype=np.float32) / 255.0


def _area_weights(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) exact area averaging: the share of each input pixel inside each output
    cell, divided by the cell's width (rows sum to 1)."""
    edges = np.arange(n_out + 1) * (n_in / n_out)  # cell boundaries, in input pixels
    left = np.arange(n_in)[None, :]  # (1, n_in) pixel j spans [j, j + 1)
    overlap = np.minimum(left + 1, edges[1:, None]) - np.maximum(left, edges[:-1, None])
    return (np.clip(overlap, 0.0, None) / (n_in / n_out)).astype(np.float32)


def fit_digit(ink: np.ndarray) -> np.ndarray | None:
    """Ink (H, W) in [0, 1] (1 = ink) → float32 (8, 8) in [0, 1] laid out like scikit-learn's
    digits, or None when the mean ink is below MIN_INK (nothing there).

    Mirrors the digits' making (NIST 32×32 bitmaps, ink counted in 4×4 blocks): the ink's
    bounding box, padded to a centred square, is area-averaged exactly to 8×8 and scaled so the
    brightest cell is 1. No margin: every one of scikit-learn's 1797 digits touches the top
    and bottom rows, so the longer side of the ink fills the 8 cells."""
    ink = np.asarray(ink, dtype=np.float32)
    if ink.ndim != 2:
        raise ValueError(f"ink must be (H, W), got shape {ink.shape}")
    if ink.size == 0 or float(ink.mean()) < MIN_INK:
        return None
    rows = np.flatnonzero((ink > 0.05).any(axis=1))
    cols = np.flatnonzero((ink > 0.05).any(axis=0))
    if not len(rows):  # a faint wash over the whole picture, no stroke
        return None
    box = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]  # (h, w) crop of the ink
    size = max(box.shape)
    top, left = (size - box.shape[0]) // 2, (size - box.shape[1]) // 2
    square = np.zeros((size, size), dtype=np.float32)
    square[top : top + box.shape[0], left : left + box.shape[1]] = box  # (size, size)
    weights = _area_weights(size, 8)  # (8, size)
    out = weights @ square @ weights.T  # (8, size) @ (size, size) @ (size, 8) → (8, 8)
    return out / out.max()


def _border_median(image: np.ndarray) -> float:
    """Median of the outermost pixels of a (H, W) image: the background's level."""
    border = np.concatenate([image[0], image[-1], image[1:-1, 0], image[1:-1, -1]])
    return float(np.median(border))


def digit_from_drawing(rgba: np.ndarray) -> np.ndarray | None:
    """A drawing canvas's uint8 (H, W, 4) RGBA → float32 (8, 8) in [0, 1] (see fit_digit),
    or None when nothing is drawn.

    Ink rule: when the background (the border's median alpha) is transparent, ink = alpha,
    so strokes of any colour count; when it is opaque, ink = luma, inverted when the
    background is light (dark strokes on white)."""
    rgba = np.asarray(rgba)
    if rgba.ndim != 3 or rgba.shape[2] != 4 or rgba.dtype != np.uint8:
        raise ValueError(f"rgba must be uint8 (H, W, 4), got {rgba.dtype} {rgba.shape}")
    alpha = rgba[..., 3].astype(np.float32) / 255.0  # (H, W)
    if _border_median(alpha) < 0.5:
        return fit_digit(alpha)
    luma = rgba[..., :3].astype(np.float32) @ _LUMA / 255.0  # (H, W, 3) → (H, W)
    return fit_digit(1.0 - luma if _border_median(luma) > 0.5 else luma)


def digit_from_upload(data: bytes) -> np.ndarray:
    """An uploaded picture of one digit (dark on light or light on dark) → float32 (8, 8) in
    [0, 1] (see fit_digit). Raises UploadError as decode_upload does, or when no digit is
    found (a blank or flat picture)."""
    gray = decode_upload(data, color=False, side=160)  # (H, W) in [0, 1]
    if _border_median(gray) > 0.5:
        gray = 1.0 - gray  # ink bright, background dark
    background, peak = _border_median(gray), float(gray.max())
    digit = None
    if peak - background > 0.1:
        ink = np.clip((gray - background) / (peak - background), 0.0, 1.0)
        digit = fit_digit(np.where(ink < 0.2, 0.0, ink))  # paper grain and JPEG noise → 0
    if digit is None:
        raise UploadError("No digit found: upload one dark digit on a light background.")
    return digit


def digit_from(upload: bytes | None, drawing: np.ndarray | None) -> np.ndarray | None:
    """The learner's digit (8, 8): from an uploaded photo when there is one, else from the
    canvas's pixels; None when neither holds a digit. UploadError for a bad upload."""
    if upload:
        return digit_from_upload(upload)
    return None if drawing is None else digit_from_drawing(drawing)
