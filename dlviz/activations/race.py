"""The activation race, a live session: the same deep MLP, from the same seed and the same
initial weights, trained side by side with 2–4 activations on a real task (the 2-D spiral
or scikit-learn's digits), streaming loss curves, gradient norms by layer and dead units.

Satisfies dlviz.live.Session. Real torch.optim optimizers, autograd, cross-entropy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from dlviz.activations.curves import param_label
from dlviz.activations.registry import get_activation
from dlviz.activations.stack import (
    DeepStack,
    blocked_units,
    check_init,
    gradient_norms,
    initialise,
)
from dlviz.data import EXTENT, make_dataset, make_digits
from dlviz.device import DEVICE
from dlviz.live import CachedSnapshots, DivergenceGuard, History, Snapshot, live_field, train_for

RACE_TASKS: dict[str, str] = {
    "spiral": "two interleaved spirals: 2 inputs, 2 classes, 600 points",
    "digits": "scikit-learn's 8×8 handwritten digits: 64 inputs, 10 classes, 1797 images",
}
RACE_OPTIMIZERS = ("sgd", "momentum", "adam")
CHUNK_STEPS = 25  # optimisation steps between loss checks / history samples
TRAIN_FRACTION = 0.7


@dataclass(frozen=True)
class RaceConfig:
    """One race. `params` holds (activation, parameter, value) triples for α/β."""

    activations: tuple[str, ...] = ("sigmoid", "tanh", "relu")  # 2–4 distinct names
    task: str = "digits"  # a name in RACE_TASKS
    depth: int = 6  # hidden layers, 1–12
    width: int = 32  # units per hidden layer, 4–128
    init: str = "default"  # a name in dlviz.activations.stack.INITS
    sigma: float = 1.0  # standard deviation for init="normal"
    optimizer: str = "sgd"  # "sgd", "momentum" (0.9) or "adam" (torch.optim)
    batch_size: int = 32  # samples per step, 1–512
    seed: int = 0  # seeds data split, initial weights (shared by all) and batch order
    params: tuple[tuple[str, str, float], ...] = ()  # e.g. (("leaky_relu", "alpha", 0.1),)
    learning_rate: float = live_field(0.1, "step size of every contestant; may change mid-run")

    def params_for(self, activation: str) -> dict[str, float]:
        """The α/β values set for one activation (defaults fill the rest later)."""
        return {p: v for a, p, v in self.params if a == activation}

    def validate(self) -> RaceConfig:
        """Raise ValueError with a learner-readable message for any bad field."""
        if not 2 <= len(self.activations) <= 4 or len(set(self.activations)) != len(
            self.activations
        ):
            raise ValueError("pick 2 to 4 different activations to race")
        for name in self.activations:
            get_activation(name).check_params(self.params_for(name))
        if self.task not in RACE_TASKS:
            raise ValueError(f"unknown task {self.task!r}; choose one of {', '.join(RACE_TASKS)}")
        if self.optimizer not in RACE_OPTIMIZERS:
            raise ValueError(
                f"unknown optimizer {self.optimizer!r}; choose one of {', '.join(RACE_OPTIMIZERS)}"
            )
        check_init(self.init, self.sigma)
        for name, value, low, high in (
            ("depth", self.depth, 1, 12), ("width", self.width, 4, 128),
            ("batch size", self.batch_size, 1, 512),
        ):  # fmt: skip
            if not (isinstance(value, int) and low <= value <= high):
                raise ValueError(f"{name} must be a whole number from {low} to {high}")
        _check_learning_rate(self.learning_rate)
        return self


@dataclass(frozen=True)
class RaceSnapshot(Snapshot):
    """The race at one moment, contestant k in row k. float32 unless noted."""

    names: tuple[str, ...]  # activation names, in race order
    labels: tuple[str, ...]  # human names, e.g. "Leaky ReLU (α=0.1)"
    history_steps: np.ndarray  # int64 (m,)
    history_loss: np.ndarray  # (k, m) cross-entropy on the whole training set
    history_dead: np.ndarray  # (k, m) share of dead hidden units (mean over layers), a unit
    #                           being dead when |f'(z)| < 1e-3 on every training sample
    train_loss: np.ndarray  # (k,) now
    test_accuracy: np.ndarray  # (k,) share of test samples classified right
    grad_norms: np.ndarray  # (k, depth + 1) ‖∂L/∂W‖ per layer on the training set
    dead: np.ndarray  # (k, depth) share of dead units per layer, as in history_dead
    out: tuple[str | None, ...]  # why a contestant stopped (diverged), None if running
    leader: int | None  # the running contestant with the lowest training loss


def _check_learning_rate(lr: float) -> None:
    if not (isinstance(lr, float | int) and math.isfinite(lr) and 0 < lr <= 1e6):
        raise ValueError(f"learning rate must be a positive number up to 1e6, got {lr}")


def _load(task: str, seed: int) -> tuple[torch.Tensor, ...]:
    """(x_train, y_train, x_test, y_test) on DEVICE; inputs float32, labels int64."""
    if task == "spiral":
        data = make_dataset("spiral", n=600, seed=seed)
        x, y = data.x / EXTENT, (data.y > 0).astype(np.int64)  # inputs in [−1, 1]
    else:
        x, y = make_digits()
    order = np.random.default_rng(seed + 1).permutation(len(y))
    cut = round(TRAIN_FRACTION * len(y))
    parts = (x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]])
    return tuple(torch.from_numpy(np.ascontiguousarray(p)).to(DEVICE) for p in parts)


class ActivationRaceSession(CachedSnapshots):
    """Trains one copy of the network per activation, in lock-step on the same batches."""

    def __init__(self, config: RaceConfig) -> None:
        self.config = config.validate()
        self.step_count = 0
        self.halted: str | None = None
        cfg = config
        self.x_train, self.y_train, self.x_test, self.y_test = _load(cfg.task, cfg.seed)
        n_in, n_out = self.x_train.shape[1], 2 if cfg.task == "spiral" else 10
        gen = torch.Generator().manual_seed(cfg.seed)
        self.nets: list[DeepStack] = []
        for name in cfg.activations:
            net = DeepStack(n_in, cfg.width, cfg.depth, n_out, name, cfg.params_for(name))
            if self.nets:
                net.load_state_dict(self.nets[0].state_dict())  # the very same start
            else:
                initialise(net, cfg.init, cfg.sigma, gen)
            self.nets.append(net.to(DEVICE))
        pairs = zip(cfg.activations, self.nets)
        self.labels = tuple(param_label(a, net.params) for a, net in pairs)
        self.optimizers = [self._optimizer(net) for net in self.nets]
        self.guards = [DivergenceGuard() for _ in self.nets]
        self.out: list[str | None] = [None] * len(self.nets)
        self._order_gen = torch.Generator().manual_seed(cfg.seed + 2)
        self._order = torch.empty(0, dtype=torch.int64)
        series = [f"{kind}_{i}" for i in range(len(self.nets)) for kind in ("loss", "dead")]
        self.history = History(tuple(series), max_points=1000)
        self._cached: RaceSnapshot | None = None
        self._evaluate(force=True)

    def _optimizer(self, net: DeepStack) -> torch.optim.Optimizer:
        lr, name = self.config.learning_rate, self.config.optimizer
        if name == "adam":
            return torch.optim.Adam(net.parameters(), lr=lr)
        return torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9 if name == "momentum" else 0.0)

    def retune(self, config: RaceConfig) -> None:
        """Apply a new learning rate to every contestant without resetting training."""
        _check_learning_rate(config.learning_rate)
        self.config = config
        for opt in self.optimizers:
            for group in opt.param_groups:
                group["lr"] = config.learning_rate

    def _next_batch(self) -> torch.Tensor:
        """Indices of the next mini-batch: shuffled epochs, shared by every contestant."""
        size = min(self.config.batch_size, len(self.y_train))
        if len(self._order) < size:
            fresh = torch.randperm(len(self.y_train), generator=self._order_gen)
            self._order = torch.cat([self._order, fresh])
        batch, self._order = self._order[:size], self._order[size:]
        return batch.to(DEVICE)

    def _chunk(self) -> bool:
        """CHUNK_STEPS steps of every contestant still running; False once all are out."""
        for _ in range(CHUNK_STEPS):
            idx = self._next_batch()
            xb, yb = self.x_train[idx], self.y_train[idx]
            for net, opt, out in zip(self.nets, self.optimizers, self.out):
                if out is None:
                    opt.zero_grad(set_to_none=True)
                    logits, _ = net(xb)
                    F.cross_entropy(logits, yb).backward()
                    opt.step()
            self.step_count += 1
        self._evaluate()
        return self.halted is None

    @torch.no_grad()
    def _evaluate(self, force: bool = False) -> None:
        """Whole-training-set loss of each contestant: divergence check, history sample."""
        losses, dead = [], []
        for i, net in enumerate(self.nets):
            logits, pre = net(self.x_train)
            loss = float(F.cross_entropy(logits, self.y_train))
            if self.out[i] is None and (reason := self.guards[i].check(loss)):
                self.out[i] = f"stopped at step {self.step_count:,}: {reason}"
            losses.append(loss)
            dead.append(float(blocked_units(net, pre).mean()))
        if all(self.out):
            self.halted = "Every network in the race diverged."
        if force or self.history.wants(self.step_count):
            values = {f"loss_{i}": v for i, v in enumerate(losses)}
            self.history.add(
                self.step_count, **values, **{f"dead_{i}": v for i, v in enumerate(dead)}
            )

    def train_steps(self, steps: int) -> None:
        """Train exactly `steps` more steps (rounded up to whole chunks of CHUNK_STEPS)
        unless halted, without a snapshot: deterministic, for tests and benchmarks."""
        target = self.step_count + steps
        while self.step_count < target and self._chunk():
            pass

    def step(self, budget_s: float) -> RaceSnapshot:
        """Train every running contestant for about `budget_s` seconds in all (at least
        CHUNK_STEPS steps unless halted), then snapshot."""
        if self.halted is None:
            train_for(budget_s, self._chunk)
        return self.snapshot()

    def _measure(self, net: DeepStack) -> tuple[float, np.ndarray, np.ndarray, float]:
        """One contestant now: train loss, grad norms, dead share per layer, test accuracy."""
        net.zero_grad(set_to_none=True)
        logits, pre = net(self.x_train)
        loss = F.cross_entropy(logits, self.y_train)
        loss.backward()
        norms = gradient_norms(net)
        net.zero_grad(set_to_none=True)
        dead = blocked_units(net, [z.detach() for z in pre])
        with torch.no_grad():
            test_logits, _ = net(self.x_test)
            accuracy = (test_logits.argmax(1) == self.y_test).float().mean()
        as_np = [t.detach().cpu().numpy().astype(np.float32) for t in (norms, dead)]
        return loss.item(), *as_np, accuracy.item()

    def _build_snapshot(self) -> RaceSnapshot:
        measured = [self._measure(net) for net in self.nets]
        loss = np.array([m[0] for m in measured], dtype=np.float32)
        k = len(self.nets)
        running = [i for i in range(k) if self.out[i] is None and math.isfinite(loss[i])]
        return RaceSnapshot(
            step=self.step_count,
            halted=self.halted,
            names=self.config.activations,
            labels=self.labels,
            history_steps=self.history.steps(),
            history_loss=np.stack([self.history.series(f"loss_{i}") for i in range(k)]),
            history_dead=np.stack([self.history.series(f"dead_{i}") for i in range(k)]),
            train_loss=loss,
            test_accuracy=np.array([m[3] for m in measured], dtype=np.float32),
            grad_norms=np.stack([m[1] for m in measured]),
            dead=np.stack([m[2] for m in measured]),
            out=tuple(self.out),
            leader=min(running, key=lambda i: loss[i]) if running and self.step_count else None,
        )
