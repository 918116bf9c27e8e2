"""Mini-batch noise on the diabetes regression (exact MSE against a direct mean and
np.polyfit; full-batch SGD against the gradient-descent recurrence) and the live optimizer
race (same start, losses fall, same seed → same history, retune, the landscape slice)."""

import numpy as np
import pytest
import torch

from dlviz.descent import (
    DIRECTIONS,
    OptimizerRaceConfig,
    OptimizerRaceSession,
    batch_path,
    least_squares,
    mse,
    mse_grid,
    regression_data,
)
from dlviz.descent.minibatch import START
from dlviz.live import Session


def test_mse_closed_form_matches_a_direct_mean():
    data = regression_data()
    assert data.n == 442
    for w, b in [(0.0, 0.0), (1.3, -0.4), (-0.7, 2.2)]:
        direct = np.mean((w * data.x + b - data.y) ** 2)
        assert mse(data, np.float64(w), np.float64(b)) == pytest.approx(direct, rel=1e-12)
    w, b, z = mse_grid(data, n=20)
    assert z[5, 13] == pytest.approx(np.mean((w[13] * data.x + b[5] - data.y) ** 2))


def test_least_squares_matches_polyfit_and_is_the_lowest_point():
    data = regression_data()
    w, b = least_squares(data)
    np.testing.assert_allclose((w, b), np.polyfit(data.x, data.y, 1), rtol=1e-10)
    best = mse(data, np.float64(w), np.float64(b))
    _, _, z = mse_grid(data, n=60)
    assert best <= z.min()


def test_full_batch_sgd_is_gradient_descent_on_the_exact_loss():
    data = regression_data()
    path = batch_path(data, data.n, lr=0.3, updates=50)
    theta = np.array(START, dtype=np.float64)
    for t in range(50):
        residual = theta[0] * data.x + theta[1] - data.y
        grad = 2 * np.array([np.mean(residual * data.x), np.mean(residual)])
        theta = theta - 0.3 * grad
        np.testing.assert_allclose(path.positions[t + 1], theta, rtol=1e-10)
    np.testing.assert_allclose(path.full_loss[:-1], path.batch_loss, rtol=1e-10)


def test_smaller_batches_wander_more_around_the_minimum():
    data = regression_data()
    optimum = np.array(least_squares(data))
    spread = {}
    for size in (data.n, 32, 1):
        path = batch_path(data, size, lr=0.1, updates=1500, seed=3)
        tail = path.positions[-500:]  # long after the start has been forgotten
        spread[size] = np.sqrt(np.mean(np.sum((tail - optimum) ** 2, axis=1)))
    assert spread[data.n] < 1e-3
    assert spread[data.n] < spread[32] < spread[1]
    assert spread[1] > 3 * spread[32]  # noise shrinks roughly like 1/√batch


def test_batch_path_rejects_bad_sizes_and_rates():
    data = regression_data()
    for kwargs in ({"batch_size": 0}, {"batch_size": 443}, {"updates": 0}, {"lr": -1.0}):
        args = {"batch_size": 8, "lr": 0.1, "updates": 10} | kwargs
        with pytest.raises(ValueError):
            batch_path(data, **args)


def test_a_huge_rate_stops_the_path_instead_of_raising():
    data = regression_data()
    path = batch_path(data, 16, lr=1e6, updates=500)
    assert path.stopped and "Diverged at update" in path.stopped
    assert len(path.positions) < 10 and np.isfinite(path.positions).all()
    assert batch_path(data, 16, lr=0.1, updates=50).stopped is None


@pytest.fixture(scope="module")
def trained():
    session = OptimizerRaceSession(OptimizerRaceConfig())
    session.train_steps(3000)
    return session


def test_race_is_a_session_and_starts_everyone_from_the_same_weights():
    config = OptimizerRaceConfig(("sgd", "rmsprop", "adamw"), learning_rates=(0.3, 0.003, 0.01))
    session = OptimizerRaceSession(config)
    assert isinstance(session, Session)
    first = session.nets[0].state_dict()
    for net in session.nets[1:]:
        for key, value in net.state_dict().items():
            torch.testing.assert_close(value, first[key], rtol=0, atol=0)
    assert session.snapshot().leader is None


def test_race_losses_fall_and_adam_leads_on_the_spiral(trained):
    snap = trained.snapshot()
    assert snap.step == 3000
    start = snap.history_loss[:, 0]
    assert np.all(snap.train_loss < start)
    assert snap.train_loss[2] < 0.1 and snap.test_accuracy[2] > 0.9  # Adam
    assert snap.leader == 2 and "Adam" in snap.labels[2]
    assert snap.history_loss.shape == (3, len(snap.history_steps))


