"""One LSTM step by hand: a single unit reading a single number, with fixed example weights
times a scale the learner sets, worked through the explicit cell (cells.py) gate by gate,
and written out with its numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from dlviz.formulas import latex_number
from dlviz.knobs import Config, knob
from dlviz.recurrent.cells import CellWeights, cell_step

# (weight on x, weight on h, bias) of each block, in nn.LSTM's order. The forget gate's
# bias of +1 is the usual trick that makes a fresh LSTM keep its cell state.
EXAMPLE_WEIGHTS: dict[str, tuple[float, float, float]] = {
    "input": (1.0, 0.5, 0.0),
    "forget": (-0.5, 0.5, 1.0),
    "candidate": (1.5, -0.5, 0.0),
    "output": (0.8, 0.8, 0.0),
}
SYMBOLS = {"input": "i", "forget": "f", "candidate": r"\tilde c", "output": "o"}


@dataclass(frozen=True)
class StepConfig(Config):
    """The calculator's inputs."""

    x: float = knob(1.0, "Input x", low=-3.0, high=3.0, step=0.1)
    h: float = knob(0.0, "Previous hidden h", low=-1.0, high=1.0, step=0.05)
    c: float = knob(0.5, "Previous cell c", low=-3.0, high=3.0, step=0.1)
    scale: float = knob(1.0, "Weights × scale", low=0.0, high=5.0, step=0.1,
                        help="Multiplies every example weight and bias: large weights push "
                        "the gates to 0 or 1.")  # fmt: skip


@dataclass(frozen=True)
class WorkedGate:
    """One block of the step: its scaled weights, pre-activation z and value."""

    name: str
    w_x: float
    w_h: float
    bias: float
    z: float
    value: float


@dataclass(frozen=True)
class WorkedStep:
    """A whole LSTM step on one unit: its inputs, each block and the new states."""

    config: StepConfig
    gates: tuple[WorkedGate, ...]  # input, forget, candidate, output
    cell: float  # c' = f·c + i·c̃
    hidden: float  # h' = o·tanh(c')

    def gate(self, name: str) -> WorkedGate:
        """The block called `name`."""
        return next(g for g in self.gates if g.name == name)


def step_weights(scale: float) -> CellWeights:
    """EXAMPLE_WEIGHTS × `scale` as one-unit CellWeights (4 blocks, D = H = 1)."""
    table = torch.tensor(list(EXAMPLE_WEIGHTS.values()), dtype=torch.float64) * scale  # (4, 3)
    return CellWeights(
        table[:, :1], table[:, 1:2], table[:, 2], torch.zeros(4, dtype=torch.float64)
    )


def work_step(config: StepConfig) -> WorkedStep:
    """One LSTM step of the example unit from (x, h, c), through the explicit cell."""
    w = step_weights(config.scale)
    state = {"hidden": torch.tensor([[config.h]], dtype=torch.float64),
             "cell": torch.tensor([[config.c]], dtype=torch.float64)}  # fmt: skip
    x = torch.tensor([[config.x]], dtype=torch.float64)
    out = cell_step("lstm", x, state, w)
    z = (x @ w.w_ih.T + state["hidden"] @ w.w_hh.T + w.b_ih)[0]  # (4,) pre-activations
    gates = tuple(
        WorkedGate(name, float(w.w_ih[k, 0]), float(w.w_hh[k, 0]), float(w.b_ih[k]),
                   float(z[k]), float(out[name][0, 0]))
        for k, name in enumerate(EXAMPLE_WEIGHTS)
    )  # fmt: skip
    return WorkedStep(config, gates, float(out["cell"][0, 0]), float(out["hidden"][0, 0]))


def gate_line(step: WorkedStep, name: str) -> str:
    """One block written out in LaTeX: `f = σ(w·x + u·h + b) = value`."""
    g, cfg = step.gate(name), step.config
    squash = r"\tanh" if name == "candidate" else r"\sigma"
    n = latex_number
    return (f"{SYMBOLS[name]} = {squash}({n(g.w_x)}\\cdot{n(cfg.x)} + {n(g.w_h)}\\cdot{n(cfg.h)}"
            f" + {n(g.bias)}) = {g.value:.3f}")  # fmt: skip


def state_lines(step: WorkedStep) -> tuple[str, str]:
    """The new cell and hidden states written out in LaTeX: c' = f·c + i·c̃ and
    h' = o·tanh(c'), with the numbers."""
    n = latex_number
    f, i, g, o = (step.gate(k).value for k in ("forget", "input", "candidate", "output"))
    cell = f"c' = {n(f)}\\cdot{n(step.config.c)} + {n(i)}\\cdot{n(g)} = {step.cell:.3f}"
    hidden = f"h' = {n(o)}\\cdot\\tanh({n(step.cell)}) = {step.hidden:.3f}"
    return cell, hidden
