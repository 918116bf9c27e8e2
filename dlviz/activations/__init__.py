"""Activation functions and what they do to a network: the ACTIVATIONS registry
(registry.py), sampled curves (curves.py) and softmax with temperature (softmax.py). The
deep-stack probe (probe.py) and the live activation race (activation_race.py) are imported
from their modules, as they build on dlviz.models, which builds on this registry.
"""

from dlviz.activations.curves import CurveSamples, sample_curves, table_rows
from dlviz.activations.registry import (
    ACTIVATION_LABELS,
    ACTIVATIONS,
    LEAKY_SLOPE,
    Activation,
    derivative,
    get_activation,
)
from dlviz.activations.softmax import (
    DEFAULT_LOGITS,
    entropy_bits,
    max_entropy_bits,
    parse_logits,
    softmax,
)

__all__ = [
    "ACTIVATIONS",
    "ACTIVATION_LABELS",
    "DEFAULT_LOGITS",
    "LEAKY_SLOPE",
    "Activation",
    "CurveSamples",
    "derivative",
    "entropy_bits",
    "get_activation",
    "max_entropy_bits",
    "parse_logits",
    "sample_curves",
    "softmax",
    "table_rows",
]
