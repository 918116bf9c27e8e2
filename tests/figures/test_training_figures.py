"""Figures of the Training page from real engine snapshots: trace types, lines where the
model says, the Altair explorer's threshold parameter and filters, no NaN."""

import json

import numpy as np
import pytest

from dlviz.figures import training as fig
from dlviz.training import (
    ClassifierConfig,
    ClassifierSession,
    OverfitConfig,
    OverfitSession,
    RobustConfig,
    RobustSession,
    classification_loss,
    judge,
    regression_loss,
)


def test_loss_curves_one_line_per_loss_with_a_marker():
    x = np.linspace(-3, 3, 61)
    values = {name: regression_loss(name, x, 0.0)[0] for name in ("mse", "mae", "huber")}
    figure = fig.loss_curves(x, values, x_title="prediction", y_title="loss", marker=0.0)
    assert [t.name for t in figure.data] == ["mse", "mae", "huber"]
    assert len(figure.layout.shapes) == 1 and figure.layout.shapes[0].x0 == 0.0


def test_loss_curves_clip_an_infinite_loss():
    p = np.array([0.0, 0.5, 1.0])
    with np.errstate(divide="ignore"):
        loss = classification_loss("cross_entropy", p)[0]
    assert np.isinf(loss[0])  # −log 0
    figure = fig.loss_curves(p, {"ce": loss}, x_title="p", y_title="loss")
    assert np.all(np.isfinite(np.asarray(figure.data[0].y, dtype=float)))


def test_outlier_fit_draws_points_truth_and_every_line():
    session = RobustSession(RobustConfig())
    session.train_steps(100)
    snap = session.snapshot()
    figure = fig.outlier_fit(snap)
    names = [t.name for t in figure.data]
    assert names == ["points", "outliers", "true line", *snap.labels]
    mse_line = figure.data[3]
    assert mse_line.y[1] == pytest.approx(snap.slopes[0] * mse_line.x[1] + snap.intercepts[0])
    assert len(figure.data[1].x) == snap.is_outlier.sum()
    assert len(fig.line_errors(snap).data) == 3


def test_classifier_figures():
    session = ClassifierSession(ClassifierConfig(pace="max"))
    session.train_steps(40)
    snap = session.snapshot()
    assert fig.classifier_map(snap).data[0].type == "heatmap"
    curves = fig.train_test_curves(snap.history_steps, [snap.history_train, snap.history_test],
                                   ["training", "held out"])  # fmt: skip
    assert [t.name for t in curves.data] == ["training", "held out"]


def test_overfit_figures_mark_early_stopping():
    session = OverfitSession(OverfitConfig(patience=100))
    session.train_steps(1500)
    snap = session.snapshot()
    assert snap.stopped_at is not None
    maps = fig.overfit_maps(snap)
    assert len(maps) == 2 and all(m.data[0].type == "heatmap" for m in maps)
    curves = fig.overfit_curves(snap)
    assert len(curves.data) == 4
    texts = [a.text for a in curves.layout.annotations]
    assert "early stop" in texts and "kept" in texts


def test_threshold_explorer_moves_in_the_browser():
    session = ClassifierSession(ClassifierConfig(pace="max"))
    session.train_steps(100)
    snap = session.snapshot()
    chart = fig.threshold_explorer(judge(snap.scores, snap.labels))
    spec = chart.to_dict()
    (param,) = spec["params"]
    assert param["name"] == "t" and param["bind"]["input"] == "range" and param["value"] == 0.5
    text = json.dumps(spec)
    assert text.count("abs(datum.threshold - t) < 0.005") >= 4  # matrix, bars, two points
    assert "ROC curve (area" in text and "NaN" not in text
