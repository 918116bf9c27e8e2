"""dlviz.activations registry and softmax: values against independent references (scipy,
NumPy closed forms), derivatives against finite differences and autograd, the hand-written
fused-step derivatives against autograd, and the error messages."""

import math

import numpy as np
import pytest
import torch
from scipy.special import erf, expit
from scipy.special import softmax as scipy_softmax

from dlviz.activations import (
    ACTIVATIONS,
    DEFAULT_LOGITS,
    LEAKY_SLOPE,
    derivative,
    get_activation,
    parse_logits,
    softmax,
)
from dlviz.activations.softmax import entropy_bits, max_entropy_bits

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
PARAMETER_CASES = [("leaky_relu", {"alpha": 0.2}), ("elu", {"alpha": 0.5}), ("silu", {"beta": 3.0})]


def test_registry_holds_the_issue_s_activations_with_their_table_rows():
    assert set(ACTIVATIONS) == set(REFERENCE)
    for act in ACTIVATIONS.values():
        assert act.latex and act.output_range and act.use and act.pros and act.cons
        assert act.unit_failure in ("dead", "saturated", None)


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
    with pytest.raises(ValueError, match="has no parameter 'beta'"):
        ACTIVATIONS["elu"].check_params({"beta": 1.0})
    with pytest.raises(ValueError, match=r"alpha must be in \[0.0, 0.5\]"):
        derivative("leaky_relu", Z, alpha=float("nan"))


# --- softmax ------------------------------------------------------------------------------


@pytest.mark.parametrize("temperature", [0.05, 0.5, 1.0, 3.0, 50.0])
def test_softmax_matches_scipy_and_sums_to_one(temperature):
    logits = np.array(DEFAULT_LOGITS)
    got = softmax(logits, temperature)
    np.testing.assert_allclose(got, scipy_softmax(logits / temperature), rtol=1e-12)
    assert got.sum() == pytest.approx(1.0, abs=1e-12)


def test_softmax_of_the_course_example():
    # e² : e¹ : e^0.1 normalised, worked by hand
    e = np.exp([2.0, 1.0, 0.1])
    np.testing.assert_allclose(softmax(DEFAULT_LOGITS), e / e.sum(), rtol=1e-12)
    assert softmax(DEFAULT_LOGITS)[0] == pytest.approx(0.659, abs=1e-3)


def test_temperature_to_zero_is_argmax_and_to_infinity_is_uniform():
    logits = [0.3, 2.5, -1.0, 2.4]
    np.testing.assert_allclose(softmax(logits, 0.01), [0, 1, 0, 0], atol=1e-4)
    np.testing.assert_allclose(softmax(logits, 1e6), [0.25] * 4, atol=1e-5)
    assert entropy_bits(softmax(logits, 0.01)) < 0.01
    assert entropy_bits(softmax(logits, 1e6)) == pytest.approx(max_entropy_bits(4), abs=1e-6)
    assert max_entropy_bits(4) == 2.0


def test_softmax_never_overflows_on_large_logits():
    got = softmax([1000.0, 999.0], 0.01)
    assert np.isfinite(got).all() and got[0] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one number"),
        ("2, banana", "'banana' is not a number"),
        ("nan, 1", "finite number"),
        ("1e9", "finite number"),
        (", ".join(["1"] * 13), "at most 12"),
    ],
)
def test_bad_logit_text_gets_a_readable_message(text, message):
    with pytest.raises(ValueError, match=message):
        parse_logits(text)


def test_logit_text_parses_commas_and_spaces():
    assert parse_logits(" 2.0, 1.0  0.1 ") == (2.0, 1.0, 0.1)
    with pytest.raises(ValueError, match="positive"):
        softmax([1.0], 0.0)
