"""One matrix as a heatmap, row 0 at the top: attention weights (0–1) or scores on a diverging
scale, −∞ cells written out, an outline of chosen cells; the confusion matrix every classifier
shows; small matrices with their numbers side by side. NumPy in, plotly Figure out.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dlviz.figures import style
from dlviz.figures.images import pixel_axes
from dlviz.figures.style import EQUAL_ASPECT, base_layout

# Weights in [0, 1]: from see-through (the theme's background shows) to the house blue, so
# a weak link is faint on both light and dark themes.
WEIGHT_SCALE = [[0.0, "rgba(8,119,189,0.03)"], [1.0, style.POS_COLOR]]
PATTERN_COLOR = style.NEG_COLOR  # orange outlines: where the task says a query should look
MASKED_TEXT = "−∞"
MAX_LABEL = 8  # characters of a token shown on an axis


def axis_ticks(labels: Sequence[str], max_labels: int = 24) -> dict[str, object]:
    """A numeric axis labelled by token (duplicates stay apart: positions are the values);
    a label longer than MAX_LABEL characters is cut with "…" so it cannot crowd the plot,
    and "<", ">", "&" are escaped so typed text is never read as Plotly's HTML."""
    stride = max(1, math.ceil(len(labels) / max_labels))
    vals = list(range(0, len(labels), stride))
    text = [t if len(t) <= MAX_LABEL else t[: MAX_LABEL - 1] + "…" for t in map(str, labels)]
    text = [html.escape(t, quote=False) for t in text]  # Plotly reads tags in tick text
    return {"tickmode": "array", "tickvals": vals, "ticktext": [text[i] for i in vals],
            "showgrid": False, "zeroline": False, "ticks": ""}  # fmt: skip


def matrix_trace(values: np.ndarray, *, weights: bool, text: bool, span: float,
                  hover: str, showscale: bool) -> dict:  # fmt: skip
    """A heatmap trace: weights on WEIGHT_SCALE in [0, 1], scores on the diverging scale
    in [−span, span]; non-finite cells are left empty."""
    z = np.where(np.isfinite(values), values, np.nan).astype(np.float32)
    gap = 1 if max(z.shape) <= 16 else 0  # cell borders only where cells are big
    trace = {"type": "heatmap", "z": z, "hovertemplate": hover + "<extra></extra>",
             "showscale": showscale, "colorbar": style.small_colorbar(),
             "xgap": gap, "ygap": gap}  # fmt: skip
    if weights:
        trace |= {"colorscale": WEIGHT_SCALE, "zmin": 0.0, "zmax": 1.0}
    else:
        trace |= {"colorscale": style.DIVERGING_SCALE, "zmin": -span, "zmax": span}
    if text:
        # Plotly picks the text colour from the cell's colour ignoring its transparency, so
        # see-through weight cells would get dark text on a dark theme: use the house grey.
        font = {"size": 10} | ({"color": style.TEXT_COLOR} if weights else {})
        trace |= {"texttemplate": "%{z:.2f}", "textfont": font}
    return trace


def overlay(mask: np.ndarray, color: str, symbol: str, name: str, size: int) -> dict:
    """Markers on the cells where `mask` (rows, cols) is true."""
    rows, cols = np.nonzero(mask)
    return {"type": "scatter", "mode": "markers", "x": cols, "y": rows, "name": name,
            "hoverinfo": "skip", "showlegend": False,
            "marker": {"symbol": symbol, "size": size, "color": color,
                       "line": {"color": color, "width": 2}}}  # fmt: skip


def matrix_heatmap(
    values: np.ndarray, row_labels: Sequence[str], col_labels: Sequence[str], *,
    weights: bool = False, title: str | None = None, height: int = 300,
    x_title: str = "key (attended to)", y_title: str = "query (attending)",
    pattern: np.ndarray | None = None, numbers: bool | None = None,
) -> go.Figure:  # fmt: skip
    """One (rows, cols) matrix as a heatmap, row 0 at the top: attention weights (`weights`,
    0–1) or scores (diverging, symmetric about 0). Cells that are −∞ (masked) stay empty
    and say so; `pattern` (rows, cols) outlines the cells a query should use. Numbers are
    printed in the cells when the matrix is small (or as `numbers` says)."""
    values = np.asarray(values, dtype=np.float64)
    if values.shape != (len(row_labels), len(col_labels)):
        raise ValueError(f"values {values.shape} do not match the labels")
    finite = values[np.isfinite(values)]
    span = float(np.abs(finite).max()) if finite.size and not weights else 1.0
    show_numbers = values.size <= 100 if numbers is None else numbers
    traces = [matrix_trace(values, weights=weights, text=show_numbers, span=max(span, 1e-6),
                            hover="query %{y} → key %{x}: %{z:.3f}", showscale=True)]  # fmt: skip
    if np.isneginf(values).any():
        rows, cols = np.nonzero(np.isneginf(values))
        traces.append({"type": "scatter", "mode": "text", "x": cols, "y": rows,
                       "text": [MASKED_TEXT] * len(rows), "hoverinfo": "skip",
                       "showlegend": False, "textfont": {"color": style.TEXT_COLOR}})  # fmt: skip
    if pattern is not None:
        traces.append(overlay(np.asarray(pattern) > 0, PATTERN_COLOR, "square-open",
                               "correct", 14))  # fmt: skip
    layout = base_layout(
        height, title, margin={"l": 64, "r": 8, "t": 32 if title else 8, "b": 48},
        xaxis=axis_ticks(col_labels) | {"title": {"text": x_title}, "side": "bottom"},
        yaxis=axis_ticks(row_labels) | {"title": {"text": y_title}, "autorange": "reversed"},
    )  # fmt: skip
    return go.Figure(traces, layout)


