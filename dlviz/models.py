"""Small networks more than one topic uses, and how their weights start: DeepStack (a deep,
narrow MLP with one activation throughout, used by the activation probe and both races), the
INITS registry of initialisation schemes with `initialise`, and per-layer gradient norms.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import torch
from torch import Tensor, nn

from dlviz.activations.registry import get_activation
from dlviz.knobs import Knob

INITS: dict[str, str] = {  # name → what it draws
    "playground": "TensorFlow Playground's choice: weights U(−0.5, 0.5), biases 0.1",
    "default": "PyTorch's nn.Linear default: U(±1/√fan_in), biases too",
    "xavier": "Xavier/Glorot: U(±√(6/(fan_in + fan_out))), biases 0",
    "he": "He/Kaiming: N(0, 2/fan_in), biases 0",
    "normal": "N(0, σ²) for every weight, biases 0",
}
INIT_LABELS = {"playground": "TF Playground", "default": "PyTorch default", "xavier": "Xavier",
               "he": "He", "normal": "N(0, σ²)"}  # fmt: skip
SIGMA = Knob(1.0, "σ of the weights", low=0.01, high=10.0, name="sigma",
             options=(0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0, 5.0),
             when=lambda v: v.get("init") == "normal")  # fmt: skip


def init_knob(default: str, choices: tuple[str, ...] = tuple(INITS)) -> Knob:
    """The knob of an initialisation scheme among `choices` (INITS names)."""
    help_text = " · ".join(f"{INIT_LABELS[k]}: {INITS[k]}" for k in choices)
    return Knob(default, "Initial weights", options=choices, labels=INIT_LABELS, help=help_text)


# torch's nn layers draw their first weights from the process-wide CPU generator: seeding
# it for one session's weights must not interleave with another thread doing the same.
_INIT_LOCK = threading.Lock()


@contextmanager
def seeded_weights(seed: int) -> Iterator[None]:
    """Within this block, nn layers built draw their weights from a CPU generator seeded
    with `seed` (not CUDA's), one thread at a time; the generator's state is restored
    after, so nothing else's randomness changes."""
    with _INIT_LOCK, torch.random.fork_rng(devices=[]):
        torch.default_generator.manual_seed(seed)
        yield


class SeededDropout(nn.Module):
    """Inverted dropout whose masks come from the session's own torch.Generator."""

    def __init__(self, p: float, generator: torch.Generator) -> None:
        super().__init__()
        self.p = p
        self.generator = generator

    def forward(self, a: Tensor) -> Tensor:
        if not self.training or self.p == 0.0:
            return a
        keep = torch.rand(a.shape, generator=self.generator, device=a.device) >= self.p
        return a * keep / (1.0 - self.p)


class HasLinears(Protocol):
    """A network that lists its nn.Linear layers, input side first."""

    @property
    def linears(self) -> list[nn.Linear] | nn.ModuleList: ...


@torch.no_grad()
def initialise(net: HasLinears, init: str, gen: torch.Generator, sigma: float = 1.0) -> None:
    """Draw every weight and bias of `net`'s Linear layers with scheme `init` (see INITS)
    from `gen`; `sigma` is the standard deviation of "normal"."""
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")
    SIGMA.check(sigma)
    for lin in net.linears:
        fan_in = lin.weight.shape[1]
        if init in ("playground", "default"):
            bound = 0.5 if init == "playground" else 1.0 / math.sqrt(fan_in)
            nn.init.uniform_(lin.weight, -bound, bound, generator=gen)
            if init == "playground":
                nn.init.constant_(lin.bias, 0.1)
            else:  # what nn.Linear.reset_parameters draws, from our generator
                nn.init.uniform_(lin.bias, -bound, bound, generator=gen)
            continue
        if init == "xavier":
            nn.init.xavier_uniform_(lin.weight, generator=gen)
        elif init == "he":
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu", generator=gen)
        else:
            nn.init.normal_(lin.weight, 0.0, sigma, generator=gen)
        nn.init.zeros_(lin.bias)


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


def gradient_norms(net: HasLinears) -> Tensor:
    """‖∂L/∂W‖ (Frobenius) of each Linear's weight after a backward pass, (layers,),
    input layer first, readout last; 0 where a layer has no gradient."""
    return torch.stack(
        [
            lin.weight.grad.norm() if lin.weight.grad is not None else lin.weight.new_zeros(())
            for lin in net.linears
        ]
    )
