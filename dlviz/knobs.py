"""Knobs: every setting a learner can turn, declared once on a config field (label, range or
choices, step, unit, help, live or structural). The config's validation, the widget dlviz.ui
draws and so the URL parameter all come from that one declaration. No torch, no streamlit.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

import numpy as np


@dataclass(frozen=True)
class Knob:
    """How one setting may be turned. The kind of value follows from `default`: bool, int,
    float, str (with `options`: one of them, else free text of at most `high` characters)
    or a tuple (of `options` strings, or of numbers within low..high) of `count` items."""

    default: Any
    label: str
    low: float | None = None  # smallest number (text: fewest characters)
    high: float | None = None  # largest number (text: most characters)
    step: float | None = None  # slider resolution
    options: tuple[Any, ...] | None = None  # the allowed strings, or the numbers a slider offers
    labels: Mapping[Any, str] | None = None  # how each option is shown
    log: bool = False  # numbers offered on a log scale: 1, 2, 3, 5 per decade
    count: tuple[int, int] | None = None  # a tuple's allowed number of items
    count_label: str = ""  # the label of a number tuple's length (e.g. "Hidden layers")
    unit: str = ""  # shown after the label, e.g. "steps"
    fmt: str | None = None  # how a number is shown, a format spec such as ".0%"
    help: str | None = None
    live: bool = False  # a running session takes a new value without restarting
    widget: str | None = None  # a hint for dlviz.ui: "segmented", "radio", "number", "combo"
    # the largest value allowed given the config's other values (e.g. "show head" ≤ heads)
    high_from: Callable[[Mapping[str, Any]], float] | None = None
    # whether the knob matters given the other values (σ only for N(0, σ²) weights);
    # dlviz.ui draws it only then
    when: Callable[[Mapping[str, Any]], bool] | None = None
    name: str = ""  # the config field it belongs to (filled in by `knobs_of`)

    @property
    def kind(self) -> str:
        """'bool', 'int', 'float', 'choice', 'text', 'choices', 'ints' or 'floats'."""
        d = self.default
        if isinstance(d, bool):
            return "bool"
        if isinstance(d, str):
            # a "combo" offers its options as suggestions but takes any text
            return "choice" if self.options is not None and self.widget != "combo" else "text"
        if isinstance(d, tuple):
            if self.options is not None and all(isinstance(o, str) for o in self.options):
                return "choices"
            ints = bool(d) and all(isinstance(v, int) and not isinstance(v, bool) for v in d)
            return "ints" if ints or isinstance(self.step, int) else "floats"
        return "int" if isinstance(d, int) else "float"

    def offered(self) -> tuple[Any, ...] | None:
        """The discrete values a widget offers: `options`, a log grid, or None (a slider)."""
        if self.options is not None:
            return self.options
        if self.log and self.low is not None and self.high is not None:
            return log_grid(self.low, self.high)
        return None

    def show(self, value: Any) -> str:
        """A value as the learner reads it (its option label, or formatted)."""
        if self.labels is not None and value in self.labels:
            return self.labels[value]
        if self.fmt and isinstance(value, numbers.Real):
            return format(value, self.fmt)
        return f"{value:g}" if isinstance(value, float) else str(value)

    def check(self, value: Any) -> Any:
        """`value` normalised (ints as int, floats as float, sequences as tuples), or
        ValueError naming the field and what it accepts. Bools are not numbers."""
        kind = self.kind
        if kind == "bool":
            if isinstance(value, bool | np.bool_):
                return bool(value)
            raise self._error("must be on or off (true or false)", value)
        if kind in ("int", "float"):
            return self._number(value, whole=kind == "int")
        if kind == "choice":
            if isinstance(value, str) and value in self.options:
                return value
            raise self._error(f"must be one of {', '.join(map(str, self.options))}", value)
        if kind == "text":
            limit = int(self.high) if self.high is not None else 1000
            if isinstance(value, str) and len(value) <= limit:
                return value
            raise self._error(f"must be text of at most {limit} characters", value)
        return self._items(value)

    def _number(self, value: Any, whole: bool) -> int | float:
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
        ok = ok and math.isfinite(value) and (not whole or float(value).is_integer())
        lo, hi = self.low, self.high
        if ok and (lo is None or value >= lo) and (hi is None or value <= hi):
            return int(value) if whole else float(value)
        what = "a whole number" if whole else "a number"
        span = f" from {lo:g} to {hi:g}" if lo is not None and hi is not None else ""
        raise self._error(f"must be {what}{span}", value)

    def _items(self, value: Any) -> tuple[Any, ...]:
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise self._error("must be a list", value)
        items = tuple(value)
        lo, hi = self.count or (0, 1000)
        if self.kind == "choices":
            allowed = ", ".join(map(str, self.options))
            if len(set(items)) != len(items) or any(v not in self.options for v in items):
                raise self._error(f"must be different choices among {allowed}", value)
        else:
            item = dataclasses.replace(self, default=self.default[0] if self.default else 0.0)
            whole = self.kind == "ints"
            items = tuple(item._number(v, whole) for v in items)
        if not lo <= len(items) <= hi:
            raise self._error(f"must have {lo} to {hi} items", value)
        return items

    def _error(self, rule: str, value: Any) -> ValueError:
        shown = repr(value)
        shown = shown if len(shown) <= 40 else shown[:37] + "…"
        return ValueError(f"{self.label} ({self.name}) {rule}; got {shown}")


def log_grid(low: float, high: float) -> tuple[float, ...]:
    """1, 2, 3 and 5 times each power of ten from `low` to `high` (both kept), rounded."""
    values = {round(low, 12), round(high, 12)}
    for e in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1):
        for m in (1, 2, 3, 5):
            v = round(m * 10.0**e, 12)
            if low <= v <= high:
                values.add(v)
    return tuple(sorted(values))


def nearest(values: Sequence[float], value: float) -> float:
    """The entry of `values` nearest to `value` (on a log scale when both are positive)."""

    def gap(v: float) -> float:
        if v > 0 and value > 0:
            return abs(math.log(v / value))
        return abs(v - value)

    return min(values, key=gap)


def knob(default: Any, label: str, **spec: Any) -> Any:
    """A dataclass field that is a knob (see Knob for `spec`)."""
    return field(default=default, metadata={"knob": Knob(default, label, **spec)})


@functools.cache
def knobs_of(config_type: type) -> dict[str, Knob]:
    """The knobs of a config class, by field name, in declaration order."""
    return {
        f.name: dataclasses.replace(f.metadata["knob"], name=f.name)
        for f in dataclasses.fields(config_type)
        if "knob" in f.metadata
    }


class Config:
    """Base of every topic's frozen config dataclass. Making one checks (and normalises)
    every knob field, then the class's own `_check` for rules that tie fields together:
    a config that exists is a valid one."""

    def __post_init__(self) -> None:
        declared = knobs_of(type(self))
        for name, k in declared.items():
            object.__setattr__(self, name, k.check(getattr(self, name)))
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for name, k in declared.items():
            if k.high_from is None or (k.when is not None and not k.when(values)):
                continue  # a knob that does not matter here keeps its default, unbounded
            if values[name] > (top := k.high_from(values)):
                raise k._error(f"must be at most {top:g} here", values[name])
        self._check()

    def _check(self) -> None:
        """Rules between fields; raise ValueError with a sentence for the learner."""

    @classmethod
    def knob(cls, name: str) -> Knob:
        """The knob of field `name`."""
        return knobs_of(cls)[name]

    def replace(self, **changes: Any) -> Self:
        """A copy with `changes`, checked like a new config."""
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]


def structural_key(config: Any) -> tuple[Any, ...]:
    """The values of the fields that define a session: everything but live knobs."""
    knobs = knobs_of(type(config))
    return tuple(
        getattr(config, f.name)
        for f in dataclasses.fields(config)
        if not (f.name in knobs and knobs[f.name].live)
    )


def fill(knobs: Sequence[Knob], given: Mapping[str, Any], owner: str) -> dict[str, Any]:
    """Every knob's default, replaced by the checked values `given`: the settings of one
    registry entry (an activation's α, an optimizer's β). ValueError naming `owner` and the
    valid names for an unknown one."""
    known = {k.name: k for k in knobs}
    values = {k.name: k.default for k in knobs}
    for name, value in given.items():
        if name not in known:
            valid = ", ".join(known) or "none"
            raise ValueError(f"{owner} has no setting {name!r} (it has: {valid})")
        values[name] = known[name].check(value)
    return values


def as_field(k: Knob) -> Any:
    """A dataclass field for a knob declared elsewhere (a registry's shared knob)."""
    return field(default=k.default, metadata={"knob": k})


def seed_knob(what: str) -> Any:
    """The seed field every trainable config has: a whole number 0–99,999 typed in a box;
    `what` says what it seeds."""
    return as_field(Knob(0, "Seed", low=0, high=99_999, step=1, widget="number",
                         help=f"Seeds {what}. Same seed, same run.", name="seed"))  # fmt: skip


PACES = ("1", "5", "20", "max")  # steps per view update; "max" trains for a whole tick
MAX_PACE_STEPS = 20  # the steps one chunk of "max" trains (then it checks, and goes on)


def pace_knob(default: str = "5") -> Any:
    """The live "Steps per update" field of a topic that trains so fast it must be slowed
    down to be watched: 1, 5 or 20 steps per view update, or "max" (a whole tick)."""
    return as_field(Knob(default, "Steps per update", options=PACES, widget="segmented", live=True,
                         help="1 is slow motion; 2 updates a second. max trains as fast as it "
                         "can.", name="pace"))  # fmt: skip


def pace_steps(pace: str) -> int:
    """The steps one chunk trains at `pace` (one of PACES): the pace, MAX_PACE_STEPS for
    "max"."""
    if pace not in PACES:
        raise ValueError(f"unknown pace {pace!r}; choose one of {', '.join(PACES)}")
    return MAX_PACE_STEPS if pace == "max" else int(pace)
