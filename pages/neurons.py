"""Neurons and backpropagation: one neuron worked out, Rosenblatt's perceptron learning
logic gates (and failing on XOR), XOR from three perceptrons, one backpropagation step
number by number, and the 2-2-1 network learning XOR live."""

import streamlit as st

from dlviz import neurons as nr
from dlviz import ui
from dlviz.figures import neurons as fig
from dlviz.neurons import writing

xor_fixed = st.cache_data(max_entries=8, show_spinner=False)(nr.xor_view)

page = ui.Page("neurons")
page.header("One neuron", "neuron")
pick, view = st.columns([1, 2], gap="large")
with pick, ui.controls("nr_neuron"):
    groups = (["x1", "x2", "activation"], ["w1", "w2", "b"])
    one = nr.NeuronConfig(**ui.knob_columns(nr.NeuronConfig, "nr", *groups))
worked = nr.work_neuron(one)
with view:
    for line in writing.neuron_lines(worked):
        st.latex(line)
    ui.live_chart(fig.neuron_plane(worked), key="nr_neuron_plane")

page.header("The perceptron", "perceptron")
with ui.controls("nr_perc"):
    layout = (["gate", "pace"], ["learning_rate", "start"], ["shuffle", "seed"])
    chosen = ui.knob_columns(nr.PerceptronConfig, "nr_perc", *layout)
    perc = ui.make_config(nr.PerceptronConfig, **chosen)


def draw_perceptron(snap: nr.PerceptronSnapshot) -> None:
    """The plane with the line, the update written out, mistakes per epoch."""
    plane, words = st.columns([1, 1.2], gap="large")
    with plane:
        ui.live_chart(fig.perceptron_plane(snap), key="nr_perc_plane")
    with words:
        (st.success if snap.converged_at is not None else st.info)(writing.perceptron_verdict(snap))
        if snap.last is not None:
            for line in writing.update_lines(snap.last):
                st.latex(line)
        ui.live_chart(fig.epoch_mistakes(snap), key="nr_perc_mistakes")


ui.live_panel(
    "nr_perc", perc, nr.PerceptronSession, draw_perceptron, readouts=writing.perceptron_readouts
)
page.prose("fix")
ui.live_chart(fig.xor_from_gates(xor_fixed(0.1)), key="nr_xor_fix")

page.header("Backpropagation by hand", "backprop")
with ui.controls("nr_bp"):
    layout = (["row", "loss"], ["activation"], ["learning_rate", "seed"])
    hand = nr.BackpropConfig(**ui.knob_columns(nr.BackpropConfig, "nr_bp", *layout))
walk = nr.work_backprop(hand)
ui.live_chart(fig.backprop_diagram(walk), key="nr_bp_diagram")
lines = writing.backprop_lines(walk, hand.activation, hand.loss)
parts = {"forward": "forward", "output": "backward_out", "hidden": "backward_hidden"}
for part, section in (parts | {"update": "update"}).items():
    page.prose(section)
    for line in lines[part]:
        st.latex(line)

page.header("Train it: XOR solved", "train")
with ui.controls("nr_xor"):
    layout = (["activation", "loss"], ["learning_rate", "pace"], ["seed"])
    live = ui.make_config(nr.XorConfig, **ui.knob_columns(nr.XorConfig, "nr_xor", *layout))


def draw_xor(snap: nr.XorSnapshot) -> None:
    """ŷ over the plane with the hidden units' lines; loss and gradient sizes."""
    plane, curves = st.columns([1, 1.3], gap="large")
    with plane:
        ui.live_chart(fig.xor_plane(snap), key="nr_xor_plane")
    with curves:
        for name, chart in fig.xor_curves(snap).items():
            ui.live_chart(chart, key=f"nr_xor_curve_{name}")


ui.live_panel(
    "nr_xor",
    live,
    nr.XorSession,
    draw_xor,
    readouts=writing.xor_readouts,
    advice=page.words("advice"),
)
page.end()
