"""Figures of the Training page: each loss and its slope against the prediction (or the
probability of the true class), the outlier race's points and lines, the classifier's and
the overfitting race's curves and decision maps, and the Altair threshold explorer whose
slider moves in the browser with no round trip to the server.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dlviz.figures import series, style
from dlviz.figures.playground import decision_boundary
from dlviz.figures.series import series_color, step_lines
from dlviz.figures.style import base_layout

LEGEND = series.LEGEND | {"font": {"size": 11}}


def loss_curves(
    x: np.ndarray,
    values: dict[str, np.ndarray],
    *,
    x_title: str,
    y_title: str,
    marker: float | None = None,
    y_range: tuple[float, float] | None = None,
    height: int = 300,
) -> go.Figure:
    """One line per loss (label → values (n,)) over x (n,); a dotted vertical line at
    `marker` (the target, or δ)."""
    traces = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": style.finite32(x),
            "y": style.finite32(np.clip(v, -1e6, 1e6)),
            "name": label,
            "line": {"color": series_color(i), "width": 2.5},
        }
        for i, (label, v) in enumerate(values.items())
    ]
    yaxis: dict[str, object] = {"title": {"text": y_title}, "zeroline": True}
    if y_range is not None:
        yaxis["range"] = list(y_range)
    shapes = []
    if marker is not None:
        shapes.append(
            {
                "type": "line",
                "x0": marker,
                "x1": marker,
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "line": {"color": style.TEXT_COLOR, "dash": "dot", "width": 1},
            }
        )
    layout = base_layout(
        height,
        legend=LEGEND,
        margin={"l": 52, "r": 8, "t": 36, "b": 40},
        xaxis={"title": {"text": x_title}},
        yaxis=yaxis,
        shapes=shapes,
        hovermode="x unified",
    )
    return go.Figure(traces, layout)


def outlier_fit(snap: Any, *, height: int = 360) -> go.Figure:
    """The points (outliers hollow), the true line (dashed) and each loss's line now."""
    xs = np.array([snap.x.min(), snap.x.max()])
    traces: list[dict] = [
        {
            "type": "scatter",
            "mode": "markers",
            "x": snap.x[~snap.is_outlier],
            "y": snap.y[~snap.is_outlier],
            "name": "points",
            "hoverinfo": "skip",
            "marker": {"color": style.TEXT_COLOR, "size": 6},
        },
        {
            "type": "scatter",
            "mode": "markers",
            "x": snap.x[snap.is_outlier],
            "y": snap.y[snap.is_outlier],
            "name": "outliers",
            "hoverinfo": "skip",
            "marker": {
                "color": "rgba(0,0,0,0)",
                "size": 8,
                "line": {"color": style.TEST_COLOR, "width": 1.5},
            },
        },
        {
            "type": "scatter",
            "mode": "lines",
            "x": xs,
            "y": snap.true_line[0] * xs + snap.true_line[1],
            "name": "true line",
            "line": {"color": style.TEXT_COLOR, "dash": "dash", "width": 1.5},
        },
    ]
    for i, label in enumerate(snap.labels):
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": xs,
                "y": snap.slopes[i] * xs + snap.intercepts[i],
                "name": label,
                "line": {"color": series_color(i), "width": 3},
            }
        )
    layout = base_layout(
        height,
        legend=LEGEND,
        margin={"l": 44, "r": 8, "t": 36, "b": 40},
        xaxis={"title": {"text": "x"}},
        yaxis={"title": {"text": "y"}},
    )
    return go.Figure(traces, layout)


def line_errors(snap: Any, *, height: int = 260) -> go.Figure:
    """Each loss's distance from the true line over steps."""
    return step_lines(
        snap.history_steps,
        snap.history_line_error,
        snap.labels,
        height=height,
        y_title="distance to the true line",
    )


