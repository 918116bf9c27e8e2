"""The recurrent live session: one RNN, LSTM or GRU trained with Adam (gradients clipped) on
fresh seeded batches of a memory task, snapshotting the loss and score on a fixed held-out
set and, on a fixed probe sequence, every gate and state, the predictions and the gradient
through time. A PacedSession.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from dlviz.data.memory import (
    SeqBatch,
    TaskSettings,
    class_names,
    input_size,
    make_memory_batch,
    output_size,
)
from dlviz.device import DEVICE
from dlviz.knobs import Config, as_field, knob, pace_knob, seed_knob
from dlviz.live import Evaluation, PacedSession, Snapshot, history_until_now
from dlviz.models import seeded_weights
from dlviz.optimizers import build_optimizer, set_learning_rate
from dlviz.recurrent.cells import CELL_LABELS, CELLS
from dlviz.recurrent.losses import guess_loss, sequence_loss, sequence_score
from dlviz.recurrent.model import RecurrentNet
from dlviz.recurrent.reading import Reading, read_sequence
from dlviz.recurrent.settings import (
    BIDIRECTIONAL,
    DELAY,
    DEPTH,
    LENGTH,
    NOISE,
    TASK,
    VOCAB,
    check_task,
    settings_of,
)

EVAL_SEQUENCES = 512  # held-out sequences the loss and score are measured on
CLIP_NORM = 1.0  # every step's gradient is clipped to this norm (exploding gradients)
HIDDEN = (2, 4, 8, 16, 32, 64)


@dataclass(frozen=True)
class RecurrentConfig(Config):
    """One recurrent network on one task; the learning rate and the pace are live, every
    other field builds a new session."""

    task: str = as_field(TASK)
    cell: str = knob("lstm", "Cell", options=tuple(CELLS), labels=CELL_LABELS,
                     widget="segmented",
                     help=" · ".join(f"{c.label}: {c.about}" for c in CELLS.values()))  # fmt: skip
    hidden: int = knob(16, "Hidden units", low=2, high=64, options=HIDDEN)
    layers: int = knob(1, "Layers", low=1, high=2, options=(1, 2), widget="segmented",
                       help="A second layer reads the first one's hidden states.")  # fmt: skip
    bidirectional: bool = as_field(BIDIRECTIONAL)
    length: int = as_field(LENGTH)
    delay: int = as_field(DELAY)
    vocab: int = as_field(VOCAB)
    depth: int = as_field(DEPTH)
    noise: float = as_field(NOISE)
    batch_size: int = knob(64, "Batch size", low=8, high=256, options=(8, 16, 32, 64, 128, 256))
    seed: int = seed_knob("the weights, the training batches, the held-out set and the probe")
    learning_rate: float = knob(1e-2, "Learning rate (Adam)", low=1e-5, high=100.0, log=True,
                                live=True)  # fmt: skip
    pace: str = pace_knob("20")

    def _check(self) -> None:
        check_task(self, self.bidirectional)

    @property
    def units(self) -> int:
        """The units of one layer as its gates are drawn: both directions' when bidirectional."""
        return self.hidden * (2 if self.bidirectional else 1)


@dataclass(frozen=True)
class RecurrentSnapshot(Snapshot):
    """The network at one moment; `probe` is its reading of the fixed probe sequence."""

    history_steps: np.ndarray  # int64 (m,)
    history_loss: np.ndarray  # float32 (m,) on the held-out set
    history_score: np.ndarray  # float32 (m,) accuracy, or share of variance explained
    loss: float
    score: float
    guess: float  # the loss of answering without memory (see losses.guess_loss)
    task: str
    settings: TaskSettings
    cell: str
    hidden: int
    layers: int
    bidirectional: bool
    classes: tuple[str, ...]  # how each class is written (empty for a regression)
    probe: Reading
    weights: dict[str, np.ndarray]  # the network's state dict, float32, to read typed input


