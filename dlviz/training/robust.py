"""Outliers and the loss: a straight line fitted to seeded points of which a share are
outliers, by one linear model per loss (MSE, MAE, Huber) in lock-step on the same batches
(the race base), each judged by how far its line lies from the true one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlviz.device import DEVICE
from dlviz.knobs import Config, knob
from dlviz.optimizers import build_optimizer
from dlviz.race import RaceSession, RaceSnapshot, race_seed
from dlviz.training.losses import REGRESSION_LABELS, REGRESSION_LOSSES

TRUE_SLOPE, TRUE_INTERCEPT = 1.5, 0.5
POINTS = 80  # training points
SPAN = 3.0  # x in [−SPAN, SPAN]
OUTLIER_SHIFT = (6.0, 10.0)  # an outlier sits this far above the line (uniform)
GRID = np.linspace(-SPAN, SPAN, 61)  # where a line's error to the true one is measured


@dataclass(frozen=True)
class RobustConfig(Config):
    """Which losses race, how many outliers, Huber's δ; the learning rate is live."""

    losses: tuple[str, ...] = knob(("mse", "mae", "huber"), "Losses",
                                   options=tuple(REGRESSION_LOSSES), labels=REGRESSION_LABELS,
                                   count=(2, 3))  # fmt: skip
    outliers: float = knob(0.15, "Share of outliers", low=0.0, high=0.4, step=0.05,
                           fmt=".0%")  # fmt: skip
    delta: float = knob(1.0, "Huber's δ", low=0.1, high=5.0, step=0.1,
                        help="Errors within δ are squared, larger ones linear.")  # fmt: skip
    learning_rate: float = knob(0.05, "Learning rate (Adam)", low=1e-4, high=100.0, log=True,
                                live=True)  # fmt: skip
    seed: int = race_seed()
    batch_size: int = POINTS  # the whole set every step: the curves show the losses, not noise


def make_line_data(outliers: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """POINTS points near y = 1.5x + 0.5 (noise σ 0.3), the first ⌊share·POINTS⌋ of them
    (in random x order) lifted 6 to 10 above it: x (n,), y (n,), is_outlier (n,) bool."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-SPAN, SPAN, POINTS)
    y = TRUE_SLOPE * x + TRUE_INTERCEPT + rng.normal(0, 0.3, POINTS)
    lifted = np.zeros(POINTS, dtype=bool)
    lifted[: int(outliers * POINTS + 1e-9)] = True
    y = y + lifted * rng.uniform(*OUTLIER_SHIFT, POINTS)
    return x, y, lifted


def line_loss(name: str, pred: Tensor, y: Tensor, delta: float) -> Tensor:
    """The mean of loss `name` (torch's own) of predictions against targets."""
    if name == "mse":
        return F.mse_loss(pred, y)
    if name == "mae":
        return F.l1_loss(pred, y)
    return F.huber_loss(pred, y, delta=delta)


@dataclass(frozen=True)
class RobustSnapshot(RaceSnapshot):
    """The race's fields (test_accuracy holds each line's error to the true line), the
    points and every contestant's line."""

    x: np.ndarray  # (n,)
    y: np.ndarray  # (n,)
    is_outlier: np.ndarray  # (n,) bool
    true_line: tuple[float, float]  # (slope, intercept) the points were made around
    slopes: np.ndarray  # (k,)
    intercepts: np.ndarray  # (k,)
    history_line_error: np.ndarray  # (k, m)


class RobustSession(RaceSession[RobustConfig, RobustSnapshot]):
    """Full-batch Adam on one nn.Linear(1, 1) per loss, all from the same start."""

    shared_attrs = ("lifted", "x_train", "y_train")

    def _load(self) -> tuple[int, int]:
        cfg = self.config
        x, y, self.lifted = make_line_data(cfg.outliers, cfg.seed)
        self.x_train = torch.tensor(x, dtype=torch.float32, device=DEVICE)[:, None]  # (n, 1)
        self.y_train = torch.tensor(y, dtype=torch.float32, device=DEVICE)
        self._order_gen = torch.Generator().manual_seed(cfg.seed + 2)
        self._order = torch.empty(0, dtype=torch.int64)
        return 1, 1

    def _contestants(self, inputs: int, classes: int) -> tuple[list[nn.Module], list[Any]]:
        nets = []
        for _ in self.config.losses:
            net = nn.Linear(1, 1).to(DEVICE)
            with torch.no_grad():  # every line starts flat at 0
                net.weight.zero_()
                net.bias.zero_()
            nets.append(net)
        optimizers = [build_optimizer("adam", n.parameters(), self.config.learning_rate)
                      for n in nets]  # fmt: skip
        return nets, optimizers

    def _loss(self, net: nn.Module, batch: Any) -> tuple[Tensor, Any]:
        x, y = batch
        name = self.config.losses[self.nets.index(net)]
        return line_loss(name, net(x)[:, 0], y, self.config.delta), None

    def _extra(self) -> tuple[str, ...]:
        return ("line_error",)

    def _sample(self, i: int, net: nn.Module, aux: Any) -> dict[str, float]:
        return {"line_error": self.score(net)}

    @torch.no_grad()
    def score(self, net: nn.Module) -> float:
        """The mean vertical distance between `net`'s line and the true one over x's span
        (no line starts there: every one starts flat at 0)."""
        w, b = float(net.weight[0, 0]), float(net.bias[0])
        return float(np.mean(np.abs((w - TRUE_SLOPE) * GRID + (b - TRUE_INTERCEPT))))

    @torch.no_grad()
    def _build_snapshot(self) -> RobustSnapshot:
        cfg = self.config
        losses = np.array([self.latest.values[f"loss_{i}"] for i in range(len(self.nets))])
        names = cfg.losses
        labels = tuple(REGRESSION_LABELS[n] for n in names)
        return RobustSnapshot(
            **self.race_fields(names, labels, losses),
            x=self.x_train[:, 0].cpu().numpy(), y=self.y_train.cpu().numpy(),
            is_outlier=self.lifted, true_line=(TRUE_SLOPE, TRUE_INTERCEPT),
            slopes=np.array([float(n.weight[0, 0]) for n in self.nets]),
            intercepts=np.array([float(n.bias[0]) for n in self.nets]),
            history_line_error=self.history_of("line_error"),
        )  # fmt: skip
