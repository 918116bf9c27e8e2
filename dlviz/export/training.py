"""Exporters of the Training page: the live classifier of the metrics section, as a plain
PyTorch script (its point set's maker copied in) that gives the session's losses."""

from __future__ import annotations

import inspect

from dlviz.data import points
from dlviz.training.classifier import POINTS, ClassifierConfig

MAKERS = {"gauss": points.make_gauss, "circle": points.make_circle,
          "moons": points.make_moons_2d}  # fmt: skip

CLASSIFIER_SCRIPT = '''"""A small network learns to tell two classes of 2-D points apart, as in the
metrics section of dlviz's Training page, in plain PyTorch and NumPy.

Settings: points "{points}", positives {balance}, noise {noise!r}, learning rate {lr!r},
seed {seed}. Run it with `python {file_stem}.py [--steps N]`; every 20 steps it prints the
loss on the training half and on the held-out half.
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
    if "_jitter" in source:
        source = inspect.getsource(points._jitter) + "\n\n" + source
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
