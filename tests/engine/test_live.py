"""dlviz.live: bounded history, divergence/stall detection, the training-budget loop and
live config fields."""

import dataclasses
import math

import numpy as np
import pytest

from dlviz.live import DivergenceGuard, History, live_field, structural_key, train_for


def test_history_stays_bounded_and_spans_the_whole_run():
    h = History(("loss",), max_points=2000)
    for step in range(1, 200_001):
        if h.wants(step):
            h.add(step, loss=1.0 / step)
    steps = h.steps()
    assert len(steps) <= 2000
    assert steps[0] == 1 and steps[-1] > 190_000  # first and recent samples both kept
    gaps = np.diff(steps)
    assert gaps.max() <= 2 * h.stride  # even resolution, no holes
    assert np.all(np.diff(h.series("loss")) < 0)  # values stay paired with their steps


def test_history_spacing_stays_even_across_halvings():
    h = History(("a",), max_points=4)
    for step in range(12):
        h.add(step, a=step)
    steps = h.steps()
    assert len(set(np.diff(steps).tolist())) == 1, steps  # one gap size throughout


def test_history_keeps_every_step_while_short():
    h = History(("a", "b"), max_points=100)
    for step in range(50):
        h.add(step, a=step, b=-step)
    assert h.steps().tolist() == list(range(50))
    assert h.series("b").dtype == np.float32 and h.series("b")[-1] == -49


def test_history_rejects_odd_size():
    with pytest.raises(ValueError):
        History(("a",), max_points=7)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_guard_flags_non_finite_loss(bad):
    reason = DivergenceGuard().check(bad)
    assert reason is not None and ("NaN" in reason or "infinite" in reason)


def test_guard_flags_explosion_but_not_noise():
    guard = DivergenceGuard(factor=100.0)
    assert guard.check(0.7) is None
    assert guard.check(5.0) is None  # a spike, not an explosion
    assert "exploded" in guard.check(71.0)


def test_guard_flags_a_stall_only_after_patience_and_only_when_loss_is_high():
    guard = DivergenceGuard(patience=3)
    assert [guard.check(0.9, blocked="every unit of hidden layer 2") for _ in range(2)] == [
        None,
        None,
    ]
    assert "hidden layer 2" in guard.check(0.9, blocked="every unit of hidden layer 2")
    converged = DivergenceGuard(patience=3)
    assert all(converged.check(0.001, blocked="the output unit") is None for _ in range(10))
    flowing = DivergenceGuard(patience=3)
    assert all(flowing.check(0.9) is None for _ in range(10))
    interrupted = DivergenceGuard(patience=3)
    for blocked in ("x", "x", None, "x", "x"):
        assert interrupted.check(0.9, blocked=blocked) is None


def test_train_for_runs_at_least_once_and_stops_on_budget():
    ticks = iter(range(100))
    calls = train_for(0.0, lambda: True, clock=lambda: next(ticks))
    assert calls == 1
    ticks = iter(range(100))
    assert train_for(5, lambda: True, clock=lambda: next(ticks)) == 5
    assert train_for(1e9, lambda: False) == 1  # a chunk can stop the loop


def test_structural_key_ignores_live_fields():
    @dataclasses.dataclass(frozen=True)
    class Cfg:
        layers: int = 2
        lr: float = live_field(0.1)

    assert structural_key(Cfg(lr=0.1)) == structural_key(Cfg(lr=5.0))
    assert structural_key(Cfg(layers=2)) != structural_key(Cfg(layers=3))
