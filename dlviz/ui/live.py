"""The live panel every trainable page uses: one session per page in st.session_state
(`get_session`), Run / Step / Reset controls, and the fragment that draws a snapshot and
trains through the process-wide compute gate on every tick.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import streamlit as st

from dlviz.device import GATE
from dlviz.live import DIVERGENCE_ADVICE, Session, structural_key

S = TypeVar("S", bound=Session)
C = TypeVar("C")

TICK_BUDGET_S = 0.4  # training time per live tick
TICK_INTERVAL_S = 0.5  # time between ticks: 2 view updates a second


# Streamlit may start a new script run for a session while the previous one is still inside
# a training tick (a stop request only lands at the next Streamlit call), so two threads can
# reach one session. Training and snapshots of a session therefore hold its lock: without
# it a snapshot's backward pass met weights an optimizer step had just changed in place.
_LOCKS: weakref.WeakKeyDictionary[Any, threading.Lock] = weakref.WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def session_lock(session: Session) -> threading.Lock:
    """The lock that serialises training and snapshots of one session object."""
    with _LOCKS_GUARD:
        lock = _LOCKS.get(session)
        if lock is None:
            lock = _LOCKS[session] = threading.Lock()
        return lock


def get_session(key: str, config: C, factory: Callable[[C], S]) -> S:
    """The page's session in st.session_state[key]: built by `factory(config)` on first
    use or when a structural field of `config` changed, else retuned with its live knobs.
    A config the factory rejects (ValueError) shows the message and stops the page run."""
    current = st.session_state.get(key)
    try:
        if current is None or structural_key(current.config) != structural_key(config):
            current = factory(config)
            st.session_state[key] = current
        elif current.config != config:
            with session_lock(current):  # a tick may be training it right now
                current.retune(config)
    except ValueError as err:
        st.error(f"That setting can't be used: {err}")
        st.stop()
    return current


def _ticket() -> str:
    return st.session_state.setdefault("dlviz_ticket", uuid.uuid4().hex)


def _guarded(session: Session, budget_s: float, wait_s: float | None = None) -> int:
    """Train for `budget_s` through the compute gate, waiting up to `wait_s` (default
    `budget_s`) for a slot. Returns 0 if it trained, else the queue position it waits at.
    An unexpected error pauses the session with the reason instead of crashing the page."""
    ticket = _ticket()  # kept locally: session state may be gone by the `finally`
    position = GATE.try_enter(ticket, wait_s=budget_s if wait_s is None else wait_s)
    if position:
        return position
    try:
        with session_lock(session):
            session.step(budget_s)
    except (RuntimeError, ValueError, FloatingPointError) as err:
        session.halted = f"Training stopped with an error: {err}"
    finally:
        GATE.leave(ticket)
    return 0


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _step_once(session_key: str, notice_key: str) -> None:
    """Step button callback: one epoch now, or a note when every training slot is busy."""
    position = _guarded(st.session_state[session_key], 0.0, wait_s=1.0)
    if position:
        st.session_state[notice_key] = (
            f"Every training slot is busy ({_ordinal(position)} in line): press Step again "
            "in a moment."
        )


def _reset(session_key: str, factory: Callable[[Any], Session]) -> None:
    """Reset button callback: a fresh session with the same settings. Running as a callback
    (before the page script) lets the Run toggle and Step button re-enable in the same run."""
    st.session_state[session_key] = factory(st.session_state[session_key].config)


def _controls(key: str, session: Session, factory: Callable[[Any], Session]) -> bool:
    """Run toggle, Step and Reset buttons; returns whether the session is running."""
    session_key, run_key, notice_key = f"{key}_session", f"{key}_run", f"{key}_notice"
    if session.halted and st.session_state.get(run_key):
        st.session_state[run_key] = False  # a halted run shows as paused
    buttons = st.columns([1.2, 1, 1, 5], vertical_alignment="center")
    halted = bool(session.halted)
    running = buttons[0].toggle(
        "Run", key=run_key, disabled=halted, help="Train continuously; switch off to pause."
    )
    buttons[1].button(
        "Step", key=f"{key}_step", disabled=running or halted,
        help="Train one more epoch, then stop.", on_click=_step_once,
        args=(session_key, notice_key),
    )  # fmt: skip
    buttons[2].button(
        "Reset", key=f"{key}_reset", help="Start again from fresh weights.",
        on_click=_reset, args=(session_key, factory),
    )  # fmt: skip
    if notice := st.session_state.pop(notice_key, None):
        st.caption(f":material/hourglass_top: {notice}")
    if not running:
        GATE.forget(_ticket())
    return running


def live_panel(
    key: str,
    config: C,
    factory: Callable[[C], S],
    draw: Callable[[Any], None],
    *,
    readouts: Callable[[Any], list[tuple[str, str]]] | None = None,
    budget_s: float = TICK_BUDGET_S,
    interval_s: float = TICK_INTERVAL_S,
    advice: str = DIVERGENCE_ADVICE,
) -> S:
    """Run/Pause toggle, Step and Reset buttons, and a live fragment that trains for
    `budget_s` per tick (every `interval_s` s while running), shows a row of metrics (`Step`
    first, then `readouts(snapshot)` as (label, value) pairs) and calls `draw(snapshot)`.
    A halted session shows its reason and `advice` (what to try).
    Widget keys: `{key}_run`, `{key}_step`, `{key}_reset`; the session is `{key}_session`."""
    session_key = f"{key}_session"
    session = get_session(session_key, config, factory)
    running = _controls(key, session, factory)

    @st.fragment(run_every=interval_s if running else None)
    def live_view() -> None:
        # Draw first, then train: every element is re-sent at the start of the run, so
        # Streamlit never fades them as stale while the tick trains (the view shows the
        # state as of the previous tick's end, 0.5 s behind).
        current: Session = st.session_state[session_key]
        queue_note = st.empty()
        with session_lock(current):
            snap = current.snapshot()
        if snap.halted:
            st.warning(f"**{snap.halted}** {advice}", icon=":material/warning:")
        extra = readouts(snap) if readouts else []
        for column, (label, value) in zip(
            st.columns(1 + len(extra)), [("Step", f"{snap.step:,}"), *extra]
        ):
            column.metric(label, value)
        draw(snap)
        if not running:
            return
        if snap.halted:
            st.rerun(scope="app")  # switch the toggle off and stop the ticks
        position = _guarded(current, budget_s)
        if position:
            queue_note.caption(
                f":material/hourglass_top: Waiting for a free training slot: "
                f"{_ordinal(position)} in line."
            )
        elif current.halted:
            st.rerun(scope="app")  # show why it paused without waiting for the next tick

    live_view()
    return st.session_state[session_key]


def race_readouts(snap: Any, short: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """Metrics of a race snapshot (with `labels`, `leader`, `test_accuracy`): who leads
    (named by `short`, default the labels), then each contestant's test accuracy."""
    names = list(short) if short is not None else list(snap.labels)
    leader = names[snap.leader] if snap.leader is not None else "—"
    accuracy = [
        (f"{label} · test acc.", f"{acc:.0%}")
        for label, acc in zip(snap.labels, snap.test_accuracy)
    ]
    return [("Leading", leader), *accuracy]


def live_session(key: str) -> Any:
    """The session of the live panel `key` (for a draw callback that needs more than the
    snapshot; hold `session_lock(session)` while using it)."""
    return st.session_state[f"{key}_session"]
