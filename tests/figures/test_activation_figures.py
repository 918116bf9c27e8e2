"""Activations-page figures built from tiny arrays: trace types, axis titles, log axes that
skip zeros and name overflows, the probe's and the race's panels, and no NaN/Infinity tokens
on the wire. (Lines over steps are tested in test_series.py.)"""

from __future__ import annotations

import numpy as np
import pytest
from figkit import wire as _wire

from dlviz.activations.activation_race import ActivationRaceSnapshot
from dlviz.activations.probe import ProbeResult
from dlviz.figures.activations import (
    curves,
    layer_bars,
    layer_distributions,
    probe_panels,
    race_panels,
    softmax_bars,
)
from dlviz.figures.style import UIREVISION


def test_curves_one_line_per_activation_with_titles():
    z = np.linspace(-3, 3, 7)
    fig = curves(z, {"ReLU": np.maximum(z, 0), "Tanh": np.tanh(z)}, y_title="f(z)")
    wire = _wire(fig)
    assert [t["name"] for t in wire["data"]] == ["ReLU", "Tanh"]
    assert {t["type"] for t in wire["data"]} == {"scatter"}
    assert wire["layout"]["xaxis"]["title"]["text"] == "z (pre-activation)"
    assert wire["layout"]["yaxis"]["title"]["text"] == "f(z)"
    assert wire["layout"]["uirevision"] == UIREVISION
    with pytest.raises(ValueError, match="values for"):
        curves(z, {"bad": np.zeros(3)}, y_title="f")


def test_curves_without_activations_say_so():
    fig = curves(np.linspace(-1, 1, 3), {}, y_title="f(z)")
    assert "pick an activation" in fig.layout.annotations[0].text


def test_softmax_bars_label_percentages_and_compare_with_t_1():
    fig = softmax_bars(["a", "b"], np.array([0.75, 0.25]), np.array([0.6, 0.4]), temperature=0.5)
    bars = [t for t in _wire(fig)["data"] if t["type"] == "bar"]
    assert [b["name"] for b in bars] == ["T = 1", "T = 0.5"]
    assert bars[1]["text"] == ["75.0%", "25.0%"]
    assert fig.layout.yaxis.title.text == "probability"
    with pytest.raises(ValueError, match="one label per probability"):
        softmax_bars(["a"], np.array([0.5, 0.5]))


def test_layer_distributions_is_a_layer_by_value_heatmap():
    hist = np.array([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0]], dtype=np.float32)
    fig = layer_distributions(np.array([0.0, 1.0, 2.0, 3.0]), hist)
    (heat,) = fig.data
    assert heat.type == "heatmap"
    assert list(heat.y) == [1, 2] and np.allclose(heat.x, [0.5, 1.5, 2.5])
    np.testing.assert_allclose(heat.z, np.sqrt(hist))  # √ keeps thin tails visible
    assert fig.layout.yaxis.title.text == "hidden layer"
    assert fig.layout.yaxis.autorange == "reversed"  # layer 1 on top
    with pytest.raises(ValueError, match="bins"):
        layer_distributions(np.array([0.0, 1.0]), hist)


def test_layer_bars_on_a_log_axis_skip_zero_and_name_overflow():
    norms = np.array([1e-12, 0.0, 1e-3, np.inf, 1.0])
    fig = layer_bars({"g": norms}, y_title="gradient norm", log_y=True, readout=True)
    (bar,) = fig.data
    assert list(bar.x) == ["1", "2", "3", "4", "out"]
    y = np.asarray(bar.y, dtype=float)
    assert np.isnan(y[[1, 3]]).all() and y[0] == pytest.approx(1e-12)
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis.title.text == "gradient norm (log)"
    assert fig.layout.yaxis.dtick == 2  # 12 decades, labelled every second one
    assert "overflowed (∞) in layers 4" in fig.layout.annotations[0].text
    _wire(fig)


def test_layer_bars_turn_linear_when_values_span_under_a_decade():
    fig = layer_bars({"std": np.array([0.05, 0.08, 0.1])}, y_title="spread", log_y=True)
    assert fig.layout.yaxis.type != "log" and fig.layout.yaxis.title.text == "spread"


