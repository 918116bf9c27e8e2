"""A deep, narrow MLP whose every hidden layer uses one chosen activation, the weight
initialisation schemes it can start from, and per-layer diagnostics (gradient norms, dead
and saturated units). Shared by the deep-stack probe and the activation race.
"""

from __future__ import annotations

import itertools
import math

import torch
from torch import Tensor, nn

from dlviz.activations.registry import derivative, get_activation

INITS: dict[str, str] = {  # name → what it draws
    "default": "PyTorch's nn.Linear default: U(±1/√fan_in), biases too",
    "xavier": "Xavier/Glorot: U(±√(6/(fan_in + fan_out))), biases 0",
    "he": "He/Kaiming: N(0, 2/fan_in), biases 0",
    "normal": "N(0, σ²) for every weight, biases 0",
}
SATURATED_SLOPE = 1e-3  # |f'(z)| below this passes (almost) no gradient


def check_init(init: str, sigma: float) -> None:
    """Raise ValueError for an unknown scheme (listing them) or a bad σ."""
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")
    if not (math.isfinite(sigma) and 0.0 < sigma <= 10.0):
        raise ValueError(f"σ must be in (0, 10], got {sigma}")


class DeepStack(nn.Module):
    """`depth` hidden layers of `width` units, each Linear → activation, then a Linear
    readout to `n_out`. forward(x) → (output (B, n_out), pre-activations per hidden layer
    [(B, width)] × depth)."""

    def __init__(
        self, n_in: int, width: int, depth: int, n_out: int, activation: str,
        params: dict[str, float] | None = None,
    ) -> None:  # fmt: skip
        super().__init__()
        self.act = get_activation(activation)
        self.act_name = activation
        self.params = self.act.check_params(params or {})
        sizes = [n_in] + [width] * depth
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in itertools.pairwise(sizes))
        self.out = nn.Linear(sizes[-1], n_out)

    @property
    def linears(self) -> list[nn.Linear]:
        """Every Linear layer, input side first, readout last."""
        return [*self.hidden, self.out]

    def forward(self, x: Tensor) -> tuple[Tensor, list[Tensor]]:
        pre: list[Tensor] = []
        for layer in self.hidden:
            z = layer(x)  # (B, width)
            pre.append(z)
            x = self.act.apply(z, **self.params)
        return self.out(x), pre


@torch.no_grad()
def initialise(net: DeepStack, init: str, sigma: float, gen: torch.Generator) -> None:
    """Draw every weight and bias of `net` with scheme `init` (see INITS) from `gen`."""
    check_init(init, sigma)
    for lin in net.linears:
        fan_in = lin.weight.shape[1]
        if init == "default":  # what nn.Linear.reset_parameters draws, from our generator
            bound = 1.0 / math.sqrt(fan_in)
            nn.init.uniform_(lin.weight, -bound, bound, generator=gen)
            nn.init.uniform_(lin.bias, -bound, bound, generator=gen)
            continue
        if init == "xavier":
            nn.init.xavier_uniform_(lin.weight, generator=gen)
        elif init == "he":
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu", generator=gen)
        else:
            nn.init.normal_(lin.weight, 0.0, sigma, generator=gen)
        nn.init.zeros_(lin.bias)


def gradient_norms(net: DeepStack) -> Tensor:
    """‖∂L/∂W‖ (Frobenius) of each Linear's weight after a backward pass, (depth + 1,),
    input layer first, readout last; 0 where a layer has no gradient."""
    return torch.stack(
        [
            lin.weight.grad.norm() if lin.weight.grad is not None else lin.weight.new_zeros(())
            for lin in net.linears
        ]
    )


@torch.no_grad()
def blocked_units(net: DeepStack, pre: list[Tensor]) -> Tensor:
    """Per hidden layer, the share of units that pass no gradient on any sample of the
    batch (|f'(z)| < SATURATED_SLOPE everywhere): dead ReLUs, or sigmoid/tanh units stuck
    on a flat tail. Leaky ReLU's slope α never drops that low. float (depth,)."""
    if not pre:
        return torch.zeros(0)
    slopes = [derivative(net.act_name, z, **net.params).abs() for z in pre]
    return torch.stack([(s < SATURATED_SLOPE).all(0).float().mean() for s in slopes])


@torch.no_grad()
def unit_health(net: DeepStack, pre: list[Tensor]) -> tuple[Tensor, Tensor]:
    """Per hidden layer, from its pre-activations on a batch: the fraction of dead units
    (pre-activation never positive on the batch) and the fraction of saturated signals
    (unit-sample pairs with |f'(z)| < SATURATED_SLOPE). Two float tensors (depth,)."""
    if not pre:
        empty = torch.zeros(0)
        return empty, empty
    dead = torch.stack([(z <= 0).all(0).float().mean() for z in pre])
    slopes = [derivative(net.act_name, z, **net.params).abs() for z in pre]
    saturated = torch.stack([(s < SATURATED_SLOPE).float().mean() for s in slopes])
    return dead, saturated
