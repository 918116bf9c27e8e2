"""Attention: scaled dot-product attention step by step, positional encodings, a tiny
transformer trained live whose heads learn a task's pattern, and a pretrained model's heads."""

import streamlit as st

from dlviz import ui
from dlviz.attention import (
    POSITIONALS,
    TASKS,
    AttentionConfig,
    AttentionSession,
    parse_tokens,
    probe_line,
    rope_circle,
    rope_similarity,
    similarity,
    sinusoidal_table,
    step_through,
    token_names,
)
from dlviz.attention.pretrained import (
    SUGGESTED_MODELS,
    PretrainedUnavailable,
    check_hub_name,
    downloads_allowed,
    pretrained_attention,
)
from dlviz.figures import attention as fig
from dlviz.figures.series import race_curves

PACES = ["1", "5", "20", "max"]  # steps per update; "max" trains 0.4 s per update
STAGES = (  # (title, formula, StepThrough field, weights?)
    ("① Scores", r"S = QK^{\top}", "raw", False),
    ("② Scaled", r"S / \sqrt{d_k}", "scaled", False),
    ("③ Masked", r"S_{ij} = -\infty \ \text{ for } j > i", "masked", False),
    ("④ Softmax", r"A_{ij} = \frac{e^{S_{ij}}}{\sum_{j'} e^{S_{ij'}}}", "weights", True),
)

ui.setup_page("Attention")
ui.page_intro(
    "Attention",
    "Every token asks a **query** (what am I looking for?), offers a **key** (what do I "
    "contain?) and a **value** (what do I pass on?). A query scores every key with a dot "
    "product; softmax turns a row of scores into weights that add up to 1, and the token's "
    "output is the weighted mix of values. Several **heads** do this side by side, each "
    "with its own projections.",
    r"\operatorname{Attention}(Q, K, V) = \operatorname{softmax}\!\Big(\frac{QK^{\top}}"
    r"{\sqrt{d_k}} + M\Big)\,V, \qquad Q = XW_Q,\ K = XW_K,\ V = XW_V",
)

