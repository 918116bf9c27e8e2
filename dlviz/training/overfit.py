"""Overfitting and its cures: a network too big for a small, noisy training set, raced
against the same network with the chosen cures (L1, L2, dropout, batch norm), both from the
same weights on the same batches, with training and validation losses, their decision maps
and early stopping's verdict (where it would stop, which weights it would keep).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlviz.data.points import make_dataset
from dlviz.device import DEVICE
from dlviz.knobs import Config, knob
from dlviz.models import SeededDropout, seeded_weights
from dlviz.optimizers import build_optimizer
from dlviz.race import RACE_CHUNK_STEPS, RaceSession, RaceSnapshot, race_seed

SETS = {"moons": "Two moons", "circle": "Disc in a ring", "spiral": "Spiral"}
VALIDATION = 600  # held-out points, drawn from the same distribution
WIDTH, DEPTH = 64, 3  # too big for a few dozen points, on purpose
LABELS = ("no cure", "with the cures")


@dataclass(frozen=True)
class OverfitConfig(Config):
    """The data, and the cures the second network gets; the first gets none."""

    points: str = knob("moons", "Data", options=tuple(SETS), labels=SETS, widget="segmented")
    train_size: int = knob(40, "Training points", low=10, high=400,
                           options=(10, 20, 40, 80, 160, 400),
                           help="More data is the first cure.")  # fmt: skip
    noise: float = knob(0.4, "Noise", low=0.0, high=0.5, step=0.05)
    l2: float = knob(1e-2, "L2 (weight decay)", low=0.0, high=0.1,
                     options=(0.0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1))  # fmt: skip
    l1: float = knob(0.0, "L1", low=0.0, high=0.01, options=(0.0, 1e-5, 1e-4, 1e-3, 1e-2))
    dropout: float = knob(0.3, "Dropout", low=0.0, high=0.7, step=0.1)
    batch_norm: bool = knob(False, "Batch norm")
    patience: int = knob(500, "Early stopping: patience", low=0, high=5000, unit="steps",
                         options=(0, 100, 250, 500, 1000, 2000, 5000),
                         help="Stop once the validation loss has not improved for this "
                         "many steps (0: off).")  # fmt: skip
    learning_rate: float = knob(0.01, "Learning rate (Adam)", low=1e-4, high=100.0, log=True,
                                live=True)  # fmt: skip
    seed: int = race_seed()
    batch_size: int = 16


class EarlyStopping:
    """Watches a validation loss: `update(step, loss)` notes the best loss and its step;
    it says stop once `patience` steps have passed since the best (never when patience is
    0). `stopped_at` is the first step it said so; `best_step` the weights it keeps."""

    def __init__(self, patience: int) -> None:
        self.patience = patience
        self.best = float("inf")
        self.best_step: int | None = None
        self.stopped_at: int | None = None

    def update(self, step: int, loss: float) -> bool:
        """Take the loss at `step`; True when training should stop here (or did before)."""
        if self.stopped_at is not None:
            return True
        if loss < self.best:
            self.best, self.best_step = loss, step
        elif (
            self.patience and self.best_step is not None and step - self.best_step >= self.patience
        ):
            self.stopped_at = step
        return self.stopped_at is not None


class Net(nn.Module):
    """A WIDTH×DEPTH ReLU network, 2 inputs, 2 logits; batch norm, and dropout with masks
    from the generator `masks`, optional."""

    def __init__(self, dropout: float, batch_norm: bool, masks: torch.Generator | None = None
                 ) -> None:  # fmt: skip
        super().__init__()
        layers: list[nn.Module] = []
        size = 2
        for _ in range(DEPTH):
            layers.append(nn.Linear(size, WIDTH))
            if batch_norm:
                layers.append(nn.BatchNorm1d(WIDTH))
            layers.append(nn.ReLU())
            if dropout and masks is not None:
                layers.append(SeededDropout(dropout, masks))
            size = WIDTH
        layers.append(nn.Linear(size, 2))
        self.body = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> tuple[Tensor, None]:
        return self.body(x), None


@dataclass(frozen=True)
class OverfitSnapshot(RaceSnapshot):
    """The race's fields (history_loss: training loss), validation losses, both decision
    maps and early stopping's verdict on the cured network."""

    history_val: np.ndarray  # (2, m) validation loss
    val_loss: np.ndarray  # (2,) now
    train_accuracy: np.ndarray  # (2,)
    train_x: np.ndarray  # (n, 2)
    train_y: np.ndarray  # (n,) ±1
    grid: np.ndarray  # (P,)
    planes: np.ndarray  # (2, P, P) 2·p(class 1) − 1, [x2 row, x1 column]
    stopped_at: int | None  # the step early stopping would have stopped the cured network
    best_step: int | None  # the step whose weights it would keep
    kept_val_loss: float | None  # their validation loss
    kept_val_accuracy: float | None


