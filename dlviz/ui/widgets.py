"""Widget groups over registry knobs that pages share: the α/β sliders of chosen
activations, a learning rate (and the other settings) per chosen optimizer, and a point
picked with two sliders or a click on a chart. Each returns plain values for a config or an
engine call; every widget comes from a knob and is bound to the URL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from dlviz.activations import ACTIVATIONS
from dlviz.knobs import Knob
from dlviz.optimizers import OPTIMIZERS
from dlviz.ui.charts import clicked
from dlviz.ui.knobs import knob_items, knob_set, knob_widget


def activation_params(names: Sequence[str], key: str) -> tuple[tuple[str, str, float], ...]:
    """A slider for each α/β of the activations `names` (keys `{key}_{activation}_{param}`);
    returns (activation, parameter, value) triples, as the race and the curves take them."""
    chosen = []
    for name in names:
        act = ACTIVATIONS[name]
        for p in act.params:
            value = knob_widget(p, f"{key}_{name}_{p.name}", label=f"{act.label}: {p.label}")
            chosen.append((name, p.name, float(value)))
    return tuple(chosen)


def optimizer_rates(rate: Knob, names: Sequence[str], key: str,
                    default: Callable[[str], float]) -> tuple[float, ...]:  # fmt: skip
    """A learning-rate slider (the knob `rate`) per optimizer in `names`, keys
    `{key}_{name}`, starting at `default(name)`."""
    items = [(n, f"{OPTIMIZERS[n].label}: learning rate η", default(n)) for n in names]
    return knob_items(rate, key, items)


def optimizer_settings(
    rate: Knob, names: Sequence[str], key: str, default: Callable[[str], float]
) -> dict[str, tuple[float, dict[str, float]]]:
    """For each optimizer in `names`: its learning rate (`{key}_{name}`) and, in an
    expander under it, its other hyperparameters (`{key}_{name}_{hyper}`). Returns name →
    (learning rate, hyperparameters)."""
    chosen = {}
    for name in names:
        spec = OPTIMIZERS[name]
        (lr,) = optimizer_rates(rate, [name], key, default)
        hypers: dict[str, float] = {}
        if spec.hypers:
            with st.expander(f"{spec.label}: more settings"):
                hypers = knob_set(spec.hypers, f"{key}_{name}")
        chosen[name] = (lr, hypers)
    return chosen


def point_sliders(
    point: tuple[Knob, Knob], box: tuple[float, float, float, float],
    default: tuple[float, float], key: str, clicks_from: str,
) -> tuple[float, float]:  # fmt: skip
    """Two sliders (the knobs `point`) for a point inside `box` (keys `{key}_x`, `{key}_y`),
    starting at `default`. A point clicked on the clickable live chart `clicks_from` moves
    them there."""
    x, y = point
    kx, ky = f"{key}_x", f"{key}_y"
    x0, x1, y0, y1 = box
    click = clicked(clicks_from)  # only in the run the click started
    if click is not None:
        st.session_state[kx] = round(min(max(click[0], x0), x1), 2)
        st.session_state[ky] = round(min(max(click[1], y0), y1), 2)
    px = knob_widget(x, kx, default=float(default[0]), low=float(x0), high=float(x1))
    py = knob_widget(y, ky, default=float(default[1]), low=float(y0), high=float(y1))
    return float(px), float(py)
