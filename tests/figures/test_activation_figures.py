"""Activations-page figures built from tiny arrays: trace types, axis titles, log axes that
skip zeros and name overflows, the leader's line, and no NaN/Infinity tokens on the wire."""

from __future__ import annotations

import json
import math

import numpy as np
import plotly.io as pio
import pytest

from dlviz.figures.activations import (
    curves,
    layer_bars,
    layer_distributions,
    race_curves,
    softmax_bars,
)
from dlviz.figures.style import UIREVISION


def _wire(fig) -> dict:
    """The figure as sent to the browser, parsed; a NaN/Infinity token fails the test."""

    def bad(token: str) -> None:
        raise AssertionError(f"non-finite JSON token {token}")

    return json.loads(pio.to_json(fig, validate=False), parse_constant=bad)


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


def test_race_curves_mark_the_leader_and_drop_non_finite_points():
    steps = np.array([0, 10, 20])
    values = np.array([[2.3, 2.3, 2.3], [2.3, 1.0, np.nan]])
    fig = race_curves(steps, values, ["Sigmoid", "ReLU"], y_title="loss", leader=1, log_y=True)
    wire = _wire(fig)
    names = [t["name"] for t in wire["data"]]
    assert names == ["Sigmoid", "ReLU · leading"]
    assert fig.data[1].line.width > fig.data[0].line.width
    assert len(fig.data[1].x) == 2  # the NaN point is left out
    assert fig.layout.xaxis.title.text == "step" and fig.layout.yaxis.type == "log"


def test_race_curves_before_the_start_invite_a_run():
    fig = race_curves(np.array([0]), np.array([[2.3], [2.3]]), ["a", "b"], y_title="loss")
    assert "press Run or Step" in fig.layout.annotations[0].text
    with pytest.raises(ValueError, match="contestants, steps"):
        race_curves(np.array([0, 1, 2]), np.zeros((2, 2)), ["a", "b"], y_title="loss")


def test_race_curves_thin_long_histories_keeping_the_newest():
    steps = np.arange(5000)
    values = np.vstack([np.linspace(2, 0.1, 5000)] * 2)
    fig = race_curves(steps, values, ["a", "b"], y_title="loss", max_points=500)
    assert len(fig.data[0].x) <= 500 and fig.data[0].x[-1] == 4999
    assert math.isclose(fig.data[0].y[-1], 0.1, rel_tol=1e-6)
