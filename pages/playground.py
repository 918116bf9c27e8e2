"""Playground: train a small neural network on 2-D data and watch it learn, live."""

import streamlit as st

from dlviz import ui
from dlviz.data import DATASETS
from dlviz.figures import playground as fig
from dlviz.playground import PlaygroundConfig, PlaygroundSession, PlaygroundView, losses_for

page = ui.Page("playground")
with ui.controls("pg"):
    data_col, net_col, train_col = st.columns(3, gap="large")
    with data_col:
        st.subheader("Data")
        knobs = ui.knobs(PlaygroundConfig, "pg", "dataset")
        st.caption(f"{DATASETS[knobs['dataset']].description} · {DATASETS[knobs['dataset']].kind}")
        knobs |= ui.knobs(
            PlaygroundConfig, "pg", "noise", "n_points", "train_fraction", "batch_size", "seed"
        )
    with net_col:
        st.subheader("Network")
        knobs |= ui.knobs(
            PlaygroundConfig,
            "pg",
            "features",
            "hidden",
            "activation",
            "dropout",
            "batch_norm",
            "init",
            "sigma",
        )
    with train_col:
        st.subheader("Training")
        knobs |= ui.knobs(
            PlaygroundConfig,
            "pg",
            "learning_rate",
            "optimizer",
            "loss",
            "regularization",
            "reg_rate",
            loss={"options": losses_for(knobs["dataset"])},
        )
config = ui.make_config(PlaygroundConfig, **knobs)
st.divider()
with ui.controls("pg_view"):
    left, right, _ = st.columns([1, 1, 3])
    with left:
        shown = ui.knobs(PlaygroundView, "pg", "show_test")
    with right:
        shown |= ui.knobs(PlaygroundView, "pg", "discretize")
view = PlaygroundView(**shown)


def readouts(snap) -> list[tuple[str, str]]:
    """The numbers beside the Step counter."""
    shown = [
        ("Epoch", f"{snap.epoch:,}"),
        ("Train loss", f"{snap.train_loss:.3f}"),
        ("Test loss", f"{snap.test_loss:.3f}"),
    ]
    if snap.test_accuracy is not None:
        shown.append(("Test accuracy", f"{snap.test_accuracy:.0%}"))
    return shown


def draw(snap) -> None:
    """Decision plane, loss curve, confusion matrix and every hidden unit's map."""
    panels = fig.playground_panels(snap, show_test=view.show_test, discretize=view.discretize)
    left, right = st.columns([3, 2], gap="large")
    with left:
        ui.live_chart(panels["boundary"], key="pg_boundary")
    with right:
        ui.live_chart(panels["loss_curve"], key="pg_loss_curve", toolbar=True)
        if panels["confusion"] is not None:
            ui.live_chart(panels["confusion"], key="pg_confusion")
    page.prose("neurons")
    ui.live_chart(panels["neurons"], key="pg_neurons")


ui.live_panel("pg", config, PlaygroundSession, draw, readouts=readouts)
page.end()
