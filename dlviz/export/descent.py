"""Exporter of the Gradient descent page's optimizer race: one network copied from the same
start, trained by each optimizer on the same mini-batches, as a plain PyTorch + NumPy script
that gives the race's losses."""

from __future__ import annotations

from dlviz.descent.optimizer_race import OptimizerRaceConfig
from dlviz.export.pieces import RACE_LOOP, optimizer_line, task_source
from dlviz.optimizers import OPTIMIZERS

RACE_SCRIPT = '''"""An optimizer race: one network, copied from the same start, trained by
{labels}, as on dlviz's Gradient descent page, in plain PyTorch and NumPy.

Settings: task {task}, {depth} hidden layer(s) of {width} tanh units, batch {batch_size},
seed {seed}. Run it with `python {file_stem}.py [--steps N]`; every 25 steps it prints
each network's loss on the whole training set, the numbers the page draws. With one CPU
thread (OMP_NUM_THREADS=1, as dlviz trains) they are the page's to the last digit; on
more threads a matrix product may add up in another order. dlviz also stops a network
whose loss blows up; this script lets it run.
"""

import argparse
import itertools

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

SEED = {seed}
TASK = "{task}"
DEPTH, WIDTH = {depth}, {width}
BATCH_SIZE = {batch_size}
CHECK_EVERY = 25
{data_source}

class Net(nn.Module):
    """DEPTH tanh layers of WIDTH units, then a linear readout of the class scores."""

    def __init__(self, n_in: int, n_out: int) -> None:
        super().__init__()
        sizes = [n_in] + [WIDTH] * DEPTH
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in itertools.pairwise(sizes))
        self.out = nn.Linear(sizes[-1], n_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.hidden:
            x = torch.tanh(layer(x))
        return self.out(x)


def optimizers_for(nets: list[nn.Module]) -> list[torch.optim.Optimizer]:
    """One optimizer per network, in race order."""
    return [
{optimizer_lines}
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=2000)
    steps = parser.parse_args().steps

    x_train, y_train, n_in, n_classes = load_task()
    # Xavier-uniform weights and zero biases, drawn from the seed, once; every racer copies
    # them, so each starts from the very same point.
    first = Net(n_in, n_classes)
    draws = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for layer in [*first.hidden, first.out]:
            nn.init.xavier_uniform_(layer.weight, generator=draws)
            nn.init.zeros_(layer.bias)
    nets = [first] + [Net(n_in, n_classes) for _ in range({racers} - 1)]
    for net in nets[1:]:
        net.load_state_dict(first.state_dict())
    optimizers = optimizers_for(nets)

{race_loop}'''


def optimizer_race_script(cfg: OptimizerRaceConfig) -> str:
    """The script of an OptimizerRaceSession of `cfg`: the same data and split, the same
    start for every racer, the same batches and optimizers; every racer's training loss
    each 25 steps (the race's checks)."""
    data = task_source(cfg.task)
    lines = [optimizer_line(n, lr, i)
             for i, (n, lr) in enumerate(zip(cfg.optimizers, cfg.learning_rates))]  # fmt: skip
    labels = ", ".join(OPTIMIZERS[n].label for n in cfg.optimizers)
    return RACE_SCRIPT.format(
        race_loop=RACE_LOOP,
        labels=labels, task=cfg.task, depth=cfg.depth, width=cfg.width,
        batch_size=cfg.batch_size, seed=cfg.seed, racers=len(cfg.optimizers),
        data_source="\n\n" + data, optimizer_lines="\n".join(lines),
        file_stem=f"dlviz_optimizer_race_seed{cfg.seed}",
    )  # fmt: skip
