"""Figures of the Activations page: curves and slopes, softmax bars, per-layer activation
distributions, gradient norms and unit health by layer, and the race's live curves.
NumPy in, plotly Figure out; no torch, no streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dlviz.figures import style
from dlviz.figures.series import LEGEND, MARGIN, race_losses, series_color, step_lines
from dlviz.figures.style import base_layout, note

Series = Mapping[str, np.ndarray]  # legend label → values
_LEGEND, _MARGIN = LEGEND, MARGIN
_color = series_color


def _margin(title: str | None) -> dict[str, int]:
    """The house margins, with room at the top for a title."""
    return _MARGIN | {"t": 36} if title else _MARGIN


def curves(
    z: np.ndarray, series: Series, *, y_title: str, height: int = 280, dash_zero: bool = True
) -> go.Figure:
    """One line per activation over the shared inputs `z` (n,): its values or its slopes
    (each (n,)). Non-finite values are left out of the line."""
    x = style.finite32(z)
    traces = []
    for i, (label, y) in enumerate(series.items()):
        y = np.asarray(y, dtype=np.float32).reshape(-1)
        if y.shape != x.shape:
            raise ValueError(f"{label}: {y.shape} values for {x.shape} inputs")
        y = np.where(np.isfinite(y), y, np.nan).astype(np.float32)
        traces.append({"type": "scatter", "mode": "lines", "name": label, "x": x, "y": y,
                       "line": {"color": _color(i), "width": 2.5},
                       "hovertemplate": f"{label}<br>z=%{{x:.2f}}<br>{y_title}=%{{y:.3f}}"
                                        "<extra></extra>"})  # fmt: skip
    layout = base_layout(
        height, margin=_MARGIN, legend=_LEGEND, hovermode="closest",
        xaxis={"title": {"text": "z (pre-activation)"}, "zeroline": dash_zero},
        yaxis={"title": {"text": y_title}, "zeroline": dash_zero},
        annotations=[] if traces else [note("pick an activation")],
    )  # fmt: skip
    return go.Figure(traces, layout)


def softmax_bars(
    labels: Sequence[str], probs: np.ndarray, reference: np.ndarray | None = None,
    *, temperature: float = 1.0, height: int = 260,
) -> go.Figure:  # fmt: skip
    """Probabilities (n,) as bars with their percentages; `reference` (n,) (e.g. T = 1)
    as grey outlines behind them for comparison."""
    p = np.asarray(probs, dtype=np.float64).reshape(-1)
    if len(p) != len(labels):
        raise ValueError("one label per probability")
    names = list(labels)
    traces = []
    if reference is not None:
        traces.append({"type": "bar", "name": "T = 1", "x": names, "y": style.finite32(reference),
                       "marker": {"color": style.TRANSPARENT,
                                  "line": {"color": style.TEXT_COLOR, "width": 1.5}},
                       "hoverinfo": "skip"})  # fmt: skip
    traces.append({"type": "bar", "name": f"T = {temperature:g}", "x": names,
                   "y": style.finite32(p), "marker": {"color": style.POS_COLOR},
                   "text": [f"{v:.1%}" for v in p], "textposition": "outside",
                   "cliponaxis": False,
                   "hovertemplate": "%{x}: %{y:.4f}<extra></extra>"})  # fmt: skip
    layout = base_layout(
        height, margin=_MARGIN, barmode="overlay", bargap=0.35, legend=_LEGEND,
        xaxis={"title": {"text": "class (logit)"}, "type": "category"},
        yaxis={"title": {"text": "probability"}, "range": [0, 1.12], "dtick": 0.25},
    )  # fmt: skip
    return go.Figure(traces, layout)


def layer_distributions(
    edges: np.ndarray, histograms: np.ndarray, *, height: int = 340, title: str | None = None
) -> go.Figure:
    """Heatmap of each hidden layer's output distribution: rows = layers (1 at the top),
    columns = value bins with `edges` (bins + 1,), colour = share of outputs (√-scaled so
    thin tails stay visible). histograms (layers, bins), rows summing to 1."""
    hist = np.asarray(histograms, dtype=np.float32)
    edges = np.asarray(edges, dtype=np.float64)
    if hist.ndim != 2 or hist.shape[1] != len(edges) - 1:
        raise ValueError("histograms must be (layers, bins) with bins + 1 edges")
    centres = (edges[:-1] + edges[1:]) / 2
    layers = np.arange(1, hist.shape[0] + 1)
    heat = {"type": "heatmap", "z": np.sqrt(np.clip(hist, 0, 1)), "x": style.finite32(centres),
            "y": layers, "colorscale": "Viridis", "zmin": 0, "zmax": 1, "showscale": False,
            "customdata": hist,
            "hovertemplate": "layer %{y}<br>output ≈ %{x:.3g}<br>share %{customdata:.1%}"
                             "<extra></extra>"}  # fmt: skip
    layout = base_layout(
        height, title, margin=_margin(title),
        xaxis={"title": {"text": "activation output (values past the ends are piled there)"}},
        yaxis={"title": {"text": "hidden layer"}, "autorange": "reversed",
               "dtick": max(1, len(layers) // 10)},
    )  # fmt: skip
    return go.Figure([heat], layout)


def _log_values(values: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Positive finite values as float64 (others NaN) and the indices of the overflowed."""
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    ok = np.isfinite(v) & (v > 0)
    return np.where(ok, v, np.nan), [int(i) for i in np.flatnonzero(~np.isfinite(v))]


