"""Exporter of the Training page's overfitting race: a network with no cure beside its twin
with the chosen cures, as a plain PyTorch + NumPy script that gives the race's losses."""

from __future__ import annotations

from dlviz.export.pieces import DROPOUT_SOURCE
from dlviz.export.training import _maker_source
from dlviz.training.overfit import DEPTH, VALIDATION, WIDTH, OverfitConfig

OVERFIT_SCRIPT = '''"""Overfitting and its cures: a network too big for a few noisy points, beside
the same network with cures, as in dlviz's Training page, in plain PyTorch and NumPy.

Settings: points "{points}", {train_size} training points, noise {noise!r}; the cured twin
gets L2 {l2!r}, L1 {l1!r}, dropout {dropout!r}, batch norm {batch_norm}; early stopping's
patience {patience} steps; learning rate {lr!r}; seed {seed}. Run it with
`python {file_stem}.py [--steps N]`; every 25 steps it prints both networks' training and
validation losses, then what early stopping would have done.
With one CPU thread (OMP_NUM_THREADS=1, as dlviz trains) the numbers are the page's to the
last digit; on more threads a matrix product may add up in another order, and over a long
run such tiny differences can grow.
"""

import argparse

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

SEED = {seed}
TRAIN_POINTS = {train_size}
VALIDATION_POINTS = {validation}  # new points from the same distribution
NOISE = {noise!r}
L2 = {l2!r}  # weight decay of the cured network's Adam
L1 = {l1!r}  # times the sum of |w| over its Linear weights, added to its training loss
DROPOUT = {dropout!r}
BATCH_NORM = {batch_norm}
PATIENCE = {patience}  # early stopping: steps without a better validation loss (0: off)
LEARNING_RATE = {lr!r}
BATCH_SIZE = 16
WIDTH, DEPTH = {width}, {depth}
EXTENT = 6.0  # the points stay in the square [-6, 6]^2
CHECK_EVERY = 25


{maker_source}

{dropout_source}

def make_net(dropout: float, batch_norm: bool, masks: torch.Generator) -> nn.Sequential:
    """DEPTH layers of WIDTH ReLU units (each with batch norm and dropout if asked), then
    two output logits."""
    layers: list[nn.Module] = []
    size = 2
    for _ in range(DEPTH):
        layers.append(nn.Linear(size, WIDTH))
        if batch_norm:
            layers.append(nn.BatchNorm1d(WIDTH))
        layers.append(nn.ReLU())
        if dropout:
            layers.append(SeededDropout(dropout, masks))
        size = WIDTH
    layers.append(nn.Linear(size, 2))
    return nn.Sequential(*layers)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=3000)
    steps = parser.parse_args().steps

    x, y = {maker_name}(TRAIN_POINTS + VALIDATION_POINTS, NOISE, np.random.default_rng(SEED))
    order = np.random.default_rng(SEED + 1).permutation(len(y))  # the maker lists by class
    x = torch.from_numpy(np.clip(x, -EXTENT, EXTENT).astype(np.float32)[order])
    y = torch.from_numpy((y[order] > 0).astype(np.int64))
    x_train, y_train = x[:TRAIN_POINTS], y[:TRAIN_POINTS]
    x_val, y_val = x[TRAIN_POINTS:], y[TRAIN_POINTS:]

    masks = torch.Generator().manual_seed(SEED + 3)  # the cured network's dropout masks
    torch.manual_seed(SEED)  # both networks start from the same weights
    bare = make_net(0.0, False, masks)
    torch.manual_seed(SEED)
    cured = make_net(DROPOUT, BATCH_NORM, masks)
    optimizers = [
        torch.optim.Adam(bare.parameters(), lr=LEARNING_RATE),
        torch.optim.Adam(cured.parameters(), lr=LEARNING_RATE, weight_decay=L2),
    ]
    shuffle = torch.Generator().manual_seed(SEED + 2)  # both see the same batches
    queue = torch.empty(0, dtype=torch.int64)
    best, best_step, stopped_at = float("inf"), None, None

    for step in range(steps + 1):
        if step % CHECK_EVERY == 0:
            bare.eval()
            cured.eval()  # dropout off, batch norm on its running statistics
            with torch.no_grad():
                found = [
                    (
                        float(F.cross_entropy(net(x_train), y_train)),
                        float(F.cross_entropy(net(x_val), y_val)),
                    )
                    for net in (bare, cured)
                ]
            bare.train()
            cured.train()
            (bare_train, bare_val), (cured_train, cured_val) = found
            print(
                f"step {{step}} no cure {{bare_train!r}} {{bare_val!r}} "
                f"cured {{cured_train!r}} {{cured_val!r}}"
            )
            if stopped_at is None and cured_val < best:
                best, best_step = cured_val, step
            elif stopped_at is None and PATIENCE and step - best_step >= PATIENCE:
                stopped_at = step  # from here on, the kept weights stay those of best_step
        if step == steps:
            break
        if len(queue) < BATCH_SIZE:  # shuffled epochs, one after another
            queue = torch.cat([queue, torch.randperm(TRAIN_POINTS, generator=shuffle)])
        batch, queue = queue[:BATCH_SIZE], queue[BATCH_SIZE:]
        for net, optimizer in zip((bare, cured), optimizers):
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(net(x_train[batch]), y_train[batch])
            if net is cured and L1:
                linears = [m for m in net.modules() if isinstance(m, nn.Linear)]
                loss = loss + L1 * sum(m.weight.abs().sum() for m in linears)
            loss.backward()
            optimizer.step()

    if stopped_at is not None:
        kept = f"keep step {{best_step}}'s weights (validation loss {{best:.3f}})"
        print(f"early stopping: stop at step {{stopped_at}}, {{kept}}")


if __name__ == "__main__":
    main()
'''


def overfit_script(cfg: OverfitConfig) -> str:
    """The script of an OverfitSession of `cfg`: the same points, twin networks, batches,
    cures and Adam; both networks' losses every 25 steps (the race's checks)."""
    source, name = _maker_source(cfg.points)
    return OVERFIT_SCRIPT.format(
        dropout_source=DROPOUT_SOURCE,
        points=cfg.points, train_size=cfg.train_size, validation=VALIDATION, noise=cfg.noise,
        l2=cfg.l2, l1=cfg.l1, dropout=cfg.dropout, batch_norm=cfg.batch_norm,
        patience=cfg.patience, lr=cfg.learning_rate, seed=cfg.seed, width=WIDTH, depth=DEPTH,
        maker_source=source, maker_name=name, file_stem=f"dlviz_overfitting_seed{cfg.seed}",
    )  # fmt: skip
