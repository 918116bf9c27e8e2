"""Activations: curves and slopes, softmax with temperature, what an activation does to a
deep network's signal and gradients, and a live race between activations."""

import streamlit as st

from dlviz import ui
from dlviz.activations import (
    ACTIVATIONS,
    DEFAULT_LOGITS,
    entropy_bits,
    max_entropy_bits,
    parse_logits,
    sample_curves,
    softmax,
    table_rows,
)
from dlviz.activations.activation_race import ActivationRaceConfig, ActivationRaceSession
from dlviz.activations.curves import CurvesConfig
from dlviz.activations.probe import ProbeConfig, describe_probe, probe
from dlviz.activations.softmax import SoftmaxConfig
from dlviz.figures import activations as fig

probe_cached = st.cache_data(max_entries=64, show_spinner=False)(probe)  # pure: config → result

page = ui.Page("activations")
page.header("Curves and slopes")
pick, plots = st.columns([1, 3], gap="large")
with pick, ui.controls("act_curves"):
    chosen = ui.knobs(CurvesConfig, "act", "names")
    params = ui.activation_params(chosen["names"], "act")
    curves = CurvesConfig(**chosen, **ui.knobs(CurvesConfig, "act", "span"))
samples = sample_curves(curves.names, params, curves.span)
with plots:
    left, right = st.columns(2)
    with left:
        ui.live_chart(fig.curves(samples.z, samples.values, y_title="f(z)"), key="act_curves")
    with right:
        ui.live_chart(fig.curves(samples.z, samples.slopes, y_title="f′(z)"), key="act_slopes")
for column, name in zip(st.columns(max(3, len(curves.names))), curves.names):
    column.markdown(f"**{ACTIVATIONS[name].label}**")
    column.latex(ACTIVATIONS[name].latex)
if curves.names:
    st.table(table_rows(curves.names), hide_index=True, border="horizontal")

page.header("Softmax: scores into probabilities", "softmax")
controls, bars = st.columns([1, 2], gap="large")
with controls:
    with ui.controls("act_softmax"):
        soft = SoftmaxConfig(**ui.knobs(SoftmaxConfig, "act", "logits", "temperature"))
    try:
        logits = parse_logits(soft.logits)
    except ValueError as err:
        st.error(
            f"Those logits can't be used: {ui.escape(str(err))}. Showing the course's "
            "example instead."
        )
        logits = DEFAULT_LOGITS
    probs = softmax(logits, soft.temperature)
    st.metric(
        "Uncertainty (entropy)",
        f"{entropy_bits(probs):.2f} bits",
        help=f"0 bits: sure of one class · {max_entropy_bits(len(probs)):.2f} bits: all alike",
    )
with bars:
    labels = [f"z{i + 1} = {v:g}" for i, v in enumerate(logits)]
    reference = softmax(logits, 1.0) if soft.temperature != 1.0 else None
    chart = fig.softmax_bars(labels, probs, reference, temperature=soft.temperature)
    ui.live_chart(chart, key="act_softmax")

page.header("Through a deep network", "probe")
knob_cols = st.columns(4, gap="medium")
with ui.controls("act_probe"):
    with knob_cols[0]:
        deep = ui.knobs(ProbeConfig, "act_probe", "activation")
        alpha = ui.activation_params([deep["activation"]], "act_probe")
    with knob_cols[1]:
        deep |= ui.knobs(ProbeConfig, "act_probe", "depth")
    with knob_cols[2]:
        deep |= ui.knobs(ProbeConfig, "act_probe", "width", "seed")
    with knob_cols[3]:
        deep |= ui.knobs(ProbeConfig, "act_probe", "init", "sigma")
result = probe_cached(ProbeConfig(**deep, params=tuple((p, v) for _, p, v in alpha)))
st.info(describe_probe(result), icon=":material/insights:")
panels = fig.probe_panels(result)
for row in (("dist", "grads"), ("health", "spread")):
    for column, name in zip(st.columns(2, gap="large"), row):
        with column:
            if panels[name] is None:
                page.caption("probe_linear")
            else:
                ui.live_chart(panels[name], key=f"act_{name}")

page.header("Race: the same network, different activations", "race")


def draw_race(snap) -> None:
    """Loss curves, gradient norm by layer, and the share of dead units over time."""
    panels = fig.race_panels(snap)
    ui.live_chart(panels["loss"], key="act_race_loss")
    for column, name in zip(st.columns(2, gap="large"), ("grads", "dead")):
        with column:
            ui.live_chart(panels[name], key=f"act_race_{name}")
    page.caption("race_dead")


ui.race_panel(
    "act_race",
    ActivationRaceConfig,
    ActivationRaceSession,
    draw_race,
    contestants="activations",
    noun="activations",
    columns=[
        ["activations", ui.PER_CONTESTANT],
        ["task", "depth", "width", "batch_size"],
        ["optimizer", "learning_rate", "init", "sigma", "seed"],
    ],
    per_contestant=lambda names: {"params": ui.activation_params(names, "act_race")},
)
page.end()
