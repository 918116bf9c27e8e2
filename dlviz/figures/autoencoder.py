"""Figures of the Autoencoders page: the loss parts over steps, rebuilt digits, the latent map
(clickable, in map coordinates), the decoder's grid over it, decoded draws of N(0, I), the
worst-rebuilt digits and strips of decoded images. Snapshots and arrays in, plotly out."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

from dlviz.figures import style
from dlviz.figures.images import (
    colorize,
    digit_grid,
    image_trace,
    mosaic,
    mosaic_figure,
    pixel_axes,
    tile_ticks,
)
from dlviz.figures.series import LEGEND, step_lines
from dlviz.figures.style import EQUAL_ASPECT, base_layout, finite32, note

if TYPE_CHECKING:  # dlviz.autoencoder imports torch; figures only draw its snapshots
    from dlviz.autoencoder import AutoencoderSnapshot, LatentView

KIND_COLORS: dict[str, str] = {"ae": "#5470c6", "vae": "#ee6666"}  # everywhere on the page
# The ten digit classes: the house class colours, then four more readable on both themes.
DIGIT_COLORS = (*style.CLASS_COLORS, "#a0522d", "#bcbd22", "#d62728", "#7f7f7f")
PRIOR_BOX = 2.0  # N(0, I) puts most of its mass in [−PRIOR_BOX, PRIOR_BOX]² (latent size 2)
BOX_LINE = {"color": style.TEXT_COLOR, "width": 1}
# The map's classes listed down its right side: a row above it wraps into the title when the
# chart is half a page wide.
MAP_LEGEND = {"orientation": "v", "x": 1.0, "xanchor": "left", "y": 1.0, "yanchor": "top",
              "itemwidth": 30, "font": {"size": 11}, "title": {"text": "digit"}}  # fmt: skip


def _tinted(text: str, kind: str) -> str:
    """`text` in the kind's colour (Plotly's HTML subset), for tick and title text."""
    return f'<span style="color:{KIND_COLORS.get(kind, style.TEXT_COLOR)}">{text}</span>'


def _share(value: float) -> str:
    """A share in [0, 1] as a whole percent, or "–" when it is not a number."""
    return f"{value:.0%}" if math.isfinite(value) else "–"


def _map_titles(latent: int) -> tuple[str, str]:
    if latent == 2:
        return "z₁", "z₂"
    return "1st principal direction", "2nd principal direction"


def loss_parts(snap: AutoencoderSnapshot, *, height: int = 280) -> go.Figure:
    """Two panels over steps (snap.history_steps, (m,)): the reconstruction term (binary
    cross-entropy summed over the 64 pixels, per test digit) of the autoencoder and the VAE,
    and the VAE's KL term per digit; the kinds in KIND_COLORS."""
    steps, h = snap.history_steps, snap.history
    ae, vae = snap.views
    recon = step_lines(steps, np.stack([h["ae_recon"], h["vae_recon"]]),
                       [ae.label, vae.label], y_title="nats per digit", height=height,
                       colors=[KIND_COLORS["ae"], KIND_COLORS["vae"]])  # fmt: skip
    kl = step_lines(steps, h["vae_kl"][None], [vae.label], y_title="nats per digit",
                    height=height, colors=[KIND_COLORS["vae"]])  # fmt: skip
    recon.add_traces([t.update(xaxis="x2", yaxis="y2", showlegend=False) for t in kl.data])
    left, right = [0.0, 0.46], [0.56, 1.0]
    titles = [("Reconstruction (cross-entropy per digit)", left),
              (f"KL per digit (β = {snap.beta:g})", right)]  # fmt: skip
    notes = [note(text, 12, x=sum(d) / 2, y=1.0, yanchor="bottom", xanchor="center")
             for text, d in titles]  # fmt: skip
    recon.update_layout(
        xaxis={"domain": left}, margin={"t": 52},
        xaxis2=recon.layout.xaxis.to_plotly_json() | {"domain": right, "anchor": "y2"},
        yaxis2=kl.layout.yaxis.to_plotly_json() | {"anchor": "x2", "title": None},
        legend=LEGEND | {"y": 1.12}, annotations=[*recon.layout.annotations, *notes],
    )  # fmt: skip
    return recon


def rebuilt_digits(snap: AutoencoderSnapshot, *, height: int = 220) -> go.Figure:
    """Three rows of the R shown test digits (one per class): the originals (snap.shown,
    (R, 8, 8)), the autoencoder's rebuilt and the VAE's, each row labelled; white on black."""
    rows = [snap.shown, *(v.rebuilt for v in snap.views)]
    names = ["original", *(_tinted(v.label, v.kind) for v in snap.views)]
    columns = len(snap.shown)
    rgba = colorize(mosaic(np.concatenate(rows), columns), signed=False, span=1.0)
    ticks = tile_ticks(names, 8) | {"tickfont": {"size": 11}}
    margin = {"l": 76, "r": 4, "t": 30, "b": 4}
    title = "Test digits and how each network rebuilds them"
    return mosaic_figure(rgba, title, height, margin=margin, yaxis=ticks)