def test_race_same_seed_same_history():
    a, b = (OptimizerRaceSession(OptimizerRaceConfig(seed=4)) for _ in range(2))
    a.train_steps(200)
    b.train_steps(200)
    np.testing.assert_array_equal(a.snapshot().history_loss, b.snapshot().history_loss)


def test_retune_changes_rates_and_keeps_the_run():
    session = OptimizerRaceSession(OptimizerRaceConfig())
    session.train_steps(50)
    session.retune(OptimizerRaceConfig(learning_rates=(0.05, 0.05, 0.001)))
    assert session.step_count == 50
    assert [opt.param_groups[0]["lr"] for opt in session.optimizers] == [0.05, 0.05, 0.001]
    assert "η=0.001" in session.snapshot().labels[2]
    with pytest.raises(ValueError, match="one learning rate per optimizer"):
        session.retune(OptimizerRaceConfig(learning_rates=(0.1,)))


def test_a_diverging_contestant_is_stopped_and_the_others_race_on():
    session = OptimizerRaceSession(OptimizerRaceConfig(learning_rates=(1e6, 0.1, 0.01)))
    session.train_steps(100)
    snap = session.snapshot()
    assert snap.out[0] and "stopped at step" in snap.out[0]
    assert snap.out[1] is None and snap.halted is None and snap.leader != 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"optimizers": ("sgd",), "learning_rates": (0.1,)},
        {"optimizers": ("sgd", "sgd"), "learning_rates": (0.1, 0.1)},
        {"optimizers": ("sgd", "lion"), "learning_rates": (0.1, 0.1)},
        {"task": "imagenet"},
        {"depth": 0},
        {"width": 1000},
        {"learning_rates": (0.1, 0.1)},
        {"learning_rates": (0.1, float("nan"), 0.1)},
    ],
)
def test_race_config_rejects_bad_values(kwargs):
    with pytest.raises(ValueError):
        OptimizerRaceSession(OptimizerRaceConfig(**kwargs))


@pytest.mark.parametrize("directions", ["random", "pca"])
def test_landscape_slice_passes_through_the_leader(trained, directions):
    n = 9
    cut = trained.landscape(directions, n=n)
    snap = trained.snapshot()
    assert cut.centre == int(np.argmin(snap.train_loss))  # nobody is out: the lowest loss
    assert cut.loss.shape == (n, n) and np.isfinite(cut.loss).all()
    # the grid's middle point is θ* itself: its loss is the leader's training loss
    assert cut.loss[n // 2, n // 2] == pytest.approx(snap.train_loss[cut.centre], rel=1e-4)
    assert len(cut.paths) == 3 and all(p.shape[1] == 2 and len(p) > 10 for p in cut.paths)
    np.testing.assert_allclose(cut.paths[cut.centre][-1], 0.0, atol=1e-4)  # ends at θ*
    assert trained.landscape(directions, n=n) is cut  # computed once per step


def test_pca_directions_keep_the_paths_and_random_ones_lose_them(trained):
    spread = {d: max(np.abs(p).max() for p in trained.landscape(d).paths) for d in DIRECTIONS}
    assert spread["pca"] > 10 * spread["random"]  # the page's caption says exactly this


def test_a_contestant_that_ran_off_does_not_stretch_the_slice():
    session = OptimizerRaceSession(OptimizerRaceConfig(learning_rates=(1e6, 0.1, 0.01)))
    session.train_steps(200)
    assert session.out[0] is not None
    for directions in DIRECTIONS:
        cut = session.landscape(directions)
        assert cut.paths[0].shape == (0, 2)  # the diverged path is left out
        assert cut.axis[-1] < 20  # the grid spans the healthy paths, not the blow-up
        assert np.isfinite(cut.loss).all()


def test_different_seeds_race_differently():
    a, b = (OptimizerRaceSession(OptimizerRaceConfig(seed=s)) for s in (1, 2))
    a.train_steps(100)
    b.train_steps(100)
    assert not np.array_equal(a.snapshot().history_loss, b.snapshot().history_loss)


def test_random_directions_are_filter_normalised(trained):
    from dlviz.descent.race import _filter_normalised

    net = trained.nets[0]
    d = torch.from_numpy(_filter_normalised(net, torch.Generator().manual_seed(0)))
    offset = 0
    for p in net.parameters():
        chunk = d[offset : offset + p.numel()].reshape(p.shape)
        offset += p.numel()
        if p.dim() < 2:
            assert torch.all(chunk == 0)
        else:
            torch.testing.assert_close(chunk.norm(dim=1), p.detach().norm(dim=1), rtol=1e-5,
                                       atol=1e-6)  # fmt: skip


def test_landscape_rejects_unknown_directions(trained):
    with pytest.raises(ValueError, match="random, pca"):
        trained.landscape("sideways")
