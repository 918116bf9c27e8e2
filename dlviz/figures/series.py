"""Line charts of named series over training steps, shared by every topic's live view:
one line per contestant of a race (activations, optimizers), the leader drawn thick.
NumPy in, plotly Figure out; no torch, no streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dlviz.figures import style
from dlviz.figures.style import base_layout, note

LEGEND = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom"}
MARGIN = {"l": 56, "r": 8, "t": 28, "b": 40}


def series_color(i: int) -> str:
    """The colour of series i (the class palette, cycled)."""
    return style.CLASS_COLORS[i % len(style.CLASS_COLORS)]


def race_curves(
    steps: np.ndarray, values: np.ndarray, labels: Sequence[str], *, y_title: str,
    leader: int | None = None, log_y: bool = False, height: int = 300,
    y_range: tuple[float, float] | None = None, max_points: int = 600, x_title: str = "step",
    title: str | None = None, empty_note: str = "press Run or Step to start the race",
) -> go.Figure:  # fmt: skip
    """One line per contestant: values (k, m) against steps (m,); the leader's line is
    thicker and its legend entry says so. Non-finite (or, on a log axis, ≤ 0) points are
    left out, so a series that ended early is NaN-padded; more than `max_points` samples
    are thinned, keeping the newest. With one sample or none, `empty_note` shows."""
    steps = np.asarray(steps, dtype=np.float64).reshape(-1)
    values = np.asarray(values, dtype=np.float64).reshape(len(labels), -1)
    if values.shape[1] != len(steps):
        raise ValueError("values must be (contestants, steps)")
    keep = style.thin_indices(len(steps), max_points)
    traces = []
    for i, label in enumerate(labels):
        y = values[i, keep]
        ok = np.isfinite(y) & ((y > 0) if log_y else True)
        lead = i == leader
        traces.append({"type": "scatter", "mode": "lines", "x": steps[keep][ok],
                       "y": y[ok].astype(np.float32),
                       "name": f"{label} · leading" if lead else label,
                       "line": {"color": series_color(i), "width": 4 if lead else 2}})  # fmt: skip
    yaxis: dict[str, object] = {"title": {"text": y_title}}
    if log_y:
        yaxis |= {"type": "log", "dtick": "D2"}
    if y_range is not None:
        yaxis["range"] = list(y_range)
    layout = base_layout(
        height, title, margin=MARGIN | {"t": 44} if title else MARGIN, legend=LEGEND,
        hovermode="x unified", xaxis={"title": {"text": x_title}, "rangemode": "tozero"},
        yaxis=yaxis, annotations=[] if len(steps) > 1 else [note(empty_note)],
    )  # fmt: skip
    if title:
        layout["legend"] = LEGEND | {"y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"}
    return go.Figure(traces, layout)