def train_test_curves(
    steps: np.ndarray,
    series: Sequence[np.ndarray],
    labels: Sequence[str],
    *,
    log_y: bool = True,
    height: int = 260,
) -> go.Figure:
    """Training and held-out losses over steps, in the house train/test colours (a second
    pair dashed-free in the palette's next colours)."""
    colors = [style.TRAIN_COLOR, style.TEST_COLOR, series_color(2), series_color(3)]
    return step_lines(
        steps,
        np.stack(series),
        labels,
        y_title="loss",
        log_y=log_y,
        colors=colors[: len(labels)],
        height=height,
    )


def classifier_map(snap: Any, *, height: int = 360) -> go.Figure:
    """The classifier's probability of positive over the plane, with its training points."""
    return decision_boundary(
        snap.grid,
        snap.grid,
        2 * snap.plane - 1,
        snap.train_x,
        snap.train_y,
        kind="binary",
        height=height,
    )


def overfit_maps(snap: Any, *, height: int = 340) -> list[go.Figure]:
    """Each network's decision map with its training points (the validation points would
    hide them), bare first."""
    return [
        decision_boundary(snap.grid, snap.grid, plane, snap.train_x, snap.train_y,
                          kind="binary", height=height)
        for plane in snap.planes
    ]  # fmt: skip


def overfit_curves(snap: Any, *, height: int = 300) -> go.Figure:
    """Training (solid) and validation losses of both networks; early stopping's stop and
    kept step as vertical lines."""
    values = np.stack(
        [snap.history_loss[0], snap.history_val[0], snap.history_loss[1], snap.history_val[1]]
    )
    labels = [
        f"{snap.labels[0]}: training",
        f"{snap.labels[0]}: validation",
        f"{snap.labels[1]}: training",
        f"{snap.labels[1]}: validation",
    ]
    colors = [
        style.mix(style.TEST_COLOR, "#ffffff", 0.45),
        style.TEST_COLOR,
        style.mix(style.TRAIN_COLOR, "#ffffff", 0.45),
        style.TRAIN_COLOR,
    ]
    fig = step_lines(
        snap.history_steps,
        values,
        labels,
        y_title="loss (log)",
        log_y=True,
        colors=colors,
        height=height,
    )
    for step, text in ((snap.best_step, "kept"), (snap.stopped_at, "early stop")):
        if step is not None and snap.stopped_at is not None:
            fig.add_vline(
                x=step,
                line={"color": style.TEXT_COLOR, "dash": "dot", "width": 1},
                annotation_text=text,
                annotation_font_size=11,
            )
    return fig


