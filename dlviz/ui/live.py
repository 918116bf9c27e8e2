"""The live panel every trainable page uses: the page's session in st.session_state (built
from a config, or retuned when only live knobs changed), Run / Step / Reset, and the fragment
that draws the last snapshot and trains through the process-wide compute gate on every tick.
Pages hand it a config, a factory and a draw function of the snapshot; they never touch the
session itself.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import streamlit as st

from dlviz.device import GATE, TICK_BUDGET_S, TICK_INTERVAL_S, TickPlan
from dlviz.knobs import Config, structural_key
from dlviz.live import DIVERGENCE_ADVICE, LiveSession, Snapshot
from dlviz.ui import tick_costs
from dlviz.ui.rewind import looking_back, rewind_bar
from dlviz.ui.session_lock import session_lock
from dlviz.ui.takeaway import takeaway
from dlviz.ui.text import escape

C = TypeVar("C", bound=Config)
S = TypeVar("S", bound=Snapshot)
Readouts = Callable[[S], list[tuple[str, str]]]
# A button beside Step: (key suffix, label, the session's method it calls, help).
Action = tuple[str, str, str, str]


def _session(key: str, config: C, factory: Callable[[C], LiveSession[C, S]]) -> LiveSession[C, S]:
    """The page's session in st.session_state[key]: built by `factory(config)` on first
    use or when a structural knob changed, else retuned with the live knobs."""
    current = st.session_state.get(key)
    if current is None or structural_key(current.config) != structural_key(config):
        current = st.session_state[key] = factory(config)
    elif current.config != config:
        with session_lock(current):  # a tick may be training it right now
            current.retune(config)
    return current


def tick_budget(config: Config) -> float:
    """The training time of one tick: TICK_BUDGET_S, except for a paced config (see
    dlviz.knobs.pace_knob) below "max": 0 s, which trains exactly one chunk of its steps."""
    return TICK_BUDGET_S if getattr(config, "pace", "max") == "max" else 0.0


def _ticket() -> str:
    return st.session_state.setdefault("dlviz_ticket", uuid.uuid4().hex)


def _guarded(session: LiveSession, budget_s: float, wait_s: float | None = None,
             action: str | None = None) -> tuple[int, float]:  # fmt: skip
    """Train for `budget_s` (or call the session's method `action` instead) through the
    compute gate, waiting up to `wait_s` (default `budget_s`) for a slot. Returns 0 and the
    CPU time it trained if it trained, else the queue position it waits at and 0. An
    unexpected error pauses the session with the reason instead of crashing the page."""
    ticket = _ticket()  # kept locally: session state may be gone by the `finally`
    position = GATE.try_enter(ticket, wait_s=budget_s if wait_s is None else wait_s)
    if position:
        return position, 0.0
    try:
        with session_lock(session):  # the halt too: a tick in another thread must not undo it
            start = time.thread_time()
            try:
                getattr(session, action)() if action else session.advance(budget_s)
            except (RuntimeError, ValueError, FloatingPointError, OverflowError) as err:
                session.halt(f"Training stopped with an error: {err}")
            return 0, time.thread_time() - start
    finally:
        GATE.leave(ticket)


def _retime(interval_s: float) -> bool:
    """Ask the browser to rerun the running fragment every `interval_s` s from now on: the
    message Streamlit itself sends when it declares a fragment with `run_every`, so a class
    that grows or shrinks changes its learners' interval without rerunning their pages.
    False if Streamlit's internals (pinned: 1.67) no longer offer it; then the caller
    reruns the page, which declares the fragment anew."""
    try:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from streamlit.runtime.scriptrunner_utils.script_run_context import (
            ThreadState,
            get_script_run_ctx,
        )

        ctx, fragment_id = get_script_run_ctx(), ThreadState.get().fragment_id
    except (ImportError, AttributeError):
        return False
    if ctx is None or not fragment_id:
        return False
    msg = ForwardMsg()
    msg.auto_rerun.interval, msg.auto_rerun.fragment_id = interval_s, fragment_id
    ctx.enqueue(msg)
    return True


def _shared_note(plan: TickPlan) -> str | None:
    """What a learner sharing the training slots with a class is told, else None."""
    if plan.learners <= GATE.capacity:
        return None
    others = plan.learners - 1
    training = f", {plan.budget_s * 1000:.0f} ms of training each" if plan.budget_s else ""
    return (f":material/groups: Sharing this server with {others} other learner"
            f"{'s' if others > 1 else ''}: a view update every {plan.interval_s:g} s"
            f"{training}.")  # fmt: skip


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _step_once(session_key: str, notice_key: str, action: str | None = None) -> None:
    """Step button callback: one chunk now (or the session's method `action`), or a note
    when every training slot is busy."""
    position, _ = _guarded(st.session_state[session_key], 0.0, wait_s=1.0, action=action)
    if position:
        st.session_state[notice_key] = (
            f"Every training slot is busy ({_ordinal(position)} in line): press Step again "
            "in a moment."
        )


def _reset(session_key: str, factory: Callable[[Any], LiveSession]) -> None:
    """Reset button callback: a fresh session with the same settings. Running as a callback
    (before the page script) lets the Run toggle and Step button re-enable in the same run."""
    st.session_state[session_key] = factory(st.session_state[session_key].config)


def _controls(key: str, session: LiveSession, factory: Callable[[Any], LiveSession],
              actions: Sequence[Action] = ()) -> bool:  # fmt: skip
    """Run toggle, Step and Reset buttons, then one button per action, and the Take away
    popover (script, histories, weights; dlviz.ui.takeaway); returns whether the session
    is running."""
    session_key, run_key, notice_key = f"{key}_session", f"{key}_run", f"{key}_notice"
    if session.halted and st.session_state.get(run_key):
        st.session_state[run_key] = False  # a halted run shows as paused
    buttons = st.columns([1.2, 1, 1, *[1.6] * len(actions), 5 - 1.6 * len(actions) + 0.1],
                         vertical_alignment="center")  # fmt: skip
    halted = bool(session.halted)
    running = buttons[0].toggle(
        "Run", key=run_key, disabled=halted, help="Train continuously; switch off to pause."
    )
    buttons[1].button(
        "Step", key=f"{key}_step", disabled=running or halted,
        help=f"Train {session.chunk_words()}, then stop.", on_click=_step_once,
        args=(session_key, notice_key),
    )  # fmt: skip
    buttons[2].button(
        "Reset", key=f"{key}_reset", help="Start again from fresh weights.",
        on_click=_reset, args=(session_key, factory),
    )  # fmt: skip
    for column, (name, label, method, help_text) in zip(buttons[3:], actions):
        column.button(label, key=f"{key}_{name}", disabled=running or halted, help=help_text,
                      on_click=_step_once, args=(session_key, notice_key, method))  # fmt: skip
    with buttons[-1]:
        takeaway(key, session)
    with st.container():  # always there, so a notice never shifts the view below
        if notice := st.session_state.pop(notice_key, None):
            st.caption(f":material/hourglass_top: {notice}")
    if not running:
        GATE.forget(_ticket())
    return running


def last_snapshot(key: str) -> Snapshot | None:
    """The latest snapshot of the live panel `key`'s session (None before the panel made
    one), for views below the panel that read the trained model (a unit opened, a digit
    drawn). They show it as of the page's last run; the panel's own view stays live.
    While the learner looks back in training time, it is the moment they picked."""
    current = st.session_state.get(f"{key}_session")
    if current is None:
        return None
    with session_lock(current):
        back_to = looking_back(key)
        return current.snapshot() if back_to is None else current.rewind.at(back_to)


def live_panel(
    key: str,
    config: C | None,
    factory: Callable[[C], LiveSession[C, S]],
    draw: Callable[[S], None],
    *,
    readouts: Readouts | None = None,
    budget_s: float | None = None,
    interval_s: float = TICK_INTERVAL_S,
    advice: str = DIVERGENCE_ADVICE,
    actions: Sequence[Action] = (),
) -> None:
    """Run/Pause toggle, Step and Reset buttons (and a button per `actions` entry, calling
    that method of the session once, as Step does), and a live fragment that trains for
    `budget_s` per tick (default `tick_budget(config)`) every `interval_s` s while running
    (while the training slots are shared by more learners than they hold, the gate's fair
    share instead: less training per tick, ticks further apart; the learner is told),
    shows a row of metrics (`Step` first, then `readouts(snapshot)` as (label, value)
    pairs) and calls `draw(snapshot)`. A halted session shows its reason and `advice` (what to try).
    Nothing is drawn for a config that could not be made (None: make_config already said
    why).
    Widget keys: `{key}_run`, `{key}_step`, `{key}_reset`; the session is `{key}_session`."""
    if config is None:
        return
    wanted_s = tick_budget(config) if budget_s is None else budget_s
    session_key = f"{key}_session"
    session = _session(session_key, config, factory)
    running = _controls(key, session, factory, actions)
    back_to = rewind_bar(key, session, running)
    every_key = f"{key}_every"  # the interval the browser reruns the live view at now
    every = max(interval_s, GATE.plan(_ticket(), wanted_s).interval_s) if running else None
    st.session_state[every_key] = every

    @st.fragment(run_every=every)
    def live_view() -> None:
        # Draw first, then train: every element is re-sent at the start of the run, so
        # Streamlit never fades them as stale while the tick trains (the view shows the
        # state as of the previous tick's end, 0.5 s behind).
        tick_costs.begin()
        current: LiveSession = st.session_state[session_key]
        queue_note = st.empty()
        with tick_costs.phase("snapshot"), session_lock(current):
            snap = current.snapshot() if back_to is None else current.rewind.at(back_to)
        if snap.halted:
            st.warning(f"**{escape(snap.halted)}** {advice}", icon=":material/warning:")
        extra = readouts(snap) if readouts else []
        with tick_costs.phase("metrics"):
            for column, (label, value) in zip(
                st.columns(1 + len(extra)), [("Step", f"{snap.step:,}"), *extra]
            ):
                column.metric(label, value)
        with tick_costs.phase("draw"):
            draw(snap)
        if not running:
            return
        if snap.halted:
            st.rerun(scope="app")  # switch the toggle off and stop the ticks
        plan = GATE.plan(_ticket(), wanted_s)
        if (now := max(interval_s, plan.interval_s)) != st.session_state.get(every_key):
            if not _retime(now):  # the class grew or shrank: a new interval between ticks
                st.rerun(scope="app")
            st.session_state[every_key] = now
        if note := _shared_note(plan):
            queue_note.caption(note)
        position, trained_cpu_s = _guarded(current, plan.budget_s, wait_s=plan.interval_s / 2)
        GATE.record(trained_cpu_s, plan.budget_s)
        tick_costs.end(key, training=trained_cpu_s)
        if position:
            queue_note.caption(
                f":material/hourglass_top: Waiting for a free training slot: "
                f"{_ordinal(position)} in line."
            )
        elif current.halted:
            st.rerun(scope="app")  # show why it paused without waiting for the next tick

    live_view()
