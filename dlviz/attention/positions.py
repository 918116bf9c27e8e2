"""Positional encodings: the sinusoidal table of "Attention Is All You Need", rotary
embeddings (RoPE) and the position-by-position similarity an encoding induces. Learned
encodings live in the trained model (dlviz.attention.model); this module trains nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from dlviz.knobs import Config, knob

ROPE_BASE = 10_000.0  # θ_i = base^(−2i/d), as in the sinusoidal table


@dataclass(frozen=True)
class PositionsConfig(Config):
    """How many positions and dimensions the encodings are drawn for, and which pair of
    dimensions RoPE's rotation shows."""

    length: int = knob(32, "Positions", low=4, high=64, step=1)
    dim: int = knob(64, "Dimensions d", low=8, high=128, options=(8, 16, 32, 64, 128))
    pair: int = knob(
        0, "RoPE pair i", low=0, high=63, step=1, high_from=lambda v: v["dim"] // 2 - 1
    )

    def _check(self) -> None:
        if self.dim % 2:
            raise ValueError(f"the encodings pair up dimensions: d must be even, got {self.dim}")


def frequencies(dim: int, base: float = ROPE_BASE) -> Tensor:
    """(dim // 2,) float32 angular frequencies ω_i = base^(−2i/dim), i = 0 … dim/2 − 1."""
    if dim < 2 or dim % 2:
        raise ValueError(f"the encoding dimension must be even and ≥ 2, got {dim}")
    return base ** (-torch.arange(0, dim, 2, dtype=torch.float32) / dim)


def sinusoidal(length: int, dim: int, base: float = ROPE_BASE) -> Tensor:
    """(length, dim) float32: PE[p, 2i] = sin(p·ω_i), PE[p, 2i+1] = cos(p·ω_i)."""
    angles = torch.arange(length, dtype=torch.float32)[:, None] * frequencies(dim, base)
    table = torch.empty(length, dim)
    table[:, 0::2] = torch.sin(angles)
    table[:, 1::2] = torch.cos(angles)
    return table


def sinusoidal_table(length: int, dim: int) -> np.ndarray:
    """sinusoidal(length, dim) as a float32 NumPy array, for figures."""
    return sinusoidal(length, dim).numpy()


def rope(x: Tensor, base: float = ROPE_BASE) -> Tensor:
    """Rotary position embedding of x (..., T, d): each pair (x_2i, x_2i+1) at position p is
    turned by the angle p·ω_i, so q_m·k_n depends on the positions only through m − n."""
    t, d = x.shape[-2], x.shape[-1]
    angles = torch.arange(t, dtype=x.dtype, device=x.device)[:, None] * frequencies(d, base).to(
        x.device, x.dtype
    )  # (T, d/2)
    cos, sin = torch.cos(angles), torch.sin(angles)
    even, odd = x[..., 0::2], x[..., 1::2]  # (..., T, d/2) each
    turned = torch.stack((even * cos - odd * sin, even * sin + odd * cos), dim=-1)
    return turned.flatten(-2)  # (..., T, d), pairs interleaved back


def rope_circle(length: int, dim: int, pair: int, vector: tuple[float, float] = (1.0, 0.0),
                base: float = ROPE_BASE) -> np.ndarray:  # fmt: skip
    """(length, 2) float32: where RoPE moves the 2-D `vector` held in dimension pair `pair`
    (dimensions 2·pair, 2·pair+1) at positions 0 … length − 1. Low pairs turn fast, high
    pairs slowly."""
    if not 0 <= pair < dim // 2:
        raise ValueError(f"pair must be 0–{dim // 2 - 1} for dimension {dim}")
    x = torch.zeros(length, dim)
    x[:, 2 * pair], x[:, 2 * pair + 1] = vector
    return rope(x, base)[:, 2 * pair : 2 * pair + 2].numpy().astype(np.float32)


def similarity(table: np.ndarray | Tensor) -> np.ndarray:
    """(T, T) float32 cosine similarity between the encodings of every pair of positions
    (rows of `table` (T, d)); an all-zero row has similarity 0."""
    t = torch.as_tensor(np.asarray(table), dtype=torch.float32)
    unit = t / t.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    return (unit @ unit.T).numpy().astype(np.float32)


def rope_similarity(length: int, dim: int, base: float = ROPE_BASE) -> np.ndarray:
    """(T, T) float32 cosine similarity of one all-ones query at position m and the same key
    at position n after RoPE: a function of m − n alone (a Toeplitz matrix)."""
    turned = rope(torch.ones(length, dim), base)
    return similarity(turned)


@dataclass(frozen=True)
class PositionsView:
    """What the positional-encodings section draws. float32 arrays."""

    table: np.ndarray  # (T, d) the sinusoidal table
    similarity: np.ndarray  # (T, T) cosine similarity of its rows
    circles: tuple[np.ndarray, ...]  # per shown pair (P, 2): RoPE's turns of one vector
    circle_labels: tuple[str, ...]  # "pair i (ω = …)"
    rope_similarity: np.ndarray  # (T, T) one query against one key, by position


def encode_positions(config: PositionsConfig) -> PositionsView:
    """The encodings for `config`: the table and its similarity, RoPE's rotation of the
    chosen pair beside a slower one (for contrast, at most 8 positions) and RoPE's
    relative similarity."""
    length, dim, pair = config.length, config.dim, config.pair
    slow = min(dim // 2 - 1, pair + max(1, dim // 8))
    pairs = tuple(dict.fromkeys((pair, slow)))
    table = sinusoidal_table(length, dim)
    return PositionsView(
        table=table,
        similarity=similarity(table),
        circles=tuple(rope_circle(min(length, 8), dim, p) for p in pairs),
        circle_labels=tuple(f"pair {p} (ω = {ROPE_BASE ** (-2 * p / dim):.3g})" for p in pairs),
        rope_similarity=rope_similarity(length, dim),
    )