def _class_traces(points: np.ndarray, labels: np.ndarray, latent: int) -> list[dict[str, Any]]:
    """One scatter trace per digit class present (legend "0".."9") of the finite points,
    each point's test index as customdata (what a click on it picks)."""
    x_name, y_name = ("z₁", "z₂") if latent == 2 else ("1st", "2nd")
    finite = np.isfinite(points).all(axis=1)
    traces = []
    for c in np.unique(labels):
        index = np.flatnonzero((labels == c) & finite).astype(np.int32)
        xy = finite32(points[index])  # (k, 2)
        traces.append({"type": "scatter", "mode": "markers", "name": str(c), "x": xy[:, 0],
                       "y": xy[:, 1], "customdata": index,
                       "marker": {"color": DIGIT_COLORS[int(c) % 10], "size": 5,
                                  "opacity": 0.8, "line": {"width": 0}},
                       "hovertemplate": f"digit {c}<br>{x_name} %{{x:.2f}}, {y_name} "
                       "%{y:.2f}<extra></extra>"})  # fmt: skip
    return traces


def _centroid_labels(points: np.ndarray, labels: np.ndarray) -> list[dict[str, Any]]:
    """A class badge (white on the class colour) at the median of each class's finite points."""
    finite = np.isfinite(points).all(axis=1)
    notes = []
    for c in np.unique(labels):
        mine = points[(labels == c) & finite]
        if len(mine):
            x, y = np.median(mine, axis=0)
            notes.append({"text": f"<b>{c}</b>", "x": float(x), "y": float(y), "xref": "x",
                          "yref": "y", "showarrow": False, "opacity": 0.9, "borderpad": 2,
                          "bgcolor": DIGIT_COLORS[int(c) % 10], "bordercolor": "#ffffff",
                          "font": {"size": 12, "color": "#ffffff"}})  # fmt: skip
    return notes


def _box(x0: float, x1: float, y0: float, y1: float, label: str, dash: str) -> dict[str, Any]:
    """A thin dashed rectangle in data coordinates with a small label at its top left."""
    return {"type": "rect", "xref": "x", "yref": "y", "x0": x0, "x1": x1, "y0": y0, "y1": y1,
            "line": BOX_LINE | {"dash": dash}, "layer": "below",
            "label": {"text": label, "textposition": "top left",
                      "font": {"size": 10, "color": style.TEXT_COLOR}}}  # fmt: skip


def latent_map(
    view: LatentView, labels: np.ndarray, latent: int,
    picked: tuple[float, float] | None = None, *, pickable: bool = False, height: int = 460,
) -> go.Figure:  # fmt: skip
    """The test digits' codes on the map (view.points (n, 2), map coordinates), coloured by
    class (labels (n,) in 0..9); the decoder grid's extent and, at latent size 2, the square
    [−2, 2]² of N(0, I) as dashed boxes; `picked` (x, y) as a cross. Equal axes. A
    `pickable` map lies over an invisible fine grid (PICK_POINTS per side over the extent),
    so that a click anywhere in the box reports a point, not only a click on a digit."""
    points = np.asarray(view.points, np.float64)
    labels = np.asarray(labels)
    traces = []
    if pickable and np.isfinite(view.extent).all():
        hover = "click: decode (%{x:.2f}, %{y:.2f})<extra></extra>"
        traces.append(style.click_grid(view.extent, PICK_POINTS, hover))
    traces += _class_traces(points, labels, latent)
    if picked is not None and np.isfinite(picked).all():
        traces.append({"type": "scatter", "mode": "markers", "name": "picked",
                       "x": [float(picked[0])], "y": [float(picked[1])], "showlegend": False,
                       "marker": {"symbol": "x", "size": 16, "color": "#111111",
                                  "line": {"color": "#ffffff", "width": 1.5}},
                       "hovertemplate": "picked<extra></extra>"})  # fmt: skip
    shapes = []
    if np.isfinite(view.extent).all():
        shapes.append(_box(*view.extent, "decoded grid", "dash"))
    if latent == 2:
        shapes.append(_box(-PRIOR_BOX, PRIOR_BOX, -PRIOR_BOX, PRIOR_BOX, "N(0, I): ±2", "dot"))
    x_title, y_title = _map_titles(latent)
    layout = base_layout(
        height, f"{_tinted(view.label, view.kind)}: the test digits' codes",
        margin={"l": 48, "r": 8, "t": 32, "b": 40}, shapes=shapes, hovermode="closest",
        annotations=_centroid_labels(points, labels), legend=MAP_LEGEND,
        xaxis={"title": {"text": x_title}, "constrain": "domain", "zeroline": False},
        yaxis={"title": {"text": y_title}, "zeroline": False} | EQUAL_ASPECT,
    )  # fmt: skip
    return go.Figure(traces, layout)


PICK_POINTS = 61  # the invisible grid (per side) a pickable map reports clicks on


