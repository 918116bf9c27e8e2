"""Sampled curves and slopes of chosen activations on a shared input range, and the
course's table row of each: what the Activations page plots and lists.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from dlviz.activations.registry import ACTIVATION_LABELS, ACTIVATIONS, derivative, get_activation
from dlviz.knobs import Config, knob

MAX_SPAN = 50.0  # largest |z| the curves cover


@dataclass(frozen=True)
class CurvesConfig(Config):
    """Which activations to plot, and over which inputs (their α/β come with the page)."""

    names: tuple[str, ...] = knob(
        ("sigmoid", "tanh", "relu"), "Activations", options=tuple(ACTIVATIONS),
        labels=ACTIVATION_LABELS, count=(0, len(ACTIVATIONS)),
    )  # fmt: skip
    span: float = knob(5.0, "Show z from −a to a", low=1.0, high=10.0, step=0.5)


@dataclass(frozen=True)
class CurveSamples:
    """f(z) and f'(z) of several activations on one grid of inputs."""

    z: np.ndarray  # float64 (n,) from −span to span
    values: dict[str, np.ndarray]  # label → f(z), float64 (n,)
    slopes: dict[str, np.ndarray]  # label → f'(z) by autograd, float64 (n,)


def param_label(name: str, values: dict[str, float]) -> str:
    """'Leaky ReLU (α=0.2)', or just the label when every parameter is at its default."""
    act = get_activation(name)
    shown = [
        f"{p.label}={values[p.name]:g}"
        for p in act.params
        if values.get(p.name, p.default) != p.default
    ]
    return f"{act.label} ({', '.join(shown)})" if shown else act.label


def sample_curves(
    names: Sequence[str], params: Sequence[tuple[str, str, float]] = (), span: float = 5.0,
    n: int = 401,
) -> CurveSamples:  # fmt: skip
    """Sample each activation in `names` (with its (activation, parameter, value) settings
    from `params`) at `n` evenly spaced z in [−span, span]."""
    if not (math.isfinite(span) and 0 < span <= MAX_SPAN) or not 2 <= n <= 5001:
        raise ValueError(f"span must be in (0, {MAX_SPAN:g}] and n in 2..5001")
    z = torch.linspace(-span, span, n, dtype=torch.float64)
    values, slopes = {}, {}
    for name in names:
        act = get_activation(name)
        chosen = act.check_params({p: v for a, p, v in params if a == name})
        label = param_label(name, chosen)
        values[label] = act.apply(z, **chosen).numpy()
        slopes[label] = derivative(name, z, **chosen).numpy()
    return CurveSamples(z.numpy(), values, slopes)


def table_rows(names: Sequence[str]) -> list[dict[str, str]]:
    """The course's activation table, one row per name: range, use, pros, cons."""
    rows = []
    for name in names:
        act = get_activation(name)
        rows.append({"activation": act.label, "output range": act.output_range,
                     "typical use": act.use, "✓ pros": act.pros, "✗ cons": act.cons})  # fmt: skip
    return rows
