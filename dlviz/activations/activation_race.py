"""The activation race, a live session: the same deep MLP, from the same seed and the same
initial weights, trained side by side with 2–4 activations on a real task (the 2-D spiral
or scikit-learn's digits), streaming loss curves, gradient norms by layer and dead units.

A RaceSession (dlviz.race): real optimizers from dlviz.optimizers, autograd, cross-entropy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from dlviz.activations.curves import param_label
from dlviz.activations.health import blocked_units
from dlviz.activations.registry import ACTIVATION_LABELS, ACTIVATIONS, get_activation
from dlviz.device import DEVICE
from dlviz.knobs import Config, as_field, knob
from dlviz.models import SIGMA, DeepStack, gradient_norms, init_knob, initialise
from dlviz.optimizers import OPTIMIZER_LABELS, OPTIMIZERS, build_optimizer
from dlviz.race import BATCH_SIZE, RaceSession, RaceSnapshot, race_seed, task_knob


@dataclass(frozen=True)
class ActivationRaceConfig(Config):
    """One race. `params` holds (activation, parameter, value) triples for α/β, each checked
    against that activation's own knobs."""

    activations: tuple[str, ...] = knob(
        ("sigmoid", "tanh", "relu"),
        "Activations (2–4)",
        options=tuple(ACTIVATIONS),
        labels=ACTIVATION_LABELS,
        count=(2, 4),
    )
    task: str = as_field(task_knob("digits"))
    depth: int = knob(6, "Hidden layers", low=1, high=12, step=1)
    width: int = knob(32, "Units per layer", low=8, high=128, options=(8, 16, 32, 64, 128))
    init: str = as_field(init_knob("default"))
    sigma: float = as_field(SIGMA)
    optimizer: str = knob("sgd", "Optimizer", options=tuple(OPTIMIZERS), labels=OPTIMIZER_LABELS)
    batch_size: int = as_field(BATCH_SIZE)
    seed: int = race_seed()
    learning_rate: float = knob(
        0.1,
        "Learning rate",
        low=1e-4,
        high=100.0,
        log=True,
        live=True,
        help="Of every contestant; may change mid-run.",
    )
    params: tuple[tuple[str, str, float], ...] = ()  # e.g. (("leaky_relu", "alpha", 0.1),)

    def _check(self) -> None:
        for name in self.activations:
            get_activation(name).check_params(self.params_for(name))

    def params_for(self, activation: str) -> dict[str, float]:
        """The α/β values set for one activation (defaults fill the rest later)."""
        return {p: v for a, p, v in self.params if a == activation}


@dataclass(frozen=True)
class ActivationRaceSnapshot(RaceSnapshot):
    """The activation race at one moment (RaceSnapshot's fields, and these). float32."""

    history_dead: np.ndarray  # (k, m) share of dead hidden units (mean over layers), a unit
    #                           being dead when |f'(z)| < 1e-3 on every training sample
    grad_norms: np.ndarray  # (k, depth + 1) ‖∂L/∂W‖ per layer on the training set
    dead: np.ndarray  # (k, depth) share of dead units per layer, as in history_dead


class ActivationRaceSession(RaceSession[ActivationRaceConfig, ActivationRaceSnapshot]):
    """Trains one copy of the network per activation, in lock-step on the same batches."""

    def _contestants(
        self, inputs: int, classes: int
    ) -> tuple[list[nn.Module], list[torch.optim.Optimizer]]:
        cfg = self.config
        gen = torch.Generator().manual_seed(cfg.seed)
        nets: list[DeepStack] = []
        for name in cfg.activations:
            net = DeepStack(inputs, cfg.width, cfg.depth, classes, name, cfg.params_for(name))
            if nets:
                net.load_state_dict(nets[0].state_dict())  # the very same start
            else:
                initialise(net, cfg.init, gen, cfg.sigma)
            nets.append(net.to(DEVICE))
        self.labels = tuple(param_label(a, n.params) for a, n in zip(cfg.activations, nets))
        rate = cfg.learning_rate
        return nets, [build_optimizer(cfg.optimizer, n.parameters(), rate) for n in nets]

    def _extra(self) -> tuple[str, ...]:
        return ("dead",)

    def _sample(self, i: int, net: nn.Module, aux: Any) -> dict[str, float]:
        """The share of dead hidden units (mean over layers)."""
        return {"dead": float(blocked_units(net, aux).mean())}

    def _apply_live(self) -> None:
        self.set_learning_rates([self.config.learning_rate] * len(self.nets))

    def _measure(self, net: DeepStack) -> tuple[float, np.ndarray, np.ndarray]:
        """One contestant now: train loss, grad norms, dead share per layer."""
        net.zero_grad(set_to_none=True)
        logits, pre = net(self.x_train)
        loss = F.cross_entropy(logits, self.y_train)
        loss.backward()
        norms = gradient_norms(net)
        net.zero_grad(set_to_none=True)
        dead = blocked_units(net, [z.detach() for z in pre])
        as_np = [t.detach().cpu().numpy().astype(np.float32) for t in (norms, dead)]
        return loss.item(), *as_np

    def _build_snapshot(self) -> ActivationRaceSnapshot:
        measured = [self._measure(net) for net in self.nets]
        losses = np.array([m[0] for m in measured], dtype=np.float32)
        return ActivationRaceSnapshot(
            **self.race_fields(self.config.activations, self.labels, losses),
            history_dead=self.history_of("dead"),
            grad_norms=np.stack([m[1] for m in measured]),
            dead=np.stack([m[2] for m in measured]),
        )
