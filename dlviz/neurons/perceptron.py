"""Rosenblatt's perceptron: a step-function neuron taught by the perceptron rule
w ← w + η (y − ŷ) x, b ← b + η (y − ŷ), one truth-table row at a time, in a live session
that shows every update and counts the mistakes of each epoch. Plain float64 NumPy: the
rule has no gradient, so there is nothing for autograd to do.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import ClassVar

import numpy as np

from dlviz.knobs import Config, knob, pace_knob, seed_knob
from dlviz.live import Evaluation, PacedSession, Snapshot
from dlviz.neurons.gates import GATE_LABELS, LOGIC_GATES, get_gate

GATE_PLANE = np.linspace(-0.5, 1.5, 61)  # the truth-table plane drawn, on both axes
MAX_EPOCHS_KEPT = 400  # the mistakes-per-epoch record keeps the last this many epochs
# Weights and sums are rounded to this many decimals, so the rule works as it does by hand
# in decimals: with η = 0.1, w·x + b = 0.2 − 0.2 is exactly 0 (so ŷ = 1), not −5.6e−17.
DECIMALS = 10


def step(z: float) -> float:
    """The perceptron's activation: 1 when z ≥ 0, else 0."""
    return 1.0 if z >= 0 else 0.0


@dataclass(frozen=True)
class Update:
    """One row shown to the perceptron: the weights before, what it answered, the change."""

    row: int  # 0..3, the truth-table row
    x: np.ndarray  # (2,) the row's inputs
    y: float  # its target, 0 or 1
    w: np.ndarray  # (2,) the weights before the update
    b: float  # the bias before
    z: float  # w·x + b
    y_hat: float  # step(z)
    lr: float  # η of this update (a live knob: it may change between updates)
    dw: np.ndarray  # (2,) η (y − ŷ) x
    db: float  # η (y − ŷ)

    @property
    def mistake(self) -> bool:
        """Whether the perceptron answered wrong (and so moved)."""
        return self.y_hat != self.y


def perceptron_update(w: np.ndarray, b: float, x: np.ndarray, y: float, lr: float) -> tuple[
    np.ndarray, float, float
]:  # fmt: skip
    """One application of the rule: returns (new w (2,), new b, ŷ), rounded to DECIMALS."""
    y_hat = step(weighted_sum(w, b, x))
    change = lr * (y - y_hat)
    return np.round(w + change * x, DECIMALS), round(b + change, DECIMALS), y_hat


def answers_over(points: np.ndarray, answer) -> np.ndarray:
    """`answer(x)` (0 or 1) at every point (n, 2) of a plane → (n,) float64."""
    return np.array([answer(x) for x in points])


def plane_points(grid: np.ndarray) -> np.ndarray:
    """The points (g², 2) of the square grid × grid, x1 fastest (row-major over x2)."""
    gx, gy = np.meshgrid(grid, grid)  # (g, g): x1 along columns, x2 along rows
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def weighted_sum(w: np.ndarray, b: float, x: np.ndarray) -> float:
    """z = w·x + b, rounded to DECIMALS."""
    return round(float(w @ x) + b, DECIMALS)


@dataclass(frozen=True)
class PerceptronConfig(Config):
    """A perceptron learning one gate. The learning rate and the pace are live."""

    gate: str = knob("and", "Gate", options=tuple(LOGIC_GATES), labels=GATE_LABELS,
                     widget="segmented")  # fmt: skip
    learning_rate: float = knob(0.1, "Learning rate η", low=0.01, high=1.0, log=True, live=True)
    start: str = knob("zeros", "Start from", options=("zeros", "random"),
                      labels={"zeros": "w = 0, b = 0", "random": "random weights"},
                      help="Random weights are drawn from N(0, 1) with the seed.")  # fmt: skip
    shuffle: bool = knob(False, "Shuffle the rows each epoch",
                         help="Off: rows in truth-table order, every epoch.")  # fmt: skip
    seed: int = seed_knob("the random start and the shuffling")
    pace: str = pace_knob("1")


