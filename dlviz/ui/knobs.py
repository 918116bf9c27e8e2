"""Widgets drawn from knobs (dlviz.knobs): one widget per knob, its label, range, choices,
step and help from the declaration, its key `<page>_<thing>`, and its value bound to the URL
(Streamlit's bind="query-params"), so a copied address reproduces the page. A value in
session state that the knob would refuse (NaN, out of range, an old choice) is put back to
the default, with a note, before the widget is drawn: a bad value never sticks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, TypeVar

import streamlit as st

from dlviz.knobs import Knob, knobs_of, nearest
from dlviz.ui.text import code, escape

BIND = "query-params"
_RUN = "_dlviz_page_run"  # session state: the knob keys drawn and the notes of this page run
C = TypeVar("C")


def _fresh() -> dict[str, Any]:
    return {"keys": {}, "notes": [], "refused": set()}


def start_run() -> None:
    """Forget the previous page run's keys and notes (dlviz.ui.frame calls it first)."""
    st.session_state[_RUN] = _fresh()


def _run() -> dict[str, Any]:
    """This page run's record: knob keys drawn, notes, refused keys."""
    return st.session_state.setdefault(_RUN, _fresh())


def drawn_keys() -> dict[str, Knob]:
    """The widget keys the knobs of this page run used, each with its knob."""
    return _run()["keys"]


def refused_keys() -> set[str]:
    """The keys whose value this run refused (and said so in a note)."""
    return _run()["refused"]


def notes() -> list[str]:
    """Markdown notes (user values already escaped) about values put back to defaults."""
    return _run()["notes"]


def _fits(k: Knob, value: Any, offered: Sequence[Any] | None, low: Any, high: Any) -> bool:
    """Whether a widget for `k` can show `value` with these options and bounds. A choice
    of too few items is left to the config to refuse (a learner may be between picks)."""
    if k.kind == "choices":
        picks = list(value) if isinstance(value, list | tuple) else None
        top = k.count[1] if k.count else len(offered or ())
        allowed = offered if offered is not None else k.options
        return (
            picks is not None
            and len(set(picks)) == len(picks) <= top
            and all(v in allowed for v in picks)
        )
    try:
        value = k.check(value)
    except (ValueError, TypeError):
        return False
    if k.kind in ("choice", "int", "float") and offered is not None and value not in offered:
        return False
    if k.kind in ("int", "float"):
        return (low is None or value >= low) and (high is None or value <= high)
    return True


