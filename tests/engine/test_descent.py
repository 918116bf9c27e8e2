"""Gradient descent on 2-D surfaces: trajectories from real torch.optim optimizers checked
against closed forms (|1 − ηλ|^t on a quadratic, Adam's first step, the heavy-ball and
Nesterov recurrences), learning-rate schedules against their formulas, divergence reported
not raised, and the registries' error messages."""

import math

import numpy as np
import pytest
import torch

from dlviz.descent import (
    OPTIMIZERS,
    SCHEDULES,
    SURFACES,
    descend,
    get_surface,
    surface_grid,
)


@pytest.mark.parametrize("condition", [1.0, 10.0, 50.0])
@pytest.mark.parametrize("lr", [0.01, 0.03])
def test_gradient_descent_on_a_bowl_follows_the_closed_form_rate(condition, lr):
    bowl = get_surface("bowl", condition=condition)
    start = np.array([-2.5, 2.0])
    path = descend(bowl, tuple(start), "sgd", steps=40, lr=lr)
    t = np.arange(41)[:, None]
    rates = np.abs(1 - lr * np.array(bowl.curvatures))  # per eigen-direction (x, y)
    expected = np.abs(start) * rates**t
    np.testing.assert_allclose(np.abs(path.positions), expected, rtol=1e-9, atol=1e-12)


def test_gradients_and_losses_recorded_are_the_surface_s():
    bowl = get_surface("bowl", condition=4.0)
    path = descend(bowl, (1.0, -1.5), "momentum", steps=10, lr=0.05)
    x, y = path.positions.T
    np.testing.assert_allclose(path.losses, 0.5 * (x**2 + 4 * y**2), rtol=1e-12)
    np.testing.assert_allclose(path.grads, np.stack([x, 4 * y], axis=1), rtol=1e-12)
    assert path.lrs.shape == (10,) and np.all(path.lrs == 0.05)


@pytest.mark.parametrize("name", ["adam", "adamw"])
@pytest.mark.parametrize("surface", ["bowl", "rosenbrock", "beale"])
def test_adams_first_step_is_about_the_learning_rate_along_each_coordinate(name, surface):
    surf = get_surface(surface)
    path = descend(surf, surf.start, name, steps=1, lr=0.05, hyperparams={"weight_decay": 0.0}
                   if name == "adamw" else None)  # fmt: skip
    step = path.updates[0]
    np.testing.assert_allclose(np.abs(step), 0.05, rtol=1e-6)
    assert np.all(np.sign(step) == -np.sign(path.grads[0]))  # downhill in every coordinate


def test_momentum_with_zero_beta_is_plain_sgd():
    surf = get_surface("rosenbrock")
    sgd = descend(surf, surf.start, "sgd", steps=200, lr=0.001)
    heavy = descend(surf, surf.start, "momentum", {"momentum": 0.0}, steps=200, lr=0.001)
    np.testing.assert_array_equal(sgd.positions, heavy.positions)


