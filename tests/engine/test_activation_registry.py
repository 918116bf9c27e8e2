"""dlviz.activations.registry: values against independent references (SciPy, NumPy closed
forms), derivatives against finite differences and autograd, the hand-written fused-step
derivatives against autograd, parameters as knobs, and the error messages."""

import math

import numpy as np
import pytest
import torch
from scipy.special import erf, expit

from dlviz.activations.registry import (
    ACTIVATION_LABELS,
    ACTIVATIONS,
    LEAKY_SLOPE,
    derivative,
    get_activation,
)
from dlviz.knobs import Knob

Z = torch.linspace(-6, 6, 241, dtype=torch.float64)
SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def _softplus(z, beta=1.0):
    return np.logaddexp(0.0, z)


REFERENCE = {  # name → f(z, **params) in NumPy/SciPy, written independently of torch
    "sigmoid": lambda z: expit(z),
    "tanh": lambda z: np.tanh(z),
    "relu": lambda z: np.maximum(z, 0.0),
    "leaky_relu": lambda z, alpha=LEAKY_SLOPE: np.where(z > 0, z, alpha * z),
    "elu": lambda z, alpha=1.0: np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0))),
    "gelu": lambda z: 0.5 * z * (1 + erf(z / math.sqrt(2))),
    "gelu_tanh": lambda z: 0.5 * z * (1 + np.tanh(SQRT_2_OVER_PI * (z + 0.044715 * z**3))),
    "silu": lambda z, beta=1.0: z * expit(beta * z),
    "softplus": _softplus,
    "mish": lambda z: z * np.tanh(_softplus(z)),
    "linear": lambda z: z,
    "step": lambda z: np.heaviside(z, 0.0),
}
DEFAULTS = {"leaky_relu": {"alpha": 0.01}, "elu": {"alpha": 1.0}, "silu": {"beta": 1.0}}
PARAMETER_CASES = [("leaky_relu", {"alpha": 0.2}), ("elu", {"alpha": 0.5}), ("silu", {"beta": 3.0})]


def test_registry_holds_the_issue_s_activations_with_their_table_rows():
    assert set(ACTIVATIONS) == set(REFERENCE)
    assert list(ACTIVATION_LABELS) == list(ACTIVATIONS)  # the same names, in the same order
    assert ACTIVATION_LABELS["relu"] == "ReLU" and ACTIVATION_LABELS["silu"] == "SiLU / Swish"
    assert ACTIVATION_LABELS["gelu_tanh"] == "GELU (tanh approx.)"
    for act in ACTIVATIONS.values():
        assert act.latex and act.output_range and act.use and act.pros and act.cons
        assert act.unit_failure in ("dead", "saturated", None)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_parameters_are_knobs_whose_defaults_are_in_range(name):
    act = ACTIVATIONS[name]
    assert all(isinstance(p, Knob) and p.name for p in act.params)
    assert act.defaults == DEFAULTS.get(name, {})
    assert act.check_params({}) == act.defaults
    for p in act.params:
        assert p.check(p.default) == p.default and p.low <= p.default <= p.high


@pytest.mark.parametrize("name", list(REFERENCE))
def test_values_match_an_independent_reference(name):
    got = ACTIVATIONS[name].fn(Z).numpy()
    np.testing.assert_allclose(got, REFERENCE[name](Z.numpy()), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("name", "params"), PARAMETER_CASES)
def test_parameters_change_the_function_as_the_formula_says(name, params):
    act = ACTIVATIONS[name]
    got = act.apply(Z, **act.check_params(params)).numpy()
    np.testing.assert_allclose(got, REFERENCE[name](Z.numpy(), **params), rtol=1e-12, atol=1e-12)
    assert not np.allclose(got, act.fn(Z).numpy())  # the parameter really matters


@pytest.mark.parametrize(
    ("name", "params"), [(n, {}) for n in REFERENCE] + PARAMETER_CASES
)  # fmt: skip
def test_derivative_matches_a_central_finite_difference(name, params):
    z = Z[(Z.abs() > 0.05)]  # away from the kinks of relu, leaky relu, elu and step
    h = 1e-6
    ref = REFERENCE[name]
    finite_diff = (ref(z.numpy() + h, **params) - ref(z.numpy() - h, **params)) / (2 * h)
    got = derivative(name, z, **params).numpy()
    np.testing.assert_allclose(got, finite_diff, rtol=1e-6, atol=1e-7)


def test_step_and_sigmoid_slopes_are_what_the_course_says():
    assert derivative("step", Z).abs().max() == 0  # nothing for gradient descent to follow
    assert derivative("sigmoid", Z).max() == pytest.approx(0.25)  # at z = 0
    assert derivative("relu", torch.tensor([3.0])).item() == 1.0


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_hand_written_derivative_matches_autograd(name):
    act = ACTIVATIONS[name]
    z = Z[Z.abs() > 1e-3].clone().requires_grad_(True)  # skip the kink at 0
    a = act.fn(z)
    (auto,) = torch.autograd.grad(a.sum(), z)
    upstream = torch.linspace(0.5, 2.0, len(z), dtype=torch.float64)
    got = act.scale_grad_(upstream.clone(), z.detach(), a.detach())
    torch.testing.assert_close(got, upstream * auto, rtol=1e-10, atol=1e-12)


def test_unknown_names_and_bad_parameters_raise_value_error():
    with pytest.raises(ValueError, match=r"choose one of sigmoid, tanh, relu, .*step"):
        get_activation("swoosh")
    with pytest.raises(ValueError, match=r"has no setting 'beta' \(it has: alpha\)"):
        ACTIVATIONS["elu"].check_params({"beta": 1.0})
    with pytest.raises(ValueError, match=r"\(alpha\) must be a number from 0 to 0.5"):
        derivative("leaky_relu", Z, alpha=float("nan"))
    with pytest.raises(ValueError, match=r"\(alpha\)"):
        ACTIVATIONS["elu"].check_params({"alpha": True})  # a bool is not a number
