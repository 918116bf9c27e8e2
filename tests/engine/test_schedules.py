"""dlviz.descent.schedules: each learning-rate schedule, a real torch lr_scheduler, against
its formula; reduce-on-plateau cutting the rate only when the loss stops improving; the
knobs' checks and the registry's errors."""

import math

import numpy as np
import pytest
import torch

from dlviz.descent.schedules import SCHEDULES, build_schedule, get_schedule
from dlviz.knobs import Knob


def _lrs(name, steps=60, lr=0.2, losses=None, **params) -> np.ndarray:
    """The rate used at each of `steps` steps (plateau: fed `losses`, one per step)."""
    theta = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([theta], lr=lr)
    scheduler = build_schedule(name, opt, steps, params)
    rates = []
    for t in range(steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        if get_schedule(name).needs_loss:
            scheduler.step(losses[t])
        else:
            scheduler.step()
    return np.array(rates)


def test_schedules_match_their_formulas():
    t = np.arange(60)
    np.testing.assert_allclose(_lrs("constant"), 0.2)
    np.testing.assert_allclose(_lrs("step", every=7, gamma=0.5), 0.2 * 0.5 ** (t // 7))
    np.testing.assert_allclose(_lrs("exponential", gamma=0.9), 0.2 * 0.9**t)
    np.testing.assert_allclose(_lrs("cosine"), 0.1 * (1 + np.cos(np.pi * t / 60)), atol=1e-12)
    warm, a = 10, 0.1
    expected = np.where(
        t < warm,
        0.2 * (a + (1 - a) * t / warm),
        0.1 * (1 + np.cos(np.pi * (t - warm) / (60 - warm))),
    )
    warmed = _lrs("warmup_cosine", warmup=warm, start_factor=a)
    np.testing.assert_allclose(warmed, expected, atol=1e-12)


def test_warmup_longer_than_the_run_still_ends_in_a_cosine():
    rates = _lrs("warmup_cosine", steps=5, warmup=50, start_factor=0.5)
    assert rates[0] == pytest.approx(0.1) and np.all(np.isfinite(rates))
    assert rates.max() <= 0.2 + 1e-12


def test_reduce_on_plateau_cuts_the_rate_when_the_loss_stops_improving():
    # A loss that never changes: every step after the first is a "bad" one, so the rate
    # halves after each `patience` + 1 of them (the first cut follows step 0's best plus 5
    # bad steps).
    lrs = _lrs("plateau", steps=40, losses=[1.0] * 40, gamma=0.5, patience=4)
    drops = np.flatnonzero(lrs[1:] < lrs[:-1]) + 1
    np.testing.assert_array_equal(drops, [6, 11, 16, 21, 26, 31, 36])
    np.testing.assert_allclose(lrs, 0.2 * 0.5 ** np.searchsorted(drops, np.arange(40), "right"))
    moving = _lrs("plateau", steps=40, lr=0.1, losses=np.linspace(1, 0.1, 40), gamma=0.5,
                  patience=4)  # fmt: skip
    assert np.all(moving == 0.1)  # an improving loss keeps its rate


def test_registry_entries_have_formulas_and_knobs_with_defaults_in_range():
    for spec in SCHEDULES.values():
        assert spec.label and spec.latex
        assert all(isinstance(k, Knob) and k.name for k in spec.knobs)
        assert spec.check({}) == {k.name: k.default for k in spec.knobs}
    assert [n for n, s in SCHEDULES.items() if s.needs_loss] == ["plateau"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: get_schedule("zigzag"), ", ".join(SCHEDULES)),
        (lambda: _lrs("step", every=2.5), r"\(every\) must be a whole number"),
        (lambda: _lrs("step", every=True), r"\(every\)"),  # a bool is not a number
        (lambda: _lrs("exponential", gamma=1.5), r"\(gamma\)"),
        (lambda: _lrs("exponential", gamma=math.nan), r"\(gamma\)"),
        (lambda: _lrs("cosine", gamma=0.5), "has no setting 'gamma'"),
    ],
)
def test_unknown_names_and_bad_knobs_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