def _hand_momentum(surface, start, lr, beta, steps, nesterov=False):
    """The heavy-ball / Nesterov recurrences written out, gradients by autograd."""
    theta, v = np.array(start, dtype=np.float64), np.zeros(2)
    out, velocity = [theta.copy()], []
    for _ in range(steps):
        p = torch.tensor(theta, requires_grad=True)
        surface(p).backward()
        g = p.grad.numpy()
        v = beta * v + g
        theta = theta - lr * (g + beta * v if nesterov else v)
        out.append(theta.copy())
        velocity.append(v.copy())
    return np.array(out), np.array(velocity)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_and_nesterov_follow_their_recurrences(nesterov):
    surf = get_surface("valley")
    name = "nesterov" if nesterov else "momentum"
    path = descend(surf, surf.start, name, {"momentum": 0.8}, steps=60, lr=0.05)
    positions, velocity = _hand_momentum(surf, surf.start, 0.05, 0.8, 60, nesterov)
    np.testing.assert_allclose(path.positions, positions, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(path.velocity, velocity, rtol=1e-10, atol=1e-12)


def test_lr_above_two_over_lambda_max_diverges_and_is_reported():
    bowl = get_surface("bowl", condition=10.0)  # λ_max = 10: stable only for η < 0.2
    stable = descend(bowl, bowl.start, "sgd", steps=300, lr=0.19)
    assert stable.stopped is None and stable.losses[-1] < 1e-6
    blown = descend(bowl, bowl.start, "sgd", steps=300, lr=0.21)
    assert blown.stopped is not None and "Diverged at step" in blown.stopped
    assert blown.steps < 300 and np.isfinite(blown.positions).all()
    assert blown.losses[-1] > 100 * blown.losses[0]  # it climbed before it was stopped
    huge = descend(bowl, bowl.start, "sgd", steps=50, lr=1e6)
    assert huge.stopped and huge.steps <= 2


def test_saddle_escapes_unless_started_exactly_on_the_ridge():
    saddle = get_surface("saddle")
    stuck = descend(saddle, (-1.8, 0.0), "sgd", steps=80, lr=0.05)
    assert stuck.stopped is None and np.linalg.norm(stuck.positions[-1]) < 1e-3
    away = descend(saddle, (-1.8, 0.02), "sgd", steps=300, lr=0.05)
    assert away.stopped and "ran off" in away.stopped


def _lrs(schedule, steps=60, lr=0.2, surface="bowl", start=(1.0, 1.0), **params):
    return descend(surface, start, "sgd", steps=steps, schedule=schedule, lr=lr,
                   schedule_params=params).lrs  # fmt: skip


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


def test_reduce_on_plateau_cuts_the_rate_when_the_loss_stops_improving():
    # Started on the saddle point itself the gradient is 0 and the loss never changes:
    # every step after the first is a "bad" one, so the rate halves after each
    # `patience` + 1 of them (the first cut follows step 0's best plus 5 bad steps).
    lrs = _lrs("plateau", steps=40, surface="saddle", start=(0.0, 0.0), gamma=0.5, patience=4)
    drops = np.flatnonzero(lrs[1:] < lrs[:-1]) + 1
    np.testing.assert_array_equal(drops, [6, 11, 16, 21, 26, 31, 36])
    np.testing.assert_allclose(lrs, 0.2 * 0.5 ** np.searchsorted(drops, np.arange(40), "right"))
    moving = _lrs("plateau", steps=40, lr=0.1, gamma=0.5, patience=4)
    assert np.all(moving == 0.1)  # an improving loss keeps its rate


@pytest.mark.parametrize("name", list(SURFACES))
def test_each_surface_is_flat_and_zero_at_its_minima(name):
    surf = get_surface(name)
    for point in surf.minima:
        p = torch.tensor(point, dtype=torch.float64, requires_grad=True)
        loss = surf(p)
        loss.backward()
        assert abs(loss.item()) < 1e-9
        assert np.abs(p.grad.numpy()).max() < 1e-4
    x0, x1, y0, y1 = surf.box
    assert x0 < surf.start[0] < x1 and y0 < surf.start[1] < y1


def test_rosenbrock_gradient_matches_its_closed_form():
    surf = get_surface("rosenbrock")
    path = descend(surf, surf.start, "adam", steps=30)
    x, y = path.positions.T
    grad = np.stack([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)], axis=1)
    np.testing.assert_allclose(path.grads, grad, rtol=1e-10)


def test_surface_grid_rows_run_along_y():
    surf = get_surface("himmelblau")
    xs, ys, z = surface_grid(surf, n=30)
    i, j = 7, 21
    expected = (xs[j] ** 2 + ys[i] - 11) ** 2 + (xs[j] + ys[i] ** 2 - 7) ** 2
    assert z.shape == (30, 30) and z[i, j] == pytest.approx(expected)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_goes_downhill_on_the_bowl(name):
    bowl = get_surface("bowl")
    path = descend(bowl, bowl.start, name, steps=60)
    assert path.stopped is None and path.losses[-1] < path.losses[0]


@pytest.mark.parametrize(
    ("call", "listed"),
    [
        (lambda: descend("volcano", (0, 0), "sgd"), ", ".join(SURFACES)),
        (lambda: descend("bowl", (0, 0), "lion"), ", ".join(OPTIMIZERS)),
        (lambda: descend("bowl", (0, 0), "sgd", schedule="zigzag"), ", ".join(SCHEDULES)),
        (lambda: descend("bowl", (0, 0), "adam", {"gamma": 1.0}), "beta1, beta2"),
        (lambda: get_surface("bowl", width=3), "condition"),
    ],
)
def test_unknown_names_raise_value_error_listing_the_choices(call, listed):
    with pytest.raises(ValueError, match=listed):
        call()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lr": 0.0}, {"lr": -1.0}, {"lr": math.nan}, {"lr": 1e7}, {"steps": 0},
        {"steps": 10**6}, {"start": (math.inf, 0.0)}, {"hyperparams": {"momentum": 2.0}},
    ],
)  # fmt: skip
def test_bad_values_raise_value_error(kwargs):
    args = {"start": (1.0, 1.0), "optimizer_name": "momentum"} | kwargs
    with pytest.raises(ValueError):
        descend("bowl", **args)


def test_knobs_out_of_range_or_fractional_raise():
    with pytest.raises(ValueError, match="between 1 and 100"):
        get_surface("bowl", condition=1000.0)
    with pytest.raises(ValueError, match="whole number"):
        descend("bowl", (1.0, 1.0), "sgd", schedule="step", schedule_params={"every": 2.5})
    path = descend("bowl", (1.0, 1.0), "sgd", steps=4, schedule="step",
                   schedule_params={"every": 2.0, "gamma": 0.5}, lr=0.1)  # fmt: skip
    np.testing.assert_allclose(path.lrs, [0.1, 0.1, 0.05, 0.05])  # 2.0 is a whole number