def test_layer_bars_group_series_and_note_all_zero():
    fig = layer_bars(
        {"a": np.zeros(3), "b": np.zeros(3)}, y_title="share", y_range=(0, 1), empty_note="none"
    )
    assert [t.name for t in fig.data] == ["a", "b"] and fig.layout.barmode == "group"
    assert fig.layout.annotations[0].text == "none"
    assert not layer_bars(
        {"a": np.array([0.0, 0.5])}, y_title="s", empty_note="x"
    ).layout.annotations


def _probe_result(unit_failure: str | None, depth: int = 3) -> ProbeResult:
    """A ProbeResult from tiny arrays (what dlviz.activations.probe.probe returns)."""
    hist = np.full((depth, 4), 0.25, dtype=np.float32)
    return ProbeResult(
        activation="relu" if unit_failure == "dead" else "linear", unit_failure=unit_failure,
        bin_edges=np.linspace(-1, 1, 5, dtype=np.float32), histograms=hist,
        mean=np.zeros(depth), std=np.array([1.0, 0.1, 0.01][:depth]),
        grad_norms=np.array([1e-6, 1e-3, 1.0, 2.0][: depth + 1]),
        dead=np.array([0.0, 0.5, 1.0][:depth], np.float32),
        saturated=np.zeros(depth, np.float32), loss=1.0, overflow_layer=None,
    )  # fmt: skip


def test_probe_panels_draw_four_titled_charts():
    panels = probe_panels(_probe_result("dead"))
    assert list(panels) == ["dist", "grads", "health", "spread"]
    assert [t.type for t in panels["dist"].data] == ["heatmap"]
    for key in ("grads", "health", "spread"):
        assert {t.type for t in panels[key].data} == {"bar"}
    assert panels["grads"].layout.title.text == "How much gradient each layer's weights get"
    assert list(panels["grads"].data[0].x) == ["1", "2", "3", "out"]
    assert panels["grads"].layout.yaxis.type == "log"
    assert panels["health"].layout.title.text == "Dead units (never positive)"
    assert list(panels["health"].layout.yaxis.range) == [0, 1]
    np.testing.assert_allclose(np.asarray(panels["health"].data[0].y), [0.0, 0.5, 1.0])
    for fig in panels.values():
        _wire(fig)


def test_probe_panels_have_no_health_chart_for_the_linear_activation():
    panels = probe_panels(_probe_result(None))
    assert panels["health"] is None
    assert panels["dist"] is not None and panels["spread"].data[0].type == "bar"


def test_race_panels_show_loss_gradients_and_dead_units():
    k, depth, m = 2, 3, 4
    snap = ActivationRaceSnapshot(
        step=75, halted=None, names=("sigmoid", "relu"), labels=("Sigmoid", "ReLU"),
        history_steps=np.arange(m, dtype=np.int64) * 25,
        history_loss=np.array([[2.3, 2.3, 2.3, 2.3], [2.3, 1.5, np.nan, 0.5]], np.float32),
        train_loss=np.array([2.3, 0.5], np.float32), test_accuracy=np.array([0.1, 0.8], np.float32),
        out=(None, None), leader=1,
        history_dead=np.array([[0.0, 0.1, 0.2, 0.3], [0.0, 0.0, 0.1, 0.1]], np.float32),
        grad_norms=np.array([[1e-8, 1e-4, 1e-2, 1.0], [0.1, 0.2, 0.3, 0.4]], np.float32),
        dead=np.zeros((k, depth), np.float32),
    )  # fmt: skip
    panels = race_panels(snap)
    assert list(panels) == ["loss", "grads", "dead"]
    loss = panels["loss"]
    assert [t.name for t in loss.data] == ["Sigmoid", "ReLU · leading"]
    assert loss.layout.yaxis.type == "log" and len(loss.data[1].x) == 3  # NaN left out
    grads = panels["grads"]
    assert [t.type for t in grads.data] == ["bar", "bar"] and grads.layout.yaxis.type == "log"
    assert list(grads.data[0].x) == ["1", "2", "3", "out"]
    dead = panels["dead"]
    assert dead.layout.yaxis.title.text == "share of dead units"
    assert list(dead.layout.yaxis.range) == [0, 1]
    for fig in panels.values():
        _wire(fig)
