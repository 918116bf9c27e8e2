"""Per-layer health of a DeepStack: dead units and saturated signals, the two ways units
stop passing gradient in a deep network. Shared by the deep-stack probe and the activation
race; the network itself is dlviz.models.DeepStack.
"""

from __future__ import annotations

import torch
from torch import Tensor

from dlviz.activations.registry import derivative
from dlviz.models import DeepStack

SATURATED_SLOPE = 1e-3  # |f'(z)| below this passes (almost) no gradient


@torch.no_grad()
def blocked_units(net: DeepStack, pre: list[Tensor]) -> Tensor:
    """Per hidden layer, the share of units that pass no gradient on any sample of the
    batch (|f'(z)| < SATURATED_SLOPE everywhere): dead ReLUs, or sigmoid/tanh units stuck
    on a flat tail. Leaky ReLU's slope α never drops that low. float (depth,)."""
    if not pre:
        return torch.zeros(0)
    slopes = [slope(net, z).abs() for z in pre]
    return torch.stack([(s < SATURATED_SLOPE).all(0).float().mean() for s in slopes])


@torch.no_grad()
def slope(net: DeepStack, z: Tensor) -> Tensor:
    """f'(z) of `net`'s activation, same shape as z: the registry's hand-written derivative
    at the default parameters (tested against autograd; ~3× cheaper), else autograd."""
    act = net.act
    if net.params == act.defaults:
        return act.scale_grad_(torch.ones_like(z), z, act.apply(z, **net.params))
    return derivative(net.act_name, z, **net.params)


@torch.no_grad()
def unit_health(net: DeepStack, pre: list[Tensor]) -> tuple[Tensor, Tensor]:
    """Per hidden layer, from its pre-activations on a batch: the fraction of dead units
    (pre-activation never positive on the batch) and the fraction of saturated signals
    (unit-sample pairs with |f'(z)| < SATURATED_SLOPE). Two float tensors (depth,)."""
    if not pre:
        empty = torch.zeros(0)
        return empty, empty
    dead = torch.stack([(z <= 0).all(0).float().mean() for z in pre])
    slopes = [slope(net, z).abs() for z in pre]
    saturated = torch.stack([(s < SATURATED_SLOPE).float().mean() for s in slopes])
    return dead, saturated
