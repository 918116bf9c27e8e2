"""The live-training contract every dlviz topic follows: the Session protocol, the Snapshot
base, a bounded decimated History, divergence detection, and live (mid-run) config knobs.

Topic modules own their models; this module owns no torch state.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, runtime_checkable

import numpy as np

C = TypeVar("C")


def live_field(default: Any, doc: str = "") -> Any:
    """A config field a learner may turn mid-run: changing it retunes the running session
    (`Session.retune`) instead of building a new one."""
    return field(default=default, metadata={"live": True, "doc": doc})


def structural_key(config: Any) -> tuple[Any, ...]:
    """The config's fields that define a session (everything except `live_field`s)."""
    return tuple(
        getattr(config, f.name)
        for f in dataclasses.fields(config)
        if not f.metadata.get("live", False)
    )


@dataclass(frozen=True)
class Snapshot:
    """What a session shows at one moment: plain numbers and NumPy arrays only."""

    step: int  # optimisation steps taken so far
    halted: str | None  # why the session paused itself (e.g. divergence), None if healthy


@runtime_checkable
class Session(Protocol):
    """A trainable topic. `step` trains for about `budget_s` seconds (at least one update
    unless halted) and returns a fresh Snapshot; `snapshot` returns one without training."""

    config: Any
    step_count: int
    halted: str | None

    def step(self, budget_s: float) -> Snapshot: ...

    def snapshot(self) -> Snapshot: ...

    def retune(self, config: Any) -> None: ...


class CachedSnapshots:
    """Mixin for sessions: `snapshot()` calls the subclass's `_build_snapshot()` once per
    (step count, halted reason) and returns the cached Snapshot until either changes."""

    step_count: int
    halted: str | None
    _cached: Any = None

    def _build_snapshot(self) -> Any:
        raise NotImplementedError

    def snapshot(self) -> Any:
        """The current state, computed once per step count (cheap to call repeatedly)."""
        cached = self._cached
        if cached is None or cached.step != self.step_count or cached.halted != self.halted:
            self._cached = self._build_snapshot()
        return self._cached


class ChunkedTraining(CachedSnapshots):
    """Mixin for sessions that train in chunks: the subclass's `_chunk()` trains a few steps,
    advances `step_count` and returns False once the session halted. Gives the tick entry
    point `step` and the deterministic `train_steps`."""

    def _chunk(self) -> bool:
        raise NotImplementedError

    def train_steps(self, steps: int) -> None:
        """Train `steps` more steps (rounded up to whole chunks) unless halted, without a
        snapshot: deterministic, for tests and benchmarks."""
        target = self.step_count + steps
        while self.step_count < target and self._chunk():
            pass

    def step(self, budget_s: float) -> Any:
        """Train for about `budget_s` seconds (at least one chunk unless halted), then
        snapshot."""
        if self.halted is None:
            train_for(budget_s, self._chunk)
        return self.snapshot()


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


class DivergenceGuard:
    """Spots a run that went wrong and says why, in a sentence for the learner.

    Diverged: a non-finite loss, a loss above `floor`, or more than `factor`× the first loss
    it saw. Stalled: for `patience` checks in a row some part of the network was blocked
    (saturated or dead on every point, so no gradient passes it) while the loss is still
    above `stall_loss`.
    """

    def __init__(
        self, factor: float = 100.0, floor: float = 1e6, patience: int = 3, stall_loss: float = 0.05
    ) -> None:
        self.factor = factor
        self.floor = floor
        self.patience = patience
        self.stall_loss = stall_loss
        self.first: float | None = None
        self.blocked_checks = 0

    def check(self, loss: float, blocked: str | None = None) -> str | None:
        """None while healthy, else the reason. `blocked` names the part of the network that
        no gradient passes (e.g. "every unit of hidden layer 2"), or None."""
        if not math.isfinite(loss):
            kind = "NaN" if math.isnan(loss) else "infinite"
            return f"The loss became {kind}: the weights blew up."
        if self.first is None:
            self.first = loss
        limit = min(self.floor, self.factor * max(self.first, 1e-3))
        if loss > limit:
            return f"The loss exploded to {loss:.3g} (it started at {self.first:.3g})."
        stuck = blocked is not None and loss > self.stall_loss
        self.blocked_checks = self.blocked_checks + 1 if stuck else 0
        if self.blocked_checks >= self.patience:
            return (
                f"Training stalled at loss {loss:.3g}: {blocked} is saturated or dead on every "
                "training point, so no gradient gets through and the weights stop moving."
            )
        return None


DIVERGENCE_ADVICE = (
    "Training paused. Lower the learning rate (or try another activation or initialisation), "
    "then press Reset."
)


def train_for(budget_s: float, run_chunk: Callable[[], bool], clock=time.perf_counter) -> int:
    """Call `run_chunk` (which trains a few steps and returns False to stop early) until
    `budget_s` seconds have passed; always at least once. Returns the number of calls."""
    start = clock()
    calls = 0
    while True:
        calls += 1
        if not run_chunk() or clock() - start >= budget_s:
            return calls


def check_learning_rate(lr: float) -> float:
    """`lr` as a float; ValueError unless it is a finite number in (0, 1e6]. Larger rates
    are allowed on purpose (divergence is a lesson), but stay bounded."""
    if isinstance(lr, bool) or not (isinstance(lr, int | float) and math.isfinite(lr)):
        raise ValueError(f"learning rate must be a positive number up to 1e6, got {lr}")
    if not 0 < lr <= 1e6:
        raise ValueError(f"learning rate must be a positive number up to 1e6, got {lr}")
    return float(lr)
