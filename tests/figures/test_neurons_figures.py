"""Figures of the Neurons page from real engine objects: trace types, lines where the
weights say, no NaN."""

import numpy as np
import plotly.graph_objects as go
import pytest

from dlviz.figures import neurons as fig
from dlviz.neurons import (
    NeuronConfig,
    PerceptronConfig,
    PerceptronSession,
    XorConfig,
    XorSession,
    work_backprop,
    work_neuron,
    xor_view,
)
from dlviz.neurons.backprop import BackpropConfig


def no_nan(figure: go.Figure) -> None:
    for trace in figure.data:
        for axis in ("x", "y", "z"):
            values = getattr(trace, axis, None)
            if values is not None and len(values):
                assert np.all(np.isfinite(np.asarray(values, dtype=np.float64))), axis


@pytest.mark.parametrize(("w1", "w2", "b"), [(1.0, 2.0, 0.5), (3.0, 0.1, -1.0), (0.0, 1.0, 0.2)])
def test_boundary_points_lie_on_the_line(w1, w2, b):
    points = fig.boundary_points(w1, w2, b, (-2.0, 2.0))
    assert points.shape == (2, 2)
    assert np.allclose(points @ np.array([w1, w2]) + b, 0.0)
    assert not np.allclose(points[0], points[1])
    assert fig.boundary_points(0.0, 0.0, 1.0, (-2.0, 2.0)) is None


def test_neuron_plane_has_the_output_the_line_and_the_input():
    worked = work_neuron(NeuronConfig())
    figure = fig.neuron_plane(worked)
    assert [t.type for t in figure.data] == ["heatmap", "scatter", "scatter"]
    assert figure.data[2].text == (f"a = {worked.a:.3g}",)
    no_nan(figure)


def test_neuron_plane_without_weights_has_no_line():
    figure = fig.neuron_plane(work_neuron(NeuronConfig(w1=0.0, w2=0.0, activation="relu")))
    assert [t.type for t in figure.data] == ["heatmap", "scatter"]


def test_perceptron_plane_before_and_after_a_mistake():
    session = PerceptronSession(PerceptronConfig(gate="and", pace="1"))
    before = fig.perceptron_plane(session.snapshot())
    assert [t.name for t in before.data] == ["output", "rows (✕ answered wrong)"]  # w = 0: no line
    session.train_steps(1)  # (0, 0) → 0, answered 1: only b moves (to −0.1), still no line
    assert "line now" not in [t.name for t in fig.perceptron_plane(session.snapshot()).data]
    session.train_steps(3)  # (1, 1) → 1, answered 0: w = (0.1, 0.1), the line appears
    after = fig.perceptron_plane(session.snapshot())
    names = [t.name for t in after.data]
    assert names == ["output", "line now", "rows (✕ answered wrong)", "row just shown"]
    session.train_steps(1)  # (0, 0) again: z = 0 fires, a mistake that moves the line
    snap = session.snapshot()
    assert snap.last.mistake
    moved = fig.perceptron_plane(snap)
    assert [t.name for t in moved.data][1:3] == ["line before", "line now"]
    no_nan(moved)


def test_epoch_mistakes_bars():
    session = PerceptronSession(PerceptronConfig(gate="or", pace="max"))
    assert fig.epoch_mistakes(session.snapshot()).layout.annotations  # a message, no bars
    session.train_steps(40)
    figure = fig.epoch_mistakes(session.snapshot())
    assert figure.data[0].type == "bar" and len(figure.data[0].y) == 10
    assert figure.data[0].y[-1] == 0


def test_xor_from_gates_draws_two_lines_and_the_band():
    figure = fig.xor_from_gates(xor_view())
    assert [t.name for t in figure.data] == ["output", "OR unit's line", "NAND unit's line", "rows"]
    band = np.asarray(figure.data[0].z)
    assert band.min() == 0 and band.max() == 1


def test_backprop_diagram_writes_every_weight_and_gradient():
    w = work_backprop(BackpropConfig())
    figure = fig.backprop_diagram(w)
    texts = " ".join(a.text for a in figure.layout.annotations)
    assert texts.count("∂L/∂w =") == 4 and texts.count("∂L/∂v =") == 2  # hidden, output
    assert f"{w.grad_w1[0, 0]:.4f}" in texts and f"{w.y_hat:.3f}" in texts
    assert len(figure.layout.shapes) == 6 + 5  # edges and units


def test_xor_plane_and_curves():
    session = XorSession(XorConfig(pace="max"))
    session.train_steps(60)
    snap = session.snapshot()
    plane = fig.xor_plane(snap)
    assert [t.type for t in plane.data] == ["heatmap", "scatter", "scatter", "scatter"]
    curves = fig.xor_curves(snap)
    assert set(curves) == {"loss", "gradients"}
    assert len(curves["gradients"].data) == 2
    assert curves["loss"].layout.yaxis.type == "log"
    no_nan(plane)
