"""dlviz.optimizers: every registry entry builds the real torch.optim optimizer with its
hyperparameters wired through, takes a finite step at every hyperparameter's low and high
end (Nesterov with momentum 0 used to raise inside torch), and the errors name the choices."""

import math

import pytest
import torch

from dlviz.knobs import Knob
from dlviz.optimizers import (
    LEARNING_RATE,
    OPTIMIZER_LABELS,
    OPTIMIZERS,
    build_optimizer,
    get_optimizer,
    rate_label,
    set_learning_rate,
)

TORCH_CLASS = {
    "sgd": torch.optim.SGD, "momentum": torch.optim.SGD, "nesterov": torch.optim.SGD,
    "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop, "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
}  # fmt: skip


def _one_step(name, hyperparams=None, lr=0.01) -> tuple[torch.Tensor, torch.optim.Optimizer]:
    theta = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    opt = build_optimizer(name, [theta], lr, hyperparams)
    (theta**2).sum().backward()
    opt.step()
    return theta.detach(), opt


def test_registry_entries_are_described_and_build_their_torch_class():
    assert set(OPTIMIZERS) == set(TORCH_CLASS)
    assert list(OPTIMIZER_LABELS) == list(OPTIMIZERS)  # the same names, in the same order
    assert OPTIMIZER_LABELS["adam"] == "Adam" and OPTIMIZER_LABELS["adamw"] == "AdamW"
    assert OPTIMIZER_LABELS["rmsprop"] == "RMSprop" and OPTIMIZER_LABELS["sgd"] == "SGD"
    for name, spec in OPTIMIZERS.items():
        assert spec.latex and spec.idea and spec.race_lr > 0
        assert all(isinstance(k, Knob) and k.name for k in spec.hypers)
        _, opt = _one_step(name)
        assert type(opt) is TORCH_CLASS[name]


def _ends():
    for name, spec in OPTIMIZERS.items():
        for k in spec.hypers:
            for end in (k.low, k.high):
                yield pytest.param(name, {k.name: end}, id=f"{name}-{k.name}={end:g}")


@pytest.mark.parametrize(("name", "hyperparams"), _ends())
def test_every_optimizer_steps_at_each_end_of_every_hyperparameter(name, hyperparams):
    theta, _ = _one_step(name, hyperparams)
    assert torch.isfinite(theta).all()
    assert (theta**2).sum() < 5.0  # the first step goes downhill from L = 5


def test_hyperparameters_reach_torch():
    group = _one_step("momentum", {"momentum": 0.5})[1].param_groups[0]
    assert group["momentum"] == 0.5 and not group["nesterov"]
    group = _one_step("nesterov", {"momentum": 0.01})[1].param_groups[0]
    assert group["momentum"] == 0.01 and group["nesterov"]
    assert _one_step("rmsprop", {"rho": 0.7})[1].param_groups[0]["alpha"] == 0.7
    hypers = {"beta1": 0.8, "beta2": 0.95, "weight_decay": 0.3}
    group = _one_step("adamw", hypers)[1].param_groups[0]
    assert group["betas"] == (0.8, 0.95) and group["weight_decay"] == 0.3
    assert _one_step("adam", lr=0.2)[1].param_groups[0]["lr"] == 0.2


def test_defaults_are_the_registry_s_and_within_range():
    for spec in OPTIMIZERS.values():
        assert spec.check({}) == {k.name: k.default for k in spec.hypers}
        for k in spec.hypers:
            assert k.low <= k.default <= k.high
    assert _one_step("adam")[1].param_groups[0]["betas"] == (0.9, 0.999)


@pytest.mark.parametrize("name", [n for n, s in OPTIMIZERS.items() if s.velocity])
def test_velocity_key_names_torch_s_state(name):
    theta = torch.zeros(2, requires_grad=True)
    opt = build_optimizer(name, [theta], 0.1)
    theta.sum().backward()
    opt.step()
    assert OPTIMIZERS[name].velocity in opt.state[theta]


def test_nesterov_without_momentum_is_refused_by_its_own_knob():
    with pytest.raises(ValueError, match=r"\(momentum\) must be a number from 0.01"):
        _one_step("nesterov", {"momentum": 0.0})


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: get_optimizer("lion"), "choose one of sgd, momentum, nesterov"),
        (lambda: _one_step("lion"), "choose one of sgd"),
        (lambda: _one_step("adam", {"gamma": 1.0}), r"no setting 'gamma' \(it has: beta1, beta2"),
        (lambda: _one_step("sgd", {"momentum": 0.9}), r"it has: none"),
        (lambda: _one_step("momentum", {"momentum": 2.0}), r"\(momentum\)"),
        (lambda: _one_step("adam", {"beta1": math.nan}), r"\(beta1\)"),
        (lambda: _one_step("adam", {"beta1": True}), r"\(beta1\)"),  # a bool is not a number
        (lambda: _one_step("sgd", lr=0.0), r"\(lr\)"),
        (lambda: _one_step("sgd", lr=math.nan), r"\(lr\)"),
        (lambda: _one_step("sgd", lr=1e7), r"\(lr\)"),
    ],
)
def test_bad_names_and_values_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_rate_label_and_learning_rate_range():
    assert rate_label("adam", 0.01) == "Adam · η=0.01"
    assert rate_label("sgd", 3e-5) == "SGD · η=3e-05"
    assert LEARNING_RATE.check(1e6) == 1e6 and LEARNING_RATE.check(1e-7) == 1e-7


def test_set_learning_rate_changes_the_rate_and_keeps_the_momentum():
    _, opt = _one_step("momentum", lr=0.1)
    theta = opt.param_groups[0]["params"][0]
    buffer = opt.state[theta]["momentum_buffer"].clone()
    set_learning_rate(opt, 0.5)
    assert opt.param_groups[0]["lr"] == 0.5
    assert torch.equal(opt.state[theta]["momentum_buffer"], buffer)
    for bad in (math.nan, 0.0, 1e7):
        with pytest.raises(ValueError, match="learning rate"):
            set_learning_rate(opt, bad)
    assert opt.param_groups[0]["lr"] == 0.5
