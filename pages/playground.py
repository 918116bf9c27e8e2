"""Playground: train a small neural network on 2-D data and watch it learn, live."""

import streamlit as st

from dlviz import ui
from dlviz.data import DATASETS, datasets_for
from dlviz.figures import playground as fig
from dlviz.playground import FEATURES, PlaygroundConfig, PlaygroundSession
from dlviz.playground.config import ACTIVATIONS, BIG_MAX_UNITS, MAX_LAYERS, MAX_UNITS

ui.setup_page("Playground")
ui.page_intro(
    "Neural network Playground",
    "Each **neuron** takes a weighted sum of its inputs, adds a bias and passes the result "
    "through an activation; a **layer** is a row of neurons, and stacking layers lets the "
    "network bend its **decision boundary** (where its answer flips from orange to blue) into "
    "any shape. Training repeats forward pass → loss → backward pass (backprop) → weight "
    "update, and you watch every step of it here on a real PyTorch model.",
    r"a = f\Big(\sum_i w_i x_i + b\Big) \qquad "
    r"w \leftarrow w - \eta\,\frac{\partial L}{\partial w}",
)

data_col, net_col, train_col = st.columns(3, gap="large")
with data_col:
    st.subheader("Data")
    problem = st.segmented_control(
        "Problem",
        ["classification", "regression"],
        default="classification",
        required=True,
        key="pg_problem",
    )
    names = datasets_for(problem)
    dataset = st.segmented_control(
        "Dataset", names, default=names[0], required=True, key=f"pg_dataset_{problem}", wrap=True
    )
    st.caption(f"{DATASETS[dataset].description} · {DATASETS[dataset].kind}")
    noise = st.slider("Noise", 0.0, 0.5, 0.0, 0.05, key="pg_noise")
    train_pct = st.slider("Training data (%)", 10, 90, 50, 10, key="pg_train_fraction")
    batch = st.slider("Batch size", 1, 30, 10, key="pg_batch")
    seed = st.number_input("Seed", 0, 10_000, 0, key="pg_seed")
with net_col:
    st.subheader("Network")
    features = st.multiselect(
        "Input features",
        list(FEATURES),
        default=["x1", "x2"],
        key="pg_features",
        help="What the first layer sees.",
    )
    big = st.toggle(
        f"Allow layers wider than {MAX_UNITS}",
        key="pg_big",
        help=f"Up to {BIG_MAX_UNITS} neurons a layer; slower to train and draw.",
    )
    n_layers = st.slider("Hidden layers", 0, MAX_LAYERS, 2, key="pg_layers")
    cap = BIG_MAX_UNITS if big else MAX_UNITS
    widths = [
        ui.ranged_slider(
            f"Neurons in layer {i + 1}", 1, cap, (4, 2, 4, 4, 4, 4)[i], f"pg_units_{i}"
        )
        for i in range(n_layers)
    ]
    activation = st.selectbox(
        "Activation", list(ACTIVATIONS), index=list(ACTIVATIONS).index("tanh"),
        key="pg_activation", format_func=ui.activation_label,
    )  # fmt: skip
    dropout = st.slider("Dropout", 0.0, 0.8, 0.0, 0.1, key="pg_dropout")
    batch_norm = st.toggle("Batch norm", key="pg_batch_norm")
with train_col:
    st.subheader("Training")
    lr = st.select_slider(
        "Learning rate",
        [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0],
        value=0.03,
        key="pg_lr",
    )
    optimizer = st.segmented_control(
        "Optimizer", ["sgd", "momentum", "adam"], default="sgd", required=True, key="pg_optimizer"
    )
    losses = ["mse"] if problem == "regression" else ["mse", "cross_entropy"]
    loss = st.segmented_control("Loss", losses, default="mse", required=True, key="pg_loss")
    reg = st.segmented_control(
        "Regularization", ["none", "l1", "l2"], default="none", required=True, key="pg_reg"
    )
    reg_rate = st.select_slider(
        "Regularization rate",
        [0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0],
        value=0.0,
        key="pg_reg_rate",
    )
    init = st.segmented_control(
        "Initial weights",
        ["playground", "pytorch"],
        default="playground",
        required=True,
        key="pg_init",
        help="playground: U(−0.5, 0.5), biases 0.1 · pytorch: nn.Linear's default",
    )

config = PlaygroundConfig(
    problem=problem,
    dataset=dataset,
    noise=noise,
    train_fraction=train_pct / 100,
    batch_size=batch,
    features=tuple(features),
    hidden=tuple(widths),
    activation=activation,
    loss=loss,
    optimizer=optimizer,
    dropout=dropout,
    batch_norm=batch_norm,
    init=init,
    seed=int(seed),
    learning_rate=lr,
    regularization=reg,
    reg_rate=reg_rate,
)
st.divider()
display = st.columns([1, 1, 3])
show_test = display[0].toggle("Show test data", key="pg_show_test")
discretize = display[1].toggle("Discretize output", key="pg_discretize")


CLASS_NAMES = {"binary": ["orange (−1)", "blue (+1)"]}


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
    left, right = st.columns([3, 2], gap="large")
    test = (snap.test_x, snap.test_y) if show_test else (None, None)
    with left:
        ui.live_chart(
            fig.decision_boundary(
                snap.grid_x, snap.grid_y, snap.grid, snap.train_x, snap.train_y, *test,
                kind=snap.kind, value_range=snap.value_range, confidence=snap.confidence,
                n_classes=snap.n_classes or None, discretize=discretize,
            ),
            key="pg_boundary",
        )  # fmt: skip
    with right:
        curve = fig.loss_curve(snap.history_steps, snap.history_train_loss, snap.history_test_loss)
        ui.live_chart(curve, key="pg_loss_curve", toolbar=True)
        if snap.confusion is not None:
            names = CLASS_NAMES.get(snap.kind)
            ui.live_chart(fig.confusion_matrix(snap.confusion, labels=names), key="pg_confusion")
    st.markdown("**What each hidden neuron computes** (its output over the same plane)")
    ui.live_chart(fig.neuron_grid(snap.neuron_maps), key="pg_neurons")


ui.live_panel("pg", config, PlaygroundSession, draw, readouts=readouts)

st.divider()
st.subheader("What to notice")
st.markdown(
    "- The first layer can only draw straight lines; every later layer combines them into "
    "curves. Look at the hidden-neuron maps to see the pieces the output is built from.\n"
    "- The test loss is the honest number: when it rises while the train loss keeps falling, "
    "the network is memorising noise (overfitting)."
)
st.subheader("Try this")
st.markdown(
    "1. **XOR** with no hidden layers cannot be solved: one neuron draws one line. Add a "
    "layer of 2–4 neurons and press Run.\n"
    "2. **Spiral** with only x1, x2 is hard. Add sin x1 and sin x2 (feature engineering) or "
    "more layers, and compare how fast the test loss falls.\n"
    "3. Set the learning rate to **10** mid-run: the units saturate, no gradient gets "
    "through, and the run pauses and tells you where it got stuck. Lower it and press Reset."
)
