"""Pictures as compact encoded PNGs (never per-pixel heatmap JSON): colours for values, mosaics
of tiles, crisp upscaling and one picture as a figure. Every topic that shows images uses it;
NumPy and Pillow in, plotly Figure out, no model code.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from dlviz.figures import style
from dlviz.figures.style import HIDDEN_AXIS, base_layout

UPSCALE_TO = 256  # a small picture is enlarged by a whole factor to about this many pixels
# Signed pictures use 127 steps per side: 255 colours and a transparent one fit a palette PNG,
# 2–3× smaller than full colour, with steps finer than the 8-bit scale shows.
SIGNED_LEVELS = 127
MIN_BADGE_TILE = 6  # tiles of fewer pixels get their numbers beside the rows, not on them
BADGE = {"font": {"size": 9, "color": "#ffffff"}, "bgcolor": "rgba(0,0,0,0.5)", "borderpad": 1}
_RGB = {name: np.array(style.hex_to_rgb(color), dtype=np.float64)
        for name, color in (("neg", style.NEG_COLOR), ("mid", style.NEUTRAL_COLOR),
                            ("pos", style.POS_COLOR))}  # fmt: skip


def png_uri(pixels: np.ndarray) -> str:
    """uint8 pixels, gray (H, W), gray + alpha (H, W, 2), RGB (H, W, 3) or RGBA (H, W, 4), as a
    "data:image/png;base64,…" URI. Pictures of at most 256 colours go as a palette PNG (much
    smaller, same pixels); zlib level 6 without Pillow's slow `optimize`."""
    arr = np.ascontiguousarray(pixels)
    if arr.dtype != np.uint8 or arr.ndim not in (2, 3) or 0 in arr.shape:
        raise ValueError(f"pixels must be non-empty uint8 (H, W[, C]), got {arr.dtype} {arr.shape}")
    if arr.ndim == 3 and arr.shape[2] not in (2, 3, 4):
        raise ValueError(f"pixels must have 1–4 channels, got {arr.shape[2]}")
    img = _palette(arr) if arr.ndim == 3 and arr.shape[2] >= 3 else None
    img = Image.fromarray(arr) if img is None else img  # mode from the shape: L, LA, RGB, RGBA
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", optimize=False, compress_level=6)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _palette(arr: np.ndarray) -> Image.Image | None:
    """RGB(A) (H, W, 3|4) as a "P" image when it has ≤ 256 distinct colours, else None."""
    h, w, c = arr.shape
    rgba = arr if c == 4 else np.concatenate([arr, np.full((h, w, 1), 255, np.uint8)], axis=2)
    codes = rgba.reshape(-1).view(np.uint32)  # one 32-bit code per pixel, (H·W,)
    colors, index = np.unique(codes, return_inverse=True)
    if len(colors) > 256:
        return None
    img = Image.fromarray(index.astype(np.uint8).reshape(h, w))  # (H·W,) → (H, W)
    table = colors.view(np.uint8).reshape(-1, 4)  # (K, 4) RGBA
    img.putpalette(table.reshape(-1).tobytes(), rawmode="RGBA" if c == 4 else "RGBX")
    return img


def colorize(
    values: np.ndarray, *, signed: bool, span: float | None = None, levels: int | None = None
) -> np.ndarray:
    """Values (H, W) as uint8 RGBA (H, W, 4). `signed`: the house diverging scale, NEG_COLOR
    at −span, NEUTRAL_COLOR at 0 (exactly), POS_COLOR at +span (span default max |v|).
    Unsigned: grey, black at 0 and white at `span`, or black at the minimum and white at the
    maximum without one. NaN cells are transparent (alpha 0), ±inf is clipped. `levels`
    rounds to that many steps per side (fewer colours: a smaller palette PNG)."""
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 2:
        raise ValueError(f"values must be (H, W), got shape {v.shape}")
    finite = v[np.isfinite(v)]
    if signed:
        top = span if span and np.isfinite(span) and span > 0 else peak(finite)
        t = np.clip(np.nan_to_num(v / top, nan=0.0, posinf=1.0, neginf=-1.0), -1.0, 1.0)
        t = t if not levels else np.rint(t * levels) / levels
        end = np.where(t[..., None] < 0, _RGB["neg"], _RGB["pos"])  # (H, W, 3)
        rgb = _RGB["mid"] + np.abs(t)[..., None] * (end - _RGB["mid"])  # (H, W, 3)
    else:
        lo, hi = _grey_range(finite, span)
        t = np.clip(np.nan_to_num((v - lo) / (hi - lo), nan=0.0, posinf=1.0, neginf=0.0), 0, 1)
        t = t if not levels else np.rint(t * levels) / levels
        rgb = np.repeat(255.0 * t[..., None], 3, axis=2)  # (H, W) → (H, W, 3)
    rgba = np.empty((*v.shape, 4), dtype=np.uint8)
    rgba[..., :3] = np.rint(rgb)
    rgba[..., 3] = 255
    rgba[np.isnan(v)] = 0  # see-through, one colour for every gap
    return rgba