@dataclass(frozen=True)
class PerceptronSnapshot(Snapshot):
    """The perceptron after `step` rows shown (one step = one row)."""

    gate: str
    inputs: np.ndarray  # (4, 2)
    targets: np.ndarray  # (4,)
    w: np.ndarray  # (2,)
    b: float
    answers: np.ndarray  # (4,) step(w·x + b) on every row now
    grid: np.ndarray  # (G,) GATE_PLANE, the plane's coordinates along each axis
    region: np.ndarray  # (G, G) its answer over the plane, [x2 row, x1 column]
    last: Update | None  # the row just shown; None before the first
    epoch: int  # the epoch under way, 1-based
    epoch_mistakes: np.ndarray  # int64 (k,) mistakes of each finished epoch (last k kept)
    first_epoch: int  # the epoch number of epoch_mistakes[0]
    converged_at: int | None  # the first epoch with no mistake, when there is one


class PerceptronSession(PacedSession[PerceptronConfig, PerceptronSnapshot]):
    """Shows the truth-table rows one per step (a pace's rows per chunk). After an epoch
    with no mistake the weights never change again: it keeps going, and says it converged."""

    # The loss is the share of rows wrong: it cannot blow up, and on XOR it stays high.
    guard_settings: ClassVar[Mapping[str, float]] = MappingProxyType({"far": math.inf})

    def _setup(self) -> None:
        cfg = self.config
        self.inputs, self.targets = get_gate(cfg.gate).table()
        self._rng = np.random.default_rng(cfg.seed)
        random = cfg.start == "random"
        self.w = np.round(self._rng.normal(size=2), 2) if random else np.zeros(2)
        self.b = round(float(self._rng.normal()), 2) if random else 0.0
        self.order = self._order()
        self.last: Update | None = None
        self.mistakes_now = 0
        self.epoch_mistakes: list[int] = []
        self.first_epoch = 1
        self.converged_at: int | None = None

    def _order(self) -> np.ndarray:
        return self._rng.permutation(4) if self.config.shuffle else np.arange(4)

    @property
    def epoch(self) -> int:
        """The epoch under way, 1-based."""
        return self.step_count // 4 + 1

    def _series(self) -> tuple[str, ...]:
        return ("wrong",)

    def _chunk(self) -> None:
        for _ in range(self.chunk_steps):
            self._show_row()

    def _show_row(self) -> None:
        row = int(self.order[self.step_count % 4])
        x, y = self.inputs[row], float(self.targets[row])
        w, b = self.w.copy(), self.b
        self.w, self.b, y_hat = perceptron_update(w, b, x, y, self.config.learning_rate)
        self.last = Update(row, x.copy(), y, w, b, weighted_sum(w, b, x), y_hat,
                           self.config.learning_rate, self.w - w, self.b - b)  # fmt: skip
        self.mistakes_now += int(self.last.mistake)
        self.step_count += 1
        if self.step_count % 4 == 0:  # an epoch ended
            self.epoch_mistakes.append(self.mistakes_now)
            if self.mistakes_now == 0 and self.converged_at is None:
                self.converged_at = self.epoch - 1
            self.mistakes_now = 0
            if len(self.epoch_mistakes) > MAX_EPOCHS_KEPT:
                self.epoch_mistakes.pop(0)
                self.first_epoch += 1
            self.order = self._order()

    def answers(self) -> np.ndarray:
        """step(w·x + b) on every row, (4,)."""
        return np.array([step(weighted_sum(self.w, self.b, x)) for x in self.inputs])

    def region(self) -> np.ndarray:
        """Its answer over the truth-table plane, (G, G) float32, [x2 row, x1 column]."""
        w, b, g = self.w, self.b, len(GATE_PLANE)
        answer = lambda x: step(weighted_sum(w, b, x))  # noqa: E731
        return answers_over(plane_points(GATE_PLANE), answer).reshape(g, g).astype(np.float32)

    def _evaluate(self) -> Evaluation:
        wrong = float(np.mean(self.answers() != self.targets))
        return Evaluation((wrong,), {"wrong": wrong})

    def _build_snapshot(self) -> PerceptronSnapshot:
        return PerceptronSnapshot(
            step=self.step_count, halted=self.halted, gate=self.config.gate,
            inputs=self.inputs, targets=self.targets, w=self.w.copy(), b=self.b,
            answers=self.answers(), grid=GATE_PLANE, region=self.region(), last=self.last,
            epoch=self.epoch,
            epoch_mistakes=np.array(self.epoch_mistakes, dtype=np.int64),
            first_epoch=self.first_epoch, converged_at=self.converged_at,
        )  # fmt: skip


