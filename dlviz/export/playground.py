"""Exporter of the Playground page: its network on its 2-D data, as one plain PyTorch + NumPy
script (the dataset's maker copied in) that prints the session's training and test losses.
Text only; the session itself lives in dlviz.playground."""

from __future__ import annotations

import inspect
import textwrap

from dlviz.activations.registry import ACTIVATION_LABELS, get_activation
from dlviz.data import get_dataset_spec
from dlviz.data.points import EXTENT, train_size
from dlviz.export.activations import ACTIVATION_CODE
from dlviz.export.pieces import DROPOUT_SOURCE, INIT_CODE, optimizer_code
from dlviz.export.training import HELPERS
from dlviz.models import INIT_LABELS
from dlviz.optimizers import get_optimizer
from dlviz.playground.config import DATASET_LABELS, PlaygroundConfig
from dlviz.playground.session import check_every

PLAYGROUND_SCRIPT = '''"""{dataset_label}: a small network learns 2-D points, as on dlviz's
Playground page, in plain PyTorch and NumPy.

{about}
"""

import argparse
from collections import OrderedDict

import numpy as np
import torch
{f_import}from torch import nn

SEED = {seed}
N_POINTS = {n_points}  # training and test points together
NOISE = {noise!r}
TRAIN_FRACTION = {train_fraction!r}
# What the first layer sees, computed from each point (x1, x2).
FEATURES = {feature_names}
HIDDEN = {hidden}  # units in each hidden layer
N_OUT = {n_out}  # raw outputs of the network
DROPOUT = {dropout!r}
BATCH_NORM = {batch_norm}
REGULARIZATION = "{regularization}"  # "none", "l1" or "l2", on the weights (not the biases)
REG_RATE = {reg_rate!r}
LEARNING_RATE = {lr!r}
BATCH_SIZE = {batch_size}
EXTENT = {extent!r}  # the points stay in the square [-EXTENT, EXTENT]^2
CHECK_EVERY = {check_every}


{maker_source}

def load_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The points (n, 2) and labels (n,), float32, shuffled by the seed and cut into
    training and test points: x_train, y_train, x_test, y_test."""
    x, y = {maker_name}(N_POINTS, NOISE, np.random.default_rng(SEED))
    x, y = np.clip(x, -EXTENT, EXTENT).astype(np.float32), y.astype(np.float32)
    order = np.random.default_rng(SEED + 1).permutation(N_POINTS)
    cut = round(TRAIN_FRACTION * N_POINTS)
    return x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]


def features(xy: np.ndarray) -> torch.Tensor:
    """(n, 2) points -> (n, len(FEATURES)) inputs, one column per feature."""
    x1, x2 = torch.from_numpy(xy).unbind(1)
    columns = {{
        "x1": x1,
        "x2": x2,
        "x1^2": x1 * x1,
        "x2^2": x2 * x2,
        "x1x2": x1 * x2,
        "sin_x1": torch.sin(x1),
        "sin_x2": torch.sin(x2),
    }}
    return torch.stack([columns[name] for name in FEATURES], 1)  # (n, F)


def targets(y: np.ndarray) -> torch.Tensor:
    """{targets_doc}"""
    return {targets_code}


def loss_of(z: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """{loss_doc}"""
    return {loss_code}


class Activation(nn.Module):
    """{activation}, element-wise."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
{activation_note}        return {activation_code}


{dropout_source}

def make_model(masks: torch.Generator) -> nn.Sequential:
    """Per hidden layer: Linear -> (batch norm) -> activation -> (dropout); then a Linear
    to the N_OUT raw outputs."""
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    size = len(FEATURES)
    for i, width in enumerate(HIDDEN, start=1):
        layers[f"hidden{{i}}"] = nn.Linear(size, width)
        if BATCH_NORM:
            layers[f"norm{{i}}"] = nn.BatchNorm1d(width)
        layers[f"activation{{i}}"] = Activation()
        if DROPOUT:
            layers[f"dropout{{i}}"] = SeededDropout(DROPOUT, masks)
        size = width
    layers["output"] = nn.Linear(size, N_OUT)
    return nn.Sequential(layers)


def initialise(model: nn.Sequential, draws: torch.Generator) -> None:
    """{init} initial weights for every Linear layer, input side first, from `draws`."""
{init_note}    with torch.no_grad():
        for layer in [m for m in model if isinstance(m, nn.Linear)]:
{init_code}


def penalty(model: nn.Sequential) -> torch.Tensor | float:
    """The regularization term added to the training loss (weights only)."""
    if REGULARIZATION == "none" or REG_RATE == 0.0:
        return 0.0
    weights = [m.weight for m in model if isinstance(m, nn.Linear)]
    if REGULARIZATION == "l2":  # ½·rate·Σw², whose gradient is rate·w
        return 0.5 * REG_RATE * sum((w * w).sum() for w in weights)
    return REG_RATE * sum(w.abs().sum() for w in weights)  # L1: rate·Σ|w|


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=2000)
    steps = parser.parse_args().steps

    x_train, y_train, x_test, y_test = load_data()
    x_train, x_test = features(x_train), features(x_test)
    t_train, t_test = targets(y_train), targets(y_test)
    # Two generators with the same seed: one draws the first weights, the other the
    # shuffles and the dropout masks, in the order training asks for them.
    randomness = torch.Generator().manual_seed(SEED)
    model = make_model(randomness)
    initialise(model, torch.Generator().manual_seed(SEED))
    params = model.parameters()
{optimizer_note}    optimizer = {optimizer_code}

    def report(step: int) -> None:
        """Print the loss (without the penalty) on the training and the test points."""
        model.eval()  # dropout off, batch norm on its running statistics
        with torch.no_grad():
            train, test = loss_of(model(x_train), t_train), loss_of(model(x_test), t_test)
        print(f"step {{step}} train {{float(train)!r}} test {{float(test)!r}}")
        model.train()

    step = 0
    report(step)
    while step < steps:
        order = torch.randperm(len(x_train), generator=randomness)  # a new shuffle each epoch
        batches = zip(x_train[order].split(BATCH_SIZE), t_train[order].split(BATCH_SIZE))
        for x, t in batches:  # the last batch may be shorter
            if BATCH_NORM and len(x) < 2:
                continue  # batch norm needs two points: a lone leftover one is skipped
            optimizer.zero_grad(set_to_none=True)
            loss = loss_of(model(x), t) + penalty(model)
            loss.backward()
            optimizer.step()
            step += 1
            if step % CHECK_EVERY == 0 or step == steps:
                report(step)
            if step == steps:
                break


if __name__ == "__main__":
    main()
'''

