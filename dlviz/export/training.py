"""Exporters of the Training page: the outlier race and the live classifier of the metrics
section, as plain PyTorch scripts (data makers copied in) that give the sessions' losses."""

from __future__ import annotations

import inspect

from dlviz.data import points
from dlviz.training.classifier import POINTS, ClassifierConfig
from dlviz.training.robust import POINTS as ROBUST_POINTS
from dlviz.training.robust import RobustConfig

MAKERS = {"gauss": points.make_gauss, "circle": points.make_circle,
          "moons": points.make_moons_2d, "spiral": points.make_spiral}  # fmt: skip
HELPERS = (points._jitter, points._spiral_arms)  # what a maker may call, in calling order

CLASSIFIER_SCRIPT = '''"""A small network learns to tell two classes of 2-D points apart, as in the
metrics section of dlviz's Training page, in plain PyTorch and NumPy.

Settings: points "{points}", positives {balance}, noise {noise!r}, learning rate {lr!r},
seed {seed}. Run it with `python {file_stem}.py [--steps N]`; every 20 steps it prints the
loss on the training half and on the held-out half.
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
POINTS = {n_points}  # points made; with rare positives most positives are then dropped
NOISE = {noise!r}
RARE_POSITIVES = {rare}  # keep one positive for every nine negatives
LEARNING_RATE = {lr!r}
EXTENT = 6.0  # the points stay in the square [-6, 6]^2
CHECK_EVERY = 20


{maker_source}

def make_points() -> tuple[np.ndarray, np.ndarray]:
    """The point set (n, 2) and its labels (n,): 1 for the positive class, 0 otherwise."""
    x, y = {maker_name}(POINTS, NOISE, np.random.default_rng(SEED))
    x = np.clip(x, -EXTENT, EXTENT).astype(np.float32)
    y = (y > 0).astype(np.float32)
    if RARE_POSITIVES:
        negatives = np.flatnonzero(y == 0)
        positives = np.flatnonzero(y == 1)[: max(2, len(negatives) // 9)]
        keep = np.sort(np.r_[negatives, positives])
        x, y = x[keep], y[keep]
    return x, y


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1000)
    steps = parser.parse_args().steps

    x, y = make_points()
    order = np.random.default_rng(SEED + 1).permutation(len(y))  # a random half to train on
    train, test = order[: len(y) // 2], order[len(y) // 2 :]
    x_train, y_train = torch.from_numpy(x[train]), torch.from_numpy(y[train])
    x_test, y_test = torch.from_numpy(x[test]), torch.from_numpy(y[test])

    torch.manual_seed(SEED)  # PyTorch's default initialisation, drawn from the seed
    net = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1))
    optimizer = torch.optim.Adam(net.parameters(), lr=LEARNING_RATE)

    def loss_on(inputs: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Binary cross-entropy of the network's logits."""
        return F.binary_cross_entropy_with_logits(net(inputs)[:, 0], labels)

    for step in range(steps + 1):
        if step % CHECK_EVERY == 0:
            with torch.no_grad():
                train_loss, test_loss = loss_on(x_train, y_train), loss_on(x_test, y_test)
            print(f"step {{step}} loss {{float(train_loss)!r}} held-out {{float(test_loss)!r}}")
        if step == steps:
            break
        optimizer.zero_grad(set_to_none=True)  # one Adam step on the whole training half
        loss_on(x_train, y_train).backward()
        optimizer.step()

    with torch.no_grad():
        scores = torch.sigmoid(net(x_test)[:, 0])
    called = scores >= 0.5
    tp = int((called & (y_test == 1)).sum())
    fp = int((called & (y_test == 0)).sum())
    fn = int((~called & (y_test == 1)).sum())
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    print(f"at threshold 0.5: precision {{precision:.3f}}, recall {{recall:.3f}}")


if __name__ == "__main__":
    main()
'''


def _maker_source(points_name: str) -> tuple[str, str]:
    """The point set's maker (and the jitter helper it may use) as source text, and its
    name."""
    maker = MAKERS[points_name]
    source = inspect.getsource(maker)
    for helper in reversed(HELPERS):  # a helper a maker (or a helper) calls comes first
        if f"{helper.__name__}(" in source:
            source = inspect.getsource(helper) + "\n\n" + source
    lazily = "  # lazily: see dlviz/data/digits.py"  # a note about dlviz, not the script
    source = source.replace(lazily, "")
    return source, maker.__name__


