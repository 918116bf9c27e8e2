"""Figures of the Attention page: heatmaps of scores and weights (query rows, key columns)
with an optional correct-pattern overlay, a grid of heads, position × dimension tables,
position similarity and RoPE's rotation. NumPy in, plotly Figure out; no torch, no streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dlviz.figures import style
from dlviz.figures.series import LEGEND
from dlviz.figures.style import base_layout

# Weights in [0, 1]: from see-through (the theme's background shows) to the house blue, so
# a weak link is faint on both light and dark themes.
WEIGHT_SCALE = [[0.0, "rgba(8,119,189,0.03)"], [1.0, style.POS_COLOR]]
PATTERN_COLOR = style.NEG_COLOR  # orange outlines: where the task says a query should look
MASKED_TEXT = "−∞"
MAX_LABEL = 8  # characters of a token shown on an axis


def _ticks(labels: Sequence[str], max_labels: int = 24) -> dict[str, object]:
    """A numeric axis labelled by token (duplicates stay apart: positions are the values);
    a label longer than MAX_LABEL characters is cut with "…" so it cannot crowd the plot."""
    stride = max(1, math.ceil(len(labels) / max_labels))
    vals = list(range(0, len(labels), stride))
    text = [t if len(t) <= MAX_LABEL else t[: MAX_LABEL - 1] + "…" for t in map(str, labels)]
    return {"tickmode": "array", "tickvals": vals, "ticktext": [text[i] for i in vals],
            "showgrid": False, "zeroline": False, "ticks": ""}  # fmt: skip


def _matrix_trace(values: np.ndarray, *, weights: bool, text: bool, span: float,
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


def _overlay(mask: np.ndarray, color: str, symbol: str, name: str, size: int) -> dict:
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
    traces = [_matrix_trace(values, weights=weights, text=show_numbers, span=max(span, 1e-6),
                            hover="query %{y} → key %{x}: %{z:.3f}", showscale=True)]  # fmt: skip
    if np.isneginf(values).any():
        rows, cols = np.nonzero(np.isneginf(values))
        traces.append({"type": "scatter", "mode": "text", "x": cols, "y": rows,
                       "text": [MASKED_TEXT] * len(rows), "hoverinfo": "skip",
                       "showlegend": False, "textfont": {"color": style.TEXT_COLOR}})  # fmt: skip
    if pattern is not None:
        traces.append(_overlay(np.asarray(pattern) > 0, PATTERN_COLOR, "square-open",
                               "correct", 14))  # fmt: skip
    layout = base_layout(
        height, title, margin={"l": 64, "r": 8, "t": 32 if title else 8, "b": 48},
        xaxis=_ticks(col_labels) | {"title": {"text": x_title}, "side": "bottom"},
        yaxis=_ticks(row_labels) | {"title": {"text": y_title}, "autorange": "reversed"},
    )  # fmt: skip
    return go.Figure(traces, layout)


def _panel_domains(n: int, columns: int) -> list[tuple[list[float], list[float]]]:
    """(x domain, y domain) in paper fractions of n panels, `columns` per row, row 0 on top."""
    rows = math.ceil(n / columns)
    h_gap, v_gap = 0.06, 0.12 if rows > 1 else 0.0
    width, height = (1 - (columns - 1) * h_gap) / columns, (1 - (rows - 1) * v_gap) / rows
    domains = []
    for i in range(n):
        r, c = divmod(i, columns)
        x0, top = c * (width + h_gap), 1 - r * (height + v_gap)
        clip = lambda v: round(min(max(v, 0.0), 1.0), 6)  # noqa: E731  (float dust)
        domains.append(([clip(x0), clip(x0 + width)], [clip(top - height), clip(top)]))
    return domains


def attention_grid(
    weights: np.ndarray, tokens: Sequence[str], titles: Sequence[str], *, columns: int,
    pattern: np.ndarray | None = None, panel_height: int = 190, labels: bool = True,
) -> go.Figure:  # fmt: skip
    """Small multiples of attention weights (n, T, T), `columns` per row, panel i titled
    `titles[i]`; `pattern` (T, T) is outlined on every panel. Rows (queries) and columns
    (keys) are labelled by token unless `labels` is False (thumbnails). The axes are laid
    out by hand: make_subplots took ~10 ms per panel, more than the rest of a live tick."""
    weights = np.asarray(weights, dtype=np.float32)
    n, t = weights.shape[0], weights.shape[-1]
    if weights.shape != (n, t, t) or len(titles) != n or len(tokens) != t:
        raise ValueError("weights must be (panels, T, T) with a title per panel and T tokens")
    rows = math.ceil(n / columns)
    traces, axes, notes = [], {}, []
    overlay = None if pattern is None else np.asarray(pattern) > 0
    for i, (x_domain, y_domain) in enumerate(_panel_domains(n, columns)):
        suffix = "" if i == 0 else str(i + 1)
        refs = {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}
        hover = f"{titles[i]}<br>query %{{y}} → key %{{x}}: %{{z:.2f}}"
        traces.append(_matrix_trace(weights[i], weights=True, text=False, span=1.0, hover=hover,
                                    showscale=i == 0) | refs)  # fmt: skip
        if overlay is not None:
            traces.append(_overlay(overlay, PATTERN_COLOR, "square-open", "correct",
                                   max(6, 120 // t)) | refs)  # fmt: skip
        ticks = _ticks(list(tokens), 16) | {"showticklabels": labels}
        axes[f"xaxis{suffix}"] = ticks | {"domain": x_domain, "anchor": f"y{suffix}"}
        axes[f"yaxis{suffix}"] = ticks | {"domain": y_domain, "anchor": f"x{suffix}",
                                          "autorange": "reversed"}  # fmt: skip
        notes.append(style.note(titles[i], 12, x=sum(x_domain) / 2, y=y_domain[1],
                                xanchor="center", yanchor="bottom"))  # fmt: skip
    margin = {"l": 36, "r": 8, "t": 28, "b": 24} if labels else {"l": 8, "r": 8, "t": 28, "b": 8}
    layout = base_layout(panel_height * rows + 40, margin=margin,
                         annotations=notes, **axes)  # fmt: skip
    return go.Figure(traces, layout)


def head_grid(
    attention: np.ndarray, pattern_mass: np.ndarray, tokens: Sequence[str],
    pattern: np.ndarray | None = None,
) -> go.Figure:  # fmt: skip
    """A trained model's heads: attention (layers, heads, T, T) as one row of panels per
    layer, each titled with its layer, head and share of weight on the pattern
    (`pattern_mass` (layers, heads)); `pattern` (T, T) outlined when given."""
    layers, heads, t, _ = np.shape(attention)
    titles = [f"Layer {i + 1} · head {j + 1} · {pattern_mass[i, j]:.0%} on pattern"
              for i in range(layers) for j in range(heads)]  # fmt: skip
    return attention_grid(np.reshape(attention, (layers * heads, t, t)), tokens, titles,
                          columns=heads, pattern=pattern)  # fmt: skip


def position_table(table: np.ndarray, *, title: str | None = None, height: int = 260) -> go.Figure:
    """Positional encodings (T, d) as a position × dimension heatmap on the diverging scale."""
    table = np.asarray(table, dtype=np.float32)
    span = float(np.abs(table).max()) or 1.0
    hover = "position %{y}, dimension %{x}: %{z:.2f}"
    trace = _matrix_trace(table, weights=False, text=False, span=span, hover=hover,
                          showscale=True)  # fmt: skip
    layout = base_layout(
        height, title, margin={"l": 56, "r": 8, "t": 32 if title else 8, "b": 44},
        xaxis={"title": {"text": "dimension"}, "showgrid": False},
        yaxis={"title": {"text": "position"}, "autorange": "reversed", "showgrid": False},
    )  # fmt: skip
    return go.Figure([trace], layout)


def similarity_map(sim: np.ndarray, *, title: str | None = None, height: int = 260) -> go.Figure:
    """Cosine similarity (T, T) of every pair of positions' encodings."""
    labels = [str(i) for i in range(len(sim))]
    return matrix_heatmap(sim, labels, labels, title=title, height=height, numbers=False,
                          x_title="position", y_title="position")  # fmt: skip


