"""A fused SGD step for PlaygroundNet: forward, hand-written backprop and the in-place
update in ~20 torch ops per step, no autograd graph, no optimizer object.

It computes exactly what autograd + torch.optim.SGD compute for a net without dropout or
batch norm (tests compare the two); it exists because per-op overhead, not arithmetic,
dominates a network of a few hundred weights (see BENCHMARKS.md). Two tricks keep the op
count down: each layer's bias is the last column of one (out, in + 1) matrix, fed by inputs
that end in a column of ones, so one addmm_ updates weights and bias together; and every
activation is written into a buffer preallocated per batch size.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch import Tensor, nn

from dlviz.activations import get_activation
from dlviz.playground.heads import Head
from dlviz.playground.model import PlaygroundNet

# Activations that can write into a given tensor in one op (others: compute, then copy).
_INTO: dict[str, Callable[[Tensor, Tensor], object]] = {
    "tanh": lambda z, out: torch.tanh(z, out=out),
    "sigmoid": lambda z, out: torch.sigmoid(z, out=out),
    "relu": lambda z, out: torch.clamp_min(z, 0.0, out=out),
    "linear": lambda z, out: out.copy_(z),
}


class FusedSGD:
    """Trains `net`'s own parameters in place with plain mini-batch SGD. After it is built,
    each nn.Linear's weight and bias are views into one augmented matrix per layer."""

    def __init__(self, net: PlaygroundNet, activation: str, head: Head) -> None:
        self.net, self.activation = net, activation
        self.augmented: list[Tensor] = []  # (out, in + 1): weight columns, then the bias
        for lin in net.linears:
            wb = torch.cat([lin.weight.detach(), lin.bias.detach()[:, None]], 1)
            lin.weight = nn.Parameter(wb[:, :-1])  # views share wb's storage
            lin.bias = nn.Parameter(wb[:, -1])
            self.augmented.append(wb)
        self.weights = [wb[:, :-1] for wb in self.augmented]  # (out, in) views
        self.augmented_t = [wb.t() for wb in self.augmented]  # (in + 1, out) views
        self.act = get_activation(activation)
        fallback = lambda z, out: out.copy_(self.act.fn(z))  # noqa: E731
        self._into = _INTO.get(activation, fallback)
        self.head = head
        self._buffers: dict[int, tuple[list[Tensor], list[Tensor], list[Tensor]]] = {}
        self.learning_rate = 0.03
        self.regularization = "none"
        self.reg_rate = 0.0

    def __deepcopy__(self, memo: dict[int, Any]) -> FusedSGD:
        """A twin that trains a copy of the net (the one copied with it, through `memo`):
        its layers are made views of new augmented matrices again, since deepcopy clones a
        Parameter and would cut it off from its matrix. For rewind's checkpoints."""
        net = copy.deepcopy(self.net, memo)
        twin = memo[id(self)] = FusedSGD(net, self.activation, copy.deepcopy(self.head, memo))
        twin.learning_rate, twin.regularization = self.learning_rate, self.regularization
        twin.reg_rate = self.reg_rate
        return twin

    @staticmethod
    def augment(x: Tensor) -> Tensor:
        """(n, F) inputs → (n, F + 1) with a trailing column of ones, as `run` expects."""
        return torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype, device=x.device)], 1)

    def run(self, batches: Iterable[tuple[Tensor, Tensor]]) -> int:
        """Train on each (augmented x, t) batch in turn; returns the number of updates.
        Grad mode is switched off once for all of them."""
        count = 0
        with torch.inference_mode():
            for x, t in batches:
                self.step(x, t)
                count += 1
        return count

    def _buffers_for(self, x: Tensor) -> tuple[list[Tensor], list[Tensor], list[Tensor]]:
        """Per batch size: augmented inputs of layers 1.. (B, h + 1) ending in ones, views of
        their first h columns, and pre-activations (B, h) of the hidden layers."""
        size = x.shape[0]
        if size not in self._buffers:
            hidden = [w.shape[0] for w in self.weights[:-1]]
            ins = [torch.ones(size, h + 1, dtype=x.dtype, device=x.device) for h in hidden]
            pre = [torch.empty(size, h, dtype=x.dtype, device=x.device) for h in hidden]
            self._buffers[size] = (ins, [b[:, :-1] for b in ins], pre)
        return self._buffers[size]

    def step(self, x: Tensor, t: Tensor) -> None:
        """One update on an augmented batch x (B, F + 1) with targets t (B, n_out). Call it
        with grad mode off (`run` does): it updates the parameters in place."""
        ins, bodies, pre = self._buffers_for(x)
        inputs = [x, *ins]  # input of each layer, (B, in + 1)
        for i, z in enumerate(pre):
            torch.mm(inputs[i], self.augmented_t[i], out=z)  # (B, h) = x·Wᵀ + b
            self._into(z, bodies[i])  # activation, written into the next layer's input
        z_out = torch.mm(inputs[-1], self.augmented_t[-1])  # (B, n_out)
        g = self.head.grad(z_out, t)  # d(per-sample loss)/dz, (B, n_out)
        alpha = -self.learning_rate / x.shape[0]
        for i in range(len(self.augmented) - 1, -1, -1):
            below = g.mm(self.weights[i]) if i > 0 else None  # (B, in), weights before update
            self._decay(self.weights[i])
            self.augmented[i].addmm_(g.t(), inputs[i], alpha=alpha)  # [W | b] −= lr/B·gᵀ[x | 1]
            if below is not None:
                g = self.act.scale_grad_(below, pre[i - 1], bodies[i - 1])  # through f'

    def _decay(self, w: Tensor) -> None:
        """The regularization term of the gradient (weights only), applied before the data
        term so that both use the same weights."""
        if self.reg_rate == 0.0 or self.regularization == "none":
            return
        step = self.learning_rate * self.reg_rate
        if self.regularization == "l2":  # d/dw ½·rate·w² = rate·w
            w.mul_(1.0 - step)
        else:  # d/dw rate·|w| = rate·sign(w)
            w.sub_(torch.sign(w), alpha=step)
