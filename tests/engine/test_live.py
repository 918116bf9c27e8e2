"""dlviz.live: the LiveSession tick contract (chunks, checks, history, cached snapshots,
live retuning, halting), the bounded History, the DivergenceGuard's rules and train_for."""

import dataclasses
import math

import numpy as np
import pytest
import torch

from dlviz.knobs import Config, knob
from dlviz.live import DivergenceGuard, Evaluation, History, LiveSession, Snapshot, train_for


@dataclasses.dataclass(frozen=True)
class LineConfig(Config):
    """Fit y = 3x with one weight by SGD: a real optimizer on a real loss."""

    chunk: int = knob(4, "Steps per chunk", low=1, high=50, step=1)
    learning_rate: float = knob(0.1, "Learning rate", low=1e-4, high=100.0, live=True)


@dataclasses.dataclass(frozen=True)
class LineSnapshot(Snapshot):
    weight: float
    history_steps: np.ndarray


class LineSession(LiveSession[LineConfig, LineSnapshot]):
    check_every = 8

    def _setup(self) -> None:
        self.w = torch.zeros(1, requires_grad=True)
        self.x = torch.linspace(-1, 1, 16)
        self.opt = torch.optim.SGD([self.w], lr=self.config.learning_rate)
        self.built = 0

    def _series(self) -> tuple[str, ...]:
        return ("loss",)

    def _loss(self) -> torch.Tensor:
        return ((self.w * self.x - 3 * self.x) ** 2).mean()

    def _chunk(self) -> None:
        for _ in range(self.config.chunk):
            self.opt.zero_grad()
            self._loss().backward()
            self.opt.step()
            self.step_count += 1

    @torch.no_grad()
    def _evaluate(self) -> Evaluation:
        loss = float(self._loss())
        return Evaluation((loss,), {"loss": loss})

    def _apply_live(self) -> None:
        self.opt.param_groups[0]["lr"] = self.config.learning_rate

    def _build_snapshot(self) -> LineSnapshot:
        self.built += 1
        weight = float(self.w.detach())
        return LineSnapshot(self.step_count, self.halted, weight, self.history.steps())


def test_train_steps_rounds_up_to_whole_chunks_and_learns():
    session = LineSession(LineConfig(chunk=4))
    session.train_steps(10)
    assert session.step_count == 12
    session.train_steps(400)
    assert abs(session.snapshot().weight - 3.0) < 1e-3
    assert session.halted is None


def test_checks_come_every_check_every_steps_and_at_the_end():
    session = LineSession(LineConfig(chunk=4))
    session.train_steps(20)  # chunks end at 4, 8, ..., 20: checks at 8, 16 and the end (20)
    assert session.history.steps().tolist() == [0, 8, 16, 20]


def test_step_trains_at_least_one_chunk_and_returns_the_snapshot():
    session = LineSession(LineConfig(chunk=3))
    snap = session.step(0.0)
    assert snap.step == 3 == session.step_count


def test_snapshot_is_built_once_per_step_and_again_after_a_retune():
    session = LineSession(LineConfig())
    first = session.snapshot()
    assert session.snapshot() is first and session.built == 1
    session.retune(LineConfig(learning_rate=0.2))
    assert session.snapshot() is not first and session.built == 2
    session.train_steps(4)
    assert session.snapshot().step == 4 and session.built == 3


def test_retune_takes_live_knobs_and_refuses_structural_ones():
    session = LineSession(LineConfig(chunk=4))
    session.train_steps(8)
    session.retune(LineConfig(chunk=4, learning_rate=0.5))
    assert session.opt.param_groups[0]["lr"] == 0.5 and session.step_count == 8
    with pytest.raises(ValueError, match="only live settings"):
        session.retune(LineConfig(chunk=5))


def test_an_absurd_rate_pauses_with_a_reason_and_training_stops():
    session = LineSession(LineConfig(learning_rate=50.0))  # |1 − 2·50·E[x²]| ≫ 1: explodes
    for _ in range(20):
        session.step(0.0)
    assert session.halted is not None
    steps = session.step_count
    session.step(0.0)
    session.train_steps(100)
    assert session.step_count == steps  # a halted session trains no more


def test_a_halt_survives_the_next_check():
    session = LineSession(LineConfig())
    session.halt("Training stopped with an error: boom")
    session._check()  # a tick in another thread reaching its check
    assert session.halted.endswith("boom")


def test_halt_pauses_for_good_and_invalidates_the_snapshot():
    session = LineSession(LineConfig())
    session.snapshot()
    session.halt("Training stopped with an error: boom")
    assert session.snapshot().halted.endswith("boom")
    session.train_steps(8)
    assert session.step_count == 0


# --- History ----------------------------------------------------------------------------


def test_history_stays_bounded_and_spans_the_whole_run():
    h = History(("loss",), max_points=2000)
    for step in range(1, 200_001):
        if h.wants(step):
            h.add(step, loss=1.0 / step)
    steps = h.steps()
    assert len(steps) <= 2000
    assert steps[0] == 1 and steps[-1] > 190_000  # first and recent samples both kept
    assert np.diff(steps).max() <= 2 * h.stride  # even resolution, no holes
    assert np.all(np.diff(h.series("loss")) < 0)  # values stay paired with their steps