def _clamped(value: Any, low: Any, high: Any) -> Any:
    """A number moved into [low, high] (a default beyond a narrowed range: row 4 of a 2×2
    map); anything else as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if low is not None:
        value = max(value, type(value)(low))
    return min(value, type(value)(high)) if high is not None else value


def _settle(k: Knob, key: str, default: Any, offered: Sequence[Any] | None,
            low: Any, high: Any) -> Any:  # fmt: skip
    """Put a session-state value the widget cannot take back to the default (the offered
    value nearest to it) and return that default. Junk the knob itself refuses (NaN, out of
    its range) earns a note; a choice that another knob's change made unavailable (the
    losses a regression allows) goes back quietly."""
    if offered is not None and k.kind in ("int", "float"):
        default = nearest(offered, default)
    _run()["keys"][key] = k
    if key in st.session_state:
        value = st.session_state[key]
        if not _fits(k, value, offered, low, high):
            st.session_state[key] = list(default) if isinstance(default, tuple) else default
            if not _fits(k, value, None, k.low, k.high):
                _refused(k, key, value, default)
    return default


def _refused(k: Knob, key: str, value: Any, default: Any) -> None:
    """Note (once per key and run) that `value` could not be used for knob `k`."""
    run = _run()
    if key not in run["refused"]:
        run["refused"].add(key)
        shown = f"{escape(k.label)}: {code(repr(value))}"
        run["notes"].append(f"{shown} can't be used, so it is back to {escape(k.show(default))}.")


def knob_widget(
    k: Knob, key: str, *, label: str | None = None, default: Any = None,
    options: Sequence[Any] | None = None, low: float | None = None, high: float | None = None,
    help: str | None = None, disabled: bool = False, remember: str | None = None,
) -> Any:  # fmt: skip
    """Draw the widget for knob `k` with key `key` (also its URL parameter) and return its
    value. `label`, `default`, `options` and `low`/`high` narrow the declaration for this
    page (an optimizer's own default rate, the choices this dataset allows, a surface's
    view box); the knob's own check still applies. With `remember`, the value is also kept
    in st.session_state[remember], and a new widget (a key that changed with its range)
    starts from it, clamped to the range: the step shown stays put when the steps grow."""
    default = k.default if default is None else default
    offered = tuple(options) if options is not None else k.offered()
    lo = k.low if low is None else low
    hi = k.high if high is None else high
    kept = st.session_state.get(remember) if remember else None
    if key not in st.session_state and isinstance(kept, int | float):
        default = kept
    default = _settle(k, key, _clamped(default, lo, hi), offered, lo, hi)
    text = label or (f"{k.label} ({k.unit})" if k.unit else k.label)
    common = {"key": key, "help": help or k.help, "disabled": disabled, "bind": BIND}
    value = _draw(k, text, default, offered, lo, hi, common)
    if k.kind == "choices":
        return tuple(value)  # how many are picked is the config's to judge
    try:
        value = k.check(value)
    except ValueError:  # from the address on a first load (Streamlit seeds it in the widget)
        _refused(k, key, value, default)  # the next run puts the widget back, too
        value = k.check(default)
    if remember:
        st.session_state[remember] = value
    return value


def _draw(k: Knob, label: str, default: Any, offered: tuple[Any, ...] | None,
          lo: Any, hi: Any, common: dict[str, Any]) -> Any:  # fmt: skip
    """The Streamlit widget for one knob kind."""
    kind = k.kind
    if kind == "bool":
        return st.toggle(label, value=bool(default), **common)
    if kind == "choice":
        if k.widget == "segmented":
            return st.segmented_control(label, offered, default=default, required=True,
                                        format_func=k.show, wrap=True, **common)  # fmt: skip
        picker = st.radio if k.widget == "radio" else st.selectbox
        return picker(label, offered, index=offered.index(default), format_func=k.show, **common)
    if kind == "choices":
        top = k.count[1] if k.count else None
        return st.multiselect(label, offered, default=list(default), max_selections=top,
                              format_func=k.show, **common)  # fmt: skip
    if kind == "text" and k.widget == "combo":
        pick = list(dict.fromkeys([default, *(offered or ())]))
        return st.selectbox(label, pick, index=0, accept_new_options=True, **common)
    if kind == "text":
        return st.text_input(label, value=default, max_chars=int(hi), **common)
    if offered is not None:
        start = nearest(offered, default)
        if k.widget == "segmented":
            return st.segmented_control(label, offered, default=start, required=True,
                                        format_func=k.show, wrap=True, **common)  # fmt: skip
        return st.select_slider(label, offered, value=start, format_func=k.show, **common)
    whole = kind == "int"
    cast = int if whole else float
    if lo is not None and lo == hi:
        return cast(lo)  # one possible value (one head to show): no slider to draw
    step = cast(k.step) if k.step is not None else (1 if whole else None)
    if k.widget == "number":
        # Float-typed even for whole numbers: Streamlit's int number_input raises on a NaN
        # in session state before the page can put it right; a float one resets it. A
        # fractional value (from the address) is left for the knob's check to refuse.
        got = st.number_input(label, float(lo), float(hi), float(default), float(step or 1),
                              format="%.0f" if whole else None, **common)  # fmt: skip
        return cast(got) if not whole or float(got).is_integer() else got
    return st.slider(label, cast(lo), cast(hi), cast(default), step, **common)


def knob_items(k: Knob, key: str, items: Sequence[tuple[str, str, float]]) -> tuple[Any, ...]:
    """One widget per item (e.g. a learning rate per optimizer) of a tuple knob `k`, or
    several widgets of one number knob: `items` are (key suffix, label, default); keys
    `{key}_{suffix}`."""
    one = k
    if isinstance(k.default, tuple):
        one = dataclasses.replace(k, default=k.default[0] if k.default else 0.0, count=None)
    return tuple(
        knob_widget(one, f"{key}_{suffix}", label=label, default=default)
        for suffix, label, default in items
    )


def knob_set(declared: Sequence[Knob], key: str) -> dict[str, Any]:
    """A widget for each knob of a registry entry (a surface's κ, a schedule's γ, an
    optimizer's β), keys `{key}_{knob name}`. Returns knob name → value."""
    return {k.name: knob_widget(k, f"{key}_{k.name}") for k in declared}


def counted(k: Knob, key: str) -> tuple[Any, ...]:
    """A number tuple knob (e.g. neurons per hidden layer): a slider for how many items
    (`{key}_n`, labelled by `count_label`), then one widget per item (`{key}_1`, …)."""
    low, high = k.count or (0, 6)
    size = Knob(len(k.default), k.count_label or "Items", low=low, high=high, step=1, name=k.name)
    n = knob_widget(size, f"{key}_n")
    last = k.default[-1] if k.default else (k.low or 0)
    return knob_items(
        k, key, [(str(i + 1), f"{k.label} {i + 1}", (k.default[i:i + 1] or (last,))[0])
                 for i in range(n)],
    )  # fmt: skip


def knobs(
    config_type: type, prefix: str, *names: str, so_far: dict[str, Any] | None = None,
    **narrow: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    """The widgets of knobs `names` of `config_type`, keyed `{prefix}_{name}`, in order.
    `narrow[name]` holds knob_widget's per-page arguments; a value may be a function of the
    values chosen so far (in this call, or `so_far`). A knob's `high_from` narrows its
    range from those values too. A narrowed `high` joins the key (`{prefix}_{name}_{high}`),
    so a slider whose range changes is a new widget with its own URL parameter; it starts
    from the old one's value (clamped), remembered under `{prefix}_{name}`. A knob whose
    `when` is false for those values is not drawn (nor returned). Returns name → value."""
    declared = knobs_of(config_type)
    values: dict[str, Any] = {}
    for name in names:
        k = declared[name]
        seen = {**(so_far or {}), **values}
        if k.when is not None and not k.when(seen):
            continue  # it does not matter with these values: the config keeps its default
        args = {a: v(seen) if callable(v) else v for a, v in narrow.get(name, {}).items()}
        if k.high_from is not None and "high" not in args:
            args["high"] = k.high_from(seen)
        key = f"{prefix}_{name}"
        if "high" in args:
            key, args["remember"] = f"{key}_{args['high']}", key
        values[name] = counted(k, key) if k.kind == "ints" else knob_widget(k, key, **args)
    return values


def knob_columns(
    config_type: type, prefix: str, *groups: Sequence[str], **narrow: dict[str, Any]
) -> dict[str, Any]:
    """`knobs` laid out in one column per group of names (left to right)."""
    values: dict[str, Any] = {}
    for column, names in zip(st.columns(len(groups), gap="medium"), groups):
        with column:
            values |= knobs(config_type, prefix, *names, so_far=values, **narrow)
    return values


def make_config(config_type: type[C], **values: Any) -> C | None:
    """`config_type(**values)`, or None after an error message saying which setting cannot
    be used (knob checks and the config's own rules raise ValueError)."""
    try:
        return config_type(**values)
    except ValueError as err:
        st.error(f"That setting can't be used: {escape(str(err))}", icon=":material/tune:")
        return None
