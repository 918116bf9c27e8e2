"""What the Playground's math tests share: every (problem kind, loss, outputs) head, and
seeded labels shaped as dlviz.data makes them."""

from __future__ import annotations

import torch

HEADS = [
    ("binary", "mse", 2),
    ("binary", "cross_entropy", 2),
    ("multiclass", "mse", 3),
    ("multiclass", "cross_entropy", 3),
    ("regression", "mse", 0),
]
CPU = torch.device("cpu")


def labels(kind: str, n: int, gen: torch.Generator):
    """Labels as dlviz.data makes them: ±1, class indices 0..2, or real values."""
    if kind == "binary":
        return (torch.randint(0, 2, (n,), generator=gen) * 2 - 1).float().numpy()
    if kind == "multiclass":
        return torch.randint(0, 3, (n,), generator=gen).float().numpy()
    return torch.randn(n, generator=gen).numpy()