def threshold_explorer(judged: Any) -> alt.VConcatChart:
    """Scores by class with the threshold, the confusion matrix, accuracy/precision/recall/F1
    at the threshold, and the ROC and precision–recall curves with the threshold's point;
    the threshold is a slider that Vega-Lite moves in the browser. `judged`:
    dlviz.training.Judgement."""
    scores, labels, table = judged.scores, judged.labels, judged.table
    roc, pr, auc = judged.roc, judged.pr, judged.auc
    t = alt.param(
        name="t", value=0.5, bind=alt.binding_range(min=0, max=1, step=0.01, name="Threshold ")
    )
    rows = pd.DataFrame(table)
    at_t = alt.Chart(rows).transform_filter("abs(datum.threshold - t) < 0.005")
    actual = np.where(np.asarray(labels) > 0.5, "positive", "negative")
    shown = pd.DataFrame({"score": np.asarray(scores, dtype=float), "actual": actual})
    colors = alt.Scale(domain=["negative", "positive"], range=[style.NEG_COLOR, style.POS_COLOR])
    hist = (
        alt.Chart(shown)
        .mark_bar(opacity=0.75)
        .encode(
            x=alt.X("score:Q", bin=alt.Bin(maxbins=25), title="score (probability of positive)"),
            y=alt.Y("count():Q", stack=None, title="points"),
            color=alt.Color("actual:N", scale=colors, title="actually"),
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"x": [0]}))
        .mark_rule(color="#222", strokeWidth=2)
        .encode(x=alt.X("t_value:Q"))
        .transform_calculate(t_value="t")
    )
    scores_view = (hist + rule).properties(width=260, height=200, title="Scores by class")
    cells = at_t.transform_fold(
        ["tp", "fp", "fn", "tn"], as_=["cell", "count"]
    ).transform_calculate(
        actual="indexof(['tp', 'fn'], datum.cell) >= 0 ? 'positive' : 'negative'",
        called="indexof(['tp', 'fp'], datum.cell) >= 0 ? 'positive' : 'negative'",
        name="upper(datum.cell)",
    )
    grid = cells.mark_rect().encode(
        x=alt.X("called:N", title="called", sort=["positive", "negative"]),
        y=alt.Y("actual:N", title="actually", sort=["positive", "negative"]),
        color=alt.Color("count:Q", scale=alt.Scale(scheme="blues"), legend=None),
    )
    text = (
        cells.mark_text(fontSize=15)
        .encode(
            x=alt.X("called:N", sort=["positive", "negative"]),
            y=alt.Y("actual:N", sort=["positive", "negative"]),
            text=alt.Text("label:N"),
        )
        .transform_calculate(label="datum.name + ' ' + datum.count")
    )
    confusion = (grid + text).properties(width=180, height=180, title="Confusion matrix")
    metrics = (
        at_t.transform_fold(["accuracy", "precision", "recall", "f1"], as_=["metric", "value"])
        .mark_bar()
        .encode(
            y=alt.Y("metric:N", sort=["accuracy", "precision", "recall", "f1"], title=None),
            x=alt.X(
                "value:Q",
                scale=alt.Scale(domain=[0, 1.2]),
                title="at the threshold",
                axis=alt.Axis(values=[0, 0.25, 0.5, 0.75, 1]),
            ),
            color=alt.value(style.TRAIN_COLOR),
            tooltip=[alt.Tooltip("value:Q", format=".3f")],
        )
        .properties(width=200, height=180, title="Accuracy, precision, recall, F1")
    )
    metric_text = (
        at_t.transform_fold(["accuracy", "precision", "recall", "f1"], as_=["metric", "value"])
        .mark_text(align="left", dx=4, fontSize=12)
        .encode(
            y=alt.Y("metric:N", sort=["accuracy", "precision", "recall", "f1"]),
            x=alt.X("value:Q"),
            text=alt.Text("value:Q", format=".2f"),
        )
    )
    roc_line = (
        alt.Chart(pd.DataFrame({"fpr": roc[0], "tpr": roc[1]}))
        .mark_line(color=style.POS_COLOR)  # straight between vertices: the area's trapezoids
        .encode(
            x=alt.X("fpr:Q", title="false-positive rate"),
            y=alt.Y("tpr:Q", title="true-positive rate (recall)"),
        )
    )
    chance = (
        alt.Chart(pd.DataFrame({"a": [0, 1]}))
        .mark_line(strokeDash=[4, 4], color="#999")
        .encode(x="a:Q", y="a:Q")
    )
    roc_point = at_t.mark_point(size=140, filled=True, color="#e0457b").encode(
        x="fpr:Q", y="recall:Q"
    )
    roc_view = (chance + roc_line + roc_point).properties(
        width=260, height=220, title=f"ROC curve (area {auc:.3f})"
    )
    pr_line = (
        alt.Chart(pd.DataFrame({"recall": pr[0], "precision": pr[1]}))
        .mark_line(color=style.TRAIN_COLOR)
        .encode(
            x=alt.X("recall:Q", title="recall"),
            y=alt.Y("precision:Q", title="precision", scale=alt.Scale(domain=[0, 1])),
        )
    )
    pr_point = at_t.mark_point(size=140, filled=True, color="#e0457b").encode(
        x="recall:Q", y="precision:Q"
    )
    pr_view = (pr_line + pr_point).properties(
        width=260, height=220, title="Precision against recall"
    )
    top = alt.hconcat(scores_view, confusion, metrics + metric_text)
    return alt.vconcat(top, alt.hconcat(roc_view, pr_view)).add_params(t)
