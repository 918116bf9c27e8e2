"""Figures of the Attention page: a grid of heads (query rows, key columns) with the correct
pattern outlined, position × dimension tables, position similarity, RoPE's rotation and the
ablation bars; single matrices are dlviz.figures.heatmap's. NumPy in, plotly Figure out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dlviz.figures import style
from dlviz.figures.heatmap import PATTERN_COLOR, axis_ticks, matrix_heatmap, matrix_trace, overlay
from dlviz.figures.series import LEGEND, step_lines
from dlviz.figures.style import base_layout


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
    outline = None if pattern is None else np.asarray(pattern) > 0
    for i, (x_domain, y_domain) in enumerate(_panel_domains(n, columns)):
        suffix = "" if i == 0 else str(i + 1)
        refs = {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}
        hover = f"{titles[i]}<br>query %{{y}} → key %{{x}}: %{{z:.2f}}"
        traces.append(matrix_trace(weights[i], weights=True, text=False, span=1.0, hover=hover,
                                    showscale=i == 0) | refs)  # fmt: skip
        if outline is not None:
            traces.append(overlay(outline, PATTERN_COLOR, "square-open", "correct",
                                   max(6, 120 // t)) | refs)  # fmt: skip
        ticks = axis_ticks(list(tokens), 16) | {"showticklabels": labels}
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
    trace = matrix_trace(table, weights=False, text=False, span=span, hover=hover,
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
        legend=LEGEND, xaxis=axis_ticks(names) | {"range": [-0.5, len(names) - 0.5]},
    )  # fmt: skip
    full = {"type": "scatter", "mode": "lines", "x": [-0.5, len(names) - 0.5],
            "y": [baseline, baseline], "name": f"all heads on: {baseline:.0%}",
            "hoverinfo": "skip", "line": {"color": style.TEST_COLOR, "dash": "dash"}}  # fmt: skip
    return go.Figure([bars, full], layout)


def value_rows(matrix: np.ndarray, tokens: Sequence[str], title: str) -> go.Figure:
    """One token's vector per row (T, d): the values V or the outputs O = AV."""
    dims = [str(i) for i in range(matrix.shape[1])]
    return matrix_heatmap(matrix, tokens, dims, title=title, x_title="dimension",
                          y_title="token", height=260, numbers=matrix.size <= 64)  # fmt: skip


def position_panels(view: Any) -> dict[str, go.Figure]:
    """The positional-encodings section (dlviz.attention.PositionsView): the sinusoidal
    table, how alike two positions look, RoPE's rotation, RoPE's relative similarity."""
    return {
        "sinus": position_table(view.table, title="Sinusoidal table"),
        "sinus_sim": similarity_map(view.similarity, title="How alike two positions look"),
        "rope": rope_rotation(view.circles, view.circle_labels),
        "rope_sim": similarity_map(view.rope_similarity,
                                   title="RoPE: one query against one key, by position"),
    }  # fmt: skip


def training_curves(snap: Any) -> dict[str, go.Figure]:
    """An attention snapshot's loss (log) and token accuracy over steps."""
    steps = snap.history_steps
    return {
        "loss": step_lines(steps, snap.history_loss[None], ["loss"], y_title="loss (log)",
                           log_y=True, height=240),
        "accuracy": step_lines(steps, snap.history_accuracy[None], ["accuracy"], height=240,
                               y_title="token accuracy", y_range=(0, 1.02)),
    }  # fmt: skip


def pretrained_panels(seen: Any, layer: int, head: int) -> tuple[go.Figure, go.Figure]:
    """A pretrained model's attention (dlviz.attention.pretrained.PretrainedAttention):
    one head of one layer, big, and every head of that layer as thumbnails."""
    tokens, heads = list(seen.tokens), seen.attention.shape[1]
    big = matrix_heatmap(
        seen.attention[layer, head],
        tokens,
        tokens,
        weights=True,
        numbers=False,
        height=420,
        title=f"Layer {layer + 1}, head {head + 1}",
    )
    thumbs = attention_grid(
        seen.attention[layer],
        tokens,
        [f"head {j + 1}" for j in range(heads)],
        columns=min(4, heads),
        panel_height=150,
        labels=False,
    )
    return big, thumbs  # fmt: skip


def probe_heads(snap: Any, names: Sequence[str], outline: bool) -> go.Figure:
    """head_grid of an attention snapshot on its probe (tokens written with `names`), the
    correct pattern outlined when `outline`."""
    tokens = [names[t] for t in snap.probe]
    return head_grid(snap.attention, snap.pattern_mass, tokens,
                     pattern=snap.pattern if outline else None)  # fmt: skip
