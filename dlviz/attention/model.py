"""A tiny transformer (1–2 layers, 1–4 heads, d_model 16–64) whose every attention layer
returns its weights: token embedding + positions (learned, sinusoidal, RoPE or none),
pre-norm blocks of multi-head self-attention and an MLP, and a per-token classifier.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from dlviz.attention.positions import rope, sinusoidal
from dlviz.attention.stages import attention_stages

POSITIONALS: dict[str, str] = {
    "learned": "a trained vector per position, added to the token embedding",
    "sinusoidal": "the fixed sin/cos table, added to the token embedding",
    "rope": "rotary: queries and keys turned by an angle that grows with position",
    "none": "no position information at all",
}


def check_positional(name: str) -> None:
    """ValueError listing POSITIONALS unless `name` is one of them."""
    if name not in POSITIONALS:
        raise ValueError(f"unknown positional encoding {name!r}; choose one of "
                         f"{', '.join(POSITIONALS)}")  # fmt: skip


class SelfAttention(nn.Module):
    """Multi-head self-attention that also returns its weights (B, heads, T, T)."""

    def __init__(self, d_model: int, heads: int, causal: bool, use_rope: bool) -> None:
        super().__init__()
        self.heads, self.causal, self.use_rope = heads, causal, use_rope
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)

    def forward(self, x: Tensor, head_mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        b, t, d = x.shape
        qkv = self.qkv(x).reshape(b, t, 3, self.heads, d // self.heads)  # (B, T, 3, H, d_h)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)  # each (B, H, T, d_h)
        if self.use_rope:
            q, k = rope(q), rope(k)
        att = attention_stages(q, k, v, self.causal, head_mask=head_mask)
        merged = att.output.transpose(1, 2).reshape(b, t, d)  # (B, T, H·d_h)
        return self.out(merged), att.weights


class Block(nn.Module):
    """x + attention(norm(x)), then x + MLP(norm(x))."""

    def __init__(self, d_model: int, heads: int, causal: bool, use_rope: bool) -> None:
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.attention = SelfAttention(d_model, heads, causal, use_rope)
        self.mlp = nn.Sequential(
            nn.Linear(d_model, 2 * d_model), nn.ReLU(), nn.Linear(2 * d_model, d_model)
        )

    def forward(self, x: Tensor, head_mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        mixed, weights = self.attention(self.norm1(x), head_mask)
        x = x + mixed
        return x + self.mlp(self.norm2(x)), weights


class TinyTransformer(nn.Module):
    """Tokens (B, T) → logits (B, T, vocab) and attention weights (layers, B, heads, T, T)."""

    def __init__(self, vocab: int, length: int, d_model: int, heads: int, layers: int,
                 positional: str, causal: bool) -> None:  # fmt: skip
        super().__init__()
        check_positional(positional)
        self.positional = positional
        self.embed = nn.Embedding(vocab, d_model)
        self.position = nn.Parameter(torch.randn(length, d_model) * 0.5)
        self.position.requires_grad_(positional == "learned")
        if positional == "sinusoidal":
            self.position.data.copy_(sinusoidal(length, d_model))
        elif positional != "learned":
            self.position.data.zero_()
        self.blocks = nn.ModuleList(
            Block(d_model, heads, causal, positional == "rope") for _ in range(layers)
        )
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab)

    def forward(self, tokens: Tensor, head_mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """`head_mask` (layers, heads) of 0/1 silences heads (their outputs become 0)."""
        x = self.embed(tokens) + self.position[: tokens.shape[1]]  # (B, T, d_model)
        weights = []
        for i, block in enumerate(self.blocks):
            x, w = block(x, None if head_mask is None else head_mask[i])
            weights.append(w)
        return self.head(self.norm(x)), torch.stack(weights)
