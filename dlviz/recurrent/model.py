"""RecurrentNet: torch's own nn.RNN / nn.LSTM / nn.GRU (trained as a practitioner trains
them) with a linear readout at every step. The explicit cells in cells.py read its weights
to show the gates; this module only builds and runs the network.
"""

from __future__ import annotations

from torch import Tensor, nn

from dlviz.recurrent.cells import get_cell

MODULES: dict[str, type[nn.RNNBase]] = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class RecurrentNet(nn.Module):
    """`cell` layers of `hidden` units (both directions when `bidirectional`) reading
    `inputs` numbers per step, and a linear readout of `outputs` numbers per step (1 for a
    regression, the class count otherwise)."""

    def __init__(self, cell: str, inputs: int, hidden: int, outputs: int, layers: int = 1,
                 bidirectional: bool = False) -> None:  # fmt: skip
        super().__init__()
        self.cell = get_cell(cell).name
        self.rnn = MODULES[self.cell](inputs, hidden, num_layers=layers, batch_first=True,
                                      bidirectional=bidirectional)  # fmt: skip
        self.head = nn.Linear(hidden * (2 if bidirectional else 1), outputs)

    def forward(self, x: Tensor) -> tuple[Tensor, None]:
        """x (B, T, inputs) → (outputs per step (B, T, outputs), None)."""
        out, _ = self.rnn(x)  # (B, T, hidden·directions)
        return self.head(out), None
