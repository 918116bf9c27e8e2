"""Exporter of the Attention page's trained transformer: the tiny transformer on its toy
sequence task (fresh seeded batches, Adam, cross-entropy on the graded positions) as a plain
PyTorch script that gives the session's held-out loss and accuracy."""

from __future__ import annotations

from dlviz.attention.positions import ROPE_BASE
from dlviz.attention.session import EVAL_SEQUENCES, AttentionConfig
from dlviz.data.sequences import get_sequence_task
from dlviz.export.pieces import optimizer_code

ATTENTION_SCRIPT = '''"""A tiny transformer learns the "{task}" task, as on dlviz's Attention page,
in plain PyTorch: {rule}.

Settings: sequences of {length} tokens out of {vocab}, {layers} layer(s) of {heads} head(s),
d_model {d_model}, {positional} positions, Adam at {lr!r}, batch {batch_size}, seed {seed}.
Run it with `python {file_stem}.py [--steps N]`; every 20 steps it prints the loss and
the token accuracy on {eval_sequences} held-out sequences. With one CPU thread
(OMP_NUM_THREADS=1, as dlviz trains) the numbers are the page's to the last digit; on
more threads a matrix product may add up in another order. dlviz also pauses a run whose loss
blows up; this script lets it run.
"""

import argparse
import math

import torch
import torch.nn.functional as F
from torch import nn

SEED = {seed}
LENGTH, VOCAB = {length}, {vocab}  # tokens per sequence, distinct tokens
LAYERS, HEADS, D_MODEL = {layers}, {heads}, {d_model}
POSITIONAL = "{positional}"  # "learned", "sinusoidal", "rope" or "none"
CAUSAL = {causal}  # a query sees only itself and earlier keys (decoder-style)
ROPE_BASE = {rope_base!r}  # frequencies base^(-2i/d), for the sinusoidal table and RoPE
LEARNING_RATE = {lr!r}
BATCH_SIZE = {batch_size}
EVAL_SEQUENCES = {eval_sequences}  # held-out sequences the loss and accuracy are measured on
CHECK_EVERY = 20
{scored}


def make_batch(size: int, gen: torch.Generator) -> torch.Tensor:
    """(size, LENGTH) int64 tokens in [0, VOCAB), drawn with `gen`."""
{batch_body}


def targets_of(x: torch.Tensor) -> torch.Tensor:
    """(B, T) tokens -> (B, T) the token each output position must predict."""
    return {targets}


def frequencies(dim: int) -> torch.Tensor:
    """(dim // 2,) angular frequencies w_i = ROPE_BASE^(-2i/dim)."""
    return ROPE_BASE ** (-torch.arange(0, dim, 2, dtype=torch.float32) / dim)


def sinusoidal(length: int, dim: int) -> torch.Tensor:
    """(length, dim): PE[p, 2i] = sin(p w_i), PE[p, 2i+1] = cos(p w_i)."""
    angles = torch.arange(length, dtype=torch.float32)[:, None] * frequencies(dim)
    table = torch.empty(length, dim)
    table[:, 0::2] = torch.sin(angles)
    table[:, 1::2] = torch.cos(angles)
    return table


def rope(x: torch.Tensor) -> torch.Tensor:
    """Rotary embedding of x (..., T, d): the pair (x_2i, x_2i+1) at position p turned by
    the angle p w_i."""
    t, d = x.shape[-2], x.shape[-1]
    angles = torch.arange(t, dtype=x.dtype)[:, None] * frequencies(d).to(x.dtype)  # (T, d/2)
    cos, sin = torch.cos(angles), torch.sin(angles)
    even, odd = x[..., 0::2], x[..., 1::2]  # (..., T, d/2) each
    turned = torch.stack((even * cos - odd * sin, even * sin + odd * cos), dim=-1)
    return turned.flatten(-2)  # (..., T, d), pairs interleaved back


class SelfAttention(nn.Module):
    """Multi-head self-attention, softmax(Q K^T / sqrt(d_head) + mask) V, written out (as
    dlviz computes it, stage by stage) rather than F.scaled_dot_product_attention, whose
    fused kernel may round differently."""

    def __init__(self) -> None:
        super().__init__()
        self.qkv = nn.Linear(D_MODEL, 3 * D_MODEL)
        self.out = nn.Linear(D_MODEL, D_MODEL)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        qkv = self.qkv(x).reshape(b, t, 3, HEADS, d // HEADS)  # (B, T, 3, H, d_head)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)  # each (B, H, T, d_head)
        if POSITIONAL == "rope":
            q, k = rope(q), rope(k)
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, H, T, T)
        if CAUSAL:  # hide every key after its query
            future = torch.ones(t, t, dtype=torch.bool).triu(1)
            scores = scores.masked_fill(future, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        merged = (weights @ v).transpose(1, 2).reshape(b, t, d)  # (B, T, H * d_head)
        return self.out(merged)


class Block(nn.Module):
    """Pre-norm: x + attention(norm(x)), then x + MLP(norm(x))."""

    def __init__(self) -> None:
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(D_MODEL), nn.LayerNorm(D_MODEL)
        self.attention = SelfAttention()
        self.mlp = nn.Sequential(
            nn.Linear(D_MODEL, 2 * D_MODEL), nn.ReLU(), nn.Linear(2 * D_MODEL, D_MODEL)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attention(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class TinyTransformer(nn.Module):
    """Tokens (B, T) -> logits (B, T, VOCAB): embedding + positions, LAYERS blocks, a final
    layer norm and a per-token classifier."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(VOCAB, D_MODEL)
        # A random table is drawn whatever POSITIONAL is (so every weight drawn after it is
        # the page's); only "learned" trains it. Sinusoidal overwrites it with the fixed
        # table; RoPE (which turns queries and keys instead) and "none" add zeros.
        self.position = nn.Parameter(torch.randn(LENGTH, D_MODEL) * 0.5)
        self.position.requires_grad_(POSITIONAL == "learned")
        if POSITIONAL == "sinusoidal":
            self.position.data.copy_(sinusoidal(LENGTH, D_MODEL))
        elif POSITIONAL != "learned":
            self.position.data.zero_()
        self.blocks = nn.ModuleList(Block() for _ in range(LAYERS))
        self.norm = nn.LayerNorm(D_MODEL)
        self.head = nn.Linear(D_MODEL, VOCAB)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.embed(tokens) + self.position[: tokens.shape[1]]  # (B, T, D_MODEL)
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x))


def loss_and_accuracy(model: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, float]:
    """Cross-entropy over the graded positions of the sequences x, and the share of their
    tokens predicted right."""
    logits, targets = model(x), targets_of(x)
    graded_logits, graded_targets = logits[:, SCORED], targets[:, SCORED]
    loss = F.cross_entropy(graded_logits.reshape(-1, VOCAB), graded_targets.reshape(-1))
    return loss, float((graded_logits.argmax(-1) == graded_targets).float().mean())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=2000)
    steps = parser.parse_args().steps

    torch.manual_seed(SEED)  # PyTorch's default initialisation, drawn from the seed
    model = TinyTransformer()
    params = [p for p in model.parameters() if p.requires_grad]  # not a fixed position table
    optimizer = {optimizer}
    x_eval = make_batch(EVAL_SEQUENCES, torch.Generator().manual_seed(SEED + 1))
    batches = torch.Generator().manual_seed(SEED)  # fresh sequences every step, never reused

    for step in range(steps + 1):
        if step % CHECK_EVERY == 0:
            with torch.no_grad():
                loss, accuracy = loss_and_accuracy(model, x_eval)
            print(f"step {{step}} loss {{float(loss)!r}} accuracy {{accuracy!r}}")
        if step == steps:
            break
        x = make_batch(BATCH_SIZE, batches)
        optimizer.zero_grad(set_to_none=True)
        loss_and_accuracy(model, x)[0].backward()
        optimizer.step()


if __name__ == "__main__":
    main()
'''