# Per (problem kind, loss): the targets' docstring and code, then the loss's, as the
# session's output head (dlviz.playground.heads) computes them, op for op.
COLUMN = "torch.from_numpy(y)[:, None]  # (n, 1)"
ONE_HOT = "F.one_hot(torch.from_numpy(y).long(), N_OUT).float()  # (n, N_OUT)"
HEADS = {
    ("binary", "mse"): ("The ±1 labels as a column.", COLUMN,
        "MSE as in TF Playground: ½·mean (tanh(z) − label)², tanh squashing z into (−1, 1).",
        "0.5 * ((torch.tanh(z) - t) ** 2).mean()"),
    ("binary", "cross_entropy"): ("The ±1 labels as 0 / 1, in a column.",
        "((torch.from_numpy(y) + 1) / 2)[:, None]  # (n, 1)",
        "Binary cross-entropy of the output logit z.", "F.binary_cross_entropy_with_logits(z, t)"),
    ("multiclass", "mse"): ("The class indices 0..N_OUT-1 as one-hot rows.", ONE_HOT,
        "½·squared distance between the softmax of z and the one-hot label, averaged.",
        "0.5 * ((torch.softmax(z, 1) - t) ** 2).sum(1).mean()"),
    ("multiclass", "cross_entropy"): ("The class indices 0..N_OUT-1 as one-hot rows.", ONE_HOT,
        "Cross-entropy of the softmax of z: F.cross_entropy written out on one-hot rows.",
        "-(t * torch.log_softmax(z, 1)).sum(1).mean()"),
    ("regression", "mse"): ("The target values as a column.", COLUMN,
        "½·mean squared error (the ½ makes its gradient simply z − t).",
        "0.5 * ((z - t) ** 2).mean()"),
}  # fmt: skip

# A comment above the weights' drawing where the scheme is not the usual choice.
INIT_NOTES = {
    "playground": "TF Playground's own choice, whatever a layer's size: it keeps these small "
    "networks lively, but is not a scheme for deep or wide ones.",
    "normal": "One σ for every layer, whatever its size: a large σ saturates or blows up "
    "the units, a tiny one starts them all near 0.",
}
ACTIVATION_NOTES = {
    "step": "1 for x > 0, else 0: its slope is 0, so no gradient passes through it.",
    "linear": "No non-linearity: the whole network is then one linear map.",
}

# How the session's plain SGD differs from the script's torch.optim.SGD.
FUSED_NOTE = (
    "the numbers first agree with the page's to about six digits, not to the last: for plain "
    "SGD dlviz takes a hand-written (fused) step, the same update computed with float32 "
    "operations in another order, and over a long run such tiny differences can grow."
)
EXACT_NOTE = (
    "the numbers are the page's to the last digit; on more threads a matrix product may add "
    "up in another order."
)


def _dataset_source(name: str) -> tuple[str, str]:
    """The dataset's maker (and the helpers it calls) as source text, and its name."""
    maker = get_dataset_spec(name).make
    source = inspect.getsource(maker)
    for helper in reversed(HELPERS):  # a helper that a maker (or a helper) calls comes first
        if f"{helper.__name__}(" in source:
            source = inspect.getsource(helper) + "\n\n" + source
    return source.replace("  # lazily: see dlviz/data/digits.py", ""), maker.__name__


