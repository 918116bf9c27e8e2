"""Toy sequence tasks on integer tokens, shared by the sequence topics: copy, reverse, sort,
shift by one and induction, whose correct attention pattern is known. Each makes seeded
batches, their targets, which positions are scored and, for any sequence, the (T, T)
pattern of keys each query needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass(frozen=True)
class Task:
    """A sequence-to-sequence toy task: output position i predicts one token."""

    name: str
    label: str  # short human name
    rule: str  # what the output is, in a sentence
    pattern_text: str  # what the correct attention looks like on the heatmap
    causal: bool  # decoder-style: a query sees only itself and earlier keys
    targets: Callable[[Tensor], Tensor]  # (B, T) tokens → (B, T) targets
    keys: Callable[[Tensor], Tensor]  # (B, T) tokens → (B, T) the key each query needs
    scored: Callable[[int], Tensor]  # T → (T,) bool, the positions that are graded
    by_value: bool = False  # any key holding the needed token is right (sort: repeats)


def _positions(x: Tensor) -> Tensor:
    return torch.arange(x.shape[1], device=x.device).expand_as(x)


def _mirror(x: Tensor) -> Tensor:
    return x.shape[1] - 1 - _positions(x)


def _previous(x: Tensor) -> Tensor:
    return (_positions(x) - 1) % x.shape[1]


def _sorted_keys(x: Tensor) -> Tensor:
    return torch.sort(x, dim=1, stable=True).indices


def _induction_keys(x: Tensor) -> Tensor:
    # Query i (second half, current token x_i = x_{i−h}) needs the key after the earlier
    # copy of its token, i − h + 1, whose token x_{i−h+1} is the next one.
    return (_positions(x) - x.shape[1] // 2 + 1).clamp_min(0)


def _next_tokens(x: Tensor) -> Tensor:
    return torch.cat([x[:, 1:], x[:, :1]], dim=1)  # the last column is never scored


def _all(t: int) -> Tensor:
    return torch.ones(t, dtype=torch.bool)


def _second_half(t: int) -> Tensor:
    scored = torch.zeros(t, dtype=torch.bool)
    scored[t // 2 : t - 1] = True  # positions that predict a repeated token
    return scored


SEQUENCE_TASKS: dict[str, Task] = {
    task.name: task
    for task in (
        Task("copy", "Copy", "output i is input i", "the diagonal: each token looks at itself",
             False, lambda x: x, _positions, _all),
        Task("reverse", "Reverse", "output i is input T−1−i",
             "the anti-diagonal: position i looks at its mirror T−1−i", False,
             lambda x: x.flip(1), _mirror, _all),
        Task("sort", "Sort", "output i is the i-th smallest input",
             "row i finds the i-th smallest token wherever it is (any copy of it)", False,
             lambda x: torch.sort(x, dim=1).values, _sorted_keys, _all, by_value=True),
        Task("shift", "Shift by one", "output i is input i−1 (the first wraps to the last)",
             "the diagonal below the main one: each token looks one back", False,
             lambda x: x.roll(1, dims=1), _previous, _all),
        Task("induction", "Induction",
             "the second half repeats the first; each position predicts the next token",
             "a stripe half the length minus one below the diagonal: each query looks just "
             "after the earlier copy of its own token",
             True, _next_tokens, _induction_keys, _second_half),
    )
}  # fmt: skip


def get_sequence_task(name: str) -> Task:
    """The task called `name`; ValueError listing SEQUENCE_TASKS otherwise."""
    if name not in SEQUENCE_TASKS:
        raise ValueError(f"unknown task {name!r}; choose one of {', '.join(SEQUENCE_TASKS)}")
    return SEQUENCE_TASKS[name]


def make_batch(task: Task, batch: int, length: int, vocab: int, gen: torch.Generator,
               distinct: bool = False) -> Tensor:  # fmt: skip
    """(batch, length) int64 tokens in [0, vocab) drawn with `gen` (on the CPU, so every
    device sees the same data). Induction repeats the first half in the second; `distinct`
    draws tokens without repeats where the vocabulary allows (the probe sequence)."""
    span = length // 2 if task.name == "induction" else length
    if distinct and vocab >= span:
        x = torch.stack([torch.randperm(vocab, generator=gen)[:span] for _ in range(batch)])
    else:
        x = torch.randint(0, vocab, (batch, span), generator=gen)
    if task.name == "induction":
        x = torch.cat([x, x], dim=1)[:, :length]
    return x


def pattern(task: Task, x: Tensor) -> Tensor:
    """(B, T, T) float32: 1 on the key(s) each scored query needs (for a `by_value` task,
    every position holding the needed token), 0 elsewhere and on unscored rows."""
    if task.by_value:
        needed = x.gather(1, task.keys(x))  # (B, T) the token each query must find
        marks = (x[:, None, :] == needed[:, :, None]).float()  # (B, T queries, T keys)
    else:
        marks = torch.nn.functional.one_hot(task.keys(x), x.shape[1]).float()
    return marks * task.scored(x.shape[1]).to(x.device)[None, :, None]
