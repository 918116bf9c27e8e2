"""Convolution: a kernel sliding over a small grid by hand, kernels on real photos, a CNN
trained live on the digits whose filters, maps and units you can open, and your own digit."""

import streamlit as st

from dlviz import convolution as cv
from dlviz import ui
from dlviz.figures import convolution as fig
from dlviz.figures.heatmap import confusion_matrix
from dlviz.figures.images import picture

page = ui.Page("convolution")
page.header("By hand", "hand")
with ui.controls("conv_hand"):
    typed = ui.knob_columns(cv.HandConfig, "conv_hand", ["grid"], ["kernel"])
    typed |= ui.knob_columns(cv.HandConfig, "conv_hand", ["stride"], ["padding"], ["dilation"])
hand = cv.work_by_hand(cv.HandConfig(**typed))
if hand.problem:
    st.warning(ui.escape(hand.problem, 600), icon=":material/edit:")
spot = ui.knobs(cv.HandConfig, "conv_hand", "position", position={"high": hand.windows.cells})
row, col = hand.windows.cell(spot.get("position", 1))
ui.live_chart(fig.window_panels(hand.windows, row, col), key="conv_hand_view")
st.latex(cv.products_line(hand, row, col))
page.prose("size_formula")
st.latex(cv.size_formula(hand))

page.prose("pool")
with ui.controls("conv_pool"):
    pooling = cv.PoolConfig(**ui.knob_columns(cv.PoolConfig, "conv_pool", ["size"], ["stride"]))
pooled = cv.pool_by_hand(hand.grid, pooling)
if pooled.problem:
    st.info(ui.escape(pooled.problem), icon=":material/crop:")
else:
    where = ui.knobs(cv.PoolConfig, "conv_pool", "position", position={"high": pooled.cells})
    at = pooled.windows[0].cell(where.get("position", 1))
    for column, windows in zip(st.columns(2, gap="large"), pooled.windows):
        with column:
            panels = fig.window_panels(windows, *at, height=260)
            ui.live_chart(panels, key=f"conv_pool_{windows.kind}")

page.header("On a photo", "photo")
with ui.controls("conv_photo"):
    groups = (["photo", "color"], ["kernel", "custom"], ["stride", "padding", "pool"])
    shown = cv.PhotoConfig(**ui.knob_columns(cv.PhotoConfig, "conv_photo", *groups))
data = None
if shown.photo == cv.UPLOAD:
    data = ui.upload("Your picture", "conv_photo_file", help=page.words("photo_upload_help"))
image, problem = cv.photo_of(shown, data)
if problem:
    st.warning(ui.escape(problem), icon=":material/broken_image:")
if image is not None:
    done = cv.filter_photo(image, shown)
    if done.problem:
        st.warning(ui.escape(done.problem, 600), icon=":material/edit:")
    panels = fig.photo_panels(done)
    for widths, names in (([3, 2, 3], ("input", "kernel", "output")), ([1, 1], ("relu", "pooled"))):
        for column, name in zip(st.columns(widths, gap="medium"), names):
            with column:
                ui.live_chart(panels[name], key=f"conv_photo_view_{name}")

page.header("Train a CNN", "training")
with ui.controls("conv_cnn"):
    layout = (["size", "blocks"], ["channels", "kernel"], ["pool", "batch_norm", "probe"])
    layout += (["learning_rate", "pace", "batch_size", "seed"],)
    config = ui.make_config(cv.CnnConfig, **ui.knob_columns(cv.CnnConfig, "conv", *layout))


def readouts(snap: cv.CnnSnapshot) -> list[tuple[str, str]]:
    """Test and train accuracy and the training loss."""
    return [
        ("Test accuracy", f"{snap.test_accuracy:.1%}"),
        ("Train accuracy", f"{snap.train_accuracy:.1%}"),
        ("Loss", f"{snap.loss:.3g}"),
    ]


def draw(snap: cv.CnnSnapshot) -> None:
    """Curves; every block's filters; the probe's maps and probabilities; the mistakes."""
    for column, (name, chart) in zip(st.columns(2), fig.training_curves(snap).items()):
        with column:
            ui.live_chart(chart, key=f"conv_{name}")
    page.caption("filters")
    for b, (column, w) in enumerate(zip(st.columns(len(snap.weights)), snap.weights)):
        with column:
            ui.live_chart(fig.filter_mosaic(w, title=f"Block {b + 1}"), key=f"conv_filters_{b}")
    page.caption("maps")
    probe, *blocks, bars = st.columns([1, *[2] * len(snap.relu), 2])
    with probe:
        title = f"Probe: a {snap.probe_label}"
        ui.live_chart(picture(snap.probe, height=200, title=title), key="conv_probe_view")
    for b, (column, maps) in enumerate(zip(blocks, snap.relu)):
        with column:
            ui.live_chart(fig.map_mosaic(maps, title=f"Block {b + 1}"), key=f"conv_maps_{b}")
    with bars:
        ui.live_chart(fig.class_bars(snap.probe_probs, true=snap.probe_label), key="conv_bars")
    left, right = st.columns([2, 3])
    with left:
        ui.live_chart(confusion_matrix(snap.confusion), key="conv_confusion")
    with right:
        shown = (snap.worst_images, snap.worst_true, snap.worst_predicted, snap.worst_confidence)
        ui.live_chart(fig.mistakes(*shown), key="conv_mistakes")


advice = page.words("advice")
ui.live_panel("conv", config, cv.CnnSession, draw, readouts=readouts, advice=advice)

page.header("Open a unit", "unit")
snap = page.trained("conv", config, "unit_as_of")
if snap is not None:
    with ui.controls("conv_unit"):
        groups = (["layer"], ["channel"], ["row"], ["col"])
        pick = ui.knob_columns(cv.UnitConfig, "conv_unit", *groups, **cv.unit_limits(snap))
    unit = cv.open_picked(snap, cv.UnitConfig(**pick))
    left, right = st.columns([1, 2], gap="large")
    with left:
        field = fig.receptive_view(snap.probe, unit.box, unit.field)
        ui.live_chart(field, key="conv_unit_field")
    with right:
        ui.live_chart(fig.unit_panels(unit), key="conv_unit_sum")
    st.latex(cv.unit_line(unit))

page.header("Your digit", "digit")
if snap is None:
    page.caption("no_network")
else:
    pad, reading_col = st.columns([1, 2], gap="large")
    with pad:
        pixels = ui.drawing("conv_canvas")
        data = ui.upload("…or a photo of one digit", "conv_digit_file")
    seen, problem = cv.read_learners_digit(snap, data, pixels)
    if problem:
        st.warning(ui.escape(problem), icon=":material/broken_image:")
    if seen is not None:
        sees, bars = reading_col.columns([1, 2])
        with sees:
            ui.live_chart(picture(seen.image, height=200, title="What it sees"), key="conv_sees")
        with bars:
            ui.live_chart(fig.class_bars(seen.probs), key="conv_digit_bars")
        with reading_col:
            for b, maps in enumerate(seen.maps):
                ui.live_chart(fig.map_mosaic(maps, title=f"Block {b + 1}"), key=f"conv_digit_{b}")
page.end()