st.header("Step by step", divider="gray")
controls, readout = st.columns([3, 1], gap="large")
with controls:
    text = st.text_input("Tokens (separated by spaces)", "the cat sat on the mat",
                         max_chars=300, key="attn_tokens")  # fmt: skip
    knobs = st.columns(3)
    d_k = knobs[0].select_slider("d_k (query/key size)", [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
                                 8, key="attn_dk")  # fmt: skip
    heads = knobs[1].slider("Heads", 1, 4, 1, key="attn_heads")
    head = knobs[2].slider("Show head", 1, heads, 1, key=f"attn_head_{heads}") if heads > 1 else 1
    toggles = st.columns(3)
    scale = toggles[0].toggle("Divide by √d_k", True, key="attn_scale")
    causal = toggles[1].toggle("Causal mask (decoder)", False, key="attn_causal")
    positions = toggles[2].toggle("Add positional encodings", True, key="attn_positions")
try:
    tokens, cut = parse_tokens(text)
except ValueError as err:
    st.warning(f"{err}. Showing the example sentence instead.", icon=":material/edit:")
    tokens, cut = parse_tokens("the cat sat on the mat")
if cut:
    st.caption("Only the first 12 tokens (16 characters each) are used.")
steps = step_through(tokens, d_k, heads, causal=causal, scale=scale, positions=positions)
labels, h = list(steps.tokens), head - 1
readout.metric("Largest weight in a row (mean)", f"{steps.top_weight[h]:.2f}",
               help="Of the head shown. 1.00: every query looks at one key only (softmax "
                    "saturated); with the causal mask, row 1 always is 1.")  # fmt: skip
readout.metric("Spread of the scores (std)", f"{steps.score_spread[h]:.2f}",
               help="Standard deviation of the scores that go into softmax (② or ③)")  # fmt: skip
readout.metric("Entropy of a row (mean)", f"{steps.entropy_bits[h]:.2f} bits",
               help="0 bits: one key takes all; log₂ T bits: every key alike")  # fmt: skip
stage_cols = [c for _ in range(2) for c in st.columns(2, gap="large")]
for column, (title, formula, field, weights) in zip(stage_cols, STAGES):
    with column:
        off = field == "masked" and not causal
        st.markdown(f"**{title}**" + (" · mask off, so the same as ②" if off else ""))
        st.latex(formula)
        matrix = getattr(steps, field)[h]
        ui.live_chart(fig.matrix_heatmap(matrix, labels, labels, weights=weights, height=300),
                      key=f"attn_stage_{field}")  # fmt: skip
st.markdown("**⑤ Output** — each row is the weighted mix of the value rows")
st.latex(r"O = AV \qquad O_i = \sum_j A_{ij} V_j")
out_cols = st.columns(2, gap="large")
dims = [str(i) for i in range(d_k)]
for column, (name, matrix) in zip(
    out_cols, (("V (values)", steps.v[h]), ("O = AV", steps.output[h]))
):
    with column:
        ui.live_chart(fig.matrix_heatmap(matrix, labels, dims[: matrix.shape[1]], title=name,
                                         x_title="dimension", y_title="token", height=260,
                                         numbers=matrix.size <= 64),
                      key=f"attn_out_{name[0]}")  # fmt: skip

st.header("Where is each token? Positional encodings", divider="gray")
st.markdown(
    "Attention itself ignores order: shuffle the tokens and each one gets the same output. "
    "So the position is added to each token's vector (sinusoidal or learned), or it turns "
    "queries and keys by an angle that grows with position (**RoPE**)."
)
pos_knobs = st.columns(3)
length = pos_knobs[0].slider("Positions", 4, 64, 32, key="attn_pos_length")
dim = pos_knobs[1].select_slider("Dimensions d", [8, 16, 32, 64, 128], 64, key="attn_pos_dim")
pair = pos_knobs[2].slider("RoPE pair i", 0, dim // 2 - 1, 0, key=f"attn_pair_{dim}")
st.latex(r"PE_{p,\,2i} = \sin p\,\omega_i, \qquad PE_{p,\,2i+1} = \cos p\,\omega_i, \qquad "
         r"\omega_i = 10000^{-2i/d}")  # fmt: skip
pe_cols = st.columns(2, gap="large")
with pe_cols[0]:
    table = sinusoidal_table(length, dim)
    ui.live_chart(fig.position_table(table, title="Sinusoidal table"), key="attn_sinus")
with pe_cols[1]:
    ui.live_chart(fig.similarity_map(similarity(table), title="How alike two positions look"),
                  key="attn_sinus_sim")  # fmt: skip
    st.caption("Cosine similarity of two positions' rows: it depends only on how far apart "
               "they are, so every diagonal holds one value.")  # fmt: skip
rope_cols = st.columns(2, gap="large")
with rope_cols[0]:
    st.latex(r"\begin{pmatrix} q'_{2i} \\ q'_{2i+1} \end{pmatrix} = \begin{pmatrix} \cos p\omega_i"
             r" & -\sin p\omega_i \\ \sin p\omega_i & \cos p\omega_i \end{pmatrix}"
             r"\begin{pmatrix} q_{2i} \\ q_{2i+1} \end{pmatrix}")  # fmt: skip
    slow = min(dim // 2 - 1, pair + max(1, dim // 8))  # a slower pair, for contrast
    picks = dict.fromkeys((pair, slow))
    circles = [rope_circle(min(length, 8), dim, p) for p in picks]
    ui.live_chart(fig.rope_rotation(circles, [f"pair {p} (ω = {10000 ** (-2 * p / dim):.3g})"
                                              for p in picks]), key="attn_rope")  # fmt: skip
with rope_cols[1]:
    st.latex(r"\langle R_m q,\ R_n k\rangle = \langle q,\ R_{n-m} k\rangle")
    ui.live_chart(fig.similarity_map(rope_similarity(length, dim),
                                     title="RoPE: one query against one key, by position"),
                  key="attn_rope_sim")  # fmt: skip

st.header("Train a transformer and watch its heads", divider="gray")
st.markdown(
    "A tiny transformer (token embedding + positions, 1–2 blocks of multi-head attention and "
    "an MLP) learns a toy task from fresh random sequences. The heatmaps show every head's "
    "attention on one fixed probe sequence; orange squares mark where the task says each "
    "query should look."
)
train_knobs = st.columns(4, gap="medium")
task = train_knobs[0].selectbox("Task", list(TASKS), list(TASKS).index("reverse"),
                                format_func=lambda t: TASKS[t].label, key="attn_task")  # fmt: skip
train_knobs[0].caption(TASKS[task].rule)
seq_len = train_knobs[1].slider("Sequence length", 4, 16, 8, 2, key="attn_length")
vocab = train_knobs[1].slider("Vocabulary", 4, 26, 10, key="attn_vocab")
layers = train_knobs[2].segmented_control("Layers", [1, 2], default=1, required=True,
                                          key="attn_layers")  # fmt: skip
n_heads = train_knobs[2].segmented_control("Heads", [1, 2, 4], default=2, required=True,
                                           key="attn_n_heads")  # fmt: skip
d_model = train_knobs[2].select_slider("d_model", [16, 32, 64], 32, key="attn_dmodel")
positional = train_knobs[3].selectbox(
    "Positions", list(POSITIONALS), key="attn_positional",
    help=" · ".join(f"{k}: {v}" for k, v in POSITIONALS.items()),
)  # fmt: skip
with train_knobs[3]:
    lr = ui.lr_slider("Learning rate (Adam)", 3e-3, key="attn_lr")
pace = train_knobs[3].segmented_control("Steps per update", PACES, default=PACES[1],
                                        required=True, key="attn_pace",
                                        help="1 is slow motion; 2 updates a second")  # fmt: skip
overlay = st.toggle("Outline the correct pattern", True, key="attn_overlay")
config = AttentionConfig(task=task, length=seq_len, vocab=vocab, layers=layers, heads=n_heads,
                         d_model=d_model, positional=positional, learning_rate=lr,
                         chunk_steps=20 if pace == PACES[-1] else int(pace))  # fmt: skip


def readouts(snap) -> list[tuple[str, str]]:
    """Loss, token accuracy, and the head that follows the pattern best."""
    layer, head = snap.best_head
    best = f"L{layer + 1}·H{head + 1}: {snap.pattern_mass[layer, head]:.0%}"
    return [("Loss", f"{snap.loss:.3f}"), ("Token accuracy", f"{snap.accuracy:.1%}"),
            ("Head closest to the pattern", best)]  # fmt: skip


def draw(snap) -> None:
    """The heads' attention on the probe, then the curves, ablation and learned positions."""
    st.markdown(probe_line(snap))
    names = token_names(snap.vocab)
    grid = fig.head_grid(snap.attention, snap.pattern_mass, [names[t] for t in snap.probe],
                         pattern=snap.pattern if overlay else None)  # fmt: skip
    ui.live_chart(grid, key="attn_grid")
    st.caption(f"Correct pattern: {TASKS[config.task].pattern_text}. Rows: queries, columns: keys.")
    curves = st.columns(3, gap="medium")
    with curves[0]:
        ui.live_chart(race_curves(snap.history_steps, snap.history_loss[None], ["loss"],
                                  y_title="loss (log)", log_y=True, height=240,
                                  empty_note="press Run or Step"), key="attn_loss")  # fmt: skip
    with curves[1]:
        ui.live_chart(race_curves(snap.history_steps, snap.history_accuracy[None], ["accuracy"],
                                  y_title="token accuracy", y_range=(0, 1.02), height=240,
                                  empty_note="press Run or Step"), key="attn_accuracy")  # fmt: skip
    with curves[2]:
        ui.live_chart(fig.ablation_bars(snap.ablation, snap.ablation_baseline), key="attn_ablation")
        st.caption("Accuracy with one head silenced: the heads the task needs drop.")
    if snap.positions is not None and config.positional == "learned":
        with st.expander("The learned positional encodings"):
            ui.live_chart(fig.similarity_map(similarity(snap.positions),
                                             title="Cosine similarity of learned positions"),
                          key="attn_learned_sim")  # fmt: skip


ui.live_panel("attn", config, AttentionSession, draw, readouts=readouts,
              budget_s=ui.TICK_BUDGET_S if pace == PACES[-1] else 0.0,
              advice="Training paused. Lower Adam's learning rate (10⁻³ to 10⁻² works), "
                     "then press Reset.")  # fmt: skip

st.header("A pretrained model on your own text", divider="gray")
st.markdown(
    "The same heatmaps for a real model from the Hugging Face Hub, on text you type: every "
    "layer has its own heads, and many learn readable habits (look at the previous token, at "
    "the separator, at a related word). Models come from this server's Hugging Face cache; "
    "it downloads new ones only if its operator allows it."
)
if st.toggle("Show a pretrained model's attention", False, key="attn_hf_on"):
    hf = st.columns([2, 3, 1.4], vertical_alignment="bottom")
    name = hf[0].selectbox("Model (Hub id)", SUGGESTED_MODELS, key="attn_hf_model",
                           accept_new_options=True)  # fmt: skip
    sentence = hf[1].text_input("Text", "The animal didn't cross the street because it was "
                                "too tired.", max_chars=400, key="attn_hf_text")  # fmt: skip
    download = hf[2].toggle(
        "Allow download", False, key="attn_hf_download", disabled=not downloads_allowed(),
        help="Fetch the model from the Hugging Face Hub if this server has no copy"
        if downloads_allowed() else "This server only uses models it already has; its "
        "operator can allow downloads with DLVIZ_ALLOW_DOWNLOADS=1",
    )  # fmt: skip
    try:
        with st.spinner(f"Running {name}…"):
            seen = pretrained_attention(check_hub_name(name or ""), sentence,
                                        allow_download=download)  # fmt: skip
    except (PretrainedUnavailable, ValueError) as err:
        st.info(f"**No pretrained weights to show.** {err} The rest of the page works without "
                "them.", icon=":material/cloud_off:")  # fmt: skip
    else:
        n_layers, n_h = seen.attention.shape[:2]
        view = st.columns(2)
        layer = view[0].slider("Layer", 1, n_layers, 1, key=f"attn_hf_layer_{n_layers}") - 1
        one = view[1].slider("Head", 1, n_h, 1, key=f"attn_hf_head_{n_h}") - 1
        if seen.truncated:
            st.caption(f"Only the first {len(seen.tokens)} tokens are shown.")
        tokens = list(seen.tokens)
        focus, grid = st.columns([2, 3], gap="large")
        with focus:
            ui.live_chart(fig.matrix_heatmap(seen.attention[layer, one], tokens, tokens,
                                             weights=True, numbers=False, height=420,
                                             title=f"Layer {layer + 1}, head {one + 1}"),
                          key="attn_hf_head_map")  # fmt: skip
        with grid:
            ui.live_chart(fig.attention_grid(seen.attention[layer], tokens,
                                             [f"head {j + 1}" for j in range(n_h)],
                                             columns=min(4, n_h), panel_height=150,
                                             labels=False),
                          key="attn_hf_layer_map")  # fmt: skip
            st.caption(f"Every head of layer {layer + 1}: queries in rows, keys in columns, "
                       "as in the big map. Pick one with *Head*.")  # fmt: skip

st.divider()
st.subheader("What to notice")
st.markdown(
    "- **Why divide by √d_k?** Each score is a sum of d_k products, so its spread grows like "
    "√d_k. Switch the division off at d_k = 256: the largest weight in a row jumps to about "
    "1.00, softmax has become a hard argmax, and its gradient all but vanishes.\n"
    "- **The mask** sets future scores to −∞ before softmax, so their weights are exactly 0: "
    "a decoder cannot peek at the tokens it must predict.\n"
    "- **Without positions** the two *the* tokens get identical rows: attention sees a bag "
    "of words. Sinusoidal similarity depends only on the distance between positions.\n"
    "- **Reverse** is learned in under a hundred steps, and the heads' weights turn into "
    "the anti-diagonal: output i copies input T−1−i, so query i looks there."
)
st.subheader("Try this")
st.markdown(
    "1. Step by step: d_k = 512 with and without **Divide by √d_k**; watch the entropy.\n"
    "2. Train **Reverse** with 1 layer and Positions = **rope**: RoPE only knows distances, "
    "so the model gets stuck near 70% (a second layer can work out where the edges are and "
    "gets further). With **none** it cannot tell positions apart at all and reaches about "
    "30% only by guessing among the tokens it sees.\n"
    "3. Train **Copy**: accuracy reaches 100% but no head needs the diagonal, because the "
    "residual connection already carries each token to its own output.\n"
    "4. Train **Sort**: accuracy reaches 99% while no head follows the outlined cells "
    "closely (about 40% of the weight); the heads spread out and gather the whole set of "
    "tokens instead. A pattern is one solution, not the only one.\n"
    "5. **Heads**: train Reverse with 2 heads, then with 1. Two heads both learn the mirror, "
    "so silencing either costs nothing; a lone head's ablation drops accuracy to chance.\n"
    "6. **Induction**: each query looks just after the earlier copy of its own token. "
    "Here the repeat always starts half-way, so one head can find the stripe by position "
    "alone; a true induction head, matching content, is needed when the offset varies."
)
