"""A fused SGD step for PlaygroundNet: forward, hand-written backprop and the in-place
update in ~6 torch ops per layer, no autograd graph, no optimizer object.

It computes exactly what autograd + torch.optim.SGD compute for a net without dropout or
batch norm (tests compare the two); it exists because per-op overhead, not arithmetic,
dominates a network of a few hundred weights (see BENCHMARKS.md).
"""

from __future__ import annotations

import torch
from torch import Tensor

from dlviz.activations import get_activation
from dlviz.playground.heads import Head
from dlviz.playground.model import PlaygroundNet


class FusedSGD:
    """Trains `net`'s own parameters in place with plain mini-batch SGD."""

    def __init__(self, net: PlaygroundNet, activation: str, head: Head) -> None:
        self.weights = [lin.weight for lin in net.linears]  # (out, in) each
        self.biases = [lin.bias for lin in net.linears]
        self.weights_t = [w.t() for w in self.weights]  # views: follow in-place updates
        self.act = get_activation(activation)
        self.head = head
        self.learning_rate = 0.03
        self.regularization = "none"
        self.reg_rate = 0.0

    @torch.no_grad()
    def step(self, x: Tensor, t: Tensor) -> None:
        """One update on batch x (B, F) with targets t (B, n_out)."""
        n_layers = len(self.weights)
        act = self.act
        inputs: list[Tensor] = [x]  # input of each linear layer
        pre: list[Tensor] = []  # pre-activations, kept only when the derivative needs them
        a = x
        for i in range(n_layers - 1):
            z = torch.addmm(self.biases[i], a, self.weights_t[i])  # (B, h)
            if act.needs_preactivation:
                pre.append(z)
                a = act.fn(z)
            else:
                a = act.fn(z) if act.name != "tanh" else z.tanh_()
            inputs.append(a)
        z_out = torch.addmm(self.biases[-1], a, self.weights_t[-1])  # (B, n_out)
        g = self.head.grad(z_out, t)  # d(per-sample loss)/dz, (B, n_out)
        alpha = -self.learning_rate / x.shape[0]
        for i in range(n_layers - 1, -1, -1):
            w = self.weights[i]
            below = g.mm(w) if i > 0 else None  # (B, in): uses the weights before the update
            self._decay(w)
            w.addmm_(g.t(), inputs[i], alpha=alpha)  # w −= lr/B · gᵀ·input
            self.biases[i].add_(g.sum(0), alpha=alpha)
            if below is not None:
                z_below = pre[i - 1] if pre else below
                g = act.scale_grad_(below, z_below, inputs[i])  # through the activation

    def _decay(self, w: Tensor) -> None:
        """The regularization term of the gradient, applied before the data term."""
        if self.reg_rate == 0.0 or self.regularization == "none":
            return
        step = self.learning_rate * self.reg_rate
        if self.regularization == "l2":  # d/dw ½·rate·w² = rate·w
            w.mul_(1.0 - step)
        else:  # d/dw rate·|w| = rate·sign(w)
            w.sub_(torch.sign(w), alpha=step)
