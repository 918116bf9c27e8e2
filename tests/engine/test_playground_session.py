"""PlaygroundSession behaviour: it learns, it is reproducible, it pauses on divergence,
its history stays bounded, live knobs keep the run, bad names raise ValueError."""

import dataclasses

import numpy as np
import pytest

from dlviz.data import DATASETS, EXTENT, make_dataset
from dlviz.live import Session
from dlviz.playground import PlaygroundConfig, PlaygroundSession


def _epochs(session: PlaygroundSession, n: int):
    for _ in range(n):
        session._epoch()
    return session.snapshot()


def _train_until(session: PlaygroundSession, target: float, max_epochs: int):
    for _ in range(max_epochs):
        session._epoch()
        if session.history.series("test_loss")[-1] < target:
            break
    return session.snapshot()


@pytest.mark.parametrize("dataset", ["circle", "xor"])
def test_defaults_learn_to_test_loss_below_0_1(dataset):
    session = PlaygroundSession(PlaygroundConfig(dataset=dataset))
    snap = _train_until(session, 0.1, max_epochs=1000)  # 25 000 steps at most
    assert snap.test_loss < 0.1, snap.test_loss
    assert snap.test_accuracy > 0.9  # consistent with the loss, not a separate target
    assert snap.step <= 25_000 and snap.halted is None


def test_session_satisfies_the_live_contract():
    session = PlaygroundSession(PlaygroundConfig())
    assert isinstance(session, Session)
    before = session.step_count
    snap = session.step(0.0)  # a zero budget still trains one epoch
    assert snap.step == session.step_count == before + 25
    assert session.snapshot() is snap  # cheap: no new work without training


def test_same_seed_same_snapshot_and_other_seed_differs():
    cfg = PlaygroundConfig(dataset="spiral", hidden=(6, 6), dropout=0.0, seed=7)
    a, b = (_epochs(PlaygroundSession(cfg), 30) for _ in range(2))
    for field in dataclasses.fields(a):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if isinstance(x, tuple):
            assert all(np.array_equal(p, q) for p, q in zip(x, y))
        elif isinstance(x, np.ndarray):
            assert np.array_equal(x, y), field.name
        else:
            assert x == y, field.name
    c = _epochs(PlaygroundSession(dataclasses.replace(cfg, seed=8)), 30)
    assert not np.array_equal(a.grid, c.grid)


def test_dropout_runs_are_reproducible_too():
    cfg = PlaygroundConfig(dataset="moons", dropout=0.3, batch_norm=True, optimizer="adam")
    a, b = (_epochs(PlaygroundSession(cfg), 5) for _ in range(2))
    assert np.array_equal(a.grid, b.grid) and a.train_loss == b.train_loss


@pytest.mark.parametrize(
    "changes",
    [
        dict(optimizer="adam", learning_rate=0.01),
        dict(optimizer="momentum"),
        dict(dropout=0.2),
        dict(batch_norm=True),
        dict(loss="cross_entropy"),
        dict(activation="relu", init="pytorch"),
        dict(regularization="l2", reg_rate=0.001),
    ],
)
def test_every_training_path_lowers_the_loss(changes):
    session = PlaygroundSession(PlaygroundConfig(dataset="gauss", noise=0.1, **changes))
    first = session.snapshot().train_loss
    snap = _epochs(session, 40)
    assert snap.train_loss < 0.5 * first and snap.halted is None


def test_multiclass_softmax_learns_and_confusion_counts_the_test_set():
    cfg = PlaygroundConfig(dataset="blobs4", loss="cross_entropy", hidden=(8,), learning_rate=0.1)
    snap = _epochs(PlaygroundSession(cfg), 60)
    assert snap.kind == "multiclass" and snap.confusion.shape == (4, 4)
    assert snap.confusion.sum() == len(snap.test_y)
    assert snap.test_accuracy > 0.9
    assert snap.confidence.shape == snap.grid.shape
    assert set(np.unique(snap.grid)) <= {0.0, 1.0, 2.0, 3.0}


def test_regression_learns_the_plane():
    cfg = PlaygroundConfig(problem="regression", dataset="plane", hidden=(4,), learning_rate=0.01)
    snap = _epochs(PlaygroundSession(cfg), 60)
    assert snap.test_accuracy is None and snap.confusion is None
    assert snap.test_loss < 0.01


def test_exploding_regression_pauses_with_a_reason():
    cfg = PlaygroundConfig(problem="regression", dataset="plane", learning_rate=10.0)
    session = PlaygroundSession(cfg)
    snap = session.step(0.5)
    assert snap.halted is not None and ("NaN" in snap.halted or "exploded" in snap.halted)
    steps = snap.step
    assert session.step(0.1).step == steps  # a halted session does not train


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_learning_rate_10_stalls_and_pauses_instead_of_crashing(activation):
    session = PlaygroundSession(
        PlaygroundConfig(dataset="spiral", hidden=(8, 8), activation=activation, learning_rate=10.0)
    )
    for _ in range(400):  # saturated sigmoids leak tiny gradients: allow a few hundred
        if not session._epoch():
            break
    snap = session.snapshot()
    assert snap.halted is not None and "stalled" in snap.halted
    assert np.isfinite(snap.grid).all()


