"""Figures of recurrent networks: every gate and state of a layer as time × unit heatmaps,
one unit's traces, the predictions along a sequence, how far back the learning signal
reaches, the loss against guessing without memory, and the LSTM cell as a diagram with the
numbers of one step. Readings and snapshots in, plotly Figures out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dlviz.figures import style
from dlviz.figures.heatmap import axis_ticks, matrix_trace
from dlviz.figures.series import series_color, step_lines
from dlviz.figures.style import base_layout

# What each recorded name is called on screen, and its range: gates 0–1 (clear to blue),
# tanh outputs −1–1 (orange to blue), the cell state on its own symmetric scale.
STATE_TITLES = {
    "forget": "forget gate f (1 keeps the cell, 0 wipes it)",
    "input": "input gate i (how much of the candidate is written)",
    "candidate": "candidate c̃ (what could be written)",
    "output": "output gate o (how much of the cell is shown)",
    "cell": "cell state c (the long-term memory)",
    "hidden": "hidden state h (what the next step and the readout see)",
    "reset": "reset gate r (how much of h the candidate reads)",
    "update": "update gate z (1 keeps the old h, 0 takes the candidate)",
}
ORDER = ("forget", "input", "update", "reset", "candidate", "output", "cell", "hidden")
GATE_NAMES = ("forget", "input", "output", "reset", "update")
GUESS_COLOR = style.TEXT_COLOR
CELL_COLORS = {"RNN": style.NEG_COLOR, "LSTM": style.POS_COLOR, "GRU": "#2ca25f"}


def cell_colors(labels: Sequence[str]) -> list[str]:
    """One colour per network, the same for a cell on every chart (RNN orange, LSTM blue,
    GRU green); other labels take the series palette."""
    return [CELL_COLORS.get(label, series_color(i)) for i, label in enumerate(labels)]


def shown_states(layer: dict[str, np.ndarray]) -> list[str]:
    """The names of a layer's reading in the order the heatmaps show them."""
    return [name for name in ORDER if name in layer]


def marked_steps(tokens: Sequence[str]) -> list[int]:
    """The steps whose token is marked with a * (the adding problem's two numbers)."""
    return [t for t, token in enumerate(tokens) if token.endswith("*")]


def _marks(steps: Sequence[int], y0: float = 0.0, y1: float = 1.0) -> list[dict[str, object]]:
    """A dotted vertical line at each marked step, from `y0` to `y1` of the plot area."""
    return [{"type": "line", "xref": "x", "yref": "paper", "x0": t, "x1": t, "y0": y0, "y1": y1,
             "line": {"color": style.NEG_COLOR, "width": 1.5, "dash": "dot"}}
            for t in steps]  # fmt: skip