def _comment(text: str, indent: int) -> str:
    """`text` as comment lines of at most 92 characters, each ending in a newline."""
    lead = " " * indent + "# "
    return textwrap.fill(text, 92, initial_indent=lead, subsequent_indent=lead) + "\n"


def _check_every(cfg: PlaygroundConfig) -> int:
    """Steps between the session's checks, for the session's training-set size."""
    return check_every(cfg, train_size(cfg.n_points, cfg.train_fraction))


def _optimizer_code(name: str) -> tuple[str, str]:
    """The optimizer's construction, its other settings at the registry's defaults, and a
    comment where one of them is not torch's default."""
    code = optimizer_code(name, "params")
    note = "    # AdamW also decays every weight and bias by weight_decay, besides REGULARIZATION\n"
    return code, note if name == "adamw" else ""


def _about(cfg: PlaygroundConfig) -> str:
    """The script docstring's settings, how to run it and how close it comes to the page,
    wrapped to 92 columns."""
    layers = f"hidden layers {cfg.hidden} of {ACTIVATION_LABELS[cfg.activation]}"
    layers = layers if cfg.hidden else "no hidden layer"
    text = (
        f"Settings: {cfg.n_points} points ({cfg.train_fraction:.0%} to train on), noise "
        f"{cfg.noise!r}; features {', '.join(cfg.features)}; {layers}; "
        f"{'MSE' if cfg.loss == 'mse' else 'cross-entropy'} loss; {INIT_LABELS[cfg.init]} "
        "initial weights; "
        f"{get_optimizer(cfg.optimizer).label} at learning rate {cfg.learning_rate!r}, batch "
        f"{cfg.batch_size}; dropout {cfg.dropout!r}, batch norm {cfg.batch_norm}; "
        f"regularization {cfg.regularization} at rate {cfg.reg_rate!r}; seed {cfg.seed}."
    )
    run = (
        f"Run it with `python dlviz_playground_seed{cfg.seed}.py [--steps N]`; every "
        f"{_check_every(cfg)} steps (whole epochs, the page's checks) and after the last step "
        "it prints the loss on the training and on the test points. With one CPU thread "
        f"(OMP_NUM_THREADS=1, as dlviz trains) {FUSED_NOTE if cfg.fused else EXACT_NOTE} "
        "dlviz also pauses a run whose loss blows up; this script lets it run."
    )
    return "\n".join(textwrap.fill(p, 92, break_on_hyphens=False) for p in (text, run))


def playground_script(cfg: PlaygroundConfig) -> str:
    """The script of a PlaygroundSession of `cfg`: the same points, split, features,
    network, initial weights, shuffles, dropout masks, loss, optimizer and regularization;
    both losses every check (whole epochs, ~200 steps) and after the last step."""
    spec = get_dataset_spec(cfg.dataset)
    activation_code = ACTIVATION_CODE[cfg.activation].format(
        **get_activation(cfg.activation).defaults  # the Playground has no α / β knob
    )
    targets_doc, targets_code, loss_doc, loss_code = HEADS[spec.kind, cfg.loss]
    uses_f = any("F." in code for code in (activation_code, targets_code, loss_code))
    maker_source, maker_name = _dataset_source(cfg.dataset)
    code, optimizer_note = _optimizer_code(cfg.optimizer)
    note = INIT_NOTES.get(cfg.init)
    return PLAYGROUND_SCRIPT.format(
        dropout_source=DROPOUT_SOURCE,
        dataset_label=DATASET_LABELS[cfg.dataset], about=_about(cfg),
        check_every=_check_every(cfg),
        f_import="import torch.nn.functional as F\n" if uses_f else "", seed=cfg.seed,
        n_points=cfg.n_points, noise=cfg.noise, train_fraction=cfg.train_fraction,
        feature_names=repr(cfg.features).replace("'", '"'), hidden=cfg.hidden,
        n_out=spec.n_classes if spec.kind == "multiclass" else 1, dropout=cfg.dropout,
        batch_norm=cfg.batch_norm, regularization=cfg.regularization, reg_rate=cfg.reg_rate,
        lr=cfg.learning_rate, batch_size=cfg.batch_size, extent=EXTENT,
        maker_source=maker_source, maker_name=maker_name, targets_doc=targets_doc,
        targets_code=targets_code, loss_doc=loss_doc, loss_code=loss_code,
        activation=ACTIVATION_LABELS[cfg.activation], activation_code=activation_code,
        activation_note=_comment(ACTIVATION_NOTES[cfg.activation], 8)
        if cfg.activation in ACTIVATION_NOTES else "",
        init=INIT_LABELS[cfg.init], init_note=_comment(note, 4) if note else "",
        init_code=INIT_CODE[cfg.init].format(sigma=cfg.sigma),
        optimizer_code=code, optimizer_note=optimizer_note,
    )  # fmt: skip
