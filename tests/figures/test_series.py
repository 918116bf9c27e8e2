"""Lines over steps (dlviz.figures.series) built from tiny arrays: one line per series with
its colour, the leader drawn thick, non-finite (and on a log axis non-positive) points left
out, long histories thinned keeping the newest, ragged series padded, the note before any
step, and no NaN/Infinity on the wire."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from figkit import array as _array
from figkit import assert_finite as _assert_finite
from figkit import wire as _wire

from dlviz.figures import style
from dlviz.figures.series import TRAIN_TEST, TRAIN_TEST_COLORS, race_losses, ragged, step_lines


def _loss_curve(steps, train, test, **kw):
    """The Playground's loss curve: train and test in their own colours."""
    return step_lines(steps, np.stack([train, test]), TRAIN_TEST, colors=TRAIN_TEST_COLORS,
                      y_title="loss", empty_note="no steps yet", **kw)  # fmt: skip


# --- a loss curve: train and test ------------------------------------------------------------


def test_loss_curve_two_lines_axes_titles():
    steps = np.array([0, 10, 20, 30], dtype=np.int64)
    wire = _wire(_loss_curve(steps, np.array([1.0, 0.5, 0.3, 0.2]), np.array([1.1, 0.6, 0.4, 0.3])))
    assert [t["type"] for t in wire["data"]] == ["scatter", "scatter"]
    assert [t["name"] for t in wire["data"]] == ["train", "test"]
    assert [t["line"]["color"] for t in wire["data"]] == [style.TRAIN_COLOR, style.TEST_COLOR]
    assert wire["layout"]["xaxis"]["title"]["text"] == "step"
    assert wire["layout"]["yaxis"]["title"]["text"] == "loss"
    assert (wire["data"][0]["x0"], wire["data"][0]["dx"]) == (0, 10)  # even steps: no x array
    np.testing.assert_allclose(_array(wire["data"][1]["y"]), [1.1, 0.6, 0.4, 0.3], rtol=1e-6)
    assert not wire["layout"].get("annotations")
    assert _assert_finite(wire) == 2


def test_loss_curve_empty_has_no_nan():
    empty = np.zeros(0)
    wire = _wire(_loss_curve(np.zeros(0, np.int64), empty, empty))
    assert [t["type"] for t in wire["data"]] == ["scatter", "scatter"]
    assert all(len(_array(t.get("y", []))) == 0 for t in wire["data"])
    assert [a["text"] for a in wire["layout"]["annotations"]] == ["no steps yet"]
    _assert_finite(wire)


def test_loss_curve_drops_non_finite_and_log_non_positive():
    steps = np.array([0, 1, 2, 3, 4])
    train = np.array([1.0, np.nan, 0.5, np.inf, 0.0])
    wire = _wire(_loss_curve(steps, train, np.ones(5), log_y=True))
    assert _assert_finite(wire) > 0
    np.testing.assert_array_equal(_array(wire["data"][0]["x"]), [0, 2])
    assert wire["layout"]["yaxis"]["type"] == "log"
    linear = _wire(_loss_curve(steps, train, np.ones(5)))
    np.testing.assert_array_equal(_array(linear["data"][0]["x"]), [0, 2, 4])  # 0 is kept
    assert linear["layout"]["yaxis"]["rangemode"] == "tozero"


def test_loss_curve_thins_long_history_keeping_the_latest():
    steps = np.arange(2000) * 3 + 7
    wire = _wire(_loss_curve(steps, np.linspace(1, 0.1, 2000), np.linspace(1, 0.2, 2000)))
    train = wire["data"][0]
    n = len(_array(train["y"]))
    assert 300 <= n <= 600
    assert train["x0"] + train["dx"] * (n - 1) == steps[-1]
    assert math.isclose(_array(train["y"])[-1], 0.1, rel_tol=1e-6)


def test_loss_curve_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match=r"values must be \(series, steps\)"):
        step_lines(np.arange(3), np.ones((2, 2)), TRAIN_TEST, y_title="loss")


