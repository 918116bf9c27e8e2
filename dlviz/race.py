"""Side-by-side training, shared by the activation race and the optimizer race: k networks
on one task (the 2-D spiral or scikit-learn's digits), fed the same mini-batches in
lock-step, each watched by its own divergence guard, with their whole-training-set losses
sampled into a bounded History. Subclasses build the nets and optimizers and may sample
more series per net; this module builds no network itself.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlviz.data import EXTENT, make_dataset, make_digits
from dlviz.device import DEVICE
from dlviz.live import ChunkedTraining, DivergenceGuard, History

RACE_TASKS: dict[str, str] = {
    "spiral": "two interleaved spirals: 2 inputs, 2 classes, 600 points",
    "digits": "scikit-learn's 8×8 handwritten digits: 64 inputs, 10 classes, 1797 images",
}
TASK_SHAPES = {"spiral": (2, 2), "digits": (64, 10)}  # (inputs, classes)
CHUNK_STEPS = 25  # optimisation steps between loss checks / history samples
TRAIN_FRACTION = 0.7
SPIRAL_REACH = 3.0  # spiral inputs span [−3, 3]


def check_task(task: str) -> None:
    """ValueError listing RACE_TASKS unless `task` is one of them."""
    if task not in RACE_TASKS:
        raise ValueError(f"unknown task {task!r}; choose one of {', '.join(RACE_TASKS)}")


def load_task(task: str, seed: int) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """(x_train, y_train, x_test, y_test) on DEVICE, split by `seed`; inputs float32
    (spiral coordinates halved, into [−3, 3]: inputs scaled to [−1, 1] left a small tanh
    net stuck at chance for thousands of steps), labels int64."""
    check_task(task)
    if task == "spiral":
        data = make_dataset("spiral", n=600, seed=seed)
        x, y = data.x * (SPIRAL_REACH / EXTENT), (data.y > 0).astype(np.int64)
    else:
        x, y = make_digits()
    order = np.random.default_rng(seed + 1).permutation(len(y))
    cut = round(TRAIN_FRACTION * len(y))
    parts = (x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]])
    x_tr, y_tr, x_te, y_te = (torch.from_numpy(np.ascontiguousarray(p)).to(DEVICE) for p in parts)
    return x_tr, y_tr, x_te, y_te


class Race(ChunkedTraining):
    """The lock-step training loop. A subclass's __init__ sets `config` (with `task`,
    `seed`, `batch_size`), then calls `_start(nets, optimizers, extra)`; nets map a batch
    (B, inputs) to (logits (B, classes), anything). `_sample` may add per-net series named
    in `extra` (history keys `{name}_{i}`)."""

    config: Any

    def _start(self, nets: list[nn.Module], optimizers: list[torch.optim.Optimizer],
               extra: tuple[str, ...] = ()) -> None:  # fmt: skip
        cfg = self.config
        self.step_count = 0
        self.halted: str | None = None
        self.nets, self.optimizers = nets, optimizers
        self.guards = [DivergenceGuard() for _ in nets]
        self.out: list[str | None] = [None] * len(nets)
        self._order_gen = torch.Generator().manual_seed(cfg.seed + 2)
        self._order = torch.empty(0, dtype=torch.int64)
        self._series = ("loss", *extra)
        names = tuple(f"{kind}_{i}" for i in range(len(nets)) for kind in self._series)
        self.history = History(names, max_points=1000)
        self._cached = None
        self._evaluate(force=True)

    def _sample(self, i: int, net: nn.Module, aux: Any) -> dict[str, float]:
        """Extra per-net values to record at a history sample (default: none)."""
        return {}

    def set_learning_rates(self, rates: list[float]) -> None:
        """Give contestant i learning rate rates[i] from its next step on."""
        for opt, lr in zip(self.optimizers, rates, strict=True):
            for group in opt.param_groups:
                group["lr"] = lr

    def _next_batch(self) -> Tensor:
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
        record = force or self.history.wants(self.step_count)
        values: dict[str, float] = {}
        for i, net in enumerate(self.nets):
            logits, aux = net(self.x_train)
            loss = float(F.cross_entropy(logits, self.y_train))
            if self.out[i] is None and (reason := self.guards[i].check(loss)):
                self.out[i] = f"stopped at step {self.step_count:,}: {reason}"
            values[f"loss_{i}"] = loss
            if record:
                values |= {f"{k}_{i}": v for k, v in self._sample(i, net, aux).items()}
        if all(self.out):
            self.halted = "Every network in the race diverged."
        if record:
            self.history.add(self.step_count, **values)

    def history_of(self, kind: str) -> np.ndarray:
        """One recorded series for every contestant, float32 (k, m)."""
        return np.stack([self.history.series(f"{kind}_{i}") for i in range(len(self.nets))])

    @torch.no_grad()
    def test_accuracy(self, net: nn.Module) -> float:
        """Share of test samples `net` classifies right."""
        logits, _ = net(self.x_test)
        return float((logits.argmax(1) == self.y_test).float().mean())

    def leader(self, losses: np.ndarray) -> int | None:
        """The running contestant with the lowest loss, None before the first step."""
        running = [
            i for i, loss in enumerate(losses) if self.out[i] is None and math.isfinite(loss)
        ]
        return min(running, key=lambda i: losses[i]) if running and self.step_count else None