def test_ticks_check_divergence_at_once_without_false_stalls():
    blowup = PlaygroundSession(
        PlaygroundConfig(problem="regression", dataset="plane", learning_rate=10.0)
    )
    assert blowup.step(0.0).halted is not None  # one Step click is enough to pause
    healthy = PlaygroundSession(PlaygroundConfig(dataset="gauss"))
    for _ in range(30):  # each tick re-checks; an unchanged state must not count as frozen
        healthy.step(0.0)
        healthy.snapshot()
    assert healthy.halted is None


def test_converged_full_batch_run_is_not_called_stalled():
    cfg = PlaygroundConfig(
        problem="regression", dataset="multigauss", hidden=(), batch_size=250, learning_rate=0.1
    )
    session = PlaygroundSession(cfg)
    for _ in range(1000):
        session._epoch()
    assert session.halted is None


def test_dead_relu_network_with_batch_norm_is_caught():
    cfg = PlaygroundConfig(
        dataset="spiral", hidden=(8, 8), activation="relu", batch_norm=True, learning_rate=10.0
    )
    session = PlaygroundSession(cfg)
    for _ in range(400):
        if not session._epoch():
            break
    assert session.halted is not None


def test_healthy_run_is_not_paused():
    snap = _epochs(PlaygroundSession(PlaygroundConfig(dataset="spiral", hidden=(8, 8))), 150)
    assert snap.halted is None


def test_history_stays_bounded_over_a_long_run():
    session = PlaygroundSession(PlaygroundConfig(dataset="gauss", batch_size=250))
    session.history.max_points = 64  # small bound so the test is quick
    session._check_every = 1  # sample every epoch, so the history must decimate
    _epochs(session, 1000)
    snap = session.snapshot()
    assert len(session.history) <= 64 and len(snap.history_steps) <= 65
    assert snap.history_steps[-1] == 1000 and snap.history_steps[0] == 0
    assert np.all(np.diff(snap.history_steps) > 0)


def test_loss_history_ends_at_the_current_step():
    session = PlaygroundSession(PlaygroundConfig())
    snap = _epochs(session, 3)  # fewer epochs than one history sample interval
    assert snap.history_steps[-1] == snap.step == 75
    assert snap.history_train_loss[-1] == np.float32(snap.train_loss)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])  # fused path and torch.optim path
def test_live_knobs_retune_without_reset(optimizer):
    base = PlaygroundConfig(optimizer=optimizer)
    retuned = PlaygroundSession(base)
    _epochs(retuned, 3)
    steps, weights = retuned.step_count, retuned.net.linears[0].weight.clone()
    faster = dataclasses.replace(base, learning_rate=0.3, regularization="l2", reg_rate=0.01)
    retuned.retune(faster)
    assert retuned.step_count == steps and retuned.net.linears[0].weight.equal(weights)
    assert retuned.config == faster
    # the next updates use the new knobs: same as a run that had them from epoch 4 on
    reference = PlaygroundSession(base)
    _epochs(reference, 3)
    reference.retune(faster)
    _epochs(retuned, 2)
    _epochs(reference, 2)
    assert retuned.net.linears[0].weight.equal(reference.net.linears[0].weight)
    slow = PlaygroundSession(base)
    _epochs(slow, 5)
    assert not retuned.net.linears[0].weight.equal(slow.net.linears[0].weight)


def test_snapshot_arrays_are_plain_numpy_with_documented_shapes():
    cfg = PlaygroundConfig(hidden=(3, 2))
    snap = PlaygroundSession(cfg).snapshot()
    assert snap.grid.shape == (61, 61) and snap.grid.dtype == np.float32
    assert [m.shape for m in snap.neuron_maps] == [(3, 21, 21), (2, 21, 21)]
    assert np.all(np.abs(snap.grid) <= 1.0)
    assert snap.train_x.shape == (250, 2) and snap.test_y.shape == (250,)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (dict(dataset="moon"), "circle, xor"),
        (dict(activation="swish"), "tanh, relu"),
        (dict(dataset="plane"), "not a classification set"),
        (dict(hidden=(65,)), "1–64"),
        (dict(hidden=(2.5,)), "whole numbers"),
        (dict(batch_size=2.5), "whole numbers"),
        (dict(batch_norm=True, batch_size=1), "at least 2"),
        (dict(seed=-1), "seed"),
        (dict(features=()), "subset"),
        (dict(learning_rate=float("nan")), "learning_rate"),
        (dict(problem="regression", dataset="plane", loss="cross_entropy"), "mse"),
    ],
)
def test_bad_configs_raise_value_error_listing_choices(changes, message):
    with pytest.raises(ValueError, match=message):
        PlaygroundSession(PlaygroundConfig(**changes))


@pytest.mark.parametrize("name", list(DATASETS))
def test_datasets_are_seeded_and_labelled(name):
    a, b = make_dataset(name, 200, 0.5, seed=3), make_dataset(name, 200, 0.5, seed=3)
    assert np.array_equal(a.x, b.x) and a.x.shape == (200, 2) and a.x.dtype == np.float32
    assert not np.array_equal(a.x, make_dataset(name, 200, 0.5, seed=4).x)
    if a.kind == "binary":
        assert set(np.unique(a.y)) == {-1.0, 1.0}
    elif a.kind == "multiclass":
        assert set(np.unique(a.y)) == set(range(a.n_classes))
    assert np.abs(a.x).max() <= EXTENT  # even at the highest noise, on the drawn plane
