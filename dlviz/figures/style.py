"""Shared look of every dlviz figure: palette, colour scales, a small layout template and the
helpers that keep payloads small. Pure numpy + plotly; no figure of any one topic lives here.
"""

from __future__ import annotations

import math

import numpy as np
import pandas  # noqa: F401 (see below)
import plotly.graph_objects as go

# pandas is imported here, whole, before any figure is built. Plotly looks pandas up in
# sys.modules and uses it if it is there; a cold server's first learners build figures on
# several threads at once, and one of them found pandas half-imported by another
# ("partially initialized module 'pandas' has no attribute 'Series"), so their pages failed.
# A module import is atomic for every thread that imports it, so importing it here makes
# every figure wait for the whole of pandas.

# Binary classes as in TensorFlow Playground: orange = −1 (negative), blue = +1 (positive).
NEG_COLOR = "#f59322"
POS_COLOR = "#0877bd"
NEUTRAL_COLOR = "#e8eaeb"  # the near-white middle of the diverging scale (value 0)
# Up to 6 classes; 0 and 1 match the binary pair so a 2-class problem looks the same either way.
CLASS_COLORS = ("#f59322", "#0877bd", "#2ca25f", "#8e5fd1", "#e0457b", "#17a2b8")
TRAIN_COLOR = "#2a9d8f"  # series colours (loss curves): readable on white and on #0e1117
TEST_COLOR = "#e76f51"
TEXT_COLOR = "#888888"  # axis text and titles: mid grey reads on both Streamlit themes
GRID_COLOR = "rgba(136, 136, 136, 0.25)"
TRANSPARENT = "rgba(0,0,0,0)"
POINT_OUTLINE = "#ffffff"  # training points
TEST_OUTLINE = "#222222"  # test points
FONT_FAMILY = '"Source Sans Pro", "Source Sans 3", "Source Sans", sans-serif'
UIREVISION = "dlviz"  # constant, so zoom and legend toggles survive live updates

# Values in [−1, 1]: orange → near-white → blue (linear in RGB, as TF Playground).
DIVERGING_SCALE = [[0.0, NEG_COLOR], [0.5, NEUTRAL_COLOR], [1.0, POS_COLOR]]
# How strongly a filled background (decision plane) shows a colour: paler than the data points
# drawn on it, so an orange point on an orange region still stands out (as TF Playground).
BACKGROUND_STRENGTH = 0.6

_AXIS = {
    "gridcolor": GRID_COLOR,
    "linecolor": GRID_COLOR,
    "zerolinecolor": GRID_COLOR,
    "tickcolor": GRID_COLOR,
    "title": {"standoff": 6},
}

# An explicit, tiny template. Without it a figure built after `import streamlit` carries
# Streamlit's template (~3.4 kB of placeholder colours meant to be swapped in the browser,
# which shows near-black under theme=None); Plotly's default template is ~6.5 kB per update.
BASE_TEMPLATE = go.layout.Template(
    layout={
        "font": {"family": FONT_FAMILY, "color": TEXT_COLOR, "size": 12},
        "paper_bgcolor": TRANSPARENT,
        "plot_bgcolor": TRANSPARENT,
        "colorway": list(CLASS_COLORS),
        "xaxis": _AXIS,
        "yaxis": _AXIS,
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        "legend": {"bgcolor": TRANSPARENT},
    }
)


def base_layout(height: int, title: str | None = None, **overrides: object) -> dict[str, object]:
    """The house layout as a plain dict: fixed `height` (px), tight fixed margins (room for tick
    labels and axis titles; fixed so live updates never shift the plot), transparent
    background, grey text, the small template and uirevision "dlviz". Top-level keys in
    `overrides` replace the defaults. Passing it once to go.Figure(layout=...) validates once,
    several times faster than a chain of update_layout calls."""
    layout: dict[str, object] = {
        "template": BASE_TEMPLATE,
        "height": height,
        "margin": {"l": 48, "r": 8, "t": 32 if title else 8, "b": 40},
        "paper_bgcolor": TRANSPARENT,
        "plot_bgcolor": TRANSPARENT,
        "font": {"family": FONT_FAMILY, "color": TEXT_COLOR, "size": 12},
        "uirevision": UIREVISION,
    }
    if title:
        layout["title"] = {"text": title, "x": 0.01, "font": {"size": 14}}
    layout.update(overrides)
    return layout


def apply_base_layout(fig: go.Figure, height: int, title: str | None = None) -> go.Figure:
    """Give an existing `fig` the house layout (see base_layout). Returns `fig`."""
    fig.update_layout(base_layout(height, title))
    return fig


HIDDEN_AXIS = {"visible": False, "showgrid": False, "zeroline": False}  # no ticks, grid, line
# Merge into a y axis (and give its x axis "constrain": "domain"): one data unit is as long
# on y as on x, and the plot area shrinks to fit instead of padding the ranges.
EQUAL_ASPECT = {"scaleanchor": "x", "scaleratio": 1, "constrain": "domain"}


def note(text: str, size: int = 13, **where: object) -> dict[str, object]:
    """A grey text annotation without arrow; `where` gives x, y, xref, yref, anchors.
    Defaults to the middle of the plot area."""
    return {"text": text, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5,
            "y": 0.5, "font": {"size": size, "color": TEXT_COLOR}} | where  # fmt: skip


def plot_frame(color: str = GRID_COLOR) -> dict[str, object]:
    """A thin rectangle around the plot area (the axes' domain), as a layout shape."""
    return {"type": "rect", "xref": "x domain", "yref": "y domain", "x0": 0, "y0": 0, "x1": 1,
            "y1": 1, "line": {"color": color, "width": 1}, "layer": "below"}  # fmt: skip


