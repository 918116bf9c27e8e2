"""A knob of a surface, optimizer or schedule (name, label, default, range) and the one
check that completes and validates a set of knob values. No torch here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Hyper:
    """One setting with its slider range."""

    name: str
    label: str
    default: float
    low: float
    high: float
    step: float = 0.01  # slider resolution; a step of 1 makes it a whole number


def fill_knobs(
    knobs: Sequence[Hyper], given: Mapping[str, float], owner: str, none: str = "none"
) -> dict[str, float]:
    """Every knob's default, replaced by the values `given`. ValueError naming `owner` and
    the valid names (`none` when there are none) for an unknown name, or naming the range
    for a value outside it."""
    known = {k.name: k for k in knobs}
    values = {k.name: float(k.default) for k in knobs}
    for key, value in given.items():
        if key not in known:
            raise ValueError(f"{owner} has no setting {key!r} ({', '.join(known) or none})")
        k = known[key]
        if k.step == 1 and isinstance(value, float) and not value.is_integer():
            raise ValueError(f"{k.label} must be a whole number, got {value}")
        if isinstance(value, bool) or not (
            isinstance(value, int | float) and k.low <= value <= k.high
        ):
            raise ValueError(f"{k.label} must be between {k.low:g} and {k.high:g}, got {value}")
        values[key] = float(value)
    return values
