"""dlviz.activations.health: dead units and saturated signals counted against a direct count
with the slopes written out in NumPy, the activation's own parameters respected, and the
blocked share (no gradient on any sample) that the race and the stall rule read."""

import numpy as np
import pytest
import torch
from scipy.special import expit

from dlviz.activations import ACTIVATIONS, derivative
from dlviz.activations.health import SATURATED_SLOPE, blocked_units, slope, unit_health
from dlviz.models import DeepStack

SLOPES = {  # f'(z) in NumPy, written independently of torch
    "sigmoid": lambda z: expit(z) * (1 - expit(z)),
    "tanh": lambda z: 1 - np.tanh(z) ** 2,
    "relu": lambda z: (z > 0).astype(np.float64),
    "leaky_relu": lambda z: np.where(z > 0, 1.0, 0.01),
}


def _pre(seed: int, scale: float) -> list[torch.Tensor]:
    """Two layers of pre-activations (batch 5, 40 units), some units pushed far negative or
    positive on every sample, so that every count is neither 0 nor 1."""
    gen = torch.Generator().manual_seed(seed)
    layers = []
    for _ in range(2):
        z = torch.randn(5, 40, generator=gen, dtype=torch.float64) * scale
        shift = torch.randint(-1, 2, (40,), generator=gen).double() * 30  # −30, 0 or +30
        layers.append(z + shift)
    return layers


def test_unit_health_counts_dead_units_and_saturated_signals_directly():
    net = DeepStack(2, 3, 1, 1, "sigmoid")
    z = torch.tensor([[-1.0, 0.5, -20.0], [-2.0, -0.5, 20.0]])  # (batch 2, 3 units)
    dead, saturated = unit_health(net, [z])
    assert dead.item() == pytest.approx(1 / 3)  # only unit 0 is never positive
    assert saturated.item() == pytest.approx(2 / 6)  # σ'(±20) ≈ 2e-9; the rest are not


@pytest.mark.parametrize("name", list(SLOPES))
def test_health_and_blocked_units_match_a_direct_count(name):
    net = DeepStack(2, 40, 2, 1, name)
    pre = _pre(0, scale=3.0)
    dead, saturated = unit_health(net, pre)
    blocked = blocked_units(net, pre)
    for i, z in enumerate(pre):
        zz = z.numpy()
        flat = np.abs(SLOPES[name](zz)) < SATURATED_SLOPE  # (batch, units)
        assert dead[i].item() == pytest.approx(np.mean((zz <= 0).all(0)))
        assert saturated[i].item() == pytest.approx(flat.mean())
        assert blocked[i].item() == pytest.approx(flat.all(0).mean())
    if name == "leaky_relu":  # its slope α = 0.01 never drops below 10⁻³
        assert blocked.sum() == 0 and saturated.sum() == 0 and dead.sum() > 0
    else:
        assert blocked.min() > 0 and blocked.max() < 1


def test_blocked_units_read_the_activation_s_own_parameters():
    negative = [-torch.ones(4, 6)]  # every unit negative on every sample
    assert blocked_units(DeepStack(2, 6, 1, 1, "leaky_relu"), negative).item() == 0.0
    flat = DeepStack(2, 6, 1, 1, "leaky_relu", {"alpha": 0.0})  # α = 0: a plain ReLU
    assert blocked_units(flat, negative).item() == 1.0
    assert blocked_units(DeepStack(2, 6, 1, 1, "relu"), negative).item() == 1.0


def test_no_hidden_layers_give_empty_measures():
    net = DeepStack(2, 3, 1, 1, "relu")
    assert blocked_units(net, []).shape == (0,)
    assert [t.shape for t in unit_health(net, [])] == [(0,), (0,)]


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_the_fast_slope_equals_autograd(name):
    """blocked_units reads f' from the registry's hand-written derivative at the default
    parameters: it must be autograd's."""
    net = DeepStack(3, 8, 2, 2, name)
    z = torch.linspace(-6, 6, 97, dtype=torch.float64).reshape(-1, 1).repeat(1, 8)
    torch.testing.assert_close(slope(net, z), derivative(name, z), rtol=1e-9, atol=1e-12)


TUNED_SLOPES = {  # f'(z) at a parameter value, in closed form (NumPy), independent of torch
    "leaky_relu": ("alpha", lambda z, a: np.where(z > 0, 1.0, a)),
    "elu": ("alpha", lambda z, a: np.where(z > 0, 1.0, a * np.exp(z))),
    "silu": ("beta", lambda z, b: expit(b * z) * (1 + b * z * (1 - expit(b * z)))),
}


def test_every_tunable_activation_has_a_closed_form_slope_here():
    assert set(TUNED_SLOPES) == {name for name, act in ACTIVATIONS.items() if act.params}


@pytest.mark.parametrize("name", sorted(TUNED_SLOPES))
@pytest.mark.parametrize("end", ["low", "high"])
def test_the_slope_at_non_default_parameters_is_the_closed_form(name, end):
    param, reference = TUNED_SLOPES[name]
    knob = next(k for k in ACTIVATIONS[name].params if k.name == param)
    value = getattr(knob, end)  # the slider's ends, neither of them the default
    assert value != knob.default
    z = torch.linspace(-6, 6, 97, dtype=torch.float64).reshape(-1, 1).repeat(1, 8)
    tuned = DeepStack(3, 8, 2, 2, name, {param: value})
    np.testing.assert_allclose(slope(tuned, z).numpy(), reference(z.numpy(), value), rtol=1e-9,
                               atol=1e-12)  # fmt: skip
