"""The race panel both race pages use: the race's knobs in columns (the contestants first,
their own settings where the page asks), a note when fewer than the minimum are picked, the
live panel, a caption for every contestant that stopped and why, and the race readouts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import streamlit as st

from dlviz.knobs import Config
from dlviz.live import DIVERGENCE_ADVICE, LiveSession
from dlviz.race import RaceSnapshot
from dlviz.ui.frame import controls
from dlviz.ui.knobs import knobs, make_config
from dlviz.ui.live import live_panel
from dlviz.ui.text import escape

C = TypeVar("C", bound=Config)
S = TypeVar("S", bound=RaceSnapshot)
WORDS = {2: "two", 3: "three", 4: "four"}
PER_CONTESTANT = "*"  # in `columns`: where the contestants' own settings go


def race_readouts(snap: RaceSnapshot) -> list[tuple[str, str]]:
    """Who leads, then each contestant's test accuracy."""
    leader = snap.labels[snap.leader] if snap.leader is not None else "—"
    accuracy = [(f"{label} · test acc.", f"{acc:.0%}")
                for label, acc in zip(snap.labels, snap.test_accuracy)]  # fmt: skip
    return [("Leading", leader), *accuracy]


def stopped_captions(snap: RaceSnapshot) -> None:
    """A caption for each contestant that stopped, with the reason."""
    for label, out in zip(snap.labels, snap.out):
        if out:
            st.caption(f":material/error: **{escape(label)}** {escape(out)}")


def race_panel(
    key: str, config_type: type[C], factory: Callable[[C], LiveSession[C, S]],
    draw: Callable[[S], None], *, contestants: str, columns: Sequence[Sequence[str]],
    noun: str, per_contestant: Callable[[tuple[str, ...]], dict[str, Any]] | None = None,
    advice: str = DIVERGENCE_ADVICE, readouts: Callable[[S], list[tuple[str, str]]] | None = None,
) -> None:  # fmt: skip
    """A whole race: knobs of `config_type` laid out in `columns` (lists of field names;
    PER_CONTESTANT marks where `per_contestant(chosen)` draws the contestants' own
    settings, returning config fields), keyed `{key}_{field}`; then the live panel whose
    view shows the stopped contestants and calls `draw(snapshot)`, under the metrics
    `readouts(snapshot)` (default: the leader and each test accuracy)."""
    values: dict[str, Any] = {}
    with controls(key):
        for column, names in zip(st.columns(len(columns), gap="large"), columns):
            with column:
                for name in names:
                    if name != PER_CONTESTANT:
                        values |= knobs(config_type, key, name, so_far=values)
                    elif per_contestant is not None:
                        values |= per_contestant(values[contestants])
    fewest = config_type.knob(contestants).count[0]
    if len(values[contestants]) < fewest:
        st.info(f"Pick at least {WORDS.get(fewest, fewest)} {noun} to race.",
                icon=":material/sports_score:")  # fmt: skip
        return

    def view(snap: S) -> None:
        stopped_captions(snap)
        draw(snap)

    config = make_config(config_type, **values)
    live_panel(key, config, factory, view, readouts=readouts or race_readouts, advice=advice)
