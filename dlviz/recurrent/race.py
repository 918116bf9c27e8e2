"""RNN against LSTM against GRU: the cells trained in lock-step on the same fresh batches of
one memory task, each network's weights drawn from the same seed, streaming their held-out
losses, scores and gradients through time on the probe. A RaceSession (dlviz.race).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from dlviz.data.memory import SeqBatch, make_memory_batch, output_size
from dlviz.device import DEVICE
from dlviz.knobs import Config, as_field, knob
from dlviz.optimizers import build_optimizer
from dlviz.race import RaceSession, RaceSnapshot, race_seed
from dlviz.recurrent.cells import CELL_LABELS, CELLS
from dlviz.recurrent.losses import guess_loss, sequence_loss, sequence_score
from dlviz.recurrent.reading import read_sequence
from dlviz.recurrent.session import CLIP_NORM, HIDDEN, build_net, held_out
from dlviz.recurrent.settings import (
    DELAY,
    DEPTH,
    LENGTH,
    NOISE,
    TASK,
    VOCAB,
    check_task,
    settings_of,
)


@dataclass(frozen=True)
class CellRaceConfig(Config):
    """One race of cells on one task; only the learning rate is live."""

    cells: tuple[str, ...] = knob(("rnn", "lstm", "gru"), "Cells (2–3)", options=tuple(CELLS),
                                  labels=CELL_LABELS, count=(2, 3))  # fmt: skip
    task: str = as_field(TASK)
    hidden: int = knob(16, "Hidden units", low=2, high=64, options=HIDDEN)
    length: int = as_field(LENGTH)
    delay: int = as_field(DELAY)
    vocab: int = as_field(VOCAB)
    depth: int = as_field(DEPTH)
    noise: float = as_field(NOISE)
    batch_size: int = knob(64, "Batch size", low=8, high=256, options=(8, 16, 32, 64, 128, 256),
                           help="Sequences per step; every cell gets the same ones.")  # fmt: skip
    seed: int = race_seed()
    learning_rate: float = knob(1e-2, "Learning rate (Adam)", low=1e-5, high=100.0, log=True,
                                live=True, help="Of every cell; may change mid-run.")  # fmt: skip

    def _check(self) -> None:
        check_task(self)


@dataclass(frozen=True)
class CellRaceSnapshot(RaceSnapshot):
    """The race at one moment (RaceSnapshot's fields, `test_accuracy` holding each cell's
    score: accuracy, or the share of variance explained), and these."""

    history_score: np.ndarray  # float32 (k, m)
    signal: np.ndarray  # float32 (k, T) ‖∂ℓ/∂h_t‖ on the probe, ℓ its last graded step's loss
    tokens: tuple[str, ...]  # the probe's steps
    guess: float  # the loss of answering without memory
    regression: bool  # scores are variance explained (else accuracy)


class CellRaceSession(RaceSession[CellRaceConfig, CellRaceSnapshot]):
    """Trains one network per cell, in lock-step, on fresh batches of the task."""

    shared_attrs = ("held", "probe")

    clip_norm = CLIP_NORM

    def _load(self) -> tuple[int, int]:
        cfg = self.config
        self.settings = settings_of(cfg)
        self.classes = output_size(cfg.task, self.settings)
        self._batches = torch.Generator().manual_seed(cfg.seed + 1)
        self.held, self.probe = held_out(cfg.task, self.settings, cfg.seed)
        self.guess = guess_loss(self.held, self.classes)
        return 0, 0  # each net is built from the config (build_net)

    def _contestants(
        self, inputs: int, classes: int
    ) -> tuple[list[nn.Module], list[torch.optim.Optimizer]]:
        cfg = self.config
        nets: list[nn.Module] = [build_net(cfg, cell, self.settings) for cell in cfg.cells]
        rate = cfg.learning_rate
        return nets, [build_optimizer("adam", n.parameters(), rate) for n in nets]

    def _batch(self) -> SeqBatch:
        cfg = self.config
        return make_memory_batch(cfg.task, cfg.batch_size, self.settings, self._batches).to(DEVICE)

    def _loss(self, net: nn.Module, batch: Any) -> tuple[Tensor, Any]:
        outputs, _ = net(batch.x)
        return sequence_loss(outputs, batch, self.classes), outputs

    def _judged(self) -> SeqBatch:
        return self.held

    def _extra(self) -> tuple[str, ...]:
        return ("score",)

    def _sample(self, i: int, net: nn.Module, aux: Any) -> dict[str, float]:
        return {"score": sequence_score(aux, self.held, self.classes)}

    def score(self, net: nn.Module) -> float:
        """The held-out accuracy, or share of variance explained."""
        with torch.no_grad():
            return sequence_score(net(self.held.x)[0], self.held, self.classes)

    def _apply_live(self) -> None:
        self.set_learning_rates([self.config.learning_rate] * len(self.nets))

    def _build_snapshot(self) -> CellRaceSnapshot:
        losses = np.array(self.latest.losses, dtype=np.float32)
        labels = tuple(CELL_LABELS[c] for c in self.config.cells)
        signal = np.stack([read_sequence(n, self.probe, self.classes).signal for n in self.nets])
        return CellRaceSnapshot(
            **self.race_fields(self.config.cells, labels, losses),
            history_score=self.history_of("score"), signal=signal, tokens=self.probe.tokens,
            guess=self.guess, regression=not self.classes,
        )  # fmt: skip
