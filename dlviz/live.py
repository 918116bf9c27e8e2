"""The live-training contract every trainable topic follows: the LiveSession base (config,
step count, halted reason, bounded history, divergence guards, cached snapshot and the whole
tick contract), the Snapshot base, the History and the DivergenceGuard.

A topic subclass writes only its set-up, a chunk of training, an evaluation and its
snapshot. This module owns no torch state (rewind's checkpoints copy the subclass's).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

from dlviz.device import TRAIN_CLOCK
from dlviz.knobs import Config, pace_steps, structural_key
from dlviz.rewind import Rewind, checkpoint
from dlviz.weights import load_weights


@dataclass(frozen=True)
class Snapshot:
    """What a session shows at one moment: plain numbers and NumPy arrays only."""

    step: int  # optimisation steps taken so far
    halted: str | None  # why the session paused itself (e.g. divergence), None if healthy


@dataclass(frozen=True)
class Evaluation:
    """One check of a session: the loss each watched network is judged by (one per race
    contestant), the values the history records, and per network the part of it that no
    gradient passes (for the stall rule), or None."""

    losses: tuple[float, ...]
    values: Mapping[str, float]
    blocked: tuple[str | None, ...] = ()


class History:
    """Bounded history of several named series sampled at the same steps.

    Keeps at most `max_points` samples however long training runs: when full, every other
    sample is dropped and only every `stride`-th new step is recorded (stride doubles), so
    the whole run stays visible at an even resolution.
    """

    def __init__(self, names: tuple[str, ...], max_points: int = 2000) -> None:
        if max_points < 4 or max_points % 2:
            raise ValueError("max_points must be an even number ≥ 4")
        self.names = names
        self.max_points = max_points
        self.stride = 1
        self._steps: list[int] = []
        self._values: dict[str, list[float]] = {n: [] for n in names}
        self._last_step: int | None = None

    def __len__(self) -> int:
        return len(self._steps)

    def wants(self, step: int) -> bool:
        """Whether a sample at `step` would be kept (lets callers skip computing it)."""
        return self._last_step is None or step - self._last_step >= self.stride

    def add(self, step: int, **values: float) -> None:
        """Record one sample of every series at `step` (ignored if too close to the last)."""
        if not self.wants(step):
            return
        self._steps.append(step)
        for name in self.names:
            self._values[name].append(float(values[name]))
        self._last_step = step
        if len(self._steps) >= self.max_points:
            self._steps = self._steps[::2]
            for name in self.names:
                self._values[name] = self._values[name][::2]
            self.stride *= 2
            self._last_step = self._steps[-1]  # the next sample is spaced from what is kept

    def steps(self) -> np.ndarray:
        """Recorded step numbers, int64 (n,)."""
        return np.asarray(self._steps, dtype=np.int64)

    def series(self, name: str) -> np.ndarray:
        """One recorded series, float32 (n,)."""
        return np.asarray(self._values[name], dtype=np.float32)

    def csv(self) -> str:
        """The whole history as CSV text: a header `step,<name>,...`, then one row per
        sample, numbers as Python writes them (shortest round-trip form)."""
        rows = [",".join(("step", *self.names))]
        for i, step in enumerate(self._steps):
            rows.append(",".join((str(step), *(repr(self._values[n][i]) for n in self.names))))
        return "\n".join(rows) + "\n"


class DivergenceGuard:
    """Spots a run that went wrong and says why, in a sentence for the learner. Its
    reference is the first loss it sees (the loss before any training).

    - Non-finite: a NaN or infinite loss.
    - Exploded: a loss above `floor`, or above `factor` × the reference.
    - Overshooting: a loss above `far` × the reference for `patience` checks in a row.
      Runs at an absurd learning rate often bounce between 10× and 100× their start for
      ever; whether one of them also crosses 100× or turns NaN depends on the processor's
      rounding, so this rule is what makes such runs pause on every machine. 1.5× (not more)
      because a saturated MSE classifier is bounded near 2× its start; over 1,400 Playground
      runs and the races at recommended rates nothing healthy stayed above 1.5× for 5 checks.
    - Stalled: for `patience` checks in a row some part of the network was blocked
      (saturated or dead on every point, so no gradient passes it) while the loss is
      still above `stall_loss`.
    """

    def __init__(
        self, factor: float = 100.0, floor: float = 1e6, far: float = 1.5, patience: int = 5,
        stall_loss: float = 0.05,
    ) -> None:  # fmt: skip
        self.factor = factor
        self.floor = floor
        self.far = far
        self.patience = patience
        self.stall_loss = stall_loss
        self.first: float | None = None
        self.far_checks = 0
        self.blocked_checks = 0

    def check(self, loss: float, blocked: str | None = None) -> str | None:
        """None while healthy, else the reason. `blocked` names the part of the network that
        no gradient passes (e.g. "every unit of hidden layer 2"), or None."""
        if not math.isfinite(loss):
            kind = "NaN" if math.isnan(loss) else "infinite"
            return f"The loss became {kind}: the weights blew up."
        if self.first is None:
            self.first = loss
        start = max(self.first, 1e-3)
        if loss > min(self.floor, self.factor * start):
            return f"The loss exploded to {loss:.3g} (it started at {self.first:.3g})."
        self.far_checks = self.far_checks + 1 if loss > self.far * start else 0
        if self.far_checks >= self.patience:
            return (
                f"The loss stayed far above where it started ({loss:.3g} against "
                f"{self.first:.3g}) for {self.far_checks} checks in a row: each step "
                "overshoots the valley instead of going down it."
            )
        stuck = blocked is not None and loss > self.stall_loss
        self.blocked_checks = self.blocked_checks + 1 if stuck else 0
        if self.blocked_checks >= self.patience:
            return (
                f"Training stalled at loss {loss:.3g}: {blocked} is saturated or dead on every "
                "training point, so no gradient gets through and the weights stop moving."
            )
        return None


DIVERGENCE_ADVICE = "Training paused. Lower the learning rate, then press Reset."

ConfigT = TypeVar("ConfigT", bound=Config)
SnapshotT = TypeVar("SnapshotT", bound=Snapshot)


class LiveSession(Generic[ConfigT, SnapshotT]):
    """One learner's live run of a topic, driven a tick at a time by the page.

    The base owns the state every topic shares (config, step count, halted reason, the
    bounded History, one DivergenceGuard per watched network, the cached snapshot) and the
    tick contract: `step(budget_s)`, `train_steps(n)`, `snapshot()` and `retune(config)`.
    A subclass writes `_setup` (data, model, optimizer), `_series` (history names),
    `_chunk` (a few steps, advancing `step_count`), `_evaluate` and `_build_snapshot`, and
    `_apply_live` when it has live knobs. A check (evaluation, guards, history) runs
    after a chunk once `check_every` steps have passed, and at the end of every tick.
    """

    check_every: int = 1  # steps between checks
    history_points: int = 1000  # samples the history keeps (it thins itself when full)
    guard_settings: Mapping[str, float] = {}  # DivergenceGuard's rules, where a topic differs
    # Attributes `_setup` makes that training never changes (the data): a checkpoint for
    # rewind refers to them instead of copying them. Everything else is training state.
    shared_attrs: tuple[str, ...] = ()

    def __init__(self, config: ConfigT) -> None:
        self.config: ConfigT = config
        self.step_count = 0
        self.halted: str | None = None
        self._cached: SnapshotT | None = None
        self._checked_at = -1
        self._setup()
        self.history = History(self._series(), self.history_points)
        self.guards = [DivergenceGuard(**self.guard_settings) for _ in range(self._watched())]
        self.out: list[str | None] = [None] * len(self.guards)  # why each network stopped
        self.out_at: list[int | None] = [None] * len(self.guards)  # and at which step
        self.latest = self._check()
        self.rewind = Rewind()

    # --- what a topic writes ---------------------------------------------------------

    def _setup(self) -> None:
        """Build data, model and optimizer from `self.config`."""
        raise NotImplementedError

    def _series(self) -> tuple[str, ...]:
        """The names of the series the history records (the keys of Evaluation.values)."""
        raise NotImplementedError

    def _watched(self) -> int:
        """How many networks are judged separately (race contestants); 1 by default."""
        return 1

    def _chunk(self) -> None:
        """Train a few steps and advance `step_count`."""
        raise NotImplementedError

    def _evaluate(self) -> Evaluation:
        """Measure the model now (no training)."""
        raise NotImplementedError

    def _build_snapshot(self) -> SnapshotT:
        """Everything the page draws, as plain numbers and arrays."""
        raise NotImplementedError

    def _apply_live(self) -> None:
        """Push the live knobs of `self.config` into the running model or optimizer."""

    def _halt_reason(self) -> str | None:
        """Why the whole session pauses, from `out`: the one network's reason."""
        return self.out[0]

    def chunk_words(self) -> str:
        """What one chunk trains, for the Step button ("one epoch", "25 steps")."""
        return "a few steps"

    # --- the tick contract -----------------------------------------------------------

    def advance(self, budget_s: float) -> None:
        """Train for about `budget_s` seconds of the device's training clock (see
        dlviz.device.TRAIN_CLOCK; at least one chunk unless halted) and check. No snapshot
        is built: the live view builds it when it draws, outside the training slot."""
        if self.halted is None:
            train_for(budget_s, self._train_chunk, TRAIN_CLOCK)
            self._check_if_new()

    def step(self, budget_s: float) -> SnapshotT:
        """`advance(budget_s)`, then return the snapshot."""
        self.advance(budget_s)
        return self.snapshot()

    def train_steps(self, steps: int) -> None:
        """Train `steps` more steps (rounded up to whole chunks) unless halted, then check:
        deterministic, for tests and benchmarks. No snapshot is built."""
        target = self.step_count + steps
        while self.halted is None and self.step_count < target:
            self._train_chunk()
        self._check_if_new()

    def snapshot(self) -> SnapshotT:
        """The current state, built once per step, halt or retune (cheap to call again).
        Each new one is kept in `rewind` as a moment the learner can go back to, with a
        checkpoint of the training state when one is due (never of a halted run)."""
        cached = self._cached
        if cached is None or cached.step != self.step_count or cached.halted != self.halted:
            cached = self._cached = self._build_snapshot()
            due = self.halted is None and self.rewind.wants_checkpoint(self.step_count)
            self.rewind.keep(cached, self._checkpoint() if due else None)
        return cached

    def resume(self, step: int) -> int:
        """Go back to the latest checkpoint at or before `step` and make it the present:
        model, optimizer, random generators, batches, history and guards as they were
        then, so training continues exactly as it did from there (the live knobs stay as
        set now). Returns the step resumed from; ValueError when none is kept."""
        moment = self.rewind.resume_point(step)
        if moment is None or moment.state is None:
            raise ValueError(f"no checkpoint is kept at or before step {step}")
        vars(self).update(checkpoint(moment.state, self._shared()))  # the kept one stays
        self._apply_live()
        self._cached = None
        self.snapshot()  # the moments after this one were another history
        return self.step_count

    def _shared(self) -> list[object]:
        return [getattr(self, name) for name in self.shared_attrs]

    def _checkpoint(self) -> dict[str, object]:
        """A copy of the training state: every attribute but the config, the cached
        snapshot, the rewind ring and the shared data."""
        skip = {"config", "_cached", "rewind", *self.shared_attrs}
        state = {k: v for k, v in vars(self).items() if k not in skip}
        return checkpoint(state, self._shared())

    def retune(self, config: ConfigT) -> None:
        """Take new values of the live knobs without restarting; ValueError if a
        structural knob differs (that needs a new session)."""
        if structural_key(config) != structural_key(self.config):
            raise ValueError("only live settings can change while a session runs")
        self.config = config
        self._apply_live()
        self._cached = None

    def load_weights(self, data: bytes) -> str | None:
        """Put the weights of a safetensors file into the model (see dlviz.weights); None
        when done (the view and the losses show them at once), else why nothing changed."""
        said = load_weights(self, data)
        if said is None:
            self._cached = None
            self._check()
        return said

    def halt(self, reason: str) -> None:
        """Pause the session for good with `reason` (a sentence for the learner)."""
        self.halted = reason
        self._cached = None

    # --- the check -------------------------------------------------------------------

    def _train_chunk(self) -> bool:
        """One chunk, then a check when one is due; False once halted."""
        self._chunk()
        if self.step_count - self._checked_at >= self.check_every:
            self._check()
        return self.halted is None

    def _check_if_new(self) -> None:
        if self.halted is None and self._checked_at != self.step_count:
            self._check()

    def _check(self) -> Evaluation:
        """Evaluate, let each guard judge its network, sample the history."""
        found = self._evaluate()
        self._checked_at = self.step_count
        for i, (guard, loss) in enumerate(zip(self.guards, found.losses, strict=True)):
            if self.out[i] is None:
                blocked = found.blocked[i] if found.blocked else None
                if reason := guard.check(loss, blocked):
                    self.out[i], self.out_at[i] = reason, self.step_count
        self.halted = self.halted or self._halt_reason()  # a halt() stays
        self.history.add(self.step_count, **found.values)  # kept if the history wants it
        self.latest = found
        return found