def state_heatmaps(layer: dict[str, np.ndarray], tokens: Sequence[str], *,
                   unit: int | None = None, title: str | None = None) -> go.Figure:  # fmt: skip
    """Each gate and state of one layer (name → (T, H)) as a heatmap with time across and
    units down, stacked and sharing the time axis (tokens as ticks); `unit` (0-based) is
    outlined in every panel; steps whose token ends in * get a dotted line."""
    names = shown_states(layer)
    t, h = np.shape(layer[names[0]])
    if len(tokens) != t:
        raise ValueError("one token per step")
    panel = int(np.clip(6 * h, 48, 128))  # px per panel
    gap = 34  # px between panels, for the titles
    total = len(names) * (panel + gap) + 70
    traces, axes, notes, shapes = [], {}, [], []
    top, first = 1.0 - 10 / total, None
    for i, name in enumerate(names):
        suffix = "" if i == 0 else str(i + 1)
        values = np.asarray(layer[name], dtype=np.float32).T  # (H, T): units down
        gate = name in GATE_NAMES
        span = 1.0 if name != "cell" else max(1.0, float(np.abs(values).max(initial=0)))
        hover = f"{name}<br>step %{{x}} · unit %{{y}}: %{{z:.3f}}"
        trace = matrix_trace(values, weights=gate, text=False, span=span, hover=hover,
                             showscale=False)  # fmt: skip
        if gate:  # as whole percentages open: one byte a cell instead of four (payload)
            trace |= {"z": np.rint(100 * np.clip(np.nan_to_num(values), 0, 1)).astype(np.uint8),
                      "zmax": 100, "hovertemplate": f"{name} gate<br>step %{{x}} · unit "
                      "%{y}: %{z} % open<extra></extra>"}  # fmt: skip
        trace |= {"x": np.arange(t), "y": np.arange(1, h + 1), "xgap": 0, "ygap": 0,
                  "xaxis": "x", "yaxis": f"y{suffix}"}  # fmt: skip
        traces.append(trace)
        y1 = top - 24 / total
        y0 = y1 - panel / total
        first = y1 if first is None else first
        axes[f"yaxis{suffix}"] = {"domain": [max(y0, 0), y1], "anchor": "x",
                                  "autorange": "reversed", "showgrid": False, "zeroline": False,
                                  "title": {"text": "unit"},
                                  "tickvals": [1, h] if h > 1 else [1]}  # fmt: skip
        notes.append(style.note(STATE_TITLES.get(name, name), 12, x=0, y=y1, xanchor="left",
                                yanchor="bottom"))  # fmt: skip
        if unit is not None and 0 <= unit < h:
            shapes.append({"type": "rect", "xref": "x", "yref": f"y{suffix}", "x0": -0.5,
                           "x1": t - 0.5, "y0": unit + 0.5, "y1": unit + 1.5,
                           "line": {"color": style.NEG_COLOR, "width": 1.5}})  # fmt: skip
        top = y0 - (gap - 24) / total
    bottom = f"y{len(names)}" if len(names) > 1 else "y"
    axes["xaxis"] = axis_ticks(list(tokens)) | {"anchor": bottom,
                                               "title": {"text": "step (its input)"}}  # fmt: skip
    shapes += _marks(marked_steps(tokens), max(y0, 0), first or 1.0)
    margin = {"l": 56, "r": 8, "t": 8 + (24 if title else 0), "b": 48}
    layout = base_layout(total, title, margin=margin, annotations=notes, shapes=shapes, **axes)
    return go.Figure(traces, layout)


def layer_heatmaps(reading: Any, unit: int | None = None) -> list[go.Figure]:
    """state_heatmaps of every layer of a reading, titled "Layer k" when there are several
    (LSTMVis's users asked to see the layers side by side)."""
    many = len(reading.layers) > 1
    return [state_heatmaps(layer, reading.tokens, unit=unit, title=f"Layer {k}" if many else None)
            for k, layer in enumerate(reading.layers, start=1)]  # fmt: skip


def unit_traces(layer: dict[str, np.ndarray], tokens: Sequence[str], unit: int) -> go.Figure:
    """One unit's gates and states along the sequence, one line each (gates dashed)."""
    names = shown_states(layer)
    traces = [
        {"type": "scatter", "mode": "lines+markers", "name": name, "x": np.arange(len(tokens)),
         "y": style.finite32(np.asarray(layer[name])[:, unit]), "marker": {"size": 4},
         "line": {"color": series_color(i), "width": 2,
                  "dash": "dot" if name in GATE_NAMES else "solid"}}
        for i, name in enumerate(names)
    ]  # fmt: skip
    layout = base_layout(
        280, f"Unit {unit + 1}, step by step", legend={"orientation": "h", "y": -0.35},
        margin={"l": 48, "r": 8, "t": 36, "b": 40}, hovermode="x unified",
        xaxis=axis_ticks(list(tokens)), yaxis={"title": {"text": "value"}},
        shapes=_marks(marked_steps(tokens)),
    )  # fmt: skip
    return go.Figure(traces, layout)


