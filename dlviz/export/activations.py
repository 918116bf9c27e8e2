"""Exporter of the Activations page's race: the same deep network from the same weights,
one copy per activation, trained on the same mini-batches, as a plain PyTorch + NumPy script
that gives the race's losses."""

from __future__ import annotations

from dlviz.activations.activation_race import ActivationRaceConfig
from dlviz.activations.registry import ACTIVATION_LABELS, get_activation
from dlviz.export.pieces import optimizer_line, race_body, task_source

# Each activation of the registry in plain torch, with {alpha} / {beta} where it has them.
ACTIVATION_CODE = {
    "sigmoid": "torch.sigmoid(x)",
    "tanh": "torch.tanh(x)",
    "relu": "torch.relu(x)",
    "leaky_relu": "F.leaky_relu(x, {alpha!r})",
    "elu": "F.elu(x, {alpha!r})",
    "gelu": "F.gelu(x)",
    "gelu_tanh": 'F.gelu(x, approximate="tanh")',
    "silu": "F.silu(x)",  # with β = 1; see _activation_code
    "softplus": "F.softplus(x)",
    "mish": "F.mish(x)",
    "linear": "x",
    "step": "torch.sign(x).clamp_min(0.0)",  # 1 for x > 0, else 0; its slope is 0
}

RACE_SCRIPT = '''"""An activation race: the same deep network from the same weights, with
{labels}, as on dlviz's Activations page, in plain PyTorch and NumPy.

Settings: task {task}, {depth} hidden layers of {width} units, {init} initialisation,
{optimizer} at learning rate {lr!r}, batch {batch_size}, seed {seed}. Run it with
`python {file_stem}.py [--steps N]`; every 25 steps it prints each network's loss on the
whole training set. With one CPU thread (OMP_NUM_THREADS=1, as dlviz trains) the numbers
are the page's to the last digit; on more threads a matrix product may add up in another
order. dlviz also stops a network whose loss blows up; this script lets it run.
"""

import argparse
import itertools

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

SEED = {seed}
DEPTH, WIDTH = {depth}, {width}
BATCH_SIZE = {batch_size}
CHECK_EVERY = 25

# One activation per racer, in race order.
ACTIVATIONS = [
{activation_lines}
]
{data_source}

{race_body}'''


def _activation_code(name: str, params: dict[str, float]) -> str:
    """One racer's activation as a (label, lambda) list item."""
    values = get_activation(name).check_params(params)
    code = ACTIVATION_CODE[name].format(**values)
    if name == "silu" and values["beta"] != 1.0:
        code = f"x * torch.sigmoid({values['beta']!r} * x)"
    shown = ", ".join(f"{k} = {v!r}" for k, v in values.items())
    label = ACTIVATION_LABELS[name] + (f" ({shown})" if shown else "")
    return f'    ("{label}", lambda x: {code}),'


def activation_race_script(cfg: ActivationRaceConfig) -> str:
    """The script of an ActivationRaceSession of `cfg`: the same data and split, one start
    copied to every racer, the same batches and optimizer; every racer's training loss each
    25 steps (the race's checks)."""
    activations = [_activation_code(a, cfg.params_for(a)) for a in cfg.activations]
    optimizers = [optimizer_line(cfg.optimizer, cfg.learning_rate, i)
                  for i in range(len(cfg.activations))]  # fmt: skip
    nets = "[Net(n_in, n_classes, activation) for _, activation in ACTIVATIONS]"
    return RACE_SCRIPT.format(
        labels=", ".join(ACTIVATION_LABELS[a] for a in cfg.activations), task=cfg.task,
        depth=cfg.depth, width=cfg.width, init=cfg.init, optimizer=cfg.optimizer,
        lr=cfg.learning_rate, batch_size=cfg.batch_size, seed=cfg.seed,
        activation_lines="\n".join(activations), data_source="\n\n" + task_source(cfg.task),
        race_body=race_body(nets, cfg.init, cfg.sigma, optimizers),
        file_stem=f"dlviz_activation_race_seed{cfg.seed}",
    )  # fmt: skip
