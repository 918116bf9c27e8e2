"""Networks trained side by side, the base of every race and comparison: k networks fed the
same mini-batches in lock-step, each judged by its own divergence guard, their losses on one
fixed set sampled into one bounded History. By default the task is a classification (the
2-D spiral or scikit-learn's digits, cross-entropy); a subclass may bring its own data,
loss and score (`_load`, `_batch`, `_loss`, `_judged`, `score`). A subclass builds the nets
and optimizers and may record more series per net; this module builds no network itself.
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
    test_accuracy: np.ndarray  # (k,) RaceSession.score: by default the test accuracy
    out: tuple[str | None, ...]  # why a contestant stopped ("stopped at step n: …"), or None
    leader: int | None  # the running contestant with the lowest training loss


RaceConfigT = TypeVar("RaceConfigT", bound=Config)
RaceSnapshotT = TypeVar("RaceSnapshotT", bound=RaceSnapshot)


class RaceSession(LiveSession[RaceConfigT, RaceSnapshotT]):
    """The lock-step training loop. The config has `task`, `seed` and `batch_size`; a
    subclass writes `_contestants` (nets mapping a batch's inputs to (outputs, anything),
    and their optimizers), `_build_snapshot` (with `race_fields`) and optionally `_extra`
    series with `_sample`. `clip_norm`, when set, clips each net's gradient norm."""

    shared_attrs = ("x_train", "y_train", "x_test", "y_test")

    check_every = RACE_CHUNK_STEPS
    clip_norm: float | None = None

    def _setup(self) -> None:
        inputs, classes = self._load()
        self.nets, self.optimizers = self._contestants(inputs, classes)

    def _load(self) -> tuple[int, int]:
        """Load the data; return the inputs and the outputs a net needs. By default the
        config's classification task, batches drawn from shuffled epochs."""
        cfg: Any = self.config
        arrays = load_classification(cfg.task, cfg.seed)
        self.x_train, self.y_train, self.x_test, self.y_test = (
            torch.from_numpy(a).to(DEVICE) for a in arrays
        )
        self._order_gen = torch.Generator().manual_seed(cfg.seed + 2)
        self._order = torch.empty(0, dtype=torch.int64)
        task = CLASSIFICATION_TASKS[cfg.task]
        return task.inputs, task.classes

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

    def _batch(self) -> Any:
        """The next mini-batch, shared by every contestant (by default (x, y) from shuffled
        epochs of the training set)."""
        size = min(self.config.batch_size, len(self.y_train))
        if len(self._order) < size:
            fresh = torch.randperm(len(self.y_train), generator=self._order_gen)
            self._order = torch.cat([self._order, fresh])
        batch, self._order = self._order[:size], self._order[size:]
        idx = batch.to(DEVICE)
        return self.x_train[idx], self.y_train[idx]

    def _loss(self, net: nn.Module, batch: Any) -> tuple[Tensor, Any]:
        """`net`'s loss on `batch` and what else its forward pass returned (by default
        cross-entropy of its logits)."""
        x, y = batch
        logits, aux = net(x)
        return F.cross_entropy(logits, y), aux

    def _judged(self) -> Any:
        """The fixed batch the history's losses are measured on (the training set)."""
        return self.x_train, self.y_train

    def _chunk(self) -> None:
        """RACE_CHUNK_STEPS steps of every contestant still running."""
        for _ in range(RACE_CHUNK_STEPS):
            batch = self._batch()
            for net, opt, out in zip(self.nets, self.optimizers, self.out):
                if out is None:
                    opt.zero_grad(set_to_none=True)
                    self._loss(net, batch)[0].backward()
                    if self.clip_norm is not None:
                        nn.utils.clip_grad_norm_(net.parameters(), self.clip_norm)
                    opt.step()
            self.step_count += 1

    @torch.no_grad()
    def _evaluate(self) -> Evaluation:
        """Each contestant's loss on the judged set, plus the extra series when the
        history will record this check."""
        record = self.history.wants(self.step_count)
        values: dict[str, float] = {}
        losses = []
        judged = self._judged()
        for i, net in enumerate(self.nets):
            loss, aux = self._loss(net, judged)
            losses.append(float(loss))
            values[f"loss_{i}"] = losses[-1]
            if record:
                values |= {f"{k}_{i}": v for k, v in self._sample(i, net, aux).items()}
        return Evaluation(tuple(losses), values)

    def history_of(self, kind: str) -> np.ndarray:
        """One recorded series for every contestant, float32 (k, m)."""
        return np.stack([self.history.series(f"{kind}_{i}") for i in range(len(self.nets))])

    @torch.no_grad()
    def score(self, net: nn.Module) -> float:
        """The number a race's readout shows of `net` (RaceSnapshot.test_accuracy): by
        default the share of test samples it classifies right."""
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
            "test_accuracy": np.array([self.score(n) for n in self.nets], np.float32),
        }  # fmt: skip
