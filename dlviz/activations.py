"""The ACTIVATIONS registry: element-wise activation functions in torch, each with its
formula and a hand-written derivative (tested against autograd) for fused training steps.

It owns the functions only; pages and figures about activations build on it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

_SQRT_2PI = math.sqrt(2.0 * math.pi)
LEAKY_SLOPE = 0.01


@dataclass(frozen=True)
class Activation:
    """One activation function.

    `fn(z)` maps pre-activations to outputs element-wise. `scale_grad_(g, z, a)` multiplies
    the upstream gradient `g` in place by f'(z), given the pre-activation `z` and output `a`
    (whichever is cheaper), and returns `g`: the backward step of a fused training loop.
    """

    name: str
    fn: Callable[[Tensor], Tensor]
    scale_grad_: Callable[[Tensor, Tensor, Tensor], Tensor]
    latex: str  # the formula, for st.latex
    output_range: str  # e.g. "(−1, 1)"
    needs_preactivation: bool = False  # scale_grad_ reads z (else only a)


def _tanh_grad_(g: Tensor, z: Tensor, a: Tensor) -> Tensor:
    # g·(1 − a²) = g − (g·a)·a, two ops instead of three
    return g.addcmul_(g * a, a, value=-1.0)


def _sigmoid_grad_(g: Tensor, z: Tensor, a: Tensor) -> Tensor:
    # σ' = a(1 − a)
    return g.mul_(a - a * a)


def _relu_grad_(g: Tensor, z: Tensor, a: Tensor) -> Tensor:
    return g.masked_fill_(a <= 0, 0.0)


def _leaky_relu_grad_(g: Tensor, z: Tensor, a: Tensor) -> Tensor:
    return torch.where(a > 0, g, g * LEAKY_SLOPE)  # keeps g's dtype


def _linear_grad_(g: Tensor, z: Tensor, a: Tensor) -> Tensor:
    return g


def _gelu_grad_(g: Tensor, z: Tensor, a: Tensor) -> Tensor:
    # d/dz [z·Φ(z)] = Φ(z) + z·φ(z), with Φ(z) = a / z recomputed exactly via erf
    cdf = 0.5 * (1.0 + torch.erf(z * (1.0 / math.sqrt(2.0))))
    pdf = torch.exp(-0.5 * z * z) * (1.0 / _SQRT_2PI)
    return g.mul_(cdf.addcmul_(z, pdf))


ACTIVATIONS: dict[str, Activation] = {
    "tanh": Activation(
        "tanh", torch.tanh, _tanh_grad_, r"\tanh(z) = \frac{e^z - e^{-z}}{e^z + e^{-z}}", "(−1, 1)"
    ),
    "relu": Activation("relu", torch.relu, _relu_grad_, r"\max(0, z)", "[0, ∞)"),
    "sigmoid": Activation(
        "sigmoid", torch.sigmoid, _sigmoid_grad_, r"\sigma(z) = \frac{1}{1 + e^{-z}}", "(0, 1)"
    ),
    "linear": Activation("linear", lambda z: z, _linear_grad_, r"z", "(−∞, ∞)"),
    "leaky_relu": Activation(
        "leaky_relu",
        lambda z: torch.nn.functional.leaky_relu(z, LEAKY_SLOPE),
        _leaky_relu_grad_,
        r"\max(0.01\,z,\ z)",
        "(−∞, ∞)",
    ),
    "gelu": Activation(
        "gelu",
        torch.nn.functional.gelu,
        _gelu_grad_,
        r"z\,\Phi(z)",
        "[−0.17, ∞)",
        needs_preactivation=True,
    ),
}


def get_activation(name: str) -> Activation:
    """Look up an activation by name; unknown names raise ValueError listing the choices."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}"
        ) from None
