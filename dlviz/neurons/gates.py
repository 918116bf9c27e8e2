"""The logic gates a single neuron is taught on: truth tables of AND, OR, NAND and XOR as
data (two binary inputs, one binary target), and whether one straight line can separate them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])  # (4, 2): x1, x2


@dataclass(frozen=True)
class LogicGate:
    """One gate: its name, how it is written, its four outputs (rows of INPUTS, in order)
    and whether a single line separates its 1s from its 0s."""

    name: str
    label: str
    outputs: tuple[int, int, int, int]
    separable: bool

    def table(self) -> tuple[np.ndarray, np.ndarray]:
        """The truth table as data: inputs (4, 2) float64 and targets (4,) float64 in {0, 1}."""
        return INPUTS.copy(), np.array(self.outputs, dtype=np.float64)


LOGIC_GATES: dict[str, LogicGate] = {
    gate.name: gate
    for gate in (
        LogicGate("and", "AND", (0, 0, 0, 1), True),
        LogicGate("or", "OR", (0, 1, 1, 1), True),
        LogicGate("nand", "NAND", (1, 1, 1, 0), True),
        LogicGate("xor", "XOR", (0, 1, 1, 0), False),
    )
}
GATE_LABELS = {name: gate.label for name, gate in LOGIC_GATES.items()}


def get_gate(name: str) -> LogicGate:
    """The gate `name`; ValueError listing the known ones otherwise."""
    if name not in LOGIC_GATES:
        raise ValueError(f"unknown gate {name!r}; choose one of {', '.join(LOGIC_GATES)}")
    return LOGIC_GATES[name]
