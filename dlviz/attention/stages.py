"""Scaled dot-product attention written out stage by stage (scores, scaling, mask, softmax,
weighted sum), and the hand-sized example the step-through shows: a few tokens embedded,
projected to Q, K, V per head, and attended. No model is trained here.
"""

from __future__ import annotations

import math
import unicodedata
import zlib
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from dlviz.attention.positions import sinusoidal
from dlviz.knobs import Config, knob

MAX_TOKENS = 12  # tokens the step-through takes (more are cut off)
EXAMPLE = "the cat sat on the mat"  # the step-through's sentence until the learner types one
MAX_TOKEN_CHARS = 16  # a longer token is cut to this many characters
EMBED_DIM = 32  # d_model of the step-through's made-up embeddings


@dataclass(frozen=True)
class AttentionStages:
    """Every stage of attention, shapes (..., heads, T, ·); `weights` rows sum to 1."""

    q: Tensor  # (..., heads, T, d_k) queries
    k: Tensor  # (..., heads, T, d_k) keys
    v: Tensor  # (..., heads, T, d_v) values
    raw: Tensor  # (..., heads, T, T) Q·Kᵀ, query i in row i, key j in column j
    scaled: Tensor  # (..., heads, T, T) raw / √d_k (raw itself when scaling is off)
    masked: Tensor  # (..., heads, T, T) scaled with −inf above the diagonal when causal
    weights: Tensor  # (..., heads, T, T) softmax of masked along each row
    output: Tensor  # (..., heads, T, d_v) weights · V, zero for a masked-out head


@dataclass(frozen=True)
class StepThroughConfig(Config):
    """The hand-sized example: the tokens, the size of queries and keys, the heads, which
    head to show, and the three switches."""

    tokens: str = knob(EXAMPLE, "Tokens (separated by spaces)", high=300)
    d_k: int = knob(8, "d_k (query/key size)", low=1, high=512,
                    options=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512))  # fmt: skip
    heads: int = knob(1, "Heads", low=1, high=4, step=1)
    head: int = knob(1, "Show head", low=1, high=4, step=1, high_from=lambda v: v["heads"])
    scale: bool = knob(True, "Divide by √d_k")
    causal: bool = knob(False, "Causal mask (decoder)")
    positions: bool = knob(True, "Add positional encodings")


def causal_mask(t: int, device: torch.device | None = None) -> Tensor:
    """(t, t) bool, True where query i may not see key j (j > i): the future."""
    return torch.ones(t, t, dtype=torch.bool, device=device).triu(1)


def attention_stages(
    q: Tensor, k: Tensor, v: Tensor, causal: bool = False, *, scale: bool = True,
    head_mask: Tensor | None = None,
) -> AttentionStages:  # fmt: skip
    """softmax(Q·Kᵀ/√d_k + mask)·V on tensors shaped (..., heads, T, d), keeping each stage.
    `causal` hides every key after its query; `scale=False` drops the 1/√d_k; `head_mask`
    (heads,) of 0/1 switches heads' outputs off (ablation) without changing their weights."""
    raw = q @ k.transpose(-2, -1)  # (..., heads, T, T)
    scaled = raw / math.sqrt(q.shape[-1]) if scale else raw
    masked = scaled
    if causal:
        masked = scaled.masked_fill(causal_mask(q.shape[-2], q.device), float("-inf"))
    weights = torch.softmax(masked, dim=-1)
    output = weights @ v  # (..., heads, T, d_v)
    if head_mask is not None:
        output = output * head_mask.to(output).reshape(-1, 1, 1)  # same device and dtype
    return AttentionStages(q, k, v, raw, scaled, masked, weights, output)


def parse_tokens(text: str) -> tuple[tuple[str, ...], bool]:
    """The words of `text` split on whitespace, at most MAX_TOKENS of at most
    MAX_TOKEN_CHARS characters, and whether any were cut. Invisible format characters
    (a right-to-left override, a zero-width space) are dropped first: they would turn a
    token label around or make two tokens look alike. ValueError when there are none."""
    visible = "".join(c for c in str(text) if unicodedata.category(c) != "Cf")
    words = visible.split()
    if not words:
        raise ValueError("type at least one token (words separated by spaces)")
    tokens = tuple(w[:MAX_TOKEN_CHARS] for w in words[:MAX_TOKENS])
    cut = len(words) > MAX_TOKENS or any(len(w) > MAX_TOKEN_CHARS for w in words)
    return tokens, cut


