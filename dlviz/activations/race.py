"""The activation race, a live session: the same deep MLP, from the same seed and the same
initial weights, trained side by side with 2–4 activations on a real task (the 2-D spiral
or scikit-learn's digits), streaming loss curves, gradient norms by layer and dead units.

Satisfies dlviz.live.Session. Real torch.optim optimizers, autograd, cross-entropy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from dlviz.activations.curves import param_label
from dlviz.activations.registry import get_activation
from dlviz.activations.stack import (
    DeepStack,
    blocked_units,
    check_init,
    gradient_norms,
    initialise,
)
from dlviz.device import DEVICE
from dlviz.live import Snapshot, check_learning_rate, live_field
from dlviz.race import CHUNK_STEPS, RACE_TASKS, TASK_SHAPES, Race, check_task, load_task

__all__ = ["CHUNK_STEPS", "RACE_TASKS", "ActivationRaceSession", "RaceConfig", "RaceSnapshot"]

RACE_OPTIMIZERS = ("sgd", "momentum", "adam")


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
        check_task(self.task)
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
        check_learning_rate(self.learning_rate)
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


class ActivationRaceSession(Race):
    """Trains one copy of the network per activation, in lock-step on the same batches."""

    def __init__(self, config: RaceConfig) -> None:
        self.config = cfg = config.validate()
        self.x_train, self.y_train, self.x_test, self.y_test = load_task(cfg.task, cfg.seed)
        n_in, n_out = TASK_SHAPES[cfg.task]
        gen = torch.Generator().manual_seed(cfg.seed)
        nets: list[DeepStack] = []
        for name in cfg.activations:
            net = DeepStack(n_in, cfg.width, cfg.depth, n_out, name, cfg.params_for(name))
            if nets:
                net.load_state_dict(nets[0].state_dict())  # the very same start
            else:
                initialise(net, cfg.init, cfg.sigma, gen)
            nets.append(net.to(DEVICE))
        self.labels = tuple(param_label(a, net.params) for a, net in zip(cfg.activations, nets))
        self._start(nets, [self._optimizer(net) for net in nets], extra=("dead",))

    def _optimizer(self, net: DeepStack) -> torch.optim.Optimizer:
        lr, name = self.config.learning_rate, self.config.optimizer
        if name == "adam":
            return torch.optim.Adam(net.parameters(), lr=lr)
        return torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9 if name == "momentum" else 0.0)

    def _sample(self, i: int, net: nn.Module, aux: Any) -> dict[str, float]:
        """The share of dead hidden units (mean over layers)."""
        return {"dead": float(blocked_units(net, aux).mean())}

    def retune(self, config: RaceConfig) -> None:
        """Apply a new learning rate to every contestant without resetting training."""
        check_learning_rate(config.learning_rate)
        self.config = config
        self.set_learning_rates([config.learning_rate] * len(self.nets))

    def _measure(self, net: DeepStack) -> tuple[float, np.ndarray, np.ndarray, float]:
        """One contestant now: train loss, grad norms, dead share per layer, test accuracy."""
        net.zero_grad(set_to_none=True)
        logits, pre = net(self.x_train)
        loss = F.cross_entropy(logits, self.y_train)
        loss.backward()
        norms = gradient_norms(net)
        net.zero_grad(set_to_none=True)
        dead = blocked_units(net, [z.detach() for z in pre])
        as_np = [t.detach().cpu().numpy().astype(np.float32) for t in (norms, dead)]
        return loss.item(), *as_np, self.test_accuracy(net)

    def _build_snapshot(self) -> RaceSnapshot:
        measured = [self._measure(net) for net in self.nets]
        loss = np.array([m[0] for m in measured], dtype=np.float32)
        return RaceSnapshot(
            step=self.step_count,
            halted=self.halted,
            names=self.config.activations,
            labels=self.labels,
            history_steps=self.history.steps(),
            history_loss=self.history_of("loss"),
            history_dead=self.history_of("dead"),
            train_loss=loss,
            test_accuracy=np.array([m[3] for m in measured], dtype=np.float32),
            grad_norms=np.stack([m[1] for m in measured]),
            dead=np.stack([m[2] for m in measured]),
            out=tuple(self.out),
            leader=self.leader(loss),
        )
