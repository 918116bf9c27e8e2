"""Widget groups that several pages share: parameter sliders of chosen activations and
an initialisation picker. Each returns plain values for a config dataclass.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from dlviz.activations import ACTIVATIONS, INITS

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
