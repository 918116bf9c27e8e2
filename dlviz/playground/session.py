"""PlaygroundSession: trains a PlaygroundNet live on a 2-D dataset and snapshots what it
has learned (decision plane, hidden-unit maps, losses, accuracy, confusion matrix).

A LiveSession. Plain SGD without dropout/batch norm runs through the fused step (fused.py);
everything else through autograd and an optimizer from dlviz.optimizers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from dlviz.activations import get_activation
from dlviz.data import EXTENT, make_dataset, split
from dlviz.device import DEVICE
from dlviz.live import Evaluation, LiveSession, Snapshot, history_until_now
from dlviz.models import initialise
from dlviz.optimizers import build_optimizer, set_learning_rate
from dlviz.playground.config import PlaygroundConfig
from dlviz.playground.fused import FusedSGD
from dlviz.playground.heads import make_head
from dlviz.playground.model import PlaygroundNet, feature_matrix
from dlviz.playground.readout import read_plane, read_scores

CHECK_EVERY_STEPS = 200  # divergence check + loss-history sample about this often (whole epochs)
GRID = 61  # decision-plane resolution (points per axis, spacing 0.2 on [−6, 6])
UNIT_STRIDE = 3  # hidden-unit maps use every 3rd grid point: 21 × 21


def check_every(cfg: PlaygroundConfig, n_train: int) -> int:
    """Steps between a session's checks: whole epochs of `n_train` points, about
    CHECK_EVERY_STEPS."""
    whole, left = divmod(n_train, cfg.batch_size)
    # a leftover point is a step of its own, but batch norm skips a batch of one
    steps_per_epoch = whole + (left > (1 if cfg.batch_norm else 0))
    return steps_per_epoch * max(1, round(CHECK_EVERY_STEPS / steps_per_epoch))


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


class PlaygroundSession(LiveSession[PlaygroundConfig, PlaygroundSnapshot]):
    """One learner's Playground run (see PlaygroundConfig for the knobs). A chunk is one
    epoch; a check comes about every CHECK_EVERY_STEPS steps (whole epochs)."""

    shared_attrs = ("train", "test", "_axis", "_plane", "_x_train", "_x_test", "_t_train",
                    "_t_test", "_x_fit")  # fmt: skip

    history_points = 2000

    def _setup(self) -> None:
        cfg = self.config
        self.epoch = 0
        self._cpu_gen = torch.Generator().manual_seed(cfg.seed)
        self._gen = torch.Generator(device=DEVICE).manual_seed(cfg.seed)
        self._load_data()
        self.head = make_head(self.kind, cfg.loss, self.n_classes)
        self._t_train = self.head.target(self.train.y, DEVICE)  # (n, n_out)
        self._t_test = self.head.target(self.test.y, DEVICE)
        self.net = PlaygroundNet(len(cfg.features), cfg.hidden, self.head.n_out, cfg.activation,
                                 cfg.dropout, cfg.batch_norm, self._gen)  # fmt: skip
        initialise(self.net, cfg.init, self._cpu_gen, cfg.sigma)
        self.net.to(DEVICE)
        self.fused = FusedSGD(self.net, cfg.activation, self.head) if cfg.fused else None
        # the fused step takes inputs with a trailing ones column (its bias trick)
        self._x_fit = FusedSGD.augment(self._x_train) if self.fused else self._x_train
        self.optimizer = None
        if self.fused is None:
            self.optimizer = build_optimizer(
                cfg.optimizer, self.net.parameters(), cfg.learning_rate
            )
        self.check_every = check_every(cfg, len(self.train.y))
        self._apply_live()

    def _series(self) -> tuple[str, ...]:
        return ("train_loss", "test_loss")

    def chunk_words(self) -> str:
        return "one epoch (a pass over the training points)"

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

    def _apply_live(self) -> None:
        """The learning rate and the regularization, without resetting training."""
        cfg = self.config
        if self.fused is not None:
            self.fused.learning_rate = cfg.learning_rate
            self.fused.regularization = cfg.regularization
            self.fused.reg_rate = cfg.reg_rate
        else:
            set_learning_rate(self.optimizer, cfg.learning_rate)

    def _chunk(self) -> None:
        """One pass over the shuffled training set."""
        x, t = self._x_fit, self._t_train
        size = self.config.batch_size
        perm = torch.randperm(len(x), generator=self._gen, device=DEVICE)
        batches = zip(x[perm].split(size), t[perm].split(size))
        if self.fused is not None:
            self.step_count += self.fused.run(batches)
        else:
            self._mode(training=True)
            for xb, tb in batches:
                self.step_count += self._autograd_step(xb, tb)
        self.epoch += 1

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
    def _evaluate(self) -> Evaluation:
        """Train and test loss (one device sync) and what, if anything, blocks the gradient."""
        self._mode(training=False)
        z, hiddens = self.net(self._x_train)
        test = self.head.loss(self.net(self._x_test)[0], self._t_test)
        train, test = torch.stack([self.head.loss(z, self._t_train), test]).tolist()
        values = {"train_loss": train, "test_loss": test}
        return Evaluation((train,), values, (self._blocked(z, hiddens),))

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

    @torch.no_grad()
    def _build_snapshot(self) -> PlaygroundSnapshot:
        now = self.latest.values if self._checked_at == self.step_count else None
        losses = now or self._evaluate().values
        steps, series = history_until_now(self.history, self.step_count, losses)
        train, test = (self._x_train, self._t_train), (self._x_test, self._t_test)
        scores = read_scores(self.net, self.head, train, test)
        labels = np.concatenate([self.train.y, self.test.y])
        plane = read_plane(self.net, self.head, self._plane, GRID, UNIT_STRIDE, labels)
        return PlaygroundSnapshot(
            step=self.step_count, halted=self.halted, epoch=self.epoch, kind=self.kind,
            n_classes=self.n_classes, train_loss=losses["train_loss"],
            test_loss=losses["test_loss"], history_steps=steps,
            history_train_loss=series["train_loss"], history_test_loss=series["test_loss"],
            grid_x=self._axis, grid_y=self._axis, train_x=self.train.x, train_y=self.train.y,
            test_x=self.test.x, test_y=self.test.y, **scores, **plane,
        )  # fmt: skip
