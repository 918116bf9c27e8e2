"""The optimizer race, a live session: one MLP, copied from the same initial weights, trained
side by side by 2–4 optimizers from dlviz.optimizers on the same mini-batches of the
Playground's spiral (or digits), streaming loss curves; and, when asked (a live knob), a 2-D
slice of the real loss landscape around the leader's weights (landscape.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from dlviz.descent.landscape import DIRECTIONS, LandscapeSlice, flat_weights, landscape_slice
from dlviz.device import DEVICE
from dlviz.knobs import Config, as_field, knob
from dlviz.models import DeepStack, initialise
from dlviz.optimizers import OPTIMIZER_LABELS, OPTIMIZERS, build_optimizer, rate_label
from dlviz.race import BATCH_SIZE, RaceSession, RaceSnapshot, race_seed, task_knob

PATH_POINTS = 128  # recorded weight vectors per contestant, for projecting paths
LANDSCAPES = {"off": "No slice", "random": "Random directions", "pca": "Where the paths go"}


@dataclass(frozen=True)
class OptimizerRaceConfig(Config):
    """One race: optimizer i trains with learning_rates[i] (its other hyperparameters are
    the registry defaults)."""

    optimizers: tuple[str, ...] = knob(
        ("sgd", "momentum", "adam"),
        "Optimizers (2–4)",
        options=tuple(OPTIMIZERS),
        count=(2, 4),
        labels=OPTIMIZER_LABELS,
    )
    task: str = as_field(task_knob("spiral"))
    depth: int = knob(2, "Hidden layers", low=1, high=6, step=1)
    width: int = knob(32, "Units per layer (tanh)", low=8, high=64, options=(8, 16, 32, 64))
    batch_size: int = as_field(BATCH_SIZE)
    seed: int = race_seed()
    learning_rates: tuple[float, ...] = knob(
        (0.3, 0.1, 0.01),
        "learning rate η",
        low=1e-5,
        high=100.0,
        log=True,
        count=(2, 4),
        live=True,
        help="One per optimizer; may change mid-run.",
    )
    landscape: str = knob(
        "off",
        "Loss landscape slice",
        options=tuple(LANDSCAPES),
        labels=LANDSCAPES,
        live=True,
        widget="radio",
        help="A slice of the real loss around the leader's weights, along "
        + "; or along ".join(DIRECTIONS.values())
        + ".",
    )

    def _check(self) -> None:
        if len(self.learning_rates) != len(self.optimizers):
            raise ValueError("give one learning rate per optimizer")


@dataclass(frozen=True)
class OptimizerRaceSnapshot(RaceSnapshot):
    """The optimizer race at one moment (RaceSnapshot's fields, and these)."""

    n_weights: int  # weights and biases of one contestant's network
    landscape: LandscapeSlice | None  # the slice the config asks for, None when "off"


class OptimizerRaceSession(RaceSession[OptimizerRaceConfig, OptimizerRaceSnapshot]):
    """Trains one copy of the network per optimizer, in lock-step on the same batches, and
    keeps recorded weight vectors of each for the landscape slice."""

    def _contestants(
        self, inputs: int, classes: int
    ) -> tuple[list[nn.Module], list[torch.optim.Optimizer]]:
        cfg = self.config
        first = DeepStack(inputs, cfg.width, cfg.depth, classes, "tanh")
        initialise(first, "xavier", torch.Generator().manual_seed(cfg.seed))
        nets = [first.to(DEVICE)]
        for _ in cfg.optimizers[1:]:
            net = DeepStack(inputs, cfg.width, cfg.depth, classes, "tanh").to(DEVICE)
            net.load_state_dict(first.state_dict())  # the very same start
            nets.append(net)
        self.paths: list[list[np.ndarray]] = [[] for _ in nets]
        opts = [
            build_optimizer(name, net.parameters(), lr)
            for name, net, lr in zip(cfg.optimizers, nets, cfg.learning_rates)
        ]
        return nets, opts

    @property
    def n_weights(self) -> int:
        """Weights and biases of one contestant's network."""
        return sum(p.numel() for p in self.nets[0].parameters())

    def _apply_live(self) -> None:
        self.set_learning_rates(list(self.config.learning_rates))

    def _sample(self, i: int, net: nn.Module, aux: Any) -> dict[str, float]:
        """Record the weights of a running contestant (for projecting its path). At most
        PATH_POINTS are kept: when full, every other one is dropped, so older stretches of
        the path grow sparser (≤ 128 × 25,610 float32 ≈ 13 MB a net at the largest size)."""
        if self.out[i] is None:
            self.paths[i].append(flat_weights(net).float().cpu().numpy())
            if len(self.paths[i]) >= PATH_POINTS:
                self.paths[i] = self.paths[i][::2]
        return {}

    @property
    def labels(self) -> tuple[str, ...]:
        """One label per contestant with its current learning rate."""
        cfg = self.config
        return tuple(rate_label(n, lr) for n, lr in zip(cfg.optimizers, cfg.learning_rates))

    @torch.no_grad()
    def _build_snapshot(self) -> OptimizerRaceSnapshot:
        losses = [float(F.cross_entropy(net(self.x_train)[0], self.y_train)) for net in self.nets]
        fields = self.race_fields(self.config.optimizers, self.labels, np.array(losses))
        return OptimizerRaceSnapshot(
            **fields, n_weights=self.n_weights, landscape=self._landscape(fields["leader"])
        )

    def _landscape(self, leader: int | None) -> LandscapeSlice | None:
        """The slice the config asks for (21 × 21, or 15 × 15 above 5,000 weights), through
        the leader's weights; a stopped contestant's path is left out (it ran off the map)."""
        directions = self.config.landscape
        if directions == "off":
            return None
        kept = [p if out is None else [] for p, out in zip(self.paths, self.out)]
        n = 21 if self.n_weights <= 5000 else 15
        centre = 0 if leader is None else leader
        return landscape_slice(self.nets, kept, centre, self.x_train, self.y_train,
                               directions, n, self.config.seed + 3)  # fmt: skip
