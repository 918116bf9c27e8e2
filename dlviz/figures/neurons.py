"""Figures of the Neurons page: one neuron's output over the plane with its line, the
perceptron on a truth table (its line before and after an update) and its mistakes per
epoch, XOR from OR and NAND, the 2-2-1 network with every forward value and gradient, and
the live network's output over the plane. Orange is 0 (false), blue is 1 (true).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from dlviz.figures import style
from dlviz.figures.series import step_lines
from dlviz.figures.style import EQUAL_ASPECT, HIDDEN_AXIS, base_layout, finite32, note

Trace = dict[str, object]
GATE_BOX = (-0.5, 1.5)  # the truth-table plane: both axes
LINE_COLOR = "#444444"
OLD_LINE_COLOR = "#aaaaaa"
HIDDEN_LINE_COLORS = ("#2ca25f", "#8e5fd1")  # hidden unit 1, 2
YES_NO_RANGE = (-1.0, 2.0)  # a 0/1 region's colour range: a third of the way to each colour


def boundary_points(w1: float, w2: float, b: float, box: tuple[float, float]) -> np.ndarray | None:
    """Two points (2, 2) of the line w1·x1 + w2·x2 + b = 0 across the square `box` on both
    axes (the plot clips the rest); None when both weights are 0 (no line)."""
    if w1 == 0 and w2 == 0:
        return None
    ends = np.array(box, dtype=np.float64)
    if abs(w2) >= abs(w1):  # x2 as a function of x1
        return np.stack([ends, -(w1 * ends + b) / w2], axis=1)
    return np.stack([-(w2 * ends + b) / w1, ends], axis=1)


def _line(w1: float, w2: float, b: float, box: tuple[float, float], name: str, color: str,
          dash: str = "solid") -> list[Trace]:  # fmt: skip
    points = boundary_points(w1, w2, b, box)
    if points is None:
        return []
    return [{"type": "scatter", "mode": "lines", "x": points[:, 0], "y": points[:, 1],
             "name": name, "line": {"color": color, "width": 2.5, "dash": dash},
             "hoverinfo": "skip"}]  # fmt: skip


def _plane_layout(box: tuple[float, float], height: int, **extra: object) -> dict[str, object]:
    pad = 0.02 * (box[1] - box[0])
    span = [box[0] - pad, box[1] + pad]
    axes = {"showgrid": False, "zeroline": False}
    return base_layout(
        height, margin={"l": 40, "r": 8, "t": 8, "b": 40}, hovermode="closest",
        legend={"orientation": "h", "x": 0, "y": -0.16, "yanchor": "top", "font": {"size": 11}},
        xaxis={"title": {"text": "x₁"}, "range": span, "constrain": "domain", **axes},
        yaxis={"title": {"text": "x₂"}, "range": span, **EQUAL_ASPECT, **axes}, **extra,
    )  # fmt: skip


def _background(grid: np.ndarray, plane: np.ndarray, lo: float, hi: float) -> Trace:
    """A plane of outputs in [lo, hi], 0-ish orange to 1-ish blue, pale behind the points."""
    return {"type": "heatmap", "x": finite32(grid), "y": finite32(grid), "z": finite32(plane),
            "zmin": lo, "zmax": hi, "colorscale": style.diverging_scale(style.BACKGROUND_STRENGTH),
            "showscale": False, "zsmooth": "best", "name": "output",
            "hovertemplate": "x₁=%{x:.2f}, x₂=%{y:.2f}<br>output %{z:.3f}<extra></extra>",
            }  # fmt: skip


def _table_points(inputs: np.ndarray, targets: np.ndarray, wrong: np.ndarray | None = None,
                  size: int = 18) -> Trace:  # fmt: skip
    """The truth-table rows coloured by target; a row answered wrong gets a ✕."""
    colors = [style.POS_COLOR if t > 0.5 else style.NEG_COLOR for t in targets]
    symbols = ["x" if wrong is not None and wrong[i] else "circle" for i in range(len(targets))]
    text = [f"({a:g}, {b:g}) → {int(t)}" for (a, b), t in zip(inputs, targets)]
    return {"type": "scatter", "mode": "markers", "x": inputs[:, 0], "y": inputs[:, 1],
            "name": "rows (✕ answered wrong)" if wrong is not None else "rows",
            "marker": {"size": size, "color": colors, "symbol": symbols,
                       "line": {"color": style.POINT_OUTLINE, "width": 2}},
            "text": text, "hovertemplate": "%{text}<extra></extra>"}  # fmt: skip


def neuron_plane(worked: Any, *, height: int = 380) -> go.Figure:
    """One neuron's output a = f(w·x + b) over the plane, its line z = 0 and the chosen
    input. `worked`: dlviz.neurons.WorkedNeuron."""
    cfg = worked.config
    box = (float(worked.grid[0]), float(worked.grid[-1]))
    plane = finite32(worked.plane)
    lo, hi = float(plane.min()), float(plane.max())
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    traces = [_background(worked.grid, plane, min(lo, -hi) if lo < 0 else 0.0, max(hi, 1.0))]
    traces += _line(cfg.w1, cfg.w2, cfg.b, box, "z = 0", LINE_COLOR, "dash")
    traces.append({"type": "scatter", "mode": "markers+text", "x": [cfg.x1], "y": [cfg.x2],
                   "name": "your input", "text": [f"a = {worked.a:.3g}"],
                   "textposition": "top center", "textfont": {"size": 13},
                   "marker": {"size": 14, "color": "#222222", "symbol": "diamond",
                              "line": {"color": "#ffffff", "width": 2}}})  # fmt: skip
    return go.Figure(traces, _plane_layout(box, height))


def perceptron_plane(snap: Any, *, height: int = 380) -> go.Figure:
    """The truth table, the region the perceptron calls 1 (blue) or 0, its line now (solid)
    and, right after a mistake, the line before it moved (dashed grey); the row just shown
    is circled. `snap`: dlviz.neurons.PerceptronSnapshot."""
    traces = [_background(snap.grid, snap.region, *YES_NO_RANGE)]
    last = snap.last
    if last is not None and last.mistake:
        traces += _line(last.w[0], last.w[1], last.b, GATE_BOX, "line before", OLD_LINE_COLOR,
                        "dash")  # fmt: skip
    traces += _line(snap.w[0], snap.w[1], snap.b, GATE_BOX, "line now", LINE_COLOR)
    traces.append(_table_points(snap.inputs, snap.targets, snap.answers != snap.targets))
    if last is not None:
        traces.append({"type": "scatter", "mode": "markers", "x": [last.x[0]],
                       "y": [last.x[1]], "name": "row just shown", "hoverinfo": "skip",
                       "marker": {"size": 34, "color": "rgba(0,0,0,0)", "symbol": "circle",
                                  "line": {"color": "#e0457b", "width": 3}}})  # fmt: skip
    return go.Figure(traces, _plane_layout(GATE_BOX, height))


def epoch_mistakes(snap: Any, *, height: int = 240) -> go.Figure:
    """Mistakes in each finished epoch (0 to 4 rows); clean epochs in the train colour."""
    counts = snap.epoch_mistakes
    if len(counts) == 0:
        return style.message_figure("no finished epoch yet: press Run or Step", height)
    epochs = np.arange(snap.first_epoch, snap.first_epoch + len(counts))
    colors = [style.TRAIN_COLOR if c == 0 else style.TEST_COLOR for c in counts]
    layout = base_layout(
        height, xaxis={"title": {"text": "epoch (4 rows each)"}},
        yaxis={"title": {"text": "mistakes"}, "range": [0, 4.3], "dtick": 1},
        margin={"l": 48, "r": 8, "t": 8, "b": 40}, bargap=0.15,
    )  # fmt: skip
    bars = {"type": "bar", "x": epochs, "y": counts, "marker": {"color": colors},
            "hovertemplate": "epoch %{x}: %{y} mistakes<extra></extra>"}  # fmt: skip
    return go.Figure([bars], layout)


def xor_from_gates(view: Any, *, height: int = 380) -> go.Figure:
    """XOR as two lines: the OR unit's and the NAND unit's; the band between them, where
    both fire, is what the AND unit answers 1 for. `view`: dlviz.neurons.XorView."""
    (w_or, b_or), (w_nand, b_nand) = view.or_unit, view.nand_unit
    traces = [_background(view.grid, view.band, *YES_NO_RANGE)]
    traces += _line(w_or[0], w_or[1], b_or, GATE_BOX, "OR unit's line", HIDDEN_LINE_COLORS[0])
    traces += _line(w_nand[0], w_nand[1], b_nand, GATE_BOX, "NAND unit's line",
                    HIDDEN_LINE_COLORS[1])  # fmt: skip
    traces.append(_table_points(view.inputs, view.answers))
    return go.Figure(traces, _plane_layout(GATE_BOX, height))


NODES = {"x1": (0.0, 2.0), "x2": (0.0, 0.0), "h1": (1.0, 2.0), "h2": (1.0, 0.0), "out": (2.0, 1.0)}


def _edge_label(x0, y0, x1, y1, t: float, text: str) -> dict[str, object]:
    return {"x": x0 + t * (x1 - x0), "y": y0 + t * (y1 - y0), "text": text, "showarrow": False,
            "font": {"size": 11, "color": "#222222"}, "bgcolor": "rgba(255,255,255,0.85)",
            "borderpad": 2}  # fmt: skip


def backprop_diagram(w: Any, *, height: int = 380) -> go.Figure:
    """The 2-2-1 network for one example: every weight (w into the hidden units, v into the
    output) with its gradient in orange under it, every unit with z, its output and
    δ = ∂L/∂z. `w`: dlviz.neurons.Walkthrough."""
    shapes, notes = [], []
    edges = [("x1", "h1", 0.3, w.w1[0, 0], w.grad_w1[0, 0]),
             ("x2", "h1", 0.22, w.w1[0, 1], w.grad_w1[0, 1]),
             ("x1", "h2", 0.22, w.w1[1, 0], w.grad_w1[1, 0]),
             ("x2", "h2", 0.3, w.w1[1, 1], w.grad_w1[1, 1]),
             ("h1", "out", 0.5, w.w2[0], w.grad_w2[0]),
             ("h2", "out", 0.5, w.w2[1], w.grad_w2[1])]  # fmt: skip
    for a, b, t, weight, grad in edges:
        name = "v" if b == "out" else "w"
        (x0, y0), (x1, y1) = NODES[a], NODES[b]
        width = 1 + 3 * min(abs(weight), 2.0)
        color = style.POS_COLOR if weight >= 0 else style.NEG_COLOR
        shapes.append({"type": "line", "x0": x0, "y0": y0, "x1": x1, "y1": y1, "layer": "below",
                       "line": {"color": color, "width": width}})  # fmt: skip
        text = (
            f"{name} = {weight:.3f}<br><span style='color:#c2410c'>∂L/∂{name} = {grad:.4f}</span>"
        )
        notes.append(_edge_label(x0, y0, x1, y1, t, text))
    units = {
        "x1": f"x₁ = {w.x[0]:g}", "x2": f"x₂ = {w.x[1]:g}",
        "h1": f"z = {w.z1[0]:.3f}<br>a = {w.a1[0]:.3f}<br>δ = {w.delta1[0]:.4f}",
        "h2": f"z = {w.z1[1]:.3f}<br>a = {w.a1[1]:.3f}<br>δ = {w.delta1[1]:.4f}",
        "out": f"z = {w.z2:.3f}<br>ŷ = {w.y_hat:.3f}<br>δ = {w.delta2:.4f}",
    }  # fmt: skip
    for name, (x, y) in NODES.items():
        r = 0.2 if name.startswith("x") else 0.3
        shapes.append({"type": "circle", "x0": x - r, "x1": x + r, "y0": y - r * 1.6,
                       "y1": y + r * 1.6, "fillcolor": "#ffffff",
                       "line": {"color": LINE_COLOR, "width": 2}})  # fmt: skip
        notes.append({"x": x, "y": y, "text": units[name], "showarrow": False,
                      "font": {"size": 11, "color": "#222222"}})  # fmt: skip
    bias = (f"hidden biases b = ({w.b1[0]:.3f}, {w.b1[1]:.3f}), ∂L/∂b = δ of each unit<br>"
            f"output bias c = {w.b2:.3f}, ∂L/∂c = δ of the output")  # fmt: skip
    notes.append(note(bias, 11, x=1.0, y=-0.75, xref="x", yref="y"))
    notes.append(note(f"y = {w.y:g}<br>L = {w.loss:.4f}", 13, x=2.55, y=1.0, xref="x",
                      yref="y"))  # fmt: skip
    axis = HIDDEN_AXIS | {"fixedrange": True}
    layout = base_layout(height, margin={"l": 4, "r": 4, "t": 4, "b": 4}, shapes=shapes,
                         annotations=notes, xaxis=axis | {"range": [-0.35, 2.85]},
                         yaxis=axis | {"range": [-1.0, 2.6]})  # fmt: skip
    return go.Figure(layout=layout)


def xor_plane(snap: Any, *, height: int = 380) -> go.Figure:
    """The live network's ŷ over the plane, each hidden unit's line (where its z is 0) and
    the four rows (✕: on the wrong side of 0.5). `snap`: dlviz.neurons.XorSnapshot."""
    box = (float(snap.grid[0]), float(snap.grid[-1]))
    traces = [_background(snap.grid, snap.plane, 0.0, 1.0)]
    for k, color in enumerate(HIDDEN_LINE_COLORS):
        (w1, w2), b = snap.w1[k], snap.b1[k]
        traces += _line(float(w1), float(w2), float(b), box, f"hidden unit {k + 1}", color, "dot")
    wrong = (snap.outputs > 0.5) != (snap.targets > 0.5)
    traces.append(_table_points(snap.inputs, snap.targets, wrong))
    return go.Figure(traces, _plane_layout(box, height))


def xor_curves(snap: Any, *, height: int = 260) -> dict[str, go.Figure]:
    """The loss, and the size of the gradient reaching each layer's weights, over steps
    (both on log axes)."""
    steps = snap.history_steps
    loss = step_lines(steps, snap.history_loss[None, :], ["loss"], y_title="loss", log_y=True,
                      colors=[style.TRAIN_COLOR], height=height)  # fmt: skip
    grads = np.stack([snap.history_grad_out, snap.history_grad_hidden])  # (2, m)
    gradient = step_lines(steps, grads, ["output layer ‖∂L/∂v‖", "hidden layer ‖∂L/∂W‖"],
                          y_title="gradient size", log_y=True, height=height,
                          colors=[style.POS_COLOR, style.NEG_COLOR])  # fmt: skip
    return {"loss": loss, "gradients": gradient}