def embed_tokens(tokens: tuple[str, ...], dim: int = EMBED_DIM) -> Tensor:
    """(T, dim) float32 made-up embeddings: each distinct token gets its own N(0, 1) vector,
    seeded by the token's text, so the same word always gets the same row."""
    rows = []
    for token in tokens:
        gen = torch.Generator().manual_seed(zlib.crc32(token.encode("utf-8")))
        rows.append(torch.randn(dim, generator=gen))
    return torch.stack(rows)


@dataclass(frozen=True)
class StepThrough:
    """The step-through example as NumPy float32 arrays (heads first)."""

    tokens: tuple[str, ...]
    embeddings: np.ndarray  # (T, EMBED_DIM) token vectors (+ positions when switched on)
    q: np.ndarray  # (heads, T, d_k)
    k: np.ndarray  # (heads, T, d_k)
    v: np.ndarray  # (heads, T, d_k)
    raw: np.ndarray  # (heads, T, T)
    scaled: np.ndarray  # (heads, T, T)
    masked: np.ndarray  # (heads, T, T), −inf where hidden
    weights: np.ndarray  # (heads, T, T)
    output: np.ndarray  # (heads, T, d_k)
    top_weight: np.ndarray  # (heads,) mean over queries of the largest weight in a row
    entropy_bits: np.ndarray  # (heads,) mean entropy of a row of weights, in bits
    score_spread: np.ndarray  # (heads,) standard deviation of the scaled scores


def step_through(
    tokens: tuple[str, ...], d_k: int = 8, heads: int = 1, *, causal: bool = False,
    scale: bool = True, positions: bool = True, seed: int = 0,
) -> StepThrough:  # fmt: skip
    """Attention over `tokens` with random projections W_Q, W_K, W_V ∈ R^{EMBED_DIM × d_k}
    per head (entries N(0, 1/EMBED_DIM), so each entry of Q and K is about N(0, 1) and Q·Kᵀ
    spreads like √d_k). `positions` adds sinusoidal encodings to the embeddings."""
    if not 1 <= d_k <= 512 or not 1 <= heads <= 8:
        raise ValueError("d_k must be 1–512 and heads 1–8")
    x = embed_tokens(tokens)  # (T, E)
    if positions:
        x = x + sinusoidal(len(tokens), EMBED_DIM)
    gen = torch.Generator().manual_seed(seed)
    w = torch.randn(3, heads, EMBED_DIM, d_k, generator=gen) / math.sqrt(EMBED_DIM)
    q, k, v = (x @ w[i] for i in range(3))  # each (heads, T, d_k)
    att = attention_stages(q, k, v, causal, scale=scale)
    p = att.weights
    entropy = -(p * torch.log2(p.clamp_min(1e-30))).sum(-1)  # (heads, T)
    arrays = (x, att.q, att.k, att.v, att.raw, att.scaled, att.masked, p, att.output)
    return StepThrough(
        tokens, *(a.numpy().astype(np.float32) for a in arrays),
        top_weight=p.amax(-1).mean(-1).numpy().astype(np.float32),
        entropy_bits=entropy.mean(-1).numpy().astype(np.float32),
        score_spread=att.scaled.flatten(1).std(-1).numpy().astype(np.float32),
    )  # fmt: skip


def walk_through(config: StepThroughConfig) -> tuple[StepThrough, str | None, bool]:
    """The step-through for `config`: (its stages, why the typed tokens could not be used
    (then the EXAMPLE sentence is shown) or None, whether tokens were cut)."""
    problem = None
    try:
        tokens, cut = parse_tokens(config.tokens)
    except ValueError as err:
        problem = str(err)
        tokens, cut = parse_tokens(EXAMPLE)
    seen = step_through(tokens, config.d_k, config.heads, causal=config.causal,
                        scale=config.scale, positions=config.positions)  # fmt: skip
    return seen, problem, cut