def peak(values: np.ndarray) -> float:
    """max |v| over the finite values (a shared colour span); 1 when there is none or it is 0."""
    a = np.abs(np.asarray(values, dtype=np.float64))
    a = a[np.isfinite(a)]
    return float(a.max()) if a.size and a.max() > 0 else 1.0


def _grey_range(finite: np.ndarray, span: float | None) -> tuple[float, float]:
    """(black, white) of the grey scale; a flat picture is black at ≤ 0, white above."""
    if span and np.isfinite(span) and span > 0:
        return 0.0, float(span)
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if hi > lo:
        return lo, hi
    return (0.0, hi) if hi > 0 else (hi, hi + 1.0)


def rgb_pixels(pixels: np.ndarray) -> np.ndarray:
    """A colour picture (H, W, 3) in [0, 1] as uint8 RGBA (H, W, 4): values clipped, a pixel
    with a NaN channel transparent."""
    p = np.asarray(pixels, dtype=np.float64)
    if p.ndim != 3 or p.shape[2] != 3:
        raise ValueError(f"an RGB picture must be (H, W, 3), got shape {p.shape}")
    rgba = np.empty((*p.shape[:2], 4), dtype=np.uint8)
    rgba[..., :3] = np.rint(255.0 * np.clip(np.nan_to_num(p, nan=0.0, posinf=1.0), 0, 1))
    rgba[..., 3] = 255
    rgba[np.isnan(p).any(axis=2)] = 0
    return rgba