class OverfitSession(RaceSession[OverfitConfig, OverfitSnapshot]):
    """Two networks from the same start on the same batches: contestant 0 bare, 1 cured.
    Each check also measures the validation loss and feeds early stopping."""

    def _load(self) -> tuple[int, int]:
        cfg = self.config
        data = make_dataset(cfg.points, cfg.train_size + VALIDATION, cfg.noise, cfg.seed)
        # the makers list their points class by class: shuffle before the training cut
        order = np.random.default_rng(cfg.seed + 1).permutation(len(data.y))
        x = torch.from_numpy(data.x[order])
        y = torch.from_numpy((data.y[order] > 0).astype(np.int64))
        self.x_train, self.y_train = x[: cfg.train_size].to(DEVICE), y[: cfg.train_size].to(DEVICE)
        self.x_test, self.y_test = x[cfg.train_size :].to(DEVICE), y[cfg.train_size :].to(DEVICE)
        self._order_gen = torch.Generator().manual_seed(cfg.seed + 2)
        self._order = torch.empty(0, dtype=torch.int64)
        self.stopping = EarlyStopping(cfg.patience)
        self.kept: dict[str, Tensor] | None = None
        return 2, 2

    def _contestants(self, inputs: int, classes: int) -> tuple[list[nn.Module], list[Any]]:
        cfg = self.config
        self._masks = torch.Generator(device=DEVICE).manual_seed(cfg.seed + 3)
        nets = []
        for cured in (False, True):
            with seeded_weights(cfg.seed):  # the same draws: Linear layers get equal weights
                nets.append(Net(cfg.dropout if cured else 0.0, cfg.batch_norm and cured,
                                self._masks))  # fmt: skip
        nets = [n.to(DEVICE) for n in nets]
        optimizers = [build_optimizer("adam", nets[0].parameters(), cfg.learning_rate),
                      torch.optim.Adam(nets[1].parameters(), lr=cfg.learning_rate,
                                       weight_decay=cfg.l2)]  # fmt: skip
        return nets, optimizers

    def _loss(self, net: nn.Module, batch: Any) -> tuple[Tensor, Any]:
        x, y = batch
        loss = F.cross_entropy(net(x)[0], y)
        if torch.is_grad_enabled() and net is self.nets[1] and self.config.l1:
            # training only: the history's losses are the data's, comparable across nets
            # the Linear layers' weights (not batch norm's scale, not the biases)
            loss = loss + self.config.l1 * sum(m.weight.abs().sum() for m in net.modules()
                                               if isinstance(m, nn.Linear))  # fmt: skip
        return loss, None

    def _extra(self) -> tuple[str, ...]:
        return ("val",)

    def _sample(self, i: int, net: nn.Module, aux: Any) -> dict[str, float]:
        return {"val": self._val_loss(net)}

    def _val_loss(self, net: nn.Module) -> float:
        return float(F.cross_entropy(net(self.x_test)[0], self.y_test))

    @torch.no_grad()
    def _evaluate(self) -> Any:
        for net in self.nets:
            net.eval()  # dropout off, batch norm on its running statistics
        try:
            found = super()._evaluate()
            if self.stopping.stopped_at is None:  # after the stop, the kept weights stay
                best = self.stopping.best
                self.stopping.update(self.step_count, self._val_loss(self.nets[1]))
                if self.stopping.best < best:
                    state = self.nets[1].state_dict()
                    self.kept = {k: v.detach().clone() for k, v in state.items()}
            return found
        finally:
            for net in self.nets:
                net.train()

    @torch.no_grad()
    def _kept_scores(self) -> tuple[float | None, float | None]:
        if self.kept is None:
            return None, None
        net = Net(self.config.dropout, self.config.batch_norm, self._masks).to(DEVICE)
        net.load_state_dict(self.kept)
        net.eval()
        logits = net(self.x_test)[0]
        accuracy = float((logits.argmax(1) == self.y_test).float().mean())
        return float(F.cross_entropy(logits, self.y_test)), accuracy

    @torch.no_grad()
    def _build_snapshot(self) -> OverfitSnapshot:
        losses = np.array([self.latest.values[f"loss_{i}"] for i in range(2)])
        grid = np.linspace(-6.0, 6.0, 41)
        gx, gy = np.meshgrid(grid, grid)  # (41, 41)
        points = torch.from_numpy(np.stack([gx.ravel(), gy.ravel()], 1).astype(np.float32))
        planes, train_acc = [], []
        for net in self.nets:
            net.eval()
            p = torch.softmax(net(points.to(DEVICE))[0], 1)[:, 1].cpu().numpy()
            planes.append(2 * p.reshape(gx.shape) - 1)
            train_acc.append(float((net(self.x_train)[0].argmax(1) == self.y_train).float().mean()))
            net.train()
        kept_loss, kept_acc = self._kept_scores()
        for net in self.nets:
            net.eval()
        try:
            fields = self.race_fields(("bare", "cured"), LABELS, losses)
            val_now = np.array([self._val_loss(n) for n in self.nets], np.float32)
        finally:
            for net in self.nets:
                net.train()
        return OverfitSnapshot(
            **fields, history_val=self.history_of("val"), val_loss=val_now,
            train_accuracy=np.array(train_acc, np.float32),
            train_x=self.x_train.cpu().numpy(), train_y=self.y_train.cpu().numpy() * 2.0 - 1,
            grid=grid, planes=np.stack(planes).astype(np.float32),
            stopped_at=self.stopping.stopped_at, best_step=self.stopping.best_step,
            kept_val_loss=kept_loss, kept_val_accuracy=kept_acc,
        )  # fmt: skip


assert RACE_CHUNK_STEPS > 0  # early stopping sees the validation loss at every check
