"""Widget groups that several pages share: parameter sliders of chosen activations, an
initialisation picker, a learning-rate slider and per-optimizer settings. Each returns
plain values for a config dataclass or an engine call.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence

import streamlit as st

from dlviz.activations import ACTIVATIONS, INITS
from dlviz.descent import OPTIMIZERS, Hyper

INIT_LABELS = {"default": "PyTorch default", "xavier": "Xavier", "he": "He", "normal": "N(0, σ²)"}


def activation_params(names: Sequence[str], key: str) -> tuple[tuple[str, str, float], ...]:
    """A slider for each α/β of the activations `names` (keys `{key}_{activation}_{param}`);
    returns (activation, parameter, value) triples, as RaceConfig.params takes them."""
    chosen = []
    for name in names:
        act = ACTIVATIONS[name]
        for p in act.params:
            value = st.slider(
                f"{act.label}: ${p.symbol}$", p.low, p.high, p.default, p.step,
                key=f"{key}_{name}_{p.name}",
            )  # fmt: skip
            chosen.append((name, p.name, float(value)))
    return tuple(chosen)


def activation_label(name: str) -> str:
    """The human name of an activation, for select boxes' format_func."""
    return ACTIVATIONS[name].label


def init_picker(key: str, default: str = "default") -> tuple[str, float]:
    """Initialisation scheme (select box `{key}`) and σ (slider `{key}_sigma`,
    shown for N(0, σ²) only). Returns (scheme, σ)."""
    init = st.selectbox(
        "Initial weights", list(INITS), index=list(INITS).index(default), key=key,
        format_func=INIT_LABELS.get,
        help=" · ".join(f"{INIT_LABELS[k]}: {v}" for k, v in INITS.items()),
    )  # fmt: skip
    sigma = 1.0
    if init == "normal":
        sigma = st.select_slider(
            "σ of the weights", [0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0, 5.0], value=1.0,
            key=f"{key}_sigma",
        )  # fmt: skip
    return init, float(sigma)


# Learning rates offered by every rate slider: 1, 2, 5 (and 3) per decade from 1e-5 to 10.
LR_CHOICES: tuple[float, ...] = tuple(
    round(m * 10.0**e, 10) for e in range(-5, 2) for m in (1, 2, 3, 5)
)[:-3]


def nearest_lr(value: float) -> float:
    """The LR_CHOICES entry nearest to `value` on a log scale."""
    i = bisect.bisect_left(LR_CHOICES, value)
    near = LR_CHOICES[max(0, i - 1) : i + 1]
    return min(near, key=lambda c: abs(math.log(c / value)))


def lr_slider(label: str, default: float, key: str, help: str | None = None) -> float:
    """A log-spaced learning-rate slider (LR_CHOICES) starting at the choice nearest
    `default`."""
    return float(st.select_slider(label, LR_CHOICES, nearest_lr(default), key=key, help=help))


def optimizer_settings(
    names: Sequence[str], key: str, default_lr: Callable[[str], float], more: bool = True
) -> dict[str, tuple[float, dict[str, float]]]:
    """For each optimizer in `names`: a learning-rate slider (`{key}_{name}_lr`) and, in an
    expander when `more`, sliders for its other hyperparameters (`{key}_{name}_{hyper}`).
    Returns name → (learning rate, hyperparameters)."""
    chosen = {}
    for name in names:
        spec = OPTIMIZERS[name]
        lr = lr_slider(f"{spec.label}: learning rate η", default_lr(name), f"{key}_{name}_lr")
        hypers: dict[str, float] = {}
        if more and spec.hypers:
            with st.expander(f"{spec.label}: more settings"):
                hypers = knob_sliders(spec.hypers, f"{key}_{name}")
        chosen[name] = (lr, hypers)
    return chosen


def knob_sliders(knobs: Sequence[Hyper], key: str) -> dict[str, float]:
    """A slider per knob (key `{key}_{knob}`) over its range at its step; whole-number
    knobs (step 1) get an integer slider. Returns knob name → value."""
    values = {}
    for k in knobs:
        if k.step == 1:
            value = st.slider(k.label, int(k.low), int(k.high), int(k.default), 1,
                              key=f"{key}_{k.name}")  # fmt: skip
        else:
            value = st.slider(k.label, float(k.low), float(k.high), float(k.default),
                              float(k.step), key=f"{key}_{k.name}")  # fmt: skip
        values[k.name] = float(value)
    return values


def optimizer_label(name: str) -> str:
    """The human name of an optimizer, for select boxes' format_func."""
    return OPTIMIZERS[name].label


def point_sliders(
    box: tuple[float, float, float, float], default: tuple[float, float], key: str,
    clicks_from: str, labels: tuple[str, str] = ("Start x", "Start y"),
) -> tuple[float, float]:  # fmt: skip
    """Two sliders for a point inside `box` (keys `{key}_x`, `{key}_y`), starting at
    `default`. A point clicked on the chart whose selection state is
    st.session_state[`clicks_from`] (st.plotly_chart with on_select) moves them there."""
    kx, ky, seen = f"{key}_x", f"{key}_y", f"{key}_clicked"
    x0, x1, y0, y1 = box
    st.session_state.setdefault(kx, float(default[0]))
    st.session_state.setdefault(ky, float(default[1]))
    event = st.session_state.get(clicks_from)
    points = event.get("selection", {}).get("points", []) if event else []
    if points and "x" in points[0] and "y" in points[0]:
        click = (float(points[0]["x"]), float(points[0]["y"]))
        if st.session_state.get(seen) != click:  # a new click, not one already applied
            st.session_state[seen] = click
            st.session_state[kx] = round(min(max(click[0], x0), x1), 2)
            st.session_state[ky] = round(min(max(click[1], y0), y1), 2)
    x = st.slider(labels[0], float(x0), float(x1), step=0.05, key=kx)
    y = st.slider(labels[1], float(y0), float(y1), step=0.05, key=ky)
    return float(x), float(y)