def confusion_matrix(
    matrix: np.ndarray, labels: list[str] | None = None, *, height: int = 260
) -> go.Figure:
    """Counts of (true, predicted) pairs. matrix int (K, K): rows = true class, columns =
    predicted; row 0 at the top. Cells show the count; colour is the share of its true
    class (row), so a rare class reads as clearly as a common one."""
    counts = np.asarray(matrix, dtype=np.int64)
    k = counts.shape[0] if counts.ndim == 2 else -1
    if counts.shape != (k, k):
        raise ValueError(f"matrix must be square (K, K), got shape {counts.shape}")
    names = [str(name) for name in (labels if labels is not None else range(k))]
    if len(names) != k:
        raise ValueError(f"need {k} labels, got {len(names)}")
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros((k, k)), where=totals > 0).astype(np.float32)
    heat = {"type": "heatmap", "z": share, "x": names, "y": names, "zmin": 0, "zmax": 1,
            "colorscale": [[0, style.NEUTRAL_COLOR], [1, style.POS_COLOR]], "showscale": False,
            "text": counts.astype(str).tolist(), "texttemplate": "%{text}", "xgap": 2, "ygap": 2,
            "hovertemplate": "true %{y} · predicted %{x}<br>%{text} (%{z:.0%} of true %{y})"
            "<extra></extra>"}  # fmt: skip
    layout = base_layout(
        height,
        margin={"l": 48, "r": 8, "t": 8, "b": 40},
        xaxis={"title": {"text": "predicted"}, "type": "category", "showgrid": False,
               "constrain": "domain", "automargin": True},
        yaxis={"title": {"text": "true"}, "type": "category", "autorange": "reversed",
               "showgrid": False, "automargin": True, **EQUAL_ASPECT},
    )  # fmt: skip
    return go.Figure(heat, layout)


# --- small matrices with their numbers, side by side (a computation done by hand) -----------

# One panel of matrix_row: title, (rows, cols), its traces, its shapes (drawn on its axes).
Panel = tuple[str, tuple[int, int], list[dict], list[dict]]


def cell_number(v: float) -> str:
    """A cell's number: at most 2 decimals, no trailing zeros, a true minus sign, ±∞ spelled
    out, NaN blank."""
    if not np.isfinite(v):
        return "" if np.isnan(v) else ("∞" if v > 0 else MASKED_TEXT)
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text.replace("-", "−")


def number_cells(values: np.ndarray, span: float, **extra: object) -> dict:
    """A heatmap trace of (rows, cols) values on the diverging scale [−span, span] with each
    cell's number written in it; non-finite values are coloured as 0 (their text says what
    they are), so nothing non-finite is sent. `extra` overrides keys (axes, texttemplate)."""
    v = np.asarray(values, dtype=np.float64)
    text = [[cell_number(x) for x in row] for row in v]
    return {"type": "heatmap", "z": style.finite32(v), "colorscale": style.DIVERGING_SCALE,
            "zmin": -span, "zmax": span, "showscale": False, "xgap": 1, "ygap": 1,
            "text": text, "texttemplate": "%{text}", "textfont": {"size": 10},
            "hoverinfo": "skip"} | extra  # fmt: skip


def cell_box(row: float, col: float, color: str, *, rows: int = 1, cols: int = 1,
             fill: str | None = None) -> dict:  # fmt: skip
    """A layout rectangle around `rows` × `cols` cells from cell (row, col) on axes x, y: a
    3 px outline in `color`, or filled with `fill` and no outline."""
    shape = {"type": "rect", "xref": "x", "yref": "y", "x0": col - 0.5, "x1": col + cols - 0.5,
             "y0": row - 0.5, "y1": row + rows - 0.5}  # fmt: skip
    if fill:
        return shape | {"fillcolor": fill, "line": {"width": 0}}
    return shape | {"line": {"color": color, "width": 3}}


def matrix_row(panels: Sequence[Panel], height: int) -> go.Figure:
    """Panels of square cells in one row, row 0 on top, each titled above and as wide as its
    columns (at least 3), so cells come out the same size in every panel."""
    weights = np.array([max(shape[1], 3) for _, shape, _, _ in panels], dtype=np.float64)
    gap = 0.04
    widths = weights / weights.sum() * (1 - gap * (len(panels) - 1))  # paper fractions
    starts = np.concatenate([[0.0], np.cumsum(widths + gap)[:-1]])
    traces, shapes, notes, axes = [], [], [], {}
    for k, (title, shape, cells, marks) in enumerate(panels):
        suffix = "" if k == 0 else str(k + 1)
        domain = [round(float(starts[k]), 6), round(min(float(starts[k] + widths[k]), 1.0), 6)]
        axes |= pixel_axes(shape, suffix, x_domain=domain, y_domain=[0, 1])
        traces += [trace | {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"} for trace in cells]
        shapes += [mark | {"xref": f"x{suffix}", "yref": f"y{suffix}"} for mark in marks]
        notes.append(style.note(title, 12, x=sum(domain) / 2, y=1, xanchor="center",
                                yanchor="bottom"))  # fmt: skip
    layout = base_layout(height, margin={"l": 4, "r": 4, "t": 26, "b": 4}, hovermode=False,
                         annotations=notes, shapes=shapes, **axes)  # fmt: skip
    return go.Figure(traces, layout)