def rope_rotation(circles: Sequence[np.ndarray], labels: Sequence[str], *,
                  height: int = 300) -> go.Figure:  # fmt: skip
    """Where RoPE moves one 2-D vector at positions 0 … T−1, one series (T, 2) per pair of
    dimensions, on the unit circle; points are numbered by position."""
    angle = np.linspace(0, 2 * np.pi, 120, dtype=np.float32)
    traces = [{"type": "scatter", "mode": "lines", "x": np.cos(angle), "y": np.sin(angle),
               "line": {"color": style.GRID_COLOR, "width": 1}, "hoverinfo": "skip",
               "showlegend": False}]  # fmt: skip
    for i, (points, label) in enumerate(zip(circles, labels, strict=True)):
        points = np.asarray(points, dtype=np.float32)
        positions = [str(p) for p in range(len(points))]
        traces.append({"type": "scatter", "mode": "lines+markers+text", "name": label,
                       "x": points[:, 0], "y": points[:, 1], "text": positions,
                       "textposition": "top center", "textfont": {"size": 10},
                       "line": {"color": style.CLASS_COLORS[i % 6], "width": 1, "dash": "dot"},
                       "marker": {"color": style.CLASS_COLORS[i % 6], "size": 8},
                       "hovertemplate": label + "<br>position %{text}<extra></extra>"})  # fmt: skip
    axis = {"range": [-1.3, 1.3], "zeroline": True, "showgrid": False}
    layout = base_layout(
        height, margin={"l": 36, "r": 8, "t": 8, "b": 28}, legend=LEGEND,
        xaxis=axis | {"constrain": "domain"}, yaxis=axis | style.EQUAL_ASPECT,
    )  # fmt: skip
    return go.Figure(traces, layout)


