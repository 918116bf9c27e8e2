"""dlviz.descent.descend: trajectories from real torch.optim optimizers checked against closed
forms (|1 − ηλ|^t on a quadratic, Adam's first step, the heavy-ball and Nesterov recurrences),
the surface's own losses and gradients recorded, schedules wired in, divergence reported not
raised, the suggested rates and the sentence describing where a path ended."""

import math

import numpy as np
import pytest
import torch

from dlviz.descent.descend import MAX_STEPS, default_lr, descend, describe, lr_trio
from dlviz.descent.schedules import SCHEDULES
from dlviz.descent.surfaces import SURFACES, get_surface
from dlviz.optimizers import OPTIMIZERS


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
    assert path.steps == 10 and path.updates.shape == (10, 2)


def test_a_surface_given_by_name_is_built_with_its_parameters():
    by_name = descend("bowl", (1.0, 1.0), "sgd", steps=5, lr=0.05,
                      surface_params={"condition": 4.0})  # fmt: skip
    built = descend(get_surface("bowl", condition=4.0), (1.0, 1.0), "sgd", steps=5, lr=0.05)
    np.testing.assert_array_equal(by_name.positions, built.positions)


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


def test_optimizers_without_a_velocity_record_nan():
    path = descend("bowl", (1.0, 1.0), "adagrad", steps=3)
    assert path.velocity.shape == (3, 2) and np.isnan(path.velocity).all()


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
    assert describe(blown, bowl) == blown.stopped


def test_saddle_escapes_unless_started_exactly_on_the_ridge():
    saddle = get_surface("saddle")
    stuck = descend(saddle, (-1.8, 0.0), "sgd", steps=80, lr=0.05)
    assert stuck.stopped is None and np.linalg.norm(stuck.positions[-1]) < 1e-3
    away = descend(saddle, (-1.8, 0.02), "sgd", steps=300, lr=0.05)
    assert away.stopped and "ran off" in away.stopped


def test_rosenbrock_gradient_matches_its_closed_form():
    surf = get_surface("rosenbrock")
    path = descend(surf, surf.start, "adam", steps=30)
    x, y = path.positions.T
    grad = np.stack([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)], axis=1)
    np.testing.assert_allclose(path.grads, grad, rtol=1e-10)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_goes_downhill_on_the_bowl(name):
    bowl = get_surface("bowl")
    path = descend(bowl, bowl.start, name, steps=60)
    assert path.stopped is None and path.losses[-1] < path.losses[0]


def test_descend_follows_the_schedule_it_is_given():
    path = descend("bowl", (1.0, 1.0), "sgd", steps=6, schedule="step", lr=0.1,
                   schedule_params={"every": 2.0, "gamma": 0.5})  # fmt: skip
    np.testing.assert_allclose(path.lrs, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025])  # 2.0 is whole


def test_suggested_rates_depend_on_the_kind_of_optimizer():
    bowl = get_surface("bowl", condition=10.0)
    assert default_lr(bowl, "sgd") == bowl.lr == pytest.approx(0.05)
    assert default_lr(bowl, "adam") == bowl.step
    low, mid, high = lr_trio(bowl, "momentum")
    assert (low, high) == pytest.approx((mid / 10, mid * 10)) and mid == bowl.lr
    assert descend(bowl, bowl.start, "sgd", steps=3).lrs[0] == bowl.lr  # the default rate


def test_describe_says_where_a_path_ended():
    bowl = get_surface("bowl")
    path = descend(bowl, bowl.start, "sgd", steps=200)
    text = describe(path, bowl)
    assert text.startswith("after 200 steps: L = ") and "from the minimum (0, 0)" in text
    himmelblau = get_surface("himmelblau")
    end = describe(descend(himmelblau, himmelblau.start, "adam", steps=300), himmelblau)
    assert "the nearest minimum" in end


@pytest.mark.parametrize(
    ("call", "listed"),
    [
        (lambda: descend("volcano", (0, 0), "sgd"), ", ".join(SURFACES)),
        (lambda: descend("bowl", (0, 0), "lion"), ", ".join(OPTIMIZERS)),
        (lambda: descend("bowl", (0, 0), "sgd", schedule="zigzag"), ", ".join(SCHEDULES)),
        (lambda: descend("bowl", (0, 0), "adam", {"gamma": 1.0}), "beta1, beta2"),
        (lambda: descend("bowl", (0, 0), "sgd", surface_params={"width": 3}), "condition"),
    ],
)
def test_unknown_names_raise_value_error_listing_the_choices(call, listed):
    with pytest.raises(ValueError, match=listed):
        call()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lr": 0.0}, {"lr": -1.0}, {"lr": math.nan}, {"lr": 1e7}, {"lr": True}, {"steps": 0},
        {"steps": MAX_STEPS + 1}, {"steps": 2.5}, {"start": (math.inf, 0.0)},
        {"start": (1.0, 2.0, 3.0)}, {"hyperparams": {"momentum": 2.0}},
        {"schedule": "step", "schedule_params": {"every": 2.5}},
    ],
)  # fmt: skip
def test_bad_values_raise_value_error(kwargs):
    args = {"start": (1.0, 1.0), "optimizer_name": "momentum"} | kwargs
    with pytest.raises(ValueError):
        descend("bowl", **args)
