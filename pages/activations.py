"""Activations: curves and slopes, softmax with temperature, what an activation does to a
deep network's signal and gradients, and a live race between activations."""

import streamlit as st

from dlviz import ui
from dlviz.activations import (
    ACTIVATIONS,
    DEFAULT_LOGITS,
    ActivationRaceSession,
    ProbeConfig,
    RaceConfig,
    describe_probe,
    entropy_bits,
    max_entropy_bits,
    parse_logits,
    probe,
    sample_curves,
    softmax,
    table_rows,
)  # fmt: skip
from dlviz.activations.race import RACE_TASKS
from dlviz.figures import activations as fig

NAMES = list(ACTIVATIONS)
LABEL = {"format_func": ui.activation_label}
probe_cached = st.cache_data(max_entries=64, show_spinner=False)(probe)  # pure: config → result

ui.setup_page("Activations")
ui.page_intro(
    "Activation functions",
    "A neuron adds up its weighted inputs into **z** and passes it through an **activation** "
    "f: the bend that lets a stack of layers draw curves instead of one straight line. On the "
    "way back, backprop multiplies every gradient by the slope **f′(z)**, so the shape of f "
    "decides how much of the learning signal reaches the early layers of a deep network.",
    r"a = f(z),\quad z = \sum_i w_i x_i + b \qquad "
    r"\frac{\partial L}{\partial z} = f'(z)\,\frac{\partial L}{\partial a}",
)

st.header("Curves and slopes", divider="gray")
pick, plots = st.columns([1, 3], gap="large")
with pick:
    names = st.multiselect(
        "Activations", NAMES, ["sigmoid", "tanh", "relu"], key="act_pick", **LABEL
    )
    params = ui.activation_params(names, "act")
    span = st.slider("Show z from −a to a", 1.0, 10.0, 5.0, 0.5, key="act_span")
samples = sample_curves(names, params, span)
with plots:
    left, right = st.columns(2)
    with left:
        ui.live_chart(fig.curves(samples.z, samples.values, y_title="f(z)"), key="act_curves")
    with right:
        ui.live_chart(fig.curves(samples.z, samples.slopes, y_title="f′(z)"), key="act_slopes")
for column, name in zip(st.columns(max(3, len(names))), names):
    column.markdown(f"**{ACTIVATIONS[name].label}**")
    column.latex(ACTIVATIONS[name].latex)
if names:
    st.dataframe(table_rows(names), hide_index=True, width="stretch")

st.header("Softmax: scores into probabilities", divider="gray")
st.markdown(
    "An output layer for K classes gives K raw scores (**logits**). Softmax turns them into "
    "probabilities that are positive and add up to 1; the **temperature** T sharpens (T < 1) "
    "or flattens (T > 1) the distribution without changing which class wins."
)
st.latex(r"p_i = \operatorname{softmax}(z / T)_i = \frac{e^{z_i / T}}{\sum_j e^{z_j / T}}")
controls, bars = st.columns([1, 2], gap="large")
with controls:
    text = st.text_input(
        "Logits, separated by commas", ", ".join(map(str, DEFAULT_LOGITS)), max_chars=200,
        key="act_logits",
    )  # fmt: skip
    temps = [0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0]
    temperature = st.select_slider("Temperature T", temps, 1.0, key="act_temperature")
try:
    logits = parse_logits(text)
except ValueError as err:
    controls.error(f"Those logits can't be used: {err}. Showing the course's example instead.")
    logits = DEFAULT_LOGITS
probs = softmax(logits, temperature)
controls.metric(
    "Uncertainty (entropy)", f"{entropy_bits(probs):.2f} bits",
    help=f"0 bits: sure of one class · {max_entropy_bits(len(probs)):.2f} bits: all alike",
)  # fmt: skip
with bars:
    labels = [f"z{i + 1} = {v:g}" for i, v in enumerate(logits)]
    reference = softmax(logits, 1.0) if temperature != 1.0 else None
    chart = fig.softmax_bars(labels, probs, reference, temperature=temperature)
    ui.live_chart(chart, key="act_softmax")

st.header("Through a deep network", divider="gray")
st.markdown(
    "One batch of random inputs goes forward through a deep, narrow network and one loss "
    "gradient comes back. Each layer multiplies the gradient by its weights and its slopes, "
    "so slopes below 1 (sigmoid's are at most ¼) shrink it layer after layer."
)
st.latex(
    r"\frac{\partial L}{\partial a_1} = \Big(\prod_{l=2}^{L} W_l^{\top}\,"
    r"\operatorname{diag} f'(z_l)\Big)\,\frac{\partial L}{\partial a_L}"
)
knobs = st.columns(4, gap="medium")
activation = knobs[0].selectbox("Activation", NAMES, key="act_probe_activation", **LABEL)
with knobs[0]:
    probe_params = ui.activation_params([activation], "act_probe")
depth = knobs[1].slider("Hidden layers", 2, 30, 20, key="act_depth")
width = knobs[2].select_slider("Units per layer", [16, 32, 64, 128, 256], 64, key="act_width")
with knobs[3]:
    init, sigma = ui.init_picker("act_init")
result = probe_cached(
    ProbeConfig(
        activation, depth, width, init, sigma, params=tuple((p, v) for _, p, v in probe_params)
    )
)
st.info(describe_probe(result), icon=":material/insights:")
top = st.columns(2, gap="large")
with top[0]:
    dist = fig.layer_distributions(
        result.bin_edges, result.histograms, title="What each layer outputs (brighter: more)"
    )
    ui.live_chart(dist, key="act_dist")