def mosaic(tiles: np.ndarray, columns: int, gap: int = 1) -> np.ndarray:
    """Tiles (N, h, w) laid out row by row, `columns` per row, as one float64 picture
    (rows·h + (rows−1)·gap, columns·w + (columns−1)·gap); the gaps (and missing tiles of the
    last row) are NaN, so colorize leaves them see-through."""
    t = np.asarray(tiles, dtype=np.float64)
    if t.ndim != 3 or columns < 1 or gap < 0:
        raise ValueError(f"tiles must be (N, h, w) with columns ≥ 1, got {t.shape}, {columns}")
    n, h, w = t.shape
    rows = max(1, -(-n // columns))
    grid = np.full((rows * columns, h + gap, w + gap), np.nan)  # each tile with its gap
    grid[:n, :h, :w] = t
    grid = grid.reshape(rows, columns, h + gap, w + gap).transpose(0, 2, 1, 3)
    flat = grid.reshape(rows * (h + gap), columns * (w + gap))  # (rows·(h+g), cols·(w+g))
    return flat[: rows * (h + gap) - gap, : columns * (w + gap) - gap]


def compact(rgba: np.ndarray) -> np.ndarray:
    """RGBA (H, W, 4) with the channels a picture needs: alpha dropped when all opaque, the
    colours folded into one grey when R = G = B. (H, W), (H, W, 2), (H, W, 3) or (H, W, 4)."""
    opaque = bool((rgba[..., 3] == 255).all())
    grey = bool((rgba[..., 0] == rgba[..., 1]).all() and (rgba[..., 1] == rgba[..., 2]).all())
    if grey:
        return rgba[..., 0] if opaque else rgba[..., [0, 3]]
    return rgba[..., :3] if opaque else rgba


def image_trace(rgba: np.ndarray, **extra: object) -> dict[str, object]:
    """An image trace of uint8 RGBA (H, W, 4) as a compact PNG. A small picture is enlarged
    nearest-neighbour by a whole factor f (to about UPSCALE_TO pixels) so it stays crisp where
    the browser smooths; x0/dx keep pixel (i, j) centred at x = j, y = i either way."""
    pixels = compact(np.asarray(rgba, dtype=np.uint8))
    f = max(1, UPSCALE_TO // max(pixels.shape[:2]))
    if f > 1:
        pixels = np.repeat(np.repeat(pixels, f, axis=0), f, axis=1)  # (f·H, f·W[, C])
    start = -0.5 + 0.5 / f
    return {"type": "image", "source": png_uri(pixels), "x0": start, "y0": start,
            "dx": 1 / f, "dy": 1 / f, "hoverinfo": "skip"} | extra  # fmt: skip


def pixel_axes(
    shape: tuple[int, ...], suffix: str = "", *, x_domain: list[float] | None = None,
    y_domain: list[float] | None = None,
) -> dict[str, dict[str, object]]:  # fmt: skip
    """Layout axes `xaxis{suffix}`, `yaxis{suffix}` for a (rows, cols, …) grid of cells:
    hidden, square cells, row 0 on top, the cells' outer edges as the ranges."""
    rows, cols = shape[0], shape[1]
    x = {**HIDDEN_AXIS, "range": [-0.5, cols - 0.5], "constrain": "domain", "fixedrange": True}
    y = {**HIDDEN_AXIS, "range": [rows - 0.5, -0.5], "constrain": "domain", "fixedrange": True,
         "scaleanchor": f"x{suffix}", "scaleratio": 1}  # fmt: skip
    if x_domain is not None:
        x |= {"domain": x_domain, "anchor": f"y{suffix}"}
    if y_domain is not None:
        y |= {"domain": y_domain, "anchor": f"x{suffix}"}
    return {f"xaxis{suffix}": x, f"yaxis{suffix}": y}


def picture(
    pixels: np.ndarray, *, height: int, title: str | None = None, signed: bool = False,
    span: float | None = None, rgb: bool = False,
) -> go.Figure:  # fmt: skip
    """One picture, gray (H, W) coloured by `colorize` (signed, span) or, with `rgb`, colour
    (H, W, 3) in [0, 1], as one encoded PNG: hidden axes, square pixels, row 0 on top, no
    hover; `height` px."""
    levels = SIGNED_LEVELS if signed else None
    rgba = rgb_pixels(pixels) if rgb else colorize(pixels, signed=signed, span=span, levels=levels)
    layout = base_layout(height, title, margin={"l": 4, "r": 4, "t": 30 if title else 4, "b": 4},
                         hovermode=False, **pixel_axes(rgba.shape))  # fmt: skip
    return go.Figure([image_trace(rgba)], layout)


def mosaic_figure(rgba: np.ndarray, title: str, height: int | None, **layout: Any) -> go.Figure:
    """One mosaic picture, uint8 RGBA (H, W, 4), under `title`; `height` px, or when None as
    tall as the picture drawn about 700 px wide (at most 8 px a pixel; 90–560 px). `layout`
    may add to "xaxis" and "yaxis" and replace the default small "margin"."""
    margin = layout.pop("margin", {"l": 4, "r": 4, "t": 30 if title else 4, "b": 4})
    pixel = min(8.0, 700 / rgba.shape[1])  # px per picture pixel in a typical column
    height = height or int(np.clip(rgba.shape[0] * pixel, 90, 560)) + margin["t"] + margin["b"]
    axes = pixel_axes(rgba.shape)
    axes["xaxis"] |= layout.pop("xaxis", {})
    axes["yaxis"] |= layout.pop("yaxis", {})
    fig_layout = base_layout(height, title, margin=margin, hovermode=False, **axes, **layout)
    return go.Figure([image_trace(rgba)], fig_layout)


def tile_badges(n: int, columns: int, tile: tuple[int, ...], gap: int = 1) -> list[dict]:
    """Annotations numbering tiles 1…n of a mosaic (`columns` per row, tiles (h, w), `gap`),
    each a small white-on-dark badge in its tile's top-left corner (readable on any theme)."""
    h, w = tile[0], tile[1]
    spots = [divmod(t, columns) for t in range(n)]
    return [{"text": str(t + 1), "x": c * (w + gap) - 0.5, "y": r * (h + gap) - 0.5,
             "xref": "x", "yref": "y", "xanchor": "left", "yanchor": "top",
             "showarrow": False} | BADGE for t, (r, c) in enumerate(spots)]  # fmt: skip


def tile_ticks(labels: list[str], size: int, gap: int = 1) -> dict[str, object]:
    """Axis settings labelling consecutive rows (or columns) of tiles of `size` pixels (and
    `gap`) with `labels`, upright and small so narrow tiles still fit."""
    return {"visible": True, "showgrid": False, "zeroline": False, "showline": False,
            "ticks": "", "tickmode": "array", "tickfont": {"size": 9}, "tickangle": 0,
            "tickvals": [t * (size + gap) + (size - 1) / 2 for t in range(len(labels))],
            "ticktext": labels}  # fmt: skip


def numbered_mosaic(
    rgba: np.ndarray, title: str, height: int | None, n: int, columns: int, tile: tuple[int, ...]
) -> go.Figure:
    """mosaic_figure of n tiles (h, w), `columns` per row, numbered 1…n: a badge on each tile
    big enough to carry one, else each row labelled with its tiles' range ("9–16")."""
    if min(tile) >= MIN_BADGE_TILE:
        return mosaic_figure(rgba, title, height, annotations=tile_badges(n, columns, tile))
    labels = [f"{r + 1}–{min(n, r + columns)}" for r in range(0, n, columns)]
    margin = {"l": 40, "r": 4, "t": 30 if title else 4, "b": 4}
    return mosaic_figure(rgba, title, height, margin=margin, yaxis=tile_ticks(labels, tile[0]))


def digit_grid(images: np.ndarray, *, columns: int = 8, title: str = "",
               height: int | None = None) -> go.Figure:  # fmt: skip
    """Digits (n, 8, 8) in [0, 1] as one mosaic picture, `columns` a row, white on black."""
    tiles = np.asarray(images, np.float32)
    rgba = colorize(mosaic(tiles, columns), signed=False, span=1.0)
    return mosaic_figure(rgba, title, height)