def layer_bars(
    series: Series, *, y_title: str, log_y: bool = False, readout: bool = False,
    height: int = 300, y_range: tuple[float, float] | None = None, empty_note: str = "",
    title: str | None = None,
) -> go.Figure:  # fmt: skip
    """Grouped bars by layer, one colour per series (label → (layers,) values). With
    `readout` the last value is labelled "out" (the readout layer). A log axis labels at
    most ~8 decades and turns linear when the values span less than one; zero or
    non-finite values get no bar there, and overflowed (inf/NaN) ones are named in a note.
    The y title gets " (log)" when the axis is logarithmic.
    `empty_note` is shown when every value is 0; `title` goes above the plot."""
    decades = _span_decades(series) if log_y else 0.0
    log_y = log_y and decades >= 1.0
    traces, overflowed = [], set()
    for i, (label, values) in enumerate(series.items()):
        v = np.asarray(values, dtype=np.float64).reshape(-1)
        names = [str(k + 1) for k in range(len(v))]
        if readout and names:
            names[-1] = "out"
        if log_y:
            v, bad = _log_values(v)
            overflowed.update(names[k] for k in bad)
        hover = f"{label}<br>layer %{{x}}: %{{y:.3g}}<extra></extra>"
        traces.append({"type": "bar", "name": label, "x": names, "y": v,
                       "marker": {"color": _color(i)}, "hovertemplate": hover})  # fmt: skip
    yaxis: dict[str, object] = {"title": {"text": f"{y_title} (log)" if log_y else y_title}}
    if log_y:
        yaxis |= {"type": "log", "dtick": "D2" if decades < 3 else math.ceil(decades / 8),
                  "exponentformat": "power"}  # fmt: skip
    else:
        yaxis["rangemode"] = "tozero"
    if y_range is not None:
        yaxis["range"] = list(y_range)
    notes = [note("overflowed (∞) in layers " + ", ".join(sorted(overflowed, key=_layer_key)),
                  size=12, y=0.98, yanchor="top")] if overflowed else []  # fmt: skip
    every = [np.asarray(v, dtype=np.float64) for v in series.values()]
    if empty_note and every and all((v == 0).all() for v in every):
        notes.append(note(empty_note, size=12, y=0.6))
    layout = base_layout(
        height, title, margin=_margin(title), barmode="group", bargap=0.2, legend=_LEGEND,
        xaxis={"title": {"text": "layer (input side → output side)"}, "type": "category"},
        yaxis=yaxis, annotations=notes,
    )  # fmt: skip
    return go.Figure(traces, layout)


def _layer_key(name: str) -> int:
    return 10**6 if name == "out" else int(name)


def _span_decades(series: Series) -> float:
    values = np.concatenate([_log_values(v)[0] for v in series.values()] or [np.zeros(0)])
    values = values[np.isfinite(values)]
    return float(np.log10(values.max() / values.min())) if len(values) else 0.0


def probe_panels(result: Any) -> dict[str, go.Figure | None]:
    """The four charts of a deep-stack probe (dlviz.activations.probe.ProbeResult): what
    each layer outputs, each layer's gradient, the failing units (None for an activation
    that cannot fail: linear) and the spread of the outputs."""
    health = result.health()
    return {
        "dist": layer_distributions(result.bin_edges, result.histograms,
                                    title="What each layer outputs (brighter: more)"),
        "grads": layer_bars({"‖∂L/∂W‖": result.grad_norms}, y_title="‖∂L/∂W‖", log_y=True,
                            readout=True, title="How much gradient each layer's weights get"),
        "health": None if health is None else layer_bars(
            dict([health]), y_title="share", y_range=(0, 1), empty_note="none in any layer",
            title=health[0].capitalize()),
        "spread": layer_bars({"std of outputs": result.std}, y_title="std", log_y=True,
                             title="Spread of each layer's outputs (standard deviation)"),
    }  # fmt: skip


def race_panels(snap: Any) -> dict[str, go.Figure]:
    """The charts of an activation race snapshot: training loss over steps (log), the
    gradient norm of each layer now, and the share of dead units over steps."""
    return {
        "loss": race_losses(snap),
        "grads": layer_bars(dict(zip(snap.labels, snap.grad_norms)), y_title="gradient norm",
                            log_y=True, readout=True),
        "dead": step_lines(snap.history_steps, snap.history_dead, snap.labels,
                           y_title="share of dead units", y_range=(0, 1)),
    }  # fmt: skip