def _coordinate_labels(low: float, high: float, n: int) -> list[str]:
    """n evenly spaced values from low to high as short labels, every other one blank."""
    values = np.linspace(low, high, n) if math.isfinite(low) and math.isfinite(high) else []
    return [f"{v:.2g}" if i % 2 == 0 else "" for i, v in enumerate(values)] or [""] * n


def decoded_grid(view: LatentView, *, height: int = 440) -> go.Figure:
    """The decoder's images over the map, view.grid (G, G, 8, 8) tiled into one picture, top
    row = high y; the axes carry the map coordinates (view.extent) of the tiles' centres."""
    g = view.grid.shape[0]
    tiles = np.asarray(view.grid, np.float32).reshape(g * g, 8, 8)  # (G, G, 8, 8) → (G·G, 8, 8)
    rgba = colorize(mosaic(tiles, g), signed=False, span=1.0)
    x_low, x_high, y_low, y_high = view.extent
    x_title, y_title = _map_titles(view.codes.shape[1])
    x_ticks = tile_ticks(_coordinate_labels(x_low, x_high, g), 8)
    y_ticks = tile_ticks(_coordinate_labels(y_high, y_low, g), 8)  # row 0 = high y
    title = f"{_tinted(view.label, view.kind)} decodes the map: "
    title += f"{_share(view.grid_digits)} look like digits"
    return mosaic_figure(rgba, title, height, margin={"l": 56, "r": 4, "t": 30, "b": 44},
                         xaxis=x_ticks | {"title": {"text": x_title}},
                         yaxis=y_ticks | {"title": {"text": y_title}})  # fmt: skip


def prior_samples(view: LatentView, *, height: int = 360) -> go.Figure:
    """The decoded draws of N(0, I), view.samples (36, 8, 8), as a 6 × 6 grid under the share
    of all the drawn codes whose image looks like a digit."""
    title = f"Decoded draws of N(0, I): {_share(view.prior_digits)} look like digits"
    return digit_grid(view.samples, columns=6, title=title, height=height)


def anomaly_view(
    snap: AutoencoderSnapshot, view: LatentView, worst_images: np.ndarray | None = None, *,
    height: int = 360,
) -> go.Figure:  # fmt: skip
    """Above: bars of the mean squared pixel error (view.errors (n,)) per class (snap.labels);
    below: the W worst-rebuilt test digits, originals (worst_images (W, 8, 8), by default
    view.worst_images) over rebuilt (view.worst_rebuilt), each with class and error. Stacked,
    so it reads in half a page's width."""
    worst_images = view.worst_images if worst_images is None else worst_images
    labels = np.asarray(snap.labels)
    classes = np.unique(labels)
    errors = np.asarray(view.errors, np.float64)
    means = finite32([errors[labels == c].mean() for c in classes])  # (classes,)
    bar = {"type": "bar", "x": [str(c) for c in classes], "y": means, "name": "mean error",
           "marker": {"color": KIND_COLORS.get(view.kind, style.TEXT_COLOR)},
           "hovertemplate": "digit %{x}: %{y:.4f}<extra></extra>"}  # fmt: skip
    w = len(worst_images)
    tiles = np.concatenate([worst_images, view.worst_rebuilt])  # (2W, 8, 8)
    rgba = colorize(mosaic(tiles, w), signed=False, span=1.0)
    worst_errors = finite32(errors[view.worst])
    ticks = [f"{labels[i]}<br>{e:.3f}" for i, e in zip(view.worst, worst_errors)]
    bars, pics = [0.6, 1.0], [0.0, 0.4]  # y domains: bars on top, pictures below
    axes = pixel_axes(rgba.shape, "2", x_domain=[0.0, 1.0], y_domain=pics)
    axes["xaxis2"] |= tile_ticks(ticks, 8)
    axes["yaxis2"] |= tile_ticks(["original", "rebuilt"], 8)
    notes = [note(text, 12, x=0.5, y=d[1], yanchor="bottom", xanchor="center")
             for text, d in (("Mean squared rebuild error per digit", bars),
                             (f"The {w} worst rebuilt (digit, error)", pics))]  # fmt: skip
    layout = base_layout(
        height, margin={"l": 56, "r": 4, "t": 24, "b": 34}, annotations=notes, showlegend=False,
        xaxis={"title": {"text": "digit"}, "type": "category"},
        yaxis={"domain": bars, "title": {"text": "MSE"}, "rangemode": "tozero"}, **axes,
    )  # fmt: skip
    return go.Figure([bar, image_trace(rgba, xaxis="x2", yaxis="y2")], layout)


def digit_strip(images: np.ndarray, title: str, *, height: int = 140) -> go.Figure:
    """Images (N, 8, 8) in [0, 1] in one row under `title` (a walk between two codes, or
    N = 1: the image of one picked point)."""
    images = np.asarray(images, np.float32)
    return digit_grid(images, columns=max(1, len(images)), title=title, height=height)