def predictions(reading: Any, classes: Sequence[str]) -> go.Figure:
    """What the network answers at each step of a reading against the right answer: for a
    regression its output as a line and the graded targets as dots; for classes a strip of
    answers coloured right (green) or wrong (orange), fainter where it is unsure."""
    t = len(reading.tokens)
    steps = np.arange(t)
    graded = np.asarray(reading.graded, dtype=bool)
    if not classes:
        traces = [
            {"type": "scatter", "mode": "lines", "name": "network's output", "x": steps,
             "y": style.finite32(reading.prediction), "line": {"color": style.POS_COLOR}},
            {"type": "scatter", "mode": "markers", "name": "right answer", "x": steps[graded],
             "y": style.finite32(np.asarray(reading.target)[graded]),
             "marker": {"color": style.NEG_COLOR, "size": 9, "symbol": "circle-open",
                        "line": {"width": 2}}, "cliponaxis": False},
        ]  # fmt: skip
        return go.Figure(traces, base_layout(
            240, "Its answers", legend={"orientation": "h", "y": 1.12, "x": 1, "xanchor": "right"},
            margin={"l": 48, "r": 8, "t": 36, "b": 40}, hovermode="x unified",
            xaxis=axis_ticks(list(reading.tokens)), yaxis={"title": {"text": "value"}},
            shapes=_marks(marked_steps(reading.tokens))))  # fmt: skip
    prediction, target = np.asarray(reading.prediction), np.asarray(reading.target)
    right = (prediction == target) & graded
    # Rows: the answer, then the right answer. Colour: 1 right, −1 wrong, 0 not graded.
    colour = np.where(graded, np.where(right, 1.0, -1.0), 0.0) * np.asarray(reading.confidence)
    z = np.stack([colour, np.where(graded, 1.0, 0.0) * 0.35])  # (2, T)
    text = [[classes[p] for p in prediction],
            [classes[y] if g else "" for y, g in zip(target, graded)]]  # fmt: skip
    scale = [[0.0, style.NEG_COLOR], [0.5, "rgba(0,0,0,0)"], [1.0, "#2ca25f"]]
    trace = {"type": "heatmap", "z": z, "x": steps, "y": [0, 1], "text": text,
             "texttemplate": "%{text}", "zmin": -1, "zmax": 1, "colorscale": scale,
             "showscale": False, "xgap": 1, "ygap": 1, "textfont": {"size": 11},
             "hovertemplate": "step %{x}: %{text}<extra></extra>"}  # fmt: skip
    accuracy = right.sum() / max(graded.sum(), 1)
    return go.Figure([trace], base_layout(
        150, f"Its answers: {accuracy:.0%} right (green), wrong in orange, faint = unsure",
        margin={"l": 72, "r": 8, "t": 32, "b": 40}, xaxis=axis_ticks(list(reading.tokens)),
        yaxis={"tickvals": [0, 1], "ticktext": ["answer", "right"], "autorange": "reversed",
               "showgrid": False, "zeroline": False}))  # fmt: skip


def signal_reach(signal: np.ndarray, labels: Sequence[str], tokens: Sequence[str], *,
                 height: int = 300) -> go.Figure:  # fmt: skip
    """‖∂ℓ/∂h_t‖ (k, T) along the sequence on a log axis, one line per network: how much
    of the last step's learning signal reaches each earlier step."""
    floor = 1e-30  # an exact 0 (nothing reaches that step), or a NaN, is drawn at the bottom
    raw = np.atleast_2d(np.asarray(signal, dtype=np.float64))
    signal = np.maximum(np.nan_to_num(raw, nan=floor, posinf=1e30, neginf=floor), floor)
    decades = np.log10(signal.max() / signal.min())
    traces = [
        {"type": "scatter", "mode": "lines+markers", "name": label, "x": np.arange(len(tokens)),
         "y": signal[i].astype(np.float32), "marker": {"size": 4},
         "line": {"color": color, "width": 2}}
        for i, (label, color) in enumerate(zip(labels, cell_colors(labels)))
    ]  # fmt: skip
    layout = base_layout(
        height, "How far back the learning signal reaches",
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"},
        margin={"l": 64, "r": 8, "t": 44, "b": 40}, hovermode="x unified",
        xaxis=axis_ticks(list(tokens)) | {"title": {"text": "step (its input)"}},
        yaxis={"type": "log", "dtick": "D2" if decades < 4 else 2, "exponentformat": "power",
               "title": {"text": "‖∂ loss at the end / ∂h_t‖"}},
        shapes=_marks(marked_steps(tokens)),
    )  # fmt: skip
    return go.Figure(traces, layout)


