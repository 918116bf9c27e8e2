"""Attention: scaled dot-product attention step by step, positional encodings, a tiny
transformer trained live whose heads learn a task's pattern, and a pretrained model's heads."""

import streamlit as st

from dlviz import attention as att
from dlviz import ui
from dlviz.attention import pretrained as hub
from dlviz.figures import attention as fig
from dlviz.figures.heatmap import matrix_heatmap

Steps, Places, Model, Hub = (
    att.StepThroughConfig,
    att.PositionsConfig,
    att.AttentionConfig,
    hub.PretrainedConfig,
)
page = ui.Page("attention")
page.header("Step by step")
controls, readout = st.columns([3, 1], gap="large")
with controls, ui.controls("attn_step"):
    steps = ui.knobs(Steps, "attn_step", "tokens")
    steps |= ui.knob_columns(Steps, "attn_step", ["d_k"], ["heads"], ["head"])
    steps |= ui.knob_columns(Steps, "attn_step", ["scale"], ["causal"], ["positions"])
cfg = Steps(**steps)
seen, problem, cut = att.walk_through(cfg)
if problem:
    st.warning(
        f"{ui.escape(problem)}. Showing the example sentence instead.", icon=":material/edit:"
    )
if cut:
    page.caption("cut")
labels, h = list(seen.tokens), cfg.head - 1
for label, value, note in (
    ("Largest weight in a row (mean)", f"{seen.top_weight[h]:.2f}", "1.00: one key per query"),
    ("Spread of the scores (std)", f"{seen.score_spread[h]:.2f}", "of the scores softmax gets"),
    ("Entropy of a row (mean)", f"{seen.entropy_bits[h]:.2f} bits", "0 bits: one key takes all"),
):
    readout.metric(label, value, help=f"Of the head shown: {note}.")
stage_cols = [c for _ in range(2) for c in st.columns(2, gap="large")]
for column, stage in zip(stage_cols, ("raw", "scaled", "masked", "weights")):
    with column:
        page.prose("stage_masked_off" if stage == "masked" and not cfg.causal else f"stage_{stage}")
        matrix = getattr(seen, stage)[h]
        heat = matrix_heatmap(matrix, labels, labels, weights=stage == "weights", height=300)
        ui.live_chart(heat, key=f"attn_stage_{stage}")
page.prose("stage_output")
rows = (("V (values)", seen.v[h]), ("O = AV", seen.output[h]))
for column, (title, matrix) in zip(st.columns(2, gap="large"), rows):
    with column:
        ui.live_chart(fig.value_rows(matrix, labels, title), key=f"attn_out_{title[0]}")

page.header("Where is each token? Positional encodings", "positions")
with ui.controls("attn_positions"):
    pos = ui.knob_columns(Places, "attn_pos", ["length"], ["dim"], ["pair"])
panels = fig.position_panels(att.encode_positions(Places(**pos)))
for row in (("sinus", "sinus_sim"), ("rope", "rope_sim")):
    for column, name in zip(st.columns(2, gap="large"), row):
        with column:
            page.prose(f"above_{name}")
            ui.live_chart(panels[name], key=f"attn_{name}")
            page.caption(f"below_{name}")

page.header("Train a transformer and watch its heads", "training")
with ui.controls("attn_training"):
    groups = (
        ["task"],
        ["length", "vocab"],
        ["layers", "heads", "d_model"],
        ["positional", "learning_rate", "pace", "batch_size", "seed"],
    )
    config = ui.make_config(Model, **ui.knob_columns(Model, "attn", *groups))
    view = att.AttentionView(**ui.knobs(att.AttentionView, "attn", "overlay"))
if config:
    task = att.SEQUENCE_TASKS[config.task]
    page.caption("task_rule", task=task.label, rule=task.rule)


def readouts(snap) -> list[tuple[str, str]]:
    """Loss, token accuracy, and the head that follows the pattern best."""
    layer, head = snap.best_head
    best = f"L{layer + 1}·H{head + 1}: {snap.pattern_mass[layer, head]:.0%}"
    return [
        ("Loss", f"{snap.loss:.3f}"),
        ("Token accuracy", f"{snap.accuracy:.1%}"),
        ("Head closest to the pattern", best),
    ]


def draw(snap) -> None:
    """The heads' attention on the probe, then the curves, ablation and learned positions."""
    st.markdown(att.probe_line(snap))
    ui.live_chart(fig.probe_heads(snap, att.token_names(snap.vocab), view.overlay), key="attn_grid")
    page.caption("pattern", pattern=att.SEQUENCE_TASKS[config.task].pattern_text)
    curves = st.columns(3, gap="medium")
    for column, (name, chart) in zip(curves, fig.training_curves(snap).items()):
        with column:
            ui.live_chart(chart, key=f"attn_{name}")
    with curves[2]:
        ui.live_chart(fig.ablation_bars(snap.ablation, snap.ablation_baseline), key="attn_ablation")
        page.caption("ablation")
    if snap.position_similarity is not None and config.positional == "learned":
        with st.expander("The learned positional encodings"):
            title = "Cosine similarity of learned positions"
            ui.live_chart(
                fig.similarity_map(snap.position_similarity, title=title), key="attn_learned_sim"
            )


advice = page.words("advice")
ui.live_panel("attn", config, att.AttentionSession, draw, readouts=readouts, advice=advice)

page.header("A pretrained model on your own text", "pretrained")
with ui.controls("attn_hf"):
    hf = ui.knobs(Hub, "attn_hf", "on")
    if hf["on"]:
        closed = {"download": {"disabled": True, "help": page.words("no_download")}}
        narrow = {} if hub.downloads_allowed() else closed
        hf |= ui.knob_columns(Hub, "attn_hf", ["model"], ["text"], ["download"], **narrow)
want = Hub(**hf)
fetch = want.download and hub.downloads_allowed()  # a disabled switch can't be set by a link
if want.on:
    try:
        with st.spinner("Running the model…"):
            heads = hub.pretrained_attention(
                hub.check_hub_name(want.model), want.text, allow_download=fetch
            )
    except (hub.PretrainedUnavailable, ValueError) as err:
        st.info(page.words("no_weights", why=ui.escape(str(err), 600)), icon=":material/cloud_off:")
    else:
        n_layers, n_heads = heads.attention.shape[:2]
        with ui.controls("attn_hf_view"):
            most = {"layer": {"high": n_layers}, "head": {"high": n_heads}}
            shown = ui.knob_columns(Hub, "attn_hf", ["layer"], ["head"], **most)
        focus, every = st.columns([2, 3], gap="large")
        big, thumbs = fig.pretrained_panels(heads, shown["layer"] - 1, shown["head"] - 1)
        with focus:
            ui.live_chart(big, key="attn_hf_head_map")
        with every:
            ui.live_chart(thumbs, key="attn_hf_layer_map")
            page.caption("pretrained_layer", layer=shown["layer"])
page.end()