def classifier_script(cfg: ClassifierConfig) -> str:
    """The script of a ClassifierSession of `cfg`: the same points, split, initialisation,
    loss and Adam; it prints both losses at every 20th step (the session's checks at pace
    max)."""
    source, name = _maker_source(cfg.points)
    return CLASSIFIER_SCRIPT.format(
        points=cfg.points, balance=cfg.balance, noise=cfg.noise, lr=cfg.learning_rate,
        seed=cfg.seed, n_points=POINTS, rare=cfg.balance == "rare", maker_source=source,
        maker_name=name, file_stem=f"dlviz_classifier_seed{cfg.seed}",
    )  # fmt: skip


ROBUST_SCRIPT = '''"""Outliers against the losses: one straight line per loss, fitted to the same
points, as in dlviz's Training page, in plain PyTorch and NumPy.

Settings: losses {losses}, share of outliers {outliers!r}, Huber's delta {delta!r},
learning rate {lr!r}, seed {seed}. Run it with `python {file_stem}.py [--steps N]`; every
25 steps it prints each line's loss on the points, then each line and its distance from
the true line y = 1.5 x + 0.5.
"""

import argparse

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

SEED = {seed}
LOSSES = {losses}
OUTLIERS = {outliers!r}  # the share of points lifted far above the line
DELTA = {delta!r}  # Huber's delta
LEARNING_RATE = {lr!r}
POINTS = {points}
CHECK_EVERY = 25


def make_points() -> tuple[np.ndarray, np.ndarray]:
    """POINTS points near y = 1.5 x + 0.5 (noise 0.3); the first share of them lifted 6 to
    10 above it."""
    rng = np.random.default_rng(SEED)
    x = rng.uniform(-3.0, 3.0, POINTS)
    y = 1.5 * x + 0.5 + rng.normal(0, 0.3, POINTS)
    lifted = np.zeros(POINTS, dtype=bool)
    lifted[: int(OUTLIERS * POINTS + 1e-9)] = True
    return x, y + lifted * rng.uniform(6.0, 10.0, POINTS)


def loss_of(name: str, prediction: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The mean squared error, absolute error or Huber loss."""
    if name == "mse":
        return F.mse_loss(prediction, y)
    if name == "mae":
        return F.l1_loss(prediction, y)
    return F.huber_loss(prediction, y, delta=DELTA)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=2000)
    steps = parser.parse_args().steps

    x_np, y_np = make_points()
    x = torch.tensor(x_np, dtype=torch.float32)[:, None]  # (n, 1)
    y = torch.tensor(y_np, dtype=torch.float32)
    lines, optimizers = [], []
    for _ in LOSSES:
        line = nn.Linear(1, 1)
        with torch.no_grad():  # every line starts flat at 0
            line.weight.zero_()
            line.bias.zero_()
        lines.append(line)
        optimizers.append(torch.optim.Adam(line.parameters(), lr=LEARNING_RATE))
    shuffle = torch.Generator().manual_seed(SEED + 2)  # the order the points come in

    for step in range(steps + 1):
        if step % CHECK_EVERY == 0:
            with torch.no_grad():
                losses = [float(loss_of(n, line(x)[:, 0], y)) for n, line in zip(LOSSES, lines)]
            print(f"step {{step}} " + " ".join(f"{{n}} {{v!r}}" for n, v in zip(LOSSES, losses)))
        if step == steps:
            break
        order = torch.randperm(POINTS, generator=shuffle)  # all the points, shuffled
        for name, line, optimizer in zip(LOSSES, lines, optimizers):
            optimizer.zero_grad(set_to_none=True)
            loss_of(name, line(x[order])[:, 0], y[order]).backward()
            optimizer.step()

    grid = np.linspace(-3.0, 3.0, 61)
    for name, line in zip(LOSSES, lines):
        w, b = line.weight.item(), line.bias.item()
        off = np.mean(np.abs((w - 1.5) * grid + (b - 0.5)))
        print(f"{{name}}: y = {{w:.3f}} x + {{b:.3f}}, off the true line by {{off:.3f}} on average")


if __name__ == "__main__":
    main()
'''


def robust_script(cfg: RobustConfig) -> str:
    """The script of a RobustSession of `cfg`: the same points, lines, batches (a fresh
    permutation of all the points every step) and Adam; it prints each line's loss every
    25 steps (the race's checks)."""
    losses = "(" + ", ".join(f'"{name}"' for name in cfg.losses) + ")"  # as ruff writes it
    return ROBUST_SCRIPT.format(
        losses=losses, outliers=cfg.outliers, delta=cfg.delta,
        lr=cfg.learning_rate, seed=cfg.seed, points=ROBUST_POINTS,
        file_stem=f"dlviz_outliers_seed{cfg.seed}",
    )  # fmt: skip
