"""AppTest of /training: every section draws, Huber's δ reaches the loss curves, the
outlier race trains with MSE pulled away, the classifier trains and the threshold explorer
judges its latest snapshot (balanced and rare positives), the overfitting race trains with
early stopping's verdict, the largest learning rate pauses, and junk in the URL gets a
message."""

import json

import numpy as np
from pagekit import (
    MAX_STEPS,
    charts,
    downloads,
    metric,
    open_page,
    press_step_until_paused,
    set_to_top,
    takeaways,
    texts,
)

from dlviz.training import roc_auc

PAGE = "pages/training.py"
CHARTS = ("tr_reg_loss", "tr_reg_slope", "tr_clf_loss", "tr_clf_slope", "tr_robust_fit",
          "tr_robust_errors", "tr_clf_map", "tr_clf_curves", "tr_fit_curves",
          "tr_fit_map_no_cure", "tr_fit_map_with_the_cures")  # fmt: skip


def explorer(at) -> dict:
    (chart,) = at.get("vega_lite_chart")
    return json.loads(chart.proto.spec)


def test_every_section_draws():
    at = open_page(PAGE)
    found = charts(at)
    for key in CHARTS:
        assert key in found, sorted(found)
    # untrained, the classifier is not judged yet (and the page loads no Vega-Lite)
    assert not at.get("vega_lite_chart") and "its judgement opens here" in texts(at.caption)
    at.button(key="tr_clf_step").click().run()
    assert explorer(at)["params"][0]["name"] == "t"
    assert "The classifier as of step 5" in texts(at.caption)


def test_hubers_delta_reaches_the_curves():
    at = open_page(PAGE)
    at.slider(key="tr_delta").set_value(2.5).run()
    names = [t["name"] for t in charts(at)["tr_reg_loss"]["data"]]
    assert "Huber (δ = 2.5)" in names


def test_the_outlier_race_pulls_mse_away():
    at = open_page(PAGE)
    for _ in range(30):
        at.button(key="tr_robust_step").click().run()
    off = {m.label: float(m.value) for m in at.metric if "off by" in m.label}
    assert off["Squared error (MSE) · off by"] > 3 * off["Absolute error (MAE) · off by"]


def test_the_explorer_judges_the_latest_classifier():
    at = open_page(PAGE)
    at.button_group(key="tr_clf_pace").set_value("max").run()
    for _ in range(5):
        at.button(key="tr_clf_step").click().run()
    session = at.session_state["tr_clf_session"]
    assert f"as of step {session.step_count:,}" in texts(at.caption)
    snap = session.snapshot()
    area = roc_auc(snap.scores, snap.labels)
    assert metric(at, "ROC area") == f"{area:.3f}"
    assert f"ROC curve (area {area:.3f})" in json.dumps(explorer(at))


def test_rare_positives():
    at = open_page(PAGE)
    at.button_group(key="tr_clf_balance").set_value("rare").run()
    snap = at.session_state["tr_clf_session"].snapshot()
    assert 0.05 < np.mean(snap.labels) < 0.15
    assert not at.exception


def test_the_overfitting_race_and_early_stopping():
    at = open_page(PAGE)
    for _ in range(40):
        at.button(key="tr_fit_step").click().run()
    assert not at.exception
    session = at.session_state["tr_fit_session"]
    said = texts(at.caption)
    if session.stopping.stopped_at is None:
        assert "Early stopping has not stopped yet" in said
    else:
        assert f"stopped the cured network at step {session.stopping.stopped_at:,}" in said
    bare = metric(at, "no cure: train / validation")
    assert bare.startswith("100%")  # it memorised its 40 points
    at.select_slider(key="tr_fit_patience").set_value(0).run()
    assert "Early stopping is off" in texts(at.caption)


def test_largest_learning_rate_pauses_the_classifier():
    at = open_page(PAGE)
    set_to_top(at, "tr_clf_learning_rate")
    assert press_step_until_paused(at, "tr_clf") <= MAX_STEPS
    assert "Lower the learning rate" in texts(at.error) + texts(at.warning) + texts(at.info)


def test_junk_in_the_address_gets_a_message():
    query = {"tr_delta": "nan", "tr_fit_train_size": "7", "tr_clf_noise": "9", "zz": "1"}
    at = open_page(PAGE, query)
    assert not at.exception
    said = texts(at.info)
    for key in ("tr_delta", "tr_fit_train_size", "tr_clf_noise"):
        assert f"`{key}`" in said


def test_every_live_panel_offers_its_takeaways():
    assert downloads(open_page(PAGE)) == takeaways("tr_clf", "tr_fit", "tr_robust")
