"""Networks trained side by side, the base of every race and comparison: k networks on one
classification task (the 2-D spiral or scikit-learn's digits), fed the same mini-batches in
lock-step, each judged by its own divergence guard, their whole-training-set losses sampled
into one bounded History. A subclass builds the nets and optimizers and may record more
series per net; this module builds no network itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlviz.data import CLASSIFICATION_TASKS, load_classification
from dlviz.device import DEVICE
from dlviz.knobs import Config, Knob, seed_knob
from dlviz.live import Evaluation, LiveSession, Snapshot
from dlviz.optimizers import set_learning_rate

RACE_CHUNK_STEPS = 25  # optimisation steps between checks (loss, guards, history sample)
ALL_DIVERGED = "Every network in the race diverged."


def task_knob(default: str) -> Knob:
    """The knob of a race's task (CLASSIFICATION_TASKS)."""
    about = " · ".join(f"{t.label}: {t.about}" for t in CLASSIFICATION_TASKS.values())
    labels = {k: t.label for k, t in CLASSIFICATION_TASKS.items()}
    return Knob(default, "Task", options=tuple(CLASSIFICATION_TASKS), labels=labels,
                widget="segmented", help=about)  # fmt: skip


BATCH_SIZE = Knob(
    32,
    "Batch size",
    low=1,
    high=512,
    step=1,
    options=(1, 4, 8, 16, 32, 64, 128, 256, 512),
    help="Samples per step; every contestant gets the same ones.",
)


def race_seed() -> Any:
    """The seed field of a race config."""
    return seed_knob("the split, the shared initial weights and the batch order")


@dataclass(frozen=True)
class RaceSnapshot(Snapshot):
    """What every race shows, contestant k in row k. float32 unless noted."""

    names: tuple[str, ...]  # registry names, in race order
    labels: tuple[str, ...]  # human names, e.g. "Leaky ReLU (α=0.1)" or "Adam · η=0.01"
    history_steps: np.ndarray  # int64 (m,)
    history_loss: np.ndarray  # (k, m) cross-entropy on the whole training set
    train_loss: np.ndarray  # (k,) now
    test_accuracy: np.ndarray  # (k,) share of test samples classified right
    out: tuple[str | None, ...]  # why a contestant stopped ("stopped at step n: …"), or None
    leader: int | None  # the running contestant with the lowest training loss


RaceConfigT = TypeVar("RaceConfigT", bound=Config)
RaceSnapshotT = TypeVar("RaceSnapshotT", bound=RaceSnapshot)


class RaceSession(LiveSession[RaceConfigT, RaceSnapshotT]):
    """The lock-step training loop. The config has `task`, `seed` and `batch_size`; a
    subclass writes `_contestants` (nets mapping a batch (B, inputs) to (logits
    (B, classes), anything), and their optimizers), `_build_snapshot` (with `race_fields`)
    and optionally `_extra` series with `_sample`."""

    check_every = RACE_CHUNK_STEPS

    def _setup(self) -> None:
        cfg: Any = self.config
        arrays = load_classification(cfg.task, cfg.seed)
        self.x_train, self.y_train, self.x_test, self.y_test = (
            torch.from_numpy(a).to(DEVICE) for a in arrays
        )
        task = CLASSIFICATION_TASKS[cfg.task]
        self.nets, self.optimizers = self._contestants(task.inputs, task.classes)
        self._order_gen = torch.Generator().manual_seed(cfg.seed + 2)
        self._order = torch.empty(0, dtype=torch.int64)

    def _contestants(
        self, inputs: int, classes: int
    ) -> tuple[list[nn.Module], list[torch.optim.Optimizer]]:
        """The nets (all starting from the same weights) and their optimizers."""
        raise NotImplementedError

    def _extra(self) -> tuple[str, ...]:
        """Names of further per-net series that `_sample` records (default: none)."""
        return ()

    def _sample(self, i: int, net: nn.Module, aux: Any) -> dict[str, float]:
        """Extra per-net values to record at a history sample (default: none)."""
        return {}

    def _series(self) -> tuple[str, ...]:
        kinds = ("loss", *self._extra())
        return tuple(f"{kind}_{i}" for i in range(len(self.nets)) for kind in kinds)

    def _watched(self) -> int:
        return len(self.nets)

    def _halt_reason(self) -> str | None:
        return ALL_DIVERGED if all(self.out) else None

    def chunk_words(self) -> str:
        return f"{RACE_CHUNK_STEPS} steps of every network"

    def set_learning_rates(self, rates: list[float]) -> None:
        """Give contestant i learning rate rates[i] from its next step on."""
        for opt, lr in zip(self.optimizers, rates, strict=True):
            set_learning_rate(opt, lr)

    def _next_batch(self) -> Tensor:
        """Indices of the next mini-batch: shuffled epochs, shared by every contestant."""
        size = min(self.config.batch_size, len(self.y_train))
        if len(self._order) < size:
            fresh = torch.randperm(len(self.y_train), generator=self._order_gen)
            self._order = torch.cat([self._order, fresh])
        batch, self._order = self._order[:size], self._order[size:]
        return batch.to(DEVICE)

    def _chunk(self) -> None:
        """RACE_CHUNK_STEPS steps of every contestant still running."""
        for _ in range(RACE_CHUNK_STEPS):
            idx = self._next_batch()
            xb, yb = self.x_train[idx], self.y_train[idx]
            for net, opt, out in zip(self.nets, self.optimizers, self.out):
                if out is None:
                    opt.zero_grad(set_to_none=True)
                    logits, _ = net(xb)
                    F.cross_entropy(logits, yb).backward()
                    opt.step()
            self.step_count += 1

    @torch.no_grad()
    def _evaluate(self) -> Evaluation:
        """Whole-training-set loss of each contestant, plus the extra series when the
        history will record this check."""
        record = self.history.wants(self.step_count)
        values: dict[str, float] = {}
        losses = []
        for i, net in enumerate(self.nets):
            logits, aux = net(self.x_train)
            losses.append(float(F.cross_entropy(logits, self.y_train)))
            values[f"loss_{i}"] = losses[-1]
            if record:
                values |= {f"{k}_{i}": v for k, v in self._sample(i, net, aux).items()}
        return Evaluation(tuple(losses), values)

    def history_of(self, kind: str) -> np.ndarray:
        """One recorded series for every contestant, float32 (k, m)."""
        return np.stack([self.history.series(f"{kind}_{i}") for i in range(len(self.nets))])

    @torch.no_grad()
    def test_accuracy(self, net: nn.Module) -> float:
        """Share of test samples `net` classifies right."""
        logits, _ = net(self.x_test)
        return float((logits.argmax(1) == self.y_test).float().mean())

    def race_fields(self, names: tuple[str, ...], labels: tuple[str, ...],
                    losses: np.ndarray) -> dict[str, Any]:  # fmt: skip
        """The RaceSnapshot fields, given each contestant's training loss now (k,)."""
        running = [i for i, loss in enumerate(losses)
                   if self.out[i] is None and math.isfinite(loss)]  # fmt: skip
        leader = min(running, key=lambda i: losses[i]) if running and self.step_count else None
        out = tuple(
            None if why is None else f"stopped at step {at:,}: {why}"
            for why, at in zip(self.out, self.out_at, strict=True)
        )
        return {
            "step": self.step_count, "halted": self.halted, "names": names, "labels": labels,
            "history_steps": self.history.steps(), "history_loss": self.history_of("loss"),
            "train_loss": losses.astype(np.float32), "out": out, "leader": leader,
            "test_accuracy": np.array([self.test_accuracy(n) for n in self.nets], np.float32),
        }  # fmt: skip