def _guess_line(fig: go.Figure, guess: float, text: str) -> go.Figure:
    """A dashed line at `guess` across a loss chart on a log axis, labelled `text`. (A
    shape takes data values on a log axis; an annotation takes their log10.)"""
    fig.add_hline(y=guess, line={"color": GUESS_COLOR, "dash": "dash", "width": 1.5})
    fig.add_annotation(text=text, xref="paper", x=0, xanchor="left", yref="y",
                       y=float(np.log10(max(guess, 1e-30))), yanchor="top", showarrow=False,
                       font={"color": GUESS_COLOR, "size": 11})  # fmt: skip
    return fig


def training_curves(snap: Any) -> dict[str, go.Figure]:
    """A recurrent snapshot's held-out loss (log, with the loss of guessing without memory
    dashed) and score (accuracy, or variance explained) over steps."""
    steps = snap.history_steps
    loss = step_lines(steps, snap.history_loss[None], ["held-out loss"], log_y=True,
                      height=240, y_title="loss (log)")  # fmt: skip
    score_name = "accuracy" if snap.classes else "variance explained"
    # A regression's share explained starts far below 0 (an untrained output is worse than
    # guessing the mean): the axis stops at −1 so the climb to 1 stays readable.
    score = step_lines(
        steps,
        snap.history_score[None],
        [score_name],
        height=240,
        y_title=score_name,
        y_range=(0.0 if snap.classes else -1.0, 1.02),
    )
    return {"loss": _guess_line(loss, snap.guess, "guessing without memory"), "score": score}


def race_curves(snap: Any) -> dict[str, go.Figure]:
    """A cell race's held-out losses (log, guessing dashed) and its signal through time."""
    loss = step_lines(snap.history_steps, snap.history_loss, snap.labels, log_y=True,
                      leader=snap.leader, y_title="held-out loss (log)",
                      colors=cell_colors(snap.labels))  # fmt: skip
    return {"loss": _guess_line(loss, snap.guess, "guessing without memory"),
            "signal": signal_reach(snap.signal, snap.labels, snap.tokens)}  # fmt: skip


# The LSTM cell drawn on a 10 × 6 canvas: the cell state runs along the top (y = 5), the
# hidden state along the bottom (y = 0.6); the four blocks sit on y = 2.2.
BLOCKS = {"forget": (2.0, "σ"), "input": (3.6, "σ"), "candidate": (5.0, "tanh"),
          "output": (6.6, "σ")}  # fmt: skip


def _arrow(x0: float, y0: float, x1: float, y1: float) -> dict[str, object]:
    return {"x": x1, "y": y1, "ax": x0, "ay": y0, "xref": "x", "yref": "y", "axref": "x",
            "ayref": "y", "text": "", "showarrow": True, "arrowhead": 2, "arrowwidth": 1.5,
            "arrowcolor": style.TEXT_COLOR}  # fmt: skip


