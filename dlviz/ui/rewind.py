"""Going back in training time on a live panel: while paused, a scrubber over the moments
the session kept (dlviz.rewind) moves the whole view back, and "Resume from here" makes
the nearest checkpoint at or before it the present."""

from __future__ import annotations

import streamlit as st

from dlviz.live import LiveSession
from dlviz.ui.session_lock import session_lock


def _resume(key: str) -> None:
    """Resume button callback: the session continues from the chosen moment."""
    session = st.session_state[f"{key}_session"]
    with session_lock(session):
        session.resume(st.session_state[f"{key}_rewind"])
    st.session_state.pop(f"{key}_rewind", None)


def looking_back(key: str) -> int | None:
    """The step the learner scrubbed the panel `key` back to, or None for the present."""
    if st.session_state.get(f"{key}_run"):
        return None
    return st.session_state.get(f"{key}_rewind")


def rewind_bar(key: str, session: LiveSession, running: bool) -> int | None:
    """While paused with at least two kept moments: the scrubber (`{key}_rewind`) and the
    Resume button (`{key}_resume`). Returns the step to show, or None for the present.
    It always takes one container, empty while running: elements are placed by position,
    so a bar that came and went would remount every chart below it (blank, then redrawn)."""
    with st.container():
        return _bar(key, session, running)


def _bar(key: str, session: LiveSession, running: bool) -> int | None:
    scrub_key, now_key = f"{key}_rewind", f"{key}_rewind_now"
    with session_lock(session):
        session.snapshot()  # the present is a kept moment (Step may have just trained)
        steps = session.rewind.steps()
    moved = steps[-1] != st.session_state.get(now_key)  # it trained, reset or resumed
    st.session_state[now_key] = steps[-1]
    if running or len(steps) < 2:
        st.session_state.pop(scrub_key, None)
        return None
    if moved or st.session_state.get(scrub_key) not in steps:
        st.session_state[scrub_key] = steps[-1]  # show the present (the slider moves too)
    scrubber, button = st.columns([5, 1.6], vertical_alignment="bottom")
    chosen = scrubber.select_slider(
        "Go back in training time", options=steps, key=scrub_key,
        format_func=lambda s: f"step {s:,}",
        help="The moments this run kept (the further back, the sparser). The whole view "
        "shows the one you pick; Run carries on from the present.",
    )  # fmt: skip
    point = session.rewind.resume_point(chosen)
    now = chosen == steps[-1]
    button.button(
        "Resume from here", key=f"{key}_resume", icon=":material/history:",
        disabled=now or point is None, on_click=_resume, args=(key,),
        width="stretch",
        help="Make this moment the present: the weights, the optimizer and the random "
        "draws as they were, and training goes on from there (the moments after it are "
        "dropped)." if point is None or point.step == chosen else
        f"Make step {point.step:,} the present (the nearest kept checkpoint before this "
        "moment): training goes on from there.",
    )  # fmt: skip
    if now:
        return None
    st.caption(f":material/history: Looking back at step {chosen:,}; the run is at step "
               f"{steps[-1]:,}.")  # fmt: skip
    return chosen
