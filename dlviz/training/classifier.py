"""A binary classifier trained live for the metrics view: a small tanh network on a 2-D
point set (balanced, or with positives made rare), Adam on the full training set, its
scores on a held-out half for the threshold, ROC and precision–recall views.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from dlviz.data.points import make_dataset
from dlviz.device import DEVICE
from dlviz.knobs import Config, knob, pace_knob, seed_knob
from dlviz.live import Evaluation, PacedSession, Snapshot, history_until_now
from dlviz.models import seeded_weights
from dlviz.optimizers import build_optimizer, set_learning_rate

POINT_SETS = {"gauss": "Two clouds", "moons": "Two moons", "circle": "Disc in a ring"}
BALANCES = {"balanced": "half positive", "rare": "1 in 10 positive"}
POINTS = 800  # made; with rare positives most positives are dropped, so fewer remain


@dataclass(frozen=True)
class ClassifierConfig(Config):
    """The data and the network; the learning rate and the pace are live."""

    points: str = knob("gauss", "Data", options=tuple(POINT_SETS), labels=POINT_SETS,
                       widget="segmented")  # fmt: skip
    balance: str = knob("balanced", "Positives", options=tuple(BALANCES), labels=BALANCES,
                        widget="segmented",
                        help="Rare positives: accuracy looks great even for a model that "
                        "never says positive.")  # fmt: skip
    noise: float = knob(0.5, "Noise", low=0.0, high=0.5, step=0.05)
    learning_rate: float = knob(0.01, "Learning rate (Adam)", low=1e-4, high=100.0, log=True,
                                live=True)  # fmt: skip
    seed: int = seed_knob("the points, the split and the network's weights")
    pace: str = pace_knob("5")


@dataclass(frozen=True)
class ClassifierSnapshot(Snapshot):
    """The classifier now: its curves, and its scores on the held-out half."""

    history_steps: np.ndarray  # int64 (m,)
    history_train: np.ndarray  # float32 (m,) training loss (binary cross-entropy)
    history_test: np.ndarray  # float32 (m,) held-out loss
    scores: np.ndarray  # float64 (n_test,) σ(logit): the probability of "positive"
    labels: np.ndarray  # float64 (n_test,) 0 or 1
    train_x: np.ndarray  # (n_train, 2)
    train_y: np.ndarray  # (n_train,) ±1, as the Playground's figures take them
    grid: np.ndarray  # (P,) plane coordinates along each axis
    plane: np.ndarray  # (P, P) the probability of positive, [x2 row, x1 column]


def make_points(cfg: ClassifierConfig) -> tuple[np.ndarray, np.ndarray]:
    """The point set (n, 2) float32 and labels (n,) in {0, 1}: positives are the Playground
    set's +1 class; "rare" keeps one positive for every nine negatives."""
    data = make_dataset(cfg.points, POINTS, cfg.noise, cfg.seed)
    x, y = data.x, (data.y > 0).astype(np.float32)
    if cfg.balance == "rare":
        negatives = np.flatnonzero(y == 0)
        positives = np.flatnonzero(y == 1)[: max(2, len(negatives) // 9)]
        keep = np.sort(np.r_[negatives, positives])
        x, y = x[keep], y[keep]
    return x, y


class ClassifierSession(PacedSession[ClassifierConfig, ClassifierSnapshot]):
    """Adam on a 2-16-16-1 tanh network, full batch, a pace's steps per chunk."""

    shared_attrs = ("x", "y", "x_test", "y_test")

    def _setup(self) -> None:
        cfg = self.config
        x, y = make_points(cfg)
        order = np.random.default_rng(cfg.seed + 1).permutation(len(y))
        train, test = order[: len(y) // 2], order[len(y) // 2 :]
        as_tensor = lambda a: torch.from_numpy(np.ascontiguousarray(a)).to(DEVICE)  # noqa: E731
        self.x, self.y = as_tensor(x[train]), as_tensor(y[train])
        self.x_test, self.y_test = as_tensor(x[test]), as_tensor(y[test])
        with seeded_weights(cfg.seed):
            self.net = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(),
                                     nn.Linear(16, 1)).to(DEVICE)  # fmt: skip
        self.optimizer = build_optimizer("adam", self.net.parameters(), cfg.learning_rate)

    def _series(self) -> tuple[str, ...]:
        return ("train", "test")

    def _apply_live(self) -> None:
        set_learning_rate(self.optimizer, self.config.learning_rate)
        super()._apply_live()

    def _chunk(self) -> None:
        for _ in range(self.chunk_steps):
            self.optimizer.zero_grad(set_to_none=True)
            F.binary_cross_entropy_with_logits(self.net(self.x)[:, 0], self.y).backward()
            self.optimizer.step()
            self.step_count += 1

    @torch.no_grad()
    def _evaluate(self) -> Evaluation:
        train = float(F.binary_cross_entropy_with_logits(self.net(self.x)[:, 0], self.y))
        test = float(F.binary_cross_entropy_with_logits(self.net(self.x_test)[:, 0],
                                                        self.y_test))  # fmt: skip
        return Evaluation((train,), {"train": train, "test": test})

    @torch.no_grad()
    def _build_snapshot(self) -> ClassifierSnapshot:
        steps, series = history_until_now(self.history, self.step_count, self.latest.values)
        grid = np.linspace(-6.0, 6.0, 41)
        gx, gy = np.meshgrid(grid, grid)  # (41, 41): x1 along columns, x2 along rows
        points = torch.from_numpy(np.stack([gx.ravel(), gy.ravel()], 1).astype(np.float32))
        plane = torch.sigmoid(self.net(points.to(DEVICE))[:, 0]).cpu().numpy().reshape(gx.shape)
        scores = torch.sigmoid(self.net(self.x_test)[:, 0]).double().cpu().numpy()
        return ClassifierSnapshot(
            step=self.step_count, halted=self.halted, history_steps=steps,
            history_train=series["train"], history_test=series["test"], scores=scores,
            labels=self.y_test.double().cpu().numpy(), train_x=self.x.cpu().numpy(),
            train_y=self.y.cpu().numpy() * 2 - 1, grid=grid, plane=plane,
        )  # fmt: skip
