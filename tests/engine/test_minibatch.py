"""dlviz.descent.minibatch: the diabetes regression's exact MSE against a direct mean and
np.polyfit, full-batch SGD against the gradient-descent recurrence, smaller batches
wandering more, divergence reported not raised, and the contour the page draws."""

import numpy as np
import pytest

from dlviz.descent.minibatch import (
    BOX,
    START,
    batch_path,
    batch_paths,
    least_squares,
    mse,
    mse_contour,
    mse_grid,
    regression_data,
)


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


def test_mse_contour_is_the_exact_loss_with_the_fit_as_its_minimum():
    data = regression_data()
    grid = mse_contour(data)
    w, b, z = mse_grid(data)
    np.testing.assert_array_equal(grid.z, z)
    np.testing.assert_array_equal(grid.xs, w)
    np.testing.assert_array_equal(grid.ys, b)
    assert grid.minima == (least_squares(data),) and grid.box == BOX and not grid.log_view
    x0, x1, y0, y1 = BOX
    assert x0 <= grid.minima[0][0] <= x1 and y0 <= grid.minima[0][1] <= y1  # in view
    assert x0 <= START[0] <= x1 and y0 <= START[1] <= y1


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


def test_batch_paths_share_start_rate_and_seed():
    paths = batch_paths([442, 8], lr=0.1, updates=20, seed=2)
    assert [p.batch_size for p in paths] == [442, 8]
    assert all(p.positions.shape == (21, 2) for p in paths)
    np.testing.assert_array_equal(paths[1].positions, batch_path(regression_data(), 8, 0.1, 20,
                                                                 seed=2).positions)  # fmt: skip
    other = batch_path(regression_data(), 8, 0.1, 20, seed=3)
    assert not np.array_equal(paths[1].positions, other.positions)


def test_batch_path_rejects_bad_sizes_and_rates():
    data = regression_data()
    for kwargs in ({"batch_size": 0}, {"batch_size": 443}, {"updates": 0}, {"updates": 2001},
                   {"lr": -1.0}, {"lr": float("nan")}):  # fmt: skip
        args = {"batch_size": 8, "lr": 0.1, "updates": 10} | kwargs
        with pytest.raises(ValueError):
            batch_path(data, **args)


def test_a_huge_rate_stops_the_path_instead_of_raising():
    data = regression_data()
    path = batch_path(data, 16, lr=1e6, updates=500)
    assert path.stopped and "Diverged at update" in path.stopped
    assert len(path.positions) < 10 and np.isfinite(path.positions).all()
    assert batch_path(data, 16, lr=0.1, updates=50).stopped is None