def hide_axes(fig: go.Figure) -> go.Figure:
    """Hide ticks, grid, zero lines and axis lines on every axis of `fig`. Returns `fig`."""
    fig.update_xaxes(**HIDDEN_AXIS)
    fig.update_yaxes(**HIDDEN_AXIS)
    return fig


def message_figure(text: str, height: int) -> go.Figure:
    """An empty figure of `height` px that says `text` in its middle (e.g. "no data yet")."""
    layout = base_layout(height, xaxis=HIDDEN_AXIS, yaxis=HIDDEN_AXIS, annotations=[note(text)])
    return go.Figure(layout=layout)


def finite32(values: object, fill: float = 0.0) -> np.ndarray:
    """`values` as a contiguous float32 array with NaN/±inf replaced by `fill`.

    float32 halves the JSON payload against float64 (Plotly sends typed arrays base64-encoded).
    """
    arr = np.ascontiguousarray(values, dtype=np.float32)
    if not np.isfinite(arr).all():
        arr = np.where(np.isfinite(arr), arr, np.float32(fill)).astype(np.float32)
    return arr


def thin_indices(n: int, max_points: int) -> np.ndarray:
    """Indices of at most `max_points` of `n` samples at an even stride, ending at the last
    sample (the newest point of a live series is never dropped). int64 (≤ max_points,)."""
    stride = max(1, math.ceil(n / max(1, max_points)))
    return np.arange(n - 1, -1, -stride)[::-1]


def nice_step(span: float, max_ticks: int = 8) -> float:
    """A 1, 2 or 5 × 10^k tick step giving at most about `max_ticks` ticks over `span`."""
    raw = max(float(span), 1e-9) / max_ticks
    base = 10 ** math.floor(math.log10(raw))
    return next(m * base for m in (1, 2, 5, 10) if m * base >= raw)


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    """'#rrggbb' → (r, g, b) in 0..255."""
    h = color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def mix(color_a: str, color_b: str, t: float) -> str:
    """The colour a fraction `t` in [0, 1] of the way from hex `color_a` to hex `color_b`."""
    a, b = np.array(hex_to_rgb(color_a)), np.array(hex_to_rgb(color_b))
    r, g, bl = np.rint(a + (b - a) * float(t)).astype(int)
    return f"rgb({r},{g},{bl})"


def diverging_scale(strength: float = 1.0) -> list[list[float | str]]:
    """DIVERGING_SCALE with its ends mixed a fraction `strength` from NEUTRAL_COLOR (1 = pure);
    e.g. diverging_scale(BACKGROUND_STRENGTH) for a region behind points."""
    ends = (mix(NEUTRAL_COLOR, NEG_COLOR, strength), mix(NEUTRAL_COLOR, POS_COLOR, strength))
    return [[0.0, ends[0]], [0.5, NEUTRAL_COLOR], [1.0, ends[1]]]


def class_colorscale(n_classes: int, strength: float = 1.0) -> list[list[float | str]]:
    """A stepwise scale giving class k its colour for z in [k − 0.5, k + 0.5]; use it with
    zmin/cmin = −0.5 and zmax/cmax = n_classes − 0.5. `strength` as in diverging_scale."""
    check_n_classes(n_classes)
    scale: list[list[float | str]] = []
    for k in range(n_classes):
        color = mix(NEUTRAL_COLOR, CLASS_COLORS[k], strength)
        scale += [[k / n_classes, color], [(k + 1) / n_classes, color]]
    return scale


def confidence_colorscale(
    n_classes: int, floor: float = 0.12, strength: float = 1.0
) -> list[list[float | str]]:
    """A banded scale for z in [0, n_classes]: band [k, k+1) runs from class k's colour mixed
    a fraction `floor` from NEUTRAL_COLOR (unsure) to a fraction `strength` (certain)."""
    check_n_classes(n_classes)
    scale: list[list[float | str]] = []
    for k in range(n_classes):
        faded = mix(NEUTRAL_COLOR, CLASS_COLORS[k], floor * strength)
        full = mix(NEUTRAL_COLOR, CLASS_COLORS[k], strength)
        scale += [[k / n_classes, faded], [(k + 1) / n_classes, full]]
    return scale


def check_n_classes(n_classes: int) -> None:
    """Raise ValueError unless 1 ≤ n_classes ≤ len(CLASS_COLORS)."""
    if not 1 <= n_classes <= len(CLASS_COLORS):
        raise ValueError(f"n_classes must be in 1..{len(CLASS_COLORS)}, got {n_classes}")


def small_colorbar(tickvals: list[float] | None = None) -> dict[str, object]:
    """A thin, short colour bar that does not crowd a small chart."""
    bar: dict[str, object] = {
        "thickness": 8,
        "len": 0.6,
        "outlinewidth": 0,
        "tickfont": {"size": 10, "color": TEXT_COLOR},
        "xpad": 4,
    }
    if tickvals is not None:
        bar["tickvals"] = tickvals
    return bar


def click_grid(box: tuple[float, float, float, float], n: int, hover: str) -> dict[str, object]:
    """An invisible n × n grid of scatter points over box (x0, x1, y0, y1): on a clickable
    live chart, a click anywhere in the box lands on one of them and reports its position.
    `hover` is its hover template (e.g. "click: start at (%{x:.3g}, %{y:.3g})")."""
    gx, gy = np.meshgrid(np.linspace(box[0], box[1], n), np.linspace(box[2], box[3], n))
    return {"type": "scatter", "mode": "markers", "x": finite32(gx.ravel()),
            "y": finite32(gy.ravel()), "showlegend": False, "name": "click here",
            "marker": {"size": 9, "opacity": 0.0}, "hovertemplate": hover}  # fmt: skip
