"""Losses, metrics and overfitting: each loss and its slope, outliers under MSE, MAE and
Huber, a live classifier judged with a threshold that moves in the browser, and a network
overfitting beside a twin with the chosen cures."""

import streamlit as st

from dlviz import training as tr
from dlviz import ui
from dlviz.figures import training as fig
from dlviz.training import readouts

page = ui.Page("training")
page.header("Losses: how each punishes a wrong answer", "losses")
with ui.controls("tr_loss"):
    view = tr.LossViewConfig(**ui.knobs(tr.LossViewConfig, "tr", "delta"))
pred, values, slopes = tr.regression_curves(view.delta)
left, right = st.columns(2, gap="large")
with left:
    chart = fig.loss_curves(pred, values, x_title="prediction ŷ (target 0)", y_title="loss")
    ui.live_chart(chart, key="tr_reg_loss")
with right:
    chart = fig.loss_curves(pred, slopes, x_title="prediction ŷ (target 0)", y_title="slope ∂L/∂ŷ")
    ui.live_chart(chart, key="tr_reg_slope")
page.prose("classification")
p, values, slopes = tr.classification_curves()
left, right = st.columns(2, gap="large")
with left:
    chart = fig.loss_curves(
        p, values, x_title="p of the true class", y_title="loss", y_range=(0, 5)
    )
    ui.live_chart(chart, key="tr_clf_loss")
with right:
    chart = fig.loss_curves(
        p, slopes, x_title="p of the true class", y_title="logit's gradient |∂L/∂z|"
    )
    ui.live_chart(chart, key="tr_clf_slope")

page.header("Outliers: MSE, MAE and Huber", "robust")


def draw_robust(snap: tr.RobustSnapshot) -> None:
    """The points with every loss's line; each line's distance from the truth."""
    fit, errors = st.columns([1.2, 1], gap="large")
    with fit:
        ui.live_chart(fig.outlier_fit(snap), key="tr_robust_fit")
    with errors:
        ui.live_chart(fig.line_errors(snap), key="tr_robust_errors")


columns = (["losses", "delta"], ["outliers", "seed"], ["learning_rate"])
ui.race_panel(
    "tr_robust",
    tr.RobustConfig,
    tr.RobustSession,
    draw_robust,
    contestants="losses",
    columns=columns,
    noun="losses",
    readouts=readouts.robust_readouts,
)

page.header("Metrics: judging a classifier", "metrics")
with ui.controls("tr_clf"):
    layout = (["points", "balance"], ["noise", "learning_rate"], ["pace", "seed"])
    clf = ui.make_config(
        tr.ClassifierConfig, **ui.knob_columns(tr.ClassifierConfig, "tr_clf", *layout)
    )


def draw_classifier(snap: tr.ClassifierSnapshot) -> None:
    """The probability of positive over the plane; training and held-out losses."""
    plane, curves = st.columns([1, 1.3], gap="large")
    with plane:
        ui.live_chart(fig.classifier_map(snap), key="tr_clf_map")
    with curves:
        chart = fig.train_test_curves(
            snap.history_steps, [snap.history_train, snap.history_test], ["training", "held out"]
        )
        ui.live_chart(chart, key="tr_clf_curves")


ui.live_panel(
    "tr_clf",
    clf,
    tr.ClassifierSession,
    draw_classifier,
    readouts=readouts.classifier_readouts,
    advice=page.words("advice"),
)
page.prose("explorer")
latest = ui.last_snapshot("tr_clf") if clf else None
snap = None if latest and latest.step == 0 else page.trained("tr_clf", clf, "explorer_as_of")
if latest and latest.step == 0:
    page.caption("untrained")
if snap is not None:
    explorer = fig.threshold_explorer(tr.judge(snap.scores, snap.labels))
    ui.browser_chart(explorer, key="tr_explorer")

page.header("Overfitting and its cures", "overfit")
with ui.controls("tr_fit"):
    layout = (
        ["points", "train_size", "noise"],
        ["l2", "l1", "dropout"],
        ["batch_norm", "patience"],
        ["learning_rate", "seed"],
    )
    fit = ui.make_config(tr.OverfitConfig, **ui.knob_columns(tr.OverfitConfig, "tr_fit", *layout))


def draw_overfit(snap: tr.OverfitSnapshot) -> None:
    """Both networks' losses, early stopping's verdict, and both decision maps."""
    ui.live_chart(fig.overfit_curves(snap), key="tr_fit_curves")
    st.caption(readouts.early_stopping_words(snap, fit.patience))
    for column, chart, label in zip(st.columns(2), fig.overfit_maps(snap), snap.labels):
        with column:
            st.markdown(f"**{label}**")
            ui.live_chart(chart, key=f"tr_fit_map_{label.replace(' ', '_')}")


ui.live_panel(
    "tr_fit",
    fit,
    tr.OverfitSession,
    draw_overfit,
    readouts=readouts.overfit_readouts,
    advice=page.words("advice"),
)
page.end()