def test_history_spacing_stays_even_across_halvings():
    h = History(("a",), max_points=4)
    for step in range(12):
        h.add(step, a=step)
    assert len(set(np.diff(h.steps()).tolist())) == 1, h.steps()


def test_history_keeps_every_step_while_short_and_rejects_odd_sizes():
    h = History(("a", "b"), max_points=100)
    for step in range(50):
        h.add(step, a=step, b=-step)
    assert h.steps().tolist() == list(range(50))
    assert h.series("b").dtype == np.float32 and h.series("b")[-1] == -49
    with pytest.raises(ValueError):
        History(("a",), max_points=7)


# --- DivergenceGuard --------------------------------------------------------------------


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_guard_flags_a_non_finite_loss_at_once(bad):
    guard = DivergenceGuard()
    assert guard.check(0.7) is None
    reason = guard.check(bad)
    assert reason is not None and ("NaN" in reason or "infinite" in reason)


def test_guard_flags_an_explosion_at_once():
    guard = DivergenceGuard()
    assert guard.check(0.7) is None
    assert "exploded" in guard.check(0.7 * guard.factor * 1.01)


def test_an_overshooting_run_pauses_whether_or_not_it_ever_turns_nan():
    """The processor decides whether a run at an absurd rate produces a NaN or bounces
    between 10× and 100× its start for ever; both must pause within `patience` checks."""
    start = 0.71
    bouncing = [start] + [start * r for r in (20, 9, 60, 11, 80, 15, 40)]
    with_nan = [start, start * 20, math.nan]
    for losses in (bouncing, with_nan):
        guard = DivergenceGuard()
        reasons = [guard.check(loss) for loss in losses]
        first = next(i for i, r in enumerate(reasons) if r)
        assert first <= guard.patience, reasons
    guard = DivergenceGuard()
    reasons = [guard.check(loss) for loss in bouncing]
    assert "stayed far above" in next(r for r in reasons if r)


def test_a_spike_or_a_slow_start_is_not_called_overshooting():
    guard = DivergenceGuard()
    start = 2.3
    # an early bump above the start, then a dip, then learning: the run goes on
    losses = [start, start * guard.far * 1.5, start * 0.9] + [start * guard.far * 1.1] * (
        guard.patience - 1
    ) + [start * 0.5] * 20  # fmt: skip
    assert all(guard.check(loss) is None for loss in losses)
    stuck_at_start = DivergenceGuard()  # a deep sigmoid net at chance: a lesson, not a fault
    assert all(stuck_at_start.check(start * 1.001) is None for _ in range(200))


def test_a_7x_spike_pauses_nothing_but_5_checks_in_a_row_above_1_5x_do():
    spike = DivergenceGuard()  # factor 100, far 1.5, patience 5
    assert [spike.check(loss) for loss in (0.5, 3.5, 0.4, 0.3)] == [None] * 4  # 7× once
    far = DivergenceGuard()
    reasons = [far.check(loss) for loss in (0.5, 0.8, 3.5, 0.9, 0.76, 0.8)]
    assert reasons[:5] == [None] * 5  # the start, then only 4 checks above 0.75
    assert reasons[5] == (
        "The loss stayed far above where it started (0.8 against 0.5) for 5 checks in a row: "
        "each step overshoots the valley instead of going down it."
    )
    dropped = DivergenceGuard()  # 4 checks above 1.5×, a drop, 4 more: the count restarts
    losses = (0.5, 0.8, 3.5, 0.9, 0.8, 0.7, 0.8, 3.5, 0.9, 0.8, 0.4)
    assert [dropped.check(loss) for loss in losses] == [None] * len(losses)


def test_guard_flags_a_stall_only_after_patience_and_only_when_loss_is_high():
    guard = DivergenceGuard()
    blocked = "every unit of hidden layer 2"
    reasons = [guard.check(0.9, blocked=blocked) for _ in range(guard.patience)]
    assert reasons[:-1] == [None] * (guard.patience - 1) and "hidden layer 2" in reasons[-1]
    converged = DivergenceGuard()
    assert all(converged.check(0.001, blocked="the output unit") is None for _ in range(10))
    flowing = DivergenceGuard()
    assert all(flowing.check(0.9) is None for _ in range(10))
    interrupted = DivergenceGuard(patience=3)
    for blocked_now in ("x", "x", None, "x", "x"):
        assert interrupted.check(0.9, blocked=blocked_now) is None


def test_train_for_runs_at_least_once_and_stops_on_budget():
    ticks = iter(range(100))
    assert train_for(0.0, lambda: True, clock=lambda: next(ticks)) == 1
    ticks = iter(range(100))
    assert train_for(5, lambda: True, clock=lambda: next(ticks)) == 5
    assert train_for(1e9, lambda: False) == 1  # a chunk can stop the loop
