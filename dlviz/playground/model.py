"""The Playground network: input features → hidden layers (Linear, optional BatchNorm,
activation, optional dropout) → raw outputs, plus the feature map. Its weights start from
dlviz.models.initialise.

A plain nn.Module; training lives in session.py (autograd) and fused.py (hand-written SGD).
"""

from __future__ import annotations

import itertools

import torch
from torch import Tensor, nn

from dlviz.activations import get_activation
from dlviz.models import SeededDropout


def feature_matrix(xy: Tensor, names: tuple[str, ...]) -> Tensor:
    """(n, 2) points → (n, F) inputs, one column per feature name of config.FEATURES."""
    x1, x2 = xy[:, 0], xy[:, 1]
    columns = {
        "x1": lambda: x1,
        "x2": lambda: x2,
        "x1^2": lambda: x1 * x1,
        "x2^2": lambda: x2 * x2,
        "x1x2": lambda: x1 * x2,
        "sin_x1": lambda: torch.sin(x1),
        "sin_x2": lambda: torch.sin(x2),
    }
    return torch.stack([columns[n]() for n in names], 1)  # (n, F)


class PlaygroundNet(nn.Module):
    """MLP over the chosen features. forward(x) → (z, hidden activations per layer)."""

    def __init__(
        self,
        n_in: int,
        hidden: tuple[int, ...],
        n_out: int,
        activation: str,
        dropout: float = 0.0,
        batch_norm: bool = False,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        sizes = (n_in, *hidden, n_out)
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in itertools.pairwise(sizes))
        self.norms = nn.ModuleList(
            nn.BatchNorm1d(h) if batch_norm else nn.Identity() for h in hidden
        )
        self.act = get_activation(activation).fn
        gen = generator if generator is not None else torch.Generator()
        self.drops = nn.ModuleList(SeededDropout(dropout, gen) for _ in hidden)

    def forward(self, x: Tensor) -> tuple[Tensor, list[Tensor]]:
        hiddens: list[Tensor] = []
        a = x
        for linear, norm, drop in zip(self.linears, self.norms, self.drops):
            a = self.act(norm(linear(a)))  # (B, h)
            hiddens.append(a)
            a = drop(a)
        return self.linears[-1](a), hiddens  # (B, n_out)
