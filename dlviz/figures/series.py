"""Lines over training steps, the one chart every topic uses for what changes as it trains:
a loss curve (train and test), a race's contestants (the leader drawn thick), a quantity per
step of an optimizer's path. NumPy in, plotly Figure out; no torch, no streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dlviz.figures import style
from dlviz.figures.style import base_layout, note

LEGEND = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom"}
MARGIN = {"l": 56, "r": 8, "t": 28, "b": 40}
TRAIN_TEST = ("train", "test")  # the labels of a loss curve's two lines
TRAIN_TEST_COLORS = (style.TRAIN_COLOR, style.TEST_COLOR)


def series_color(i: int) -> str:
    """The colour of series i (the class palette, cycled)."""
    return style.CLASS_COLORS[i % len(style.CLASS_COLORS)]


def ragged(series: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Series of different lengths (one value per step from step 0; a path that diverged
    ends early) as steps (m,) and values (k, m), NaN after a series ends."""
    m = max((len(s) for s in series), default=0)
    values = np.full((len(series), m), np.nan)
    for i, s in enumerate(series):
        values[i, : len(s)] = np.asarray(s, dtype=np.float64)
    return np.arange(m), values


def _line(steps: np.ndarray, y: np.ndarray, name: str, color: str, width: int,
          log_y: bool) -> dict[str, object]:  # fmt: skip
    """One line trace: float32 values, finite (and > 0 on a log axis) points only; the x
    values go as x0/dx when every point is kept and the steps are evenly spaced."""
    y = np.ascontiguousarray(y, dtype=np.float32)
    keep = np.isfinite(y) & ((y > 0) if log_y else True)
    line = {"type": "scatter", "mode": "lines", "name": name,
            "line": {"color": color, "width": width}}  # fmt: skip
    gaps = np.diff(steps)
    if keep.all() and len(steps) > 1 and (gaps == gaps[0]).all():
        return line | {"y": y, "x0": float(steps[0]), "dx": float(gaps[0])}
    return line | {"x": steps[keep], "y": y[keep]}


def step_lines(
    steps: np.ndarray, values: np.ndarray, labels: Sequence[str], *, y_title: str,
    colors: Sequence[str] | None = None, leader: int | None = None, log_y: bool = False,
    height: int = 300, y_range: tuple[float, float] | None = None, max_points: int = 600,
    x_title: str = "step", title: str | None = None, empty_note: str = "press Run or Step",
) -> go.Figure:  # fmt: skip
    """One line per series: values (k, m) against steps (m,), coloured by `colors` (default
    the class palette). The `leader`'s line is thicker and its legend entry says so.
    Non-finite (and, on a log axis, ≤ 0) points are left out, so a series that ended early
    is NaN-padded; more than `max_points` samples are thinned, keeping the newest. With
    one sample or none, `empty_note` shows."""
    steps = np.asarray(steps, dtype=np.float64).reshape(-1)
    values = np.asarray(values, dtype=np.float64)
    if values.size != len(labels) * len(steps):
        raise ValueError("values must be (series, steps)")
    values = values.reshape(len(labels), len(steps))
    keep = style.thin_indices(len(steps), max_points)
    traces = [
        _line(steps[keep], values[i, keep], f"{label} · leading" if i == leader else label,
              colors[i] if colors else series_color(i), 4 if i == leader else 2, log_y)
        for i, label in enumerate(labels)
    ]  # fmt: skip
    yaxis: dict[str, object] = {"title": {"text": y_title}}
    yaxis |= {"type": "log", "dtick": "D2"} if log_y else {"rangemode": "tozero"}
    if y_range is not None:
        yaxis["range"] = list(y_range)
    if len(steps) <= 1:  # nothing to read yet: no made-up scale beside the invitation
        yaxis["showticklabels"] = False
    layout = base_layout(
        height, title, margin=MARGIN | {"t": 44} if title else MARGIN, legend=LEGEND,
        hovermode="x unified", xaxis={"title": {"text": x_title}, "rangemode": "tozero"},
        yaxis=yaxis, annotations=[] if len(steps) > 1 else [note(empty_note)],
    )  # fmt: skip
    if title:
        layout["legend"] = LEGEND | {"x": 1, "xanchor": "right"}
    return go.Figure(traces, layout)


def race_losses(snap: Any) -> go.Figure:
    """A race snapshot's training loss over steps, one line per contestant (log axis), the
    leader thick."""
    return step_lines(snap.history_steps, snap.history_loss, snap.labels, log_y=True,
                      y_title="training loss (log)", leader=snap.leader)  # fmt: skip
