"""A recurrent stack run step by step with the explicit cells: one or two layers, each
optionally bidirectional, reading the weights of a torch nn.RNN / nn.LSTM / nn.GRU. It
returns every gate and state at every step, and measures how far back the learning signal
reaches (the gradient of one step's loss with respect to each earlier hidden state).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from dlviz.recurrent.cells import CellWeights, cell_step, get_cell, zero_state


@dataclass(frozen=True)
class Traced:
    """A stack's run over a sequence. `layers[k][name]` is (B, T, H·directions): the
    forward direction's units first, then the backward one's. `output` is the top layer's
    hidden state (B, T, H·directions)."""

    layers: tuple[dict[str, Tensor], ...]
    output: Tensor


def weights_of(module: nn.RNNBase, layer: int, reverse: bool = False) -> CellWeights:
    """One direction of one layer of a torch recurrent module, as CellWeights."""
    suffix = f"l{layer}{'_reverse' if reverse else ''}"
    take = lambda kind: getattr(module, f"{kind}_{suffix}")  # noqa: E731
    return CellWeights(take("weight_ih"), take("weight_hh"), take("bias_ih"), take("bias_hh"))


def run_cell(name: str, x: Tensor, w: CellWeights, reverse: bool = False,
             keep: list[list[Tensor]] | None = None) -> dict[str, Tensor]:  # fmt: skip
    """Cell `name` over x (B, T, D) from a zero state, last step first when `reverse`:
    every recorded name as (B, T, H), in the input's time order. `keep` is given the list
    of each step's own hidden state (B, H), in time order: the tensors the next step reads,
    whose gradient is the one through time."""
    b, t, _ = x.shape
    state = zero_state(name, b, w.hidden, x)
    steps: list[dict[str, Tensor]] = []
    for i in reversed(range(t)) if reverse else range(t):
        now = cell_step(name, x[:, i], state, w)
        state = {carried: now[carried] for carried in state}
        steps.append(now)
    if reverse:
        steps.reverse()
    if keep is not None:
        keep.append([s["hidden"] for s in steps])
    return {key: torch.stack([s[key] for s in steps], dim=1) for key in get_cell(name).records}


def run_stack(name: str, module: nn.RNNBase, x: Tensor,
              keep: list[list[Tensor]] | None = None) -> Traced:  # fmt: skip
    """Every layer and direction of `module` (a torch recurrent module of cell `name`,
    batch_first) over x (B, T, D), as nn.LSTM / nn.GRU / nn.RNN compute it (no dropout).
    `keep` gets the first layer's per-step hidden states, one list per direction (see
    run_cell)."""
    layers = []
    for k in range(module.num_layers):
        kept = keep if k == 0 else None
        ways = [run_cell(name, x, weights_of(module, k), keep=kept)]
        if module.bidirectional:
            back = weights_of(module, k, reverse=True)
            ways.append(run_cell(name, x, back, reverse=True, keep=kept))
        traced = {key: torch.cat([w[key] for w in ways], dim=-1) for key in ways[0]}
        layers.append(traced)
        x = traced["hidden"]
    return Traced(tuple(layers), x)


def signal_through_time(name: str, module: nn.RNNBase, head: nn.Module, x: Tensor,
                        step_loss: Callable[[Tensor], Tensor]) -> Tensor:  # fmt: skip
    """‖∂ℓ/∂h_t‖ for every step t of the first layer (T,), where ℓ = step_loss(head(top
    layer's output)) is the loss of one step (the last graded one) of a batch of one
    x (1, T, D): how strongly each earlier hidden state is told how to change."""
    kept: list[list[Tensor]] = []  # per direction, per step (1, H)
    with torch.enable_grad():
        traced = run_stack(name, module, x, keep=kept)
        flat = [h for way in kept for h in way]
        grads = torch.autograd.grad(step_loss(head(traced.output)), flat, allow_unused=True)
    squares = torch.stack(
        [(g**2).sum() if g is not None else flat[0].new_zeros(()) for g in grads]
    ).reshape(len(kept), -1)  # (directions, T)
    return squares.sum(0).sqrt().detach()  # (T,)
