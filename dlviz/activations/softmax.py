"""Softmax with a temperature, on a short vector of logits a learner types in.

softmax(z / T)ᵢ = exp(zᵢ / T) / Σⱼ exp(zⱼ / T): T → 0 picks the largest logit, T → ∞ spreads
the probability evenly. Output layers and attention both use it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from dlviz.knobs import Config, knob

DEFAULT_LOGITS = (2.0, 1.0, 0.1)  # the course's example
MAX_LOGITS = 12
LOGIT_LIMIT = 1000.0  # |logit| bound: larger values are almost certainly a typo


@dataclass(frozen=True)
class SoftmaxConfig(Config):
    """The scores typed by the learner (parsed by parse_logits) and the temperature."""

    logits: str = knob("2.0, 1.0, 0.1", "Logits, separated by commas", high=200)
    temperature: float = knob(
        1.0, "Temperature T", low=0.01, high=100.0,
        options=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0),
    )  # fmt: skip


def parse_logits(text: str) -> tuple[float, ...]:
    """'2.0, 1.0, 0.1' (commas and/or spaces) → (2.0, 1.0, 0.1). Raises ValueError with a
    readable message for empty, non-numeric, non-finite, too many or too large entries."""
    parts = [p for p in text.replace(",", " ").replace(";", " ").split() if p]
    if not parts:
        raise ValueError("type at least one number, e.g. 2.0, 1.0, 0.1")
    if len(parts) > MAX_LOGITS:
        raise ValueError(f"at most {MAX_LOGITS} logits, got {len(parts)}")
    values = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            raise ValueError(f"{part[:20]!r} is not a number") from None
        if not math.isfinite(value) or abs(value) > LOGIT_LIMIT:
            raise ValueError(f"each logit must be a finite number within ±{LOGIT_LIMIT:g}")
        values.append(value)
    return tuple(values)


def softmax(logits: Sequence[float], temperature: float = 1.0) -> np.ndarray:
    """Probabilities softmax(logits / T), float64 (n,), summing to 1. Computed by
    torch.softmax in float64, which subtracts the maximum first, so it never overflows."""
    if not (math.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be a positive number, got {temperature}")
    z = torch.as_tensor(np.asarray(logits, dtype=np.float64))
    if z.ndim != 1 or len(z) == 0:
        raise ValueError("logits must be a non-empty 1-D sequence")
    return torch.softmax(z / temperature, dim=0).numpy()


def max_entropy_bits(n: int) -> float:
    """The entropy of the uniform distribution over `n` classes: log₂ n bits."""
    return math.log2(n) if n > 0 else 0.0


def entropy_bits(probs: np.ndarray) -> float:
    """Shannon entropy of a distribution, in bits: 0 for one-hot, log₂ n for uniform."""
    p = np.asarray(probs, dtype=np.float64)
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())
