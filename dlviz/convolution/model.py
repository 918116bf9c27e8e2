"""The small CNN the Convolution page trains: [Conv → (BatchNorm) → ReLU → (Pool)] × 1–3 →
Flatten → Linear, on 1-channel digit images; every stage of a forward pass on request, the
conv layers with batch norm folded in (what eval mode computes), and the images' preparation.
It trains nothing itself (session.py does).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

POOLS = {"max": "Max pooling 2×2", "avg": "Average pooling 2×2", "none": "No pooling"}
BN_EPS = 1e-5  # nn.BatchNorm2d's default ε


def widths(channels: int, blocks: int) -> tuple[int, ...]:
    """Filters per block: `channels` in block 1, doubling each block after."""
    return tuple(channels * 2**b for b in range(blocks))


def prepare(images: Tensor | np.ndarray, size: int) -> Tensor:
    """8×8 digit images (N, 64) or (N, 8, 8), pixels in [0, 1] → float32 (N, 1, size, size):
    as they are for size 8, else upsampled bilinearly (the session and a drawn digit go
    through this same function)."""
    x = torch.as_tensor(np.asarray(images, dtype=np.float32)).reshape(-1, 1, 8, 8)  # (N,1,8,8)
    if size == 8:
        return x
    return F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)


@dataclass(frozen=True)
class Stages:
    """One image's pass, per block: the conv output (after batch norm, before ReLU), the
    ReLU output and the pooled output, each (N, C, H, W); then the logits (N, 10)."""

    conv: list[Tensor]
    relu: list[Tensor]
    pooled: list[Tensor]
    logits: Tensor


class SmallCnn(nn.Module):
    """`blocks` conv blocks (kernel k, padding k//2, `widths(channels, blocks)` filters),
    each → BatchNorm (optional) → ReLU → 2×2 pooling (max, avg or none), then one Linear
    from the flattened maps to 10 classes. forward(x (N, 1, size, size)) → logits (N, 10)."""

    def __init__(
        self, size: int, blocks: int, channels: int, kernel: int, pool: str, batch_norm: bool
    ) -> None:
        super().__init__()
        if pool not in POOLS:
            raise ValueError(f"unknown pooling {pool!r}; choose one of {', '.join(POOLS)}")
        chans = (1, *widths(channels, blocks))
        self.convs = nn.ModuleList(
            nn.Conv2d(a, b, kernel, padding=kernel // 2) for a, b in itertools.pairwise(chans)
        )
        self.norms = nn.ModuleList(nn.BatchNorm2d(c) for c in chans[1:]) if batch_norm else None
        self.pool = pool
        side = size // 2**blocks if pool != "none" else size
        self.readout = nn.Linear(chans[-1] * side * side, 10)

    def _pool(self, x: Tensor) -> Tensor:
        if self.pool == "max":
            return F.max_pool2d(x, 2)
        return F.avg_pool2d(x, 2) if self.pool == "avg" else x

    def stages(self, x: Tensor) -> Stages:
        """Every stage of the forward pass of x (N, 1, size, size)."""
        conv, relu, pooled = [], [], []
        for i, layer in enumerate(self.convs):
            z = layer(x)  # (N, C, H, W)
            if self.norms is not None:
                z = self.norms[i](z)
            a = torch.relu(z)
            x = self._pool(a)
            conv.append(z), relu.append(a), pooled.append(x)
        return Stages(conv, relu, pooled, self.readout(x.flatten(1)))

    def forward(self, x: Tensor) -> Tensor:
        return self.stages(x).logits

    @torch.no_grad()
    def folded(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each conv layer's (weight (C_out, C_in, k, k), bias (C_out,)) as float32 arrays,
        batch norm folded in as eval mode applies it: w·γ/√(σ²+ε), (b − μ)·γ/√(σ²+ε) + β,
        so one conv with these equals conv then batch norm."""
        out = []
        for i, conv in enumerate(self.convs):
            w, b = conv.weight, conv.bias
            if self.norms is not None:
                bn = self.norms[i]
                scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)  # (C_out,)
                w = w * scale[:, None, None, None]
                b = (b - bn.running_mean) * scale + bn.bias
            out.append((w.cpu().numpy().astype(np.float32), b.cpu().numpy().astype(np.float32)))
        return out
