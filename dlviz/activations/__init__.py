"""Activation functions and what they do to a network: the ACTIVATIONS registry
(registry.py), softmax with temperature (softmax.py), the deep-stack probe at
initialisation (probe.py) and the live activation race (race.py).
"""

from dlviz.activations.probe import ProbeConfig, ProbeResult, probe
from dlviz.activations.race import ActivationRaceSession, RaceConfig, RaceSnapshot
from dlviz.activations.registry import (
    ACTIVATIONS,
    LEAKY_SLOPE,
    Activation,
    Param,
    derivative,
    get_activation,
)
from dlviz.activations.softmax import DEFAULT_LOGITS, parse_logits, softmax
from dlviz.activations.stack import INITS

__all__ = [
    "ACTIVATIONS",
    "DEFAULT_LOGITS",
    "INITS",
    "LEAKY_SLOPE",
    "Activation",
    "ActivationRaceSession",
    "Param",
    "ProbeConfig",
    "ProbeResult",
    "RaceConfig",
    "RaceSnapshot",
    "derivative",
    "get_activation",
    "parse_logits",
    "probe",
    "softmax",
]