def lstm_diagram(step: Any | None = None, *, height: int = 330) -> go.Figure:
    """The LSTM cell: c_{t−1} → × f → + i·c̃ → c_t along the top, h_{t−1} and x_t into
    the four blocks along the bottom, o · tanh(c_t) → h_t. With a worked `step`
    (dlviz.recurrent.hand.WorkedStep) every block and state carries its number."""
    value = (lambda name: f"<br><b>{step.gate(name).value:.2f}</b>") if step else (lambda n: "")
    shapes, notes = [], []
    line = {"color": style.TEXT_COLOR, "width": 2}
    shapes.append({"type": "line", "x0": 0.4, "x1": 9.4, "y0": 5, "y1": 5, "line": line})
    shapes.append({"type": "line", "x0": 0.4, "x1": 7.2, "y0": 0.6, "y1": 0.6, "line": line})
    for name, (x, squash) in BLOCKS.items():
        color = style.POS_COLOR if squash == "σ" else style.NEG_COLOR
        shapes.append({"type": "rect", "x0": x - 0.55, "x1": x + 0.55, "y0": 1.7, "y1": 2.7,
                       "line": {"color": color, "width": 2},
                       "fillcolor": style.mix(color, "#ffffff", 0.8)})  # fmt: skip
        notes.append({"x": x, "y": 2.2, "text": f"{squash}{value(name)}", "showarrow": False,
                      "font": {"size": 13, "color": "#222222"}})  # fmt: skip
        notes.append(style.note(name, 12, x=x, y=1.45, xref="x", yref="y", yanchor="top"))
        notes.append(_arrow(x, 0.6, x, 1.7))
    for x, y, symbol in ((2.0, 5, "×"), (4.3, 5, "+"), (4.3, 3.6, "×"), (7.6, 1.9, "×")):
        shapes.append({"type": "circle", "x0": x - 0.3, "x1": x + 0.3, "y0": y - 0.3,
                       "y1": y + 0.3, "line": line, "fillcolor": "#ffffff"})  # fmt: skip
        notes.append({"x": x, "y": y, "text": symbol, "showarrow": False,
                      "font": {"size": 16, "color": "#222222"}})  # fmt: skip
    notes += [_arrow(2.0, 2.7, 2.0, 4.7), _arrow(3.6, 2.7, 4.0, 3.6), _arrow(5.0, 2.7, 4.6, 3.6),
              _arrow(4.3, 3.9, 4.3, 4.7), _arrow(7.15, 2.2, 7.32, 1.98), _arrow(7.6, 5, 7.6, 3.3),
              _arrow(7.6, 2.7, 7.6, 2.2), _arrow(7.9, 1.9, 9.3, 1.9)]  # fmt: skip
    shapes.append(
        {
            "type": "rect",
            "x0": 7.0,
            "x1": 8.2,
            "y0": 2.7,
            "y1": 3.3,
            "line": {"color": style.NEG_COLOR, "width": 2},
            "fillcolor": "#ffffff",
        }
    )
    notes.append({"x": 7.6, "y": 3.0, "text": "tanh", "showarrow": False,
                  "font": {"size": 12, "color": "#222222"}})  # fmt: skip
    numbers = {"c_old": "", "c_new": "", "h_new": "", "x": "", "h_old": ""}
    if step is not None:
        cfg = step.config
        numbers = {"c_old": f" = {cfg.c:.2f}", "c_new": f" = {step.cell:.2f}",
                   "h_new": f" = {step.hidden:.2f}", "x": f" = {cfg.x:.2f}",
                   "h_old": f" = {cfg.h:.2f}"}  # fmt: skip
    for text, x, y, anchor in (
        (f"c<sub>t−1</sub>{numbers['c_old']}", 0.35, 5.35, "left"),
        (f"c<sub>t</sub>{numbers['c_new']}", 9.45, 5.35, "right"),
        (f"h<sub>t−1</sub>{numbers['h_old']}", 0.35, 0.25, "left"),
        (f"x<sub>t</sub>{numbers['x']}", 3.0, 0.25, "left"),
        (f"h<sub>t</sub>{numbers['h_new']}", 9.45, 1.55, "right"),
    ):
        notes.append(style.note(text, 13, x=x, y=y, xref="x", yref="y", xanchor=anchor))
    axis = style.HIDDEN_AXIS | {"fixedrange": True}
    return go.Figure(layout=base_layout(
        height, margin={"l": 4, "r": 4, "t": 4, "b": 4}, shapes=shapes, annotations=notes,
        xaxis=axis | {"range": [0, 9.8]}, yaxis=axis | {"range": [0, 5.8]}))  # fmt: skip
