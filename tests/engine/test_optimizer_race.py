"""dlviz.descent.optimizer_race: the live optimizer race (the shared race contract is in
test_race.py). Losses fall and Adam leads on the spiral, same seed → same history, rates
retune live, a diverging contestant is stopped while the others race on, the landscape
slice asked for by the live `landscape` knob, and the config's checks."""

import math

import numpy as np
import pytest

from dlviz.descent.landscape import DIRECTIONS
from dlviz.descent.optimizer_race import (
    LANDSCAPES,
    OptimizerRaceConfig,
    OptimizerRaceSession,
    OptimizerRaceSnapshot,
)


@pytest.fixture(scope="module")
def trained():
    session = OptimizerRaceSession(OptimizerRaceConfig())
    session.train_steps(3000)
    return session


def _slice(session, directions):
    """The snapshot's landscape slice along `directions` (then switched off again)."""
    session.retune(session.config.replace(landscape=directions))
    try:
        return session.snapshot().landscape
    finally:
        session.retune(session.config.replace(landscape="off"))


def test_race_losses_fall_and_adam_leads_on_the_spiral(trained):
    snap = trained.snapshot()
    assert isinstance(snap, OptimizerRaceSnapshot) and snap.step == 3000
    start = snap.history_loss[:, 0]
    assert np.all(snap.train_loss < start)
    assert snap.train_loss[2] < 0.1 and snap.test_accuracy[2] > 0.9  # Adam
    assert snap.leader == 2 and "Adam" in snap.labels[2]
    assert snap.history_loss.shape == (3, len(snap.history_steps))
    assert snap.landscape is None  # "off" by default: nothing computed
    assert snap.n_weights == 2 * 32 + 32 + 32 * 32 + 32 + 32 * 2 + 2  # 2 → 32 → 32 → 2


def test_race_same_seed_same_history_and_different_seeds_differ():
    a, b, c = (OptimizerRaceSession(OptimizerRaceConfig(seed=s)) for s in (4, 4, 5))
    for session in (a, b, c):
        session.train_steps(100)
    np.testing.assert_array_equal(a.snapshot().history_loss, b.snapshot().history_loss)
    assert not np.array_equal(a.snapshot().history_loss, c.snapshot().history_loss)


def test_retune_changes_rates_and_keeps_the_run():
    session = OptimizerRaceSession(OptimizerRaceConfig())
    session.train_steps(50)
    session.retune(session.config.replace(learning_rates=(0.05, 0.05, 0.001)))
    assert session.step_count == 50
    assert [opt.param_groups[0]["lr"] for opt in session.optimizers] == [0.05, 0.05, 0.001]
    assert "η=0.001" in session.snapshot().labels[2]
    with pytest.raises(ValueError, match="one learning rate per optimizer"):
        session.config.replace(learning_rates=(0.1, 0.1))
    with pytest.raises(ValueError, match="only live settings"):
        session.retune(session.config.replace(width=16))


def test_a_diverging_contestant_is_stopped_and_the_others_race_on():
    session = OptimizerRaceSession(OptimizerRaceConfig(learning_rates=(10.0, 0.1, 0.01)))
    session.train_steps(300)
    snap = session.snapshot()
    assert snap.out[0] and snap.out[0].startswith("stopped at step")
    assert snap.out[1:] == (None, None) and snap.halted is None and snap.leader in (1, 2)


@pytest.mark.parametrize("directions", list(DIRECTIONS))
def test_landscape_slice_passes_through_the_leader(trained, directions):
    cut = _slice(trained, directions)
    snap = trained.snapshot()
    n = len(cut.axis)
    assert cut.directions == directions and n % 2 == 1
    assert cut.centre == snap.leader == int(np.argmin(snap.train_loss))  # nobody is out
    assert cut.loss.shape == (n, n) and np.isfinite(cut.loss).all()
    # the grid's middle point is θ* itself: its loss is the leader's training loss
    assert cut.loss[n // 2, n // 2] == pytest.approx(snap.train_loss[cut.centre], rel=1e-4)
    assert len(cut.paths) == 3 and all(p.shape[1] == 2 and len(p) > 10 for p in cut.paths)
    np.testing.assert_allclose(cut.paths[cut.centre][-1], 0.0, atol=1e-4)  # ends at θ*


def test_the_slice_is_computed_once_per_step_and_follows_the_knob(trained):
    trained.retune(trained.config.replace(landscape="random"))
    try:
        first = trained.snapshot()
        assert trained.snapshot() is first and first.landscape.directions == "random"
        trained.retune(trained.config.replace(landscape="pca"))
        assert trained.snapshot().landscape.directions == "pca"
        assert trained.step_count == 3000  # switching the view trains nothing
    finally:
        trained.retune(trained.config.replace(landscape="off"))
    assert trained.snapshot().landscape is None


def test_pca_directions_keep_the_paths_and_random_ones_lose_them(trained):
    spread = {d: max(np.abs(p).max() for p in _slice(trained, d).paths) for d in DIRECTIONS}
    assert spread["pca"] > 10 * spread["random"]  # the page's caption says exactly this


def test_a_contestant_that_ran_off_does_not_stretch_the_slice():
    session = OptimizerRaceSession(OptimizerRaceConfig(learning_rates=(10.0, 0.1, 0.01)))
    session.train_steps(300)
    assert session.out[0] is not None
    for directions in DIRECTIONS:
        cut = _slice(session, directions)
        assert cut.paths[0].shape == (0, 2)  # the diverged path is left out
        assert cut.centre != 0 and cut.axis[-1] < 20  # it spans the healthy paths only
        assert np.isfinite(cut.loss).all()


def test_optimizer_race_config_defaults_construct():
    config = OptimizerRaceConfig()
    assert len(config.optimizers) == len(config.learning_rates) and config.landscape == "off"
    assert set(LANDSCAPES) == {"off", *DIRECTIONS}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"optimizers": ("sgd",), "learning_rates": (0.1,)}, r"\(optimizers\)"),
        ({"optimizers": ("sgd", "sgd"), "learning_rates": (0.1, 0.1)}, r"\(optimizers\)"),
        ({"optimizers": ("sgd", "lion"), "learning_rates": (0.1, 0.1)}, r"\(optimizers\)"),
        ({"task": "imagenet"}, r"\(task\)"),
        ({"depth": 0}, r"\(depth\)"),
        ({"depth": True}, r"\(depth\)"),  # a bool is not a number
        ({"width": 1000}, r"\(width\)"),
        ({"batch_size": 0}, r"\(batch_size\)"),
        ({"seed": 1.5}, r"\(seed\)"),
        ({"learning_rates": (0.1, 0.1)}, "one learning rate per optimizer"),
        ({"learning_rates": (0.1, math.nan, 0.1)}, r"\(learning_rates\)"),
        ({"learning_rates": (0.1, 101.0, 0.1)}, r"\(learning_rates\)"),
        ({"landscape": "sideways"}, r"\(landscape\)"),
    ],
)
def test_race_config_rejects_bad_values_naming_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        OptimizerRaceConfig(**kwargs)