with top[1]:
    grads = fig.layer_bars(
        {"‖∂L/∂W‖": result.grad_norms}, y_title="‖∂L/∂W‖", log_y=True, readout=True,
        title="How much gradient each layer's weights get",
    )  # fmt: skip
    ui.live_chart(grads, key="act_grads")
bottom = st.columns(2, gap="large")
with bottom[0]:
    if health := result.health():
        chart = fig.layer_bars(
            dict([health]), y_title="share", y_range=(0, 1), empty_note="none in any layer",
            title=health[0].capitalize(),
        )  # fmt: skip
        ui.live_chart(chart, key="act_health")
    else:
        st.caption("A linear unit can neither die nor saturate.")
with bottom[1]:
    spread = fig.layer_bars(
        {"std of outputs": result.std}, y_title="std", log_y=True,
        title="Spread of each layer's outputs (standard deviation)",
    )  # fmt: skip
    ui.live_chart(spread, key="act_spread")

st.header("Race: the same network, different activations", divider="gray")
st.markdown(
    "Every contestant is the same network, started from the **same initial weights** and fed "
    "the **same mini-batches**; only the activation differs. Cross-entropy loss, real "
    "`torch.optim` optimizers."
)
race_knobs = st.columns(3, gap="large")
with race_knobs[0]:
    race_names = st.multiselect(
        "Activations (2–4)", NAMES, ["sigmoid", "tanh", "relu"], max_selections=4,
        key="act_race_pick", **LABEL,
    )  # fmt: skip
    race_params = ui.activation_params(race_names, "act_race")
with race_knobs[1]:
    task = st.segmented_control(
        "Task", list(RACE_TASKS), default="digits", required=True, key="act_task",
        help=" · ".join(f"{k}: {v}" for k, v in RACE_TASKS.items()),
    )  # fmt: skip
    race_depth = st.slider("Hidden layers", 1, 12, 6, key="act_race_depth")
    race_width = st.select_slider("Units per layer", [8, 16, 32, 64, 128], 32, key="act_race_width")
with race_knobs[2]:
    optimizer = st.segmented_control(
        "Optimizer", ["sgd", "momentum", "adam"], default="sgd", required=True, key="act_optimizer"
    )
    lr = st.select_slider(
        "Learning rate", [0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0], 0.1, key="act_lr"
    )
    race_init, race_sigma = ui.init_picker("act_race_init")


def draw_race(snap) -> None:
    """Loss curves, gradient norm by layer, and the share of dead units over time (a unit
    is dead when its slope is below 10⁻³ on every training sample)."""
    for label, out in zip(snap.labels, snap.out):
        if out:
            st.caption(f":material/error: **{label}** {out}")
    ui.live_chart(
        fig.race_curves(snap.history_steps, snap.history_loss, snap.labels,
                        y_title="training loss (log)", leader=snap.leader, log_y=True),
        key="act_race_loss",
    )  # fmt: skip
    left, right = st.columns(2, gap="large")
    with left:
        grads = fig.layer_bars(
            dict(zip(snap.labels, snap.grad_norms)),
            y_title="gradient norm",
            log_y=True,
            readout=True,
        )
        ui.live_chart(grads, key="act_race_grads")
    with right:
        dead = fig.race_curves(snap.history_steps, snap.history_dead, snap.labels,
                               y_title="share of dead units", y_range=(0, 1))  # fmt: skip
        ui.live_chart(dead, key="act_race_dead")
    st.caption(
        "Right: a **dead** unit passes no gradient on any training sample (|f′| < 10⁻³): a "
        "ReLU stuck below 0, or a sigmoid/tanh unit stuck on a flat tail."
    )


if len(race_names) < 2:
    st.info("Pick at least two activations to race.", icon=":material/sports_score:")
else:
    race_config = RaceConfig(
        activations=tuple(race_names), task=task, depth=race_depth, width=race_width,
        init=race_init, sigma=race_sigma, optimizer=optimizer, params=race_params,
        learning_rate=lr,
    )  # fmt: skip
    ui.live_panel(
        "act_race", race_config, ActivationRaceSession, draw_race, readouts=ui.race_readouts
    )

st.divider()
st.subheader("What to notice")
st.markdown(
    "- **Why ReLU in hidden layers?** Its slope is exactly 1 wherever it is active, so "
    "gradients pass through many layers undiminished; sigmoid's slope is at most ¼.\n"
    "- **Why does sigmoid vanish gradients?** In *Through a deep network*, sigmoid with "
    "20 layers leaves the first layer a gradient ~10¹⁶ times smaller than the last: the "
    "early layers cannot learn. In the race, the deep sigmoid net stays at chance.\n"
    "- **What does softmax do?** It keeps the order of the scores but turns them into "
    "probabilities that add up to 1; temperature only sharpens or softens them."
)
st.subheader("Try this")
st.markdown(
    "1. Deep network: **ReLU** with *PyTorch default* weights, then with **He**. The "
    "spread of the outputs stops shrinking and the gradient bars even out.\n"
    "2. **Tanh** with N(0, σ²) and σ = 2: almost every signal sits on the flat tails "
    "(saturated), and the gradient behaves erratically.\n"
    "3. Race **ReLU**, **Leaky ReLU** and **ELU** at learning rate **0.3**: ReLU's share of "
    "dead units climbs to almost half and its loss stalls (dying ReLUs), while Leaky ReLU and "
    "ELU, which always keep a slope, go on learning. At 1.0 even they give up.\n"
    "4. Softmax: set T to 0.01 (it becomes argmax, a hard choice) and to 100 (nearly uniform)."
)
