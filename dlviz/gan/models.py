"""The small networks of the 2-D GAN: a generator and a discriminator as MLPs with LeakyReLU
(0.2), optional batch norm (the tutorials put it in the generator), spectral norm
(torch.nn.utils.parametrizations.spectral_norm, for the discriminator) and dropout.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn.utils.parametrizations import spectral_norm

from dlviz.models import SeededDropout

LEAK = 0.2  # LeakyReLU's slope below 0


class Mlp(nn.Module):
    """`layers` hidden layers of `width` units: Linear → (BatchNorm) → LeakyReLU →
    (Dropout), then a linear output of `outputs` numbers. Spectral norm wraps every Linear.
    Dropout masks come from `generator` (dlviz.models.SeededDropout), never from torch's
    global generator, so the same seed gives the same run."""

    def __init__(self, inputs: int, width: int, layers: int, outputs: int, *,
                 batch_norm: bool = False, spectral: bool = False, dropout: float = 0.0,
                 generator: torch.Generator | None = None) -> None:  # fmt: skip
        super().__init__()

        def linear(i: int, o: int) -> nn.Module:
            return spectral_norm(nn.Linear(i, o)) if spectral else nn.Linear(i, o)

        blocks: list[nn.Module] = []
        size = inputs
        for _ in range(layers):
            blocks.append(linear(size, width))
            if batch_norm:
                blocks.append(nn.BatchNorm1d(width))
            blocks.append(nn.LeakyReLU(LEAK))
            if dropout:
                if generator is None:
                    raise ValueError("dropout needs a generator for its masks")
                blocks.append(SeededDropout(dropout, generator))
            size = width
        blocks.append(linear(size, outputs))
        self.net = nn.Sequential(*blocks)

    def forward(self, x: Tensor) -> Tensor:
        """x (N, inputs) → (N, outputs)."""
        return self.net(x)