# --- a race: contestants and the leader ------------------------------------------------------


def test_step_lines_mark_the_leader_and_drop_non_finite_points():
    steps = np.array([0, 10, 20])
    values = np.array([[2.3, 2.3, 2.3], [2.3, 1.0, np.nan]])
    fig = step_lines(steps, values, ["Sigmoid", "ReLU"], y_title="loss", leader=1, log_y=True)
    wire = _wire(fig)
    assert [t["name"] for t in wire["data"]] == ["Sigmoid", "ReLU · leading"]
    assert fig.data[1].line.width > fig.data[0].line.width
    assert [t.line.color for t in fig.data] == [style.CLASS_COLORS[0], style.CLASS_COLORS[1]]
    assert len(fig.data[1].x) == 2  # the NaN point is left out
    assert fig.layout.xaxis.title.text == "step" and fig.layout.yaxis.type == "log"
    _assert_finite(wire)


def test_step_lines_before_the_start_invite_a_run():
    fig = step_lines(np.array([0]), np.array([[2.3], [2.3]]), ["a", "b"], y_title="loss")
    assert "press Run or Step" in fig.layout.annotations[0].text
    assert fig.layout.yaxis.showticklabels is False
    later = step_lines(np.array([0, 1]), np.array([[2.3, 2.0]]), ["a"], y_title="loss")
    assert later.layout.annotations == () and later.layout.yaxis.showticklabels is not False


def test_step_lines_thin_long_histories_keeping_the_newest():
    steps = np.arange(5000)
    values = np.vstack([np.linspace(2, 0.1, 5000)] * 2)
    fig = step_lines(steps, values, ["a", "b"], y_title="loss", max_points=500)
    n = len(fig.data[0].y)
    assert n <= 500 and fig.data[0].x0 + fig.data[0].dx * (n - 1) == 4999
    assert math.isclose(fig.data[0].y[-1], 0.1, rel_tol=1e-6)


def test_step_lines_accept_a_title_an_x_title_and_a_range():
    fig = step_lines(np.arange(3), np.ones((1, 3)), ["a"], y_title="η", title="t",
                     x_title="update", y_range=(0, 1))  # fmt: skip
    assert fig.layout.title.text == "t" and fig.layout.xaxis.title.text == "update"
    assert list(fig.layout.yaxis.range) == [0, 1] and fig.layout.legend.xanchor == "right"


# --- ragged series, race snapshots ------------------------------------------------------------


def test_ragged_pads_a_series_that_ended_early():
    steps, values = ragged([np.array([1.0, 0.5, 0.25]), np.array([1.0, 9.0])])
    np.testing.assert_array_equal(steps, [0, 1, 2])
    np.testing.assert_array_equal(values[0], [1.0, 0.5, 0.25])
    assert values[1, 1] == 9.0 and np.isnan(values[1, 2])
    fig = step_lines(steps, values, ["a", "b"], y_title="loss", log_y=True)
    assert [t.name for t in fig.data] == ["a", "b"]
    assert len(fig.data[1].x) == 2  # the NaN padding is not drawn
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis.title.text == "loss"
    _assert_finite(_wire(fig))
    empty_steps, empty_values = ragged([])
    assert empty_steps.shape == (0,) and empty_values.shape == (0, 0)


def test_race_losses_draw_a_race_snapshot_on_a_log_axis():
    snap = SimpleNamespace(
        history_steps=np.array([0, 25, 50]), labels=("SGD · η=0.3", "Adam · η=0.01"),
        history_loss=np.array([[0.7, 0.6, 0.5], [0.7, 0.3, 0.1]], np.float32), leader=1,
    )  # fmt: skip
    fig = race_losses(snap)
    assert [t.name for t in fig.data] == ["SGD · η=0.3", "Adam · η=0.01 · leading"]
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis.title.text == "training loss (log)"
    np.testing.assert_allclose(np.asarray(fig.data[1].y), [0.7, 0.3, 0.1], rtol=1e-6)
    _assert_finite(_wire(fig))
