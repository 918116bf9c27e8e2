"""One matrix as a heatmap, row 0 at the top: attention weights (0–1) or scores on a diverging
scale, −∞ cells written out, numbers in small matrices, an outline of chosen cells. Used by
every topic that shows a matrix (attention, kernels, gates). NumPy in, plotly Figure out.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dlviz.figures import style
from dlviz.figures.style import base_layout

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