# Each task's targets, as an expression in the tokens x (B, T).
TARGETS = {
    "copy": "x",
    "reverse": "x.flip(1)",
    "sort": "torch.sort(x, dim=1).values",
    "shift": "x.roll(1, dims=1)  # the first wraps to the last",
    "induction": "torch.cat([x[:, 1:], x[:, :1]], dim=1)  # the last column is never graded",
}

EVERY_POSITION = "SCORED = torch.ones(LENGTH, dtype=torch.bool)  # every position is graded"
SECOND_HALF = """# Graded: the positions of the second half that predict a repeated token
SCORED = torch.zeros(LENGTH, dtype=torch.bool)
SCORED[LENGTH // 2 : LENGTH - 1] = True"""

RANDOM_TOKENS = "    return torch.randint(0, VOCAB, (size, LENGTH), generator=gen)"
REPEATED_HALF = """    first = torch.randint(0, VOCAB, (size, LENGTH // 2), generator=gen)
    return torch.cat([first, first], dim=1)  # the second half repeats the first"""


def attention_script(cfg: AttentionConfig) -> str:
    """The script of an AttentionSession of `cfg`: the same weights, batches, held-out set,
    loss and Adam; its held-out loss and accuracy every 20 steps (the session's checks at
    pace "20")."""
    task = get_sequence_task(cfg.task)
    induction = task.name == "induction"
    return ATTENTION_SCRIPT.format(
        task=task.name, rule=task.rule, length=cfg.length, vocab=cfg.vocab, layers=cfg.layers,
        heads=cfg.heads, d_model=cfg.d_model, positional=cfg.positional, lr=cfg.learning_rate,
        batch_size=cfg.batch_size, seed=cfg.seed, causal=task.causal, rope_base=ROPE_BASE,
        eval_sequences=EVAL_SEQUENCES, scored=SECOND_HALF if induction else EVERY_POSITION,
        batch_body=REPEATED_HALF if induction else RANDOM_TOKENS, targets=TARGETS[task.name],
        optimizer=optimizer_code("adam", "params"), file_stem=f"dlviz_attention_seed{cfg.seed}",
    )  # fmt: skip