class PacedSession(LiveSession[ConfigT, SnapshotT]):
    """A LiveSession that trains too fast to watch unslowed: its config has a `pace`
    (dlviz.knobs.pace_knob, live), and a chunk trains `chunk_steps` steps. At pace "max" a
    check comes every `max_check_every` steps (and at each tick's end), else after every
    chunk. Subclasses call `super()._apply_live()` when they override it."""

    max_check_every: int = 1

    def __init__(self, config: ConfigT) -> None:
        super().__init__(config)
        self._apply_live()

    @property
    def chunk_steps(self) -> int:
        """Steps in one chunk: the pace (MAX_PACE_STEPS at "max")."""
        return pace_steps(self.config.pace)  # type: ignore[attr-defined]

    def chunk_words(self) -> str:
        steps = self.chunk_steps
        return f"{steps} step{'s' if steps > 1 else ''}"

    def _apply_live(self) -> None:
        flat_out = self.config.pace == "max"  # type: ignore[attr-defined]
        self.check_every = self.max_check_every if flat_out else 1


def train_for(budget_s: float, run_chunk: Callable[[], bool], clock=time.perf_counter) -> int:
    """Call `run_chunk` (which trains a few steps and returns False to stop early) until
    `budget_s` seconds have passed; always at least once. Returns the number of calls."""
    start = clock()
    calls = 0
    while True:
        calls += 1
        if not run_chunk() or clock() - start >= budget_s:
            return calls


def history_until_now(
    history: History, step: int, now: Mapping[str, float]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The recorded steps and the named series, ending with the values `now` at `step`
    when the last sample is older (so a curve always reaches the present)."""
    steps = history.steps()
    series = {name: history.series(name) for name in now}
    if len(steps) and steps[-1] == step:
        return steps, series
    steps = np.append(steps, np.int64(step))
    return steps, {k: np.append(v, np.float32(now[k])) for k, v in series.items()}
