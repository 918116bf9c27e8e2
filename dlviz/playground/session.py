"""PlaygroundSession: trains a PlaygroundNet live on a 2-D dataset and snapshots what it
has learned (decision plane, hidden-unit maps, losses, accuracy, confusion matrix).

Satisfies dlviz.live.Session. Plain SGD without dropout/batch norm runs through the fused
step (fused.py); everything else through autograd and a real torch.optim optimizer.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import torch

from dlviz.activations import get_activation
from dlviz.data import EXTENT, make_dataset, split
from dlviz.device import DEVICE
from dlviz.live import CachedSnapshots, DivergenceGuard, History, Snapshot, train_for
from dlviz.playground.config import PlaygroundConfig
from dlviz.playground.fused import FusedSGD
from dlviz.playground.heads import make_head
from dlviz.playground.model import PlaygroundNet, feature_matrix, initialise
from dlviz.playground.readout import read_plane, read_scores

CHECK_EVERY_STEPS = 200  # divergence check + loss-history sample about this often (whole epochs)
GRID = 61  # decision-plane resolution (points per axis, spacing 0.2 on [−6, 6])
UNIT_STRIDE = 3  # hidden-unit maps use every 3rd grid point: 21 × 21


@dataclass(frozen=True)
class PlaygroundSnapshot(Snapshot):
    """The Playground at one moment. Arrays are float32 unless noted."""

    epoch: int  # passes over the training set
    kind: str  # "binary", "multiclass" or "regression"
    n_classes: int  # K for multiclass, 2 binary, 0 regression
    train_loss: float  # data loss on the whole training set (regularization excluded)
    test_loss: float
    train_accuracy: float | None  # fraction correct; None for regression
    test_accuracy: float | None
    history_steps: np.ndarray  # int64 (m,), m ≤ 2000
    history_train_loss: np.ndarray  # (m,)
    history_test_loss: np.ndarray  # (m,)
    grid_x: np.ndarray  # (G,) x1 coordinates of the plane
    grid_y: np.ndarray  # (G,) x2 coordinates
    grid: np.ndarray  # (G, G) [row = x2, col = x1]: [−1, 1] binary, value, or class index
    confidence: np.ndarray | None  # (G, G) max class probability (multiclass only)
    neuron_maps: tuple[np.ndarray, ...]  # per hidden layer (units, g, g) activations
    value_range: tuple[float, float]  # colour range of `grid` and the labels
    train_x: np.ndarray  # (n, 2)
    train_y: np.ndarray  # (n,) labels as in dlviz.data
    test_x: np.ndarray
    test_y: np.ndarray
    confusion: np.ndarray | None  # int64 (K, K), rows true, cols predicted (test set)


class PlaygroundSession(CachedSnapshots):
    """One learner's Playground run (see PlaygroundConfig for the knobs)."""

    def __init__(self, config: PlaygroundConfig) -> None:
        self.config = config.validate()
        self.step_count = 0
        self.epoch = 0
        self.halted: str | None = None
        self._cpu_gen = torch.Generator().manual_seed(config.seed)
        self._gen = torch.Generator(device=DEVICE).manual_seed(config.seed)
        self._load_data()
        self.head = make_head(self.kind, config.loss, self.n_classes)
        self._t_train = self.head.target(self.train.y, DEVICE)  # (n, n_out)
        self._t_test = self.head.target(self.test.y, DEVICE)
        self.net = PlaygroundNet(
            len(config.features),
            config.hidden,
            self.head.n_out,
            config.activation,
            config.dropout,
            config.batch_norm,
            self._gen,
        )
        initialise(self.net, config.init, self._cpu_gen)
        self.net.to(DEVICE)
        self.fused = FusedSGD(self.net, config.activation, self.head) if config.fused else None
        # the fused step takes inputs with a trailing ones column (its bias trick)
        self._x_fit = FusedSGD.augment(self._x_train) if self.fused else self._x_train
        self.optimizer = None if self.fused else _make_optimizer(self.net, config)
        self.history = History(("train_loss", "test_loss"))
        self.guard = DivergenceGuard()
        self._cached: PlaygroundSnapshot | None = None
        self._checked_step = -1
        steps_per_epoch = -(-len(self.train.y) // config.batch_size)
        self._check_every = max(1, round(CHECK_EVERY_STEPS / steps_per_epoch))  # epochs
        self.retune(config)
        self._record(force=True)

    def _load_data(self) -> None:
        cfg = self.config
        data = make_dataset(cfg.dataset, cfg.n_points, cfg.noise, cfg.seed)
        self.kind, self.n_classes = data.kind, data.n_classes
        self.train, self.test = split(data, cfg.train_fraction, cfg.seed)
        axis = torch.linspace(-EXTENT, EXTENT, GRID)
        gy, gx = torch.meshgrid(axis, axis, indexing="ij")  # (G, G) each, row = x2
        plane = torch.stack([gx.reshape(-1), gy.reshape(-1)], 1)  # (G·G, 2)
        self._axis = axis.numpy().astype(np.float32)
        self._plane = feature_matrix(plane, cfg.features).to(DEVICE)  # (G·G, F)
        self._x_train = feature_matrix(torch.from_numpy(self.train.x), cfg.features).to(DEVICE)
        self._x_test = feature_matrix(torch.from_numpy(self.test.x), cfg.features).to(DEVICE)

    def retune(self, config: PlaygroundConfig) -> None:
        """Apply the live knobs (learning rate, regularization) without resetting training."""
        config.validate()
        self.config = dataclasses.replace(
            self.config,
            learning_rate=config.learning_rate,
            regularization=config.regularization,
            reg_rate=config.reg_rate,
        )
        if self.fused is not None:
            self.fused.learning_rate = config.learning_rate
            self.fused.regularization = config.regularization
            self.fused.reg_rate = config.reg_rate
        else:
            for group in self.optimizer.param_groups:
                group["lr"] = config.learning_rate

    def step(self, budget_s: float) -> PlaygroundSnapshot:
        """Train whole epochs for about `budget_s` seconds (at least one), then snapshot."""
        if self.halted is None:
            train_for(budget_s, self._epoch)
            self._record(force=True)  # every tick ends checked, so a blow-up shows at once
        return self.snapshot()

    def _epoch(self) -> bool:
        """One pass over the shuffled training set; False once the run has diverged."""
        x, t = self._x_fit, self._t_train
        perm = torch.randperm(len(x), generator=self._gen, device=DEVICE)
        batches = zip(x[perm].split(self.config.batch_size), t[perm].split(self.config.batch_size))
        if self.fused is not None:
            self.step_count += self.fused.run(batches)
        else:
            self._mode(training=True)
            for xb, tb in batches:
                self.step_count += self._autograd_step(xb, tb)
        self.epoch += 1
        return self._record()

    def _autograd_step(self, xb: torch.Tensor, tb: torch.Tensor) -> int:
        """One update through autograd and torch.optim; returns the updates taken (0 or 1)."""
        if self.config.batch_norm and len(xb) < 2:
            return 0  # batch norm needs two samples; skip a lone leftover point
        self.optimizer.zero_grad(set_to_none=True)
        z, _ = self.net(xb)
        loss = self.head.loss(z, tb) + self._penalty()
        loss.backward()
        self.optimizer.step()
        return 1

    def _penalty(self) -> torch.Tensor | float:
        cfg = self.config
        if cfg.regularization == "none" or cfg.reg_rate == 0.0:
            return 0.0
        weights = [lin.weight for lin in self.net.linears]
        if cfg.regularization == "l2":
            return 0.5 * cfg.reg_rate * sum((w * w).sum() for w in weights)
        return cfg.reg_rate * sum(w.abs().sum() for w in weights)

    def _mode(self, training: bool) -> None:
        """nn.Module.train()/eval() walk every submodule: only call them on a change."""
        if self.net.training != training:
            self.net.train(training)

    @torch.no_grad()
    def _loss(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        self._mode(training=False)
        return self.head.loss(self.net(x)[0], t)

    @torch.no_grad()
    def _losses(self) -> tuple[float, float]:
        """(train loss, test loss) with a single device sync."""
        pair = torch.stack(
            [self._loss(self._x_train, self._t_train), self._loss(self._x_test, self._t_test)]
        )
        train, test = pair.tolist()
        return train, test

    def _record(self, force: bool = False) -> bool:
        """Every `_check_every` epochs (or when forced): check for divergence and sample the
        loss history. Returns False once the run has diverged or stalled."""
        if self._checked_step == self.step_count or (not force and self.epoch % self._check_every):
            return self.halted is None  # nothing new (a re-check would count twice as stalled)
        self._checked_step = self.step_count
        self._mode(training=False)
        with torch.no_grad():
            z, hiddens = self.net(self._x_train)
            pair = torch.stack(
                [self.head.loss(z, self._t_train), self._loss(self._x_test, self._t_test)]
            )
        train, test = pair.tolist()  # one device sync
        reason = self.guard.check(train, self._blocked(z, hiddens))
        if reason is not None:
            self.halted = reason
            return False
        self.history.add(self.step_count, train_loss=train, test_loss=test)
        return True

    @torch.no_grad()
    def _blocked(self, z: torch.Tensor, hiddens: list[torch.Tensor]) -> str | None:
        """Where no gradient gets through on any training point, or None: the output (its
        gradient below 1e-4 on every point, e.g. a tanh output pinned at ±1), else the first
        hidden layer whose every unit has |f'| < 1e-3 (dead ReLUs, saturated tanh/sigmoid).
        Activations whose slope never vanishes (linear, leaky ReLU, the GELU family: see
        Activation.slope_vanishes) never block a layer; softplus is not checked, as its slope
        needs the pre-activations and only the outputs are kept here."""
        flags = [(self.head.grad(z, self._t_train).abs() < 1e-4).all()]
        act = get_activation(self.config.activation)
        if act.slope_vanishes and not act.needs_preactivation:
            flags += [
                (act.scale_grad_(torch.ones_like(a), a, a).abs() < 1e-3).all() for a in hiddens
            ]
        first = next((i for i, flag in enumerate(torch.stack(flags).tolist()) if flag), None)
        if first is None:
            return None
        return "the output unit" if first == 0 else f"every unit of hidden layer {first}"

    def _history_until_now(self, train: float, test: float) -> dict[str, np.ndarray]:
        """The sampled loss history, ending with the current step's losses."""
        steps = self.history.steps()
        train_h, test_h = self.history.series("train_loss"), self.history.series("test_loss")
        if len(steps) == 0 or steps[-1] != self.step_count:
            steps = _append(steps, self.step_count)
            train_h, test_h = _append(train_h, train), _append(test_h, test)
        return {"history_steps": steps, "history_train_loss": train_h,
                "history_test_loss": test_h}  # fmt: skip

    @torch.no_grad()
    def _build_snapshot(self) -> PlaygroundSnapshot:
        losses = self._losses()
        scores = read_scores(
            self.net, self.head, (self._x_train, self._t_train), (self._x_test, self._t_test)
        )
        labels = np.concatenate([self.train.y, self.test.y])
        plane = read_plane(self.net, self.head, self._plane, GRID, UNIT_STRIDE, labels)
        return PlaygroundSnapshot(
            step=self.step_count,
            halted=self.halted,
            epoch=self.epoch,
            kind=self.kind,
            n_classes=self.n_classes,
            train_loss=losses[0],
            test_loss=losses[1],
            **self._history_until_now(*losses),
            grid_x=self._axis,
            grid_y=self._axis,
            train_x=self.train.x,
            train_y=self.train.y,
            test_x=self.test.x,
            test_y=self.test.y,
            **scores,
            **plane,
        )


def _append(array: np.ndarray, value: float) -> np.ndarray:
    return np.append(array, np.asarray(value, dtype=array.dtype))


def _make_optimizer(net: PlaygroundNet, cfg: PlaygroundConfig) -> torch.optim.Optimizer:
    params = net.parameters()
    if cfg.optimizer == "adam":
        return torch.optim.Adam(params, lr=cfg.learning_rate)
    momentum = 0.9 if cfg.optimizer == "momentum" else 0.0
    return torch.optim.SGD(params, lr=cfg.learning_rate, momentum=momentum)