def build_net(cfg: RecurrentConfig | object, cell: str, settings: TaskSettings) -> RecurrentNet:
    """The network a config asks for, its weights drawn from the config's seed."""
    task, classes = cfg.task, output_size(cfg.task, settings)  # type: ignore[attr-defined]
    with seeded_weights(cfg.seed):  # type: ignore[attr-defined]
        net = RecurrentNet(cell, input_size(task, settings), cfg.hidden, max(classes, 1),
                           getattr(cfg, "layers", 1),
                           getattr(cfg, "bidirectional", False))  # fmt: skip
    return net.to(DEVICE)


def held_out(task: str, settings: TaskSettings, seed: int) -> tuple[SeqBatch, SeqBatch]:
    """The fixed held-out batch (EVAL_SEQUENCES sequences) and probe of a seed, on DEVICE."""
    judged = make_memory_batch(
        task, EVAL_SEQUENCES, settings, torch.Generator().manual_seed(seed + 2)
    )
    probe = make_memory_batch(task, 1, settings, torch.Generator().manual_seed(seed + 3))
    return judged.to(DEVICE), probe.to(DEVICE)


def train_step(net: nn.Module, optimizer: torch.optim.Optimizer, batch: SeqBatch,
               classes: int) -> None:  # fmt: skip
    """One Adam step on `batch`, its gradient clipped to CLIP_NORM."""
    optimizer.zero_grad(set_to_none=True)
    sequence_loss(net(batch.x)[0], batch, classes).backward()
    nn.utils.clip_grad_norm_(net.parameters(), CLIP_NORM)
    optimizer.step()


class RecurrentSession(PacedSession[RecurrentConfig, RecurrentSnapshot]):
    """Trains a RecurrentNet a pace's steps per chunk on fresh batches (at pace "max"
    checking every 50 steps)."""

    shared_attrs = ("judged", "probe")

    max_check_every = 50

    def _setup(self) -> None:
        cfg = self.config
        self.settings = settings_of(cfg)
        self.classes = output_size(cfg.task, self.settings)
        self.model = build_net(cfg, cfg.cell, self.settings)
        self.optimizer = build_optimizer("adam", self.model.parameters(), cfg.learning_rate)
        self._batches = torch.Generator().manual_seed(cfg.seed + 1)
        self.judged, self.probe = held_out(cfg.task, self.settings, cfg.seed)
        self.guess = guess_loss(self.judged, self.classes)

    def _series(self) -> tuple[str, ...]:
        return ("loss", "score")

    def _apply_live(self) -> None:
        set_learning_rate(self.optimizer, self.config.learning_rate)
        super()._apply_live()

    def _chunk(self) -> None:
        cfg = self.config
        for _ in range(self.chunk_steps):
            batch = make_memory_batch(cfg.task, cfg.batch_size, self.settings, self._batches)
            train_step(self.model, self.optimizer, batch.to(DEVICE), self.classes)
            self.step_count += 1

    @torch.no_grad()
    def _evaluate(self) -> Evaluation:
        outputs, _ = self.model(self.judged.x)
        loss = float(sequence_loss(outputs, self.judged, self.classes))
        score = sequence_score(outputs, self.judged, self.classes)
        return Evaluation((loss,), {"loss": loss, "score": score})

    def read(self, batch: SeqBatch) -> Reading:
        """The network now on the first sequence of `batch`."""
        return read_sequence(self.model, batch.to(DEVICE), self.classes)

    def _build_snapshot(self) -> RecurrentSnapshot:
        cfg = self.config
        steps, series = history_until_now(self.history, self.step_count, self.latest.values)
        return RecurrentSnapshot(
            step=self.step_count, halted=self.halted, history_steps=steps,
            history_loss=series["loss"], history_score=series["score"],
            loss=self.latest.values["loss"], score=self.latest.values["score"],
            guess=self.guess, task=cfg.task, settings=self.settings, cell=cfg.cell,
            hidden=cfg.hidden, layers=cfg.layers, bidirectional=cfg.bidirectional,
            classes=class_names(cfg.task, self.settings), probe=self.read(self.probe),
            weights={k: v.detach().cpu().numpy().astype(np.float32)
                     for k, v in self.model.state_dict().items()},
        )  # fmt: skip
