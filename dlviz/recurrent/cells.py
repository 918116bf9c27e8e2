"""The three recurrent cells written out: vanilla RNN (tanh), LSTM (input, forget, candidate
and output gates; cell and hidden state) and GRU (reset and update gates, candidate), in
PyTorch's weight layout so they read nn.RNN / nn.LSTM / nn.GRU weights. One step returns
every gate. Running a cell over a sequence is layer.py's job.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass(frozen=True)
class Cell:
    """One kind of recurrent cell: its gates in PyTorch's row order, and what one step
    records (gates first, then the states it carries)."""

    name: str
    label: str
    about: str
    blocks: int  # weight blocks stacked in weight_ih / weight_hh (gates and candidate)
    records: tuple[str, ...]  # the names one step returns, each (B, H)
    carries: tuple[str, ...]  # the states passed to the next step ("hidden", and "cell")


CELLS: dict[str, Cell] = {
    cell.name: cell
    for cell in (
        Cell("rnn", "RNN", "one tanh layer fed its own last output; nothing decides what "
             "to keep, so old inputs fade with every step", 1, ("hidden",), ("hidden",)),
        Cell("lstm", "LSTM", "a cell state that gates add to and forget from: forget (what "
             "to discard), input (what to store), output (what to show)", 4,
             ("input", "forget", "candidate", "output", "cell", "hidden"), ("hidden", "cell")),
        Cell("gru", "GRU", "two gates and no separate cell: update (how much of the old state "
             "to keep) and reset (how much of it the candidate reads)", 3,
             ("reset", "update", "candidate", "hidden"), ("hidden",)),
    )
}  # fmt: skip
CELL_LABELS = {name: cell.label for name, cell in CELLS.items()}
GATES = ("input", "forget", "output", "reset", "update")  # squashed by σ into (0, 1)
SQUASHED = ("candidate", "hidden")  # squashed by tanh into (−1, 1) ("cell" is not)


@dataclass(frozen=True)
class CellWeights:
    """One direction of one layer, PyTorch's layout: w_ih (blocks·H, D), w_hh (blocks·H, H),
    b_ih and b_hh (blocks·H,)."""

    w_ih: Tensor
    w_hh: Tensor
    b_ih: Tensor
    b_hh: Tensor

    @property
    def hidden(self) -> int:
        """H, the units of the cell."""
        return self.w_hh.shape[1]


def get_cell(name: str) -> Cell:
    """The cell called `name`; ValueError listing CELLS otherwise."""
    if name not in CELLS:
        raise ValueError(f"unknown cell {name!r}; choose one of {', '.join(CELLS)}")
    return CELLS[name]


def cell_step(name: str, x: Tensor, state: dict[str, Tensor], w: CellWeights) -> dict[str, Tensor]:
    """One step of cell `name` on inputs x (B, D) from `state` (the cell's `carries`, each
    (B, H)): every gate, candidate and new state, each (B, H)."""
    cell = get_cell(name)
    from_x = x @ w.w_ih.T + w.b_ih  # (B, blocks·H)
    from_h = state["hidden"] @ w.w_hh.T + w.b_hh  # (B, blocks·H)
    if cell.name == "rnn":
        return {"hidden": torch.tanh(from_x + from_h)}
    if cell.name == "lstm":
        i, f, g, o = (from_x + from_h).chunk(4, dim=1)  # each (B, H)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c = f * state["cell"] + i * g
        return {"input": i, "forget": f, "candidate": g, "output": o, "cell": c,
                "hidden": o * torch.tanh(c)}  # fmt: skip
    xr, xz, xn = from_x.chunk(3, dim=1)  # GRU: each (B, H)
    hr, hz, hn = from_h.chunk(3, dim=1)
    r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
    n = torch.tanh(xn + r * hn)  # the reset gate scales what the candidate reads of h
    return {"reset": r, "update": z, "candidate": n, "hidden": (1 - z) * n + z * state["hidden"]}


def zero_state(name: str, batch: int, hidden: int, like: Tensor) -> dict[str, Tensor]:
    """The all-zero starting state of cell `name`: each carried state (batch, hidden)."""
    zeros = like.new_zeros(batch, hidden)
    return {carried: zeros for carried in get_cell(name).carries}
