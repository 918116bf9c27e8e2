"""One neuron with two inputs worked out: z = w1·x1 + w2·x2 + b, a = f(z), and its output
over the whole input plane (its line z = 0 is drawn by dlviz.figures.neurons). f comes from
the ACTIVATIONS registry: the same functions every other page uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from dlviz.activations import ACTIVATION_LABELS, get_activation
from dlviz.knobs import Config, knob

# No step here: the registry's fires for z > 0, Rosenblatt's perceptron below (as the course
# writes it) for z ≥ 0; one page showing both would contradict itself at z = 0.
NEURON_ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")
PLANE_SPAN = 2.0  # the plane drawn is [−span, span]²
PLANE_POINTS = 81  # grid points per side


def _weight(default: float, label: str) -> float:
    return knob(default, label, low=-3.0, high=3.0, step=0.1)


@dataclass(frozen=True)
class NeuronConfig(Config):
    """A neuron's inputs, weights, bias and activation (all sliders)."""

    x1: float = knob(1.0, "Input x₁", low=-2.0, high=2.0, step=0.1)
    x2: float = knob(0.5, "Input x₂", low=-2.0, high=2.0, step=0.1)
    w1: float = _weight(0.8, "Weight w₁")
    w2: float = _weight(-0.6, "Weight w₂")
    b: float = _weight(0.1, "Bias b")
    activation: str = knob(
        "sigmoid",
        "Activation f",
        options=NEURON_ACTIVATIONS,
        labels={n: ACTIVATION_LABELS[n] for n in NEURON_ACTIVATIONS},
    )


@dataclass(frozen=True)
class WorkedNeuron:
    """The neuron on its input, and over the plane."""

    config: NeuronConfig
    z: float  # w·x + b
    a: float  # f(z)
    grid: np.ndarray  # (PLANE_POINTS,) coordinates of the plane along each axis
    plane: np.ndarray  # (PLANE_POINTS, PLANE_POINTS) f(z) indexed [x2 row, x1 column]


def work_neuron(cfg: NeuronConfig) -> WorkedNeuron:
    """z and a = f(z) for the config's input, and f(z) over [−span, span]²."""
    f = get_activation(cfg.activation).fn
    w = torch.tensor([cfg.w1, cfg.w2], dtype=torch.float64)
    z = float(torch.tensor([cfg.x1, cfg.x2], dtype=torch.float64) @ w + cfg.b)
    grid = np.linspace(-PLANE_SPAN, PLANE_SPAN, PLANE_POINTS)
    gx, gy = np.meshgrid(grid, grid)  # (P, P) each: x1 along columns, x2 along rows
    zs = torch.from_numpy(gx) * cfg.w1 + torch.from_numpy(gy) * cfg.w2 + cfg.b
    plane = f(zs).numpy()
    return WorkedNeuron(cfg, z, float(f(torch.tensor(z, dtype=torch.float64))), grid, plane)
