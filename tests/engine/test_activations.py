"""dlviz.activations: values against independent references (scipy, closed forms) and the
hand-written derivatives used by the fused step against autograd."""

import math

import numpy as np
import pytest
import torch
from scipy.special import erf, expit

from dlviz.activations import ACTIVATIONS, LEAKY_SLOPE, get_activation

Z = torch.linspace(-6, 6, 241, dtype=torch.float64)
REFERENCE = {
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "sigmoid": expit,
    "linear": lambda z: z,
    "leaky_relu": lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
    "gelu": lambda z: 0.5 * z * (1 + erf(z / math.sqrt(2))),
}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_values_match_reference(name):
    got = ACTIVATIONS[name].fn(Z).numpy()
    np.testing.assert_allclose(got, REFERENCE[name](Z.numpy()), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_hand_written_derivative_matches_autograd(name):
    act = ACTIVATIONS[name]
    z = Z[Z.abs() > 1e-3].clone().requires_grad_(True)  # skip the kink at 0
    a = act.fn(z)
    (auto,) = torch.autograd.grad(a.sum(), z)
    upstream = torch.linspace(0.5, 2.0, len(z), dtype=torch.float64)
    got = act.scale_grad_(upstream.clone(), z.detach(), a.detach())
    torch.testing.assert_close(got, upstream * auto, rtol=1e-10, atol=1e-12)


def test_unknown_activation_lists_choices():
    with pytest.raises(ValueError, match=r"tanh, relu"):
        get_activation("swoosh")