def train_perceptron(inputs: np.ndarray, targets: np.ndarray, lr: float, max_epochs: int = 1000
                     ) -> tuple[np.ndarray, float, int | None]:  # fmt: skip
    """The rule from w = 0, b = 0 over rows in order until an epoch has no mistake: returns
    (w, b, the epochs it took), epochs None when `max_epochs` passed without one."""
    w, b = np.zeros(inputs.shape[1]), 0.0
    for epoch in range(1, max_epochs + 1):
        wrong = 0
        for x, y in zip(inputs, targets):
            w, b, y_hat = perceptron_update(w, b, x, float(y), lr)
            wrong += int(y_hat != y)
        if wrong == 0:
            return w, b, epoch
    return w, b, None


@dataclass(frozen=True)
class XorNetwork:
    """XOR from three perceptrons: OR and NAND on the inputs, AND on their two outputs.
    Each is (w (2,), b), learned by the perceptron rule on its own truth table."""

    or_unit: tuple[np.ndarray, float]
    nand_unit: tuple[np.ndarray, float]
    and_unit: tuple[np.ndarray, float]

    def hidden(self, inputs: np.ndarray) -> np.ndarray:
        """The OR and NAND units' outputs, (n, 2), for inputs (n, 2)."""
        units = (self.or_unit, self.nand_unit)
        return np.array([[step(weighted_sum(w, b, x)) for w, b in units] for x in inputs])

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """The AND unit's output on the hidden outputs, (n,) in {0, 1}."""
        w, b = self.and_unit
        return np.array([step(weighted_sum(w, b, h)) for h in self.hidden(inputs)])


def xor_network(lr: float = 0.1) -> XorNetwork:
    """Teach OR, NAND and AND with the rule (each converges), wired into a 2-layer XOR."""
    units = []
    for name in ("or", "nand", "and"):
        inputs, targets = get_gate(name).table()
        w, b, epochs = train_perceptron(inputs, targets, lr)
        assert epochs is not None, f"{name} is separable, so the rule converges"
        units.append((w, b))
    return XorNetwork(*units)


@dataclass(frozen=True)
class XorView:
    """What the page draws of the three-perceptron XOR: the two hidden units, the answers
    on the truth table and over the plane (1 on the band between the units' lines)."""

    or_unit: tuple[np.ndarray, float]
    nand_unit: tuple[np.ndarray, float]
    inputs: np.ndarray  # (4, 2)
    answers: np.ndarray  # (4,) in {0, 1}
    grid: np.ndarray  # (G,) GATE_PLANE
    band: np.ndarray  # (G, G) float32, [x2 row, x1 column]


def xor_view(lr: float = 0.1) -> XorView:
    """The XorNetwork the rule teaches at `lr`, evaluated for drawing."""
    net, g = xor_network(lr), len(GATE_PLANE)
    band = net.predict(plane_points(GATE_PLANE)).reshape(g, g).astype(np.float32)
    inputs = get_gate("xor").table()[0]
    return XorView(net.or_unit, net.nand_unit, inputs, net.predict(inputs), GATE_PLANE, band)