def ablation_bars(accuracy: np.ndarray, baseline: float, *, height: int = 220) -> go.Figure:
    """Token accuracy with each head silenced, (layers, heads), one bar per head, against
    the full model's `baseline` (a dashed line, named in the legend): a head the task
    needs drops its bar."""
    accuracy = np.asarray(accuracy, dtype=np.float32)
    layers, heads = accuracy.shape
    names = [f"L{layer + 1}·H{head + 1}" for layer in range(layers) for head in range(heads)]
    bars = {"type": "bar", "x": list(range(len(names))), "y": accuracy.reshape(-1),
            "customdata": names, "name": "one head silenced",
            "marker": {"color": style.POS_COLOR}, "texttemplate": "%{y:.0%}",
            "textposition": "inside", "insidetextanchor": "end",
            "hovertemplate": "%{customdata} off: %{y:.1%}<extra></extra>"}  # fmt: skip
    layout = base_layout(
        height, margin={"l": 56, "r": 8, "t": 28, "b": 32}, bargap=0.4,
        yaxis={"title": {"text": "accuracy"}, "range": [0, 1.05], "tickformat": ".0%"},
        legend=LEGEND, xaxis=_ticks(names) | {"range": [-0.5, len(names) - 0.5]},
    )  # fmt: skip
    full = {"type": "scatter", "mode": "lines", "x": [-0.5, len(names) - 0.5],
            "y": [baseline, baseline], "name": f"all heads on: {baseline:.0%}",
            "hoverinfo": "skip", "line": {"color": style.TEST_COLOR, "dash": "dash"}}  # fmt: skip
    return go.Figure([bars, full], layout)
