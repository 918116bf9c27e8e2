"""Backpropagation by hand on a 2-2-1 network (two inputs, two hidden units, one sigmoid
output) for one XOR row: every forward value, the loss, every local gradient and
chain-rule product, and the SGD update, computed explicitly in float64 (tested against
autograd). The network is the one XorSession trains, drawn from the same seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from dlviz.activations import ACTIVATION_LABELS, get_activation
from dlviz.knobs import Config, knob, seed_knob
from dlviz.models import seeded_weights
from dlviz.neurons.gates import INPUTS, get_gate

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")
LOSSES = {"bce": "binary cross-entropy", "mse": "squared error"}
# Each hidden activation's slope f'(z), from z and a = f(z), as the walkthrough writes it.
SLOPES = {
    "sigmoid": lambda z, a: a * (1 - a),
    "tanh": lambda z, a: 1 - a**2,
    "relu": lambda z, a: (z > 0).astype(np.float64),
}
ROW_LABELS = {i: f"x = ({int(a)}, {int(b)}) → y = {y}" for i, ((a, b), y) in
              enumerate(zip(INPUTS, get_gate("xor").outputs))}  # fmt: skip


def activation_knob() -> str:
    """The hidden units' activation, shared by the walkthrough and the live network."""
    return knob("sigmoid", "Hidden activation", options=HIDDEN_ACTIVATIONS, widget="segmented",
                labels={n: ACTIVATION_LABELS[n] for n in HIDDEN_ACTIVATIONS})  # fmt: skip


def loss_knob() -> str:
    """The loss on the sigmoid output ŷ: BCE −[y log ŷ + (1−y) log(1−ŷ)] or MSE (ŷ − y)²."""
    return knob("bce", "Loss", options=tuple(LOSSES), labels=LOSSES, widget="segmented")


class XorNet(nn.Module):
    """The 2-2-1 network: Linear 2→2, the hidden activation, Linear 2→1. `forward` returns
    the output's pre-activation z2 (n, 1); the sigmoid is applied by the loss."""

    def __init__(self, activation: str) -> None:
        super().__init__()
        self.hidden = nn.Linear(2, 2)
        self.out = nn.Linear(2, 1)
        self.f = get_activation(activation).fn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.f(self.hidden(x)))


def xor_net(activation: str, seed: int) -> XorNet:
    """A float64 XorNet with PyTorch's default initialisation drawn from `seed`."""
    with seeded_weights(seed):
        net = XorNet(activation)
    return net.double()


@dataclass(frozen=True)
class BackpropConfig(Config):
    """Which row to push through the seeded network, and how it learns from it."""

    row: int = knob(3, "Example", low=0, high=3, options=(0, 1, 2, 3), labels=ROW_LABELS)
    activation: str = activation_knob()
    loss: str = loss_knob()
    learning_rate: float = knob(1.0, "Learning rate η", low=0.01, high=10.0, log=True)
    seed: int = seed_knob("the network's starting weights")


@dataclass(frozen=True)
class Walkthrough:
    """One forward and backward pass, every number of it (hidden-unit vectors are (2,))."""

    x: np.ndarray  # (2,)
    y: float
    w1: np.ndarray  # (2, 2) [hidden unit, input]
    b1: np.ndarray  # (2,)
    w2: np.ndarray  # (2,) output weight of each hidden unit
    b2: float
    z1: np.ndarray  # W1 x + b1
    a1: np.ndarray  # f(z1)
    z2: float  # w2·a1 + b2
    y_hat: float  # σ(z2)
    loss: float
    dloss_dyhat: float  # ∂L/∂ŷ
    dyhat_dz2: float  # σ'(z2) = ŷ(1 − ŷ)
    delta2: float  # ∂L/∂z2 = ∂L/∂ŷ · σ'(z2)
    grad_w2: np.ndarray  # ∂L/∂w2 = δ2 · a1
    grad_b2: float  # δ2
    dloss_da1: np.ndarray  # δ2 · w2
    da1_dz1: np.ndarray  # f'(z1)
    delta1: np.ndarray  # ∂L/∂z1 = δ2 w2 ⊙ f'(z1)
    grad_w1: np.ndarray  # (2, 2) δ1 xᵀ
    grad_b1: np.ndarray  # δ1
    lr: float
    new_w1: np.ndarray  # W1 − η ∂L/∂W1
    new_b1: np.ndarray
    new_w2: np.ndarray
    new_b2: float


def _loss_and_slope(loss: str, y_hat: float, y: float) -> tuple[float, float]:
    """The loss of output ŷ against y and its slope ∂L/∂ŷ."""
    if loss == "bce":
        return -(y * np.log(y_hat) + (1 - y) * np.log1p(-y_hat)), (y_hat - y) / (
            y_hat * (1 - y_hat)
        )
    return (y_hat - y) ** 2, 2 * (y_hat - y)


def walk(net: XorNet, activation: str, loss: str, x: np.ndarray, y: float, lr: float
         ) -> Walkthrough:  # fmt: skip
    """Forward and backward through `net` for one example, by the chain rule written out,
    then one SGD step of size `lr` on that example alone."""
    first, last = net.hidden, net.out
    w1, b1 = first.weight.detach().double().numpy(), first.bias.detach().double().numpy()
    w2, b2 = last.weight.detach().double().numpy()[0], float(last.bias.detach()[0])
    f = get_activation(activation).fn
    z1 = w1 @ x + b1
    a1 = f(torch.from_numpy(z1)).numpy()
    z2 = float(w2 @ a1 + b2)
    y_hat = float(1 / (1 + np.exp(-z2)))
    value, dloss_dyhat = _loss_and_slope(loss, y_hat, y)
    dyhat_dz2 = y_hat * (1 - y_hat)
    delta2 = dloss_dyhat * dyhat_dz2
    dloss_da1 = delta2 * w2
    da1_dz1 = SLOPES[activation](z1, a1)  # written out: the tests check it with autograd
    delta1 = dloss_da1 * da1_dz1
    grad_w1, grad_w2 = np.outer(delta1, x), delta2 * a1
    return Walkthrough(
        x=x, y=y, w1=w1, b1=b1, w2=w2, b2=b2, z1=z1, a1=a1, z2=z2, y_hat=y_hat,
        loss=float(value), dloss_dyhat=float(dloss_dyhat), dyhat_dz2=dyhat_dz2,
        delta2=delta2, grad_w2=grad_w2, grad_b2=delta2, dloss_da1=dloss_da1,
        da1_dz1=da1_dz1, delta1=delta1, grad_w1=grad_w1, grad_b1=delta1, lr=lr,
        new_w1=w1 - lr * grad_w1, new_b1=b1 - lr * delta1, new_w2=w2 - lr * grad_w2,
        new_b2=b2 - lr * delta2,
    )  # fmt: skip


def work_backprop(cfg: BackpropConfig) -> Walkthrough:
    """The walkthrough of the config's row on the seeded network."""
    inputs, targets = get_gate("xor").table()
    net = xor_net(cfg.activation, cfg.seed)
    return walk(net, cfg.activation, cfg.loss, inputs[cfg.row], float(targets[cfg.row]),
                cfg.learning_rate)  # fmt: skip
