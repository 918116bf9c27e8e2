"""Activation functions and what they do to a network: the ACTIVATIONS registry
(registry.py), softmax with temperature (softmax.py), the deep-stack probe at
initialisation (probe.py) and the live activation race (race.py).
"""

from dlviz.activations.curves import CurveSamples, sample_curves, table_rows
from dlviz.activations.probe import ProbeConfig, ProbeResult, describe_probe, probe
from dlviz.activations.race import ActivationRaceSession, RaceConfig, RaceSnapshot
from dlviz.activations.registry import (
    ACTIVATIONS,
    LEAKY_SLOPE,
    Activation,
    Param,
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
from dlviz.activations.stack import INITS

__all__ = [
    "ACTIVATIONS",
    "DEFAULT_LOGITS",
    "INITS",
    "LEAKY_SLOPE",
    "Activation",
    "ActivationRaceSession",
    "CurveSamples",
    "Param",
    "ProbeConfig",
    "ProbeResult",
    "RaceConfig",
    "RaceSnapshot",
    "derivative",
    "describe_probe",
    "entropy_bits",
    "get_activation",
    "max_entropy_bits",
    "parse_logits",
    "probe",
    "sample_curves",
    "softmax",
    "table_rows",
]
