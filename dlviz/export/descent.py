"""Exporter of the Gradient descent page's optimizer race: one network copied from the same
start, trained by each optimizer on the same mini-batches, as a plain PyTorch + NumPy script
that gives the race's losses."""

from __future__ import annotations

from dlviz.descent.optimizer_race import OptimizerRaceConfig
from dlviz.export.pieces import optimizer_line, race_body, task_source
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
DEPTH, WIDTH = {depth}, {width}
BATCH_SIZE = {batch_size}
CHECK_EVERY = 25
{data_source}

{race_body}'''


def optimizer_race_script(cfg: OptimizerRaceConfig) -> str:
    """The script of an OptimizerRaceSession of `cfg`: the same data and split, the same
    start for every racer, the same batches and optimizers; every racer's training loss
    each 25 steps (the race's checks)."""
    data = task_source(cfg.task)
    lines = [optimizer_line(n, lr, i)
             for i, (n, lr) in enumerate(zip(cfg.optimizers, cfg.learning_rates))]  # fmt: skip
    labels = ", ".join(OPTIMIZERS[n].label for n in cfg.optimizers)
    return RACE_SCRIPT.format(
        labels=labels, task=cfg.task, depth=cfg.depth, width=cfg.width,
        batch_size=cfg.batch_size, seed=cfg.seed,
        data_source="\n\n" + data,
        race_body=race_body(f"[Net(n_in, n_classes, torch.tanh) for _ in range({len(lines)})]",
                            "xavier", 1.0, lines),
        file_stem=f"dlviz_optimizer_race_seed{cfg.seed}",
    )  # fmt: skip
