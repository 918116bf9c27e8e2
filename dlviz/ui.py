"""The only dlviz module that imports streamlit: page frame and sidebar, one session per
page in st.session_state (`get_session`), and the live-panel driver every page uses.

It draws no topic charts itself; pages pass a `draw(snapshot)` callback.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import plotly
import plotly.graph_objects as go
import streamlit as st

from dlviz.device import GATE, describe_device
from dlviz.live import DIVERGENCE_ADVICE, Session, structural_key

S = TypeVar("S", bound=Session)
C = TypeVar("C")

TICK_BUDGET_S = 0.4  # training time per live tick
TICK_INTERVAL_S = 0.5  # time between ticks: 2 view updates a second


@dataclass(frozen=True)
class Topic:
    """One entry of the home page and the sidebar."""

    title: str
    page: str | None  # script path, None while the topic is not built yet
    blurb: str


TOPICS: tuple[Topic, ...] = (
    Topic(
        "Playground",
        "pages/playground.py",
        "train a neural network on 2-D data and watch its decision boundary form",
    ),
    Topic("Activations", None, "curves, derivatives and what they do to a deep network"),
    Topic("Gradient descent", None, "loss surfaces, optimizer races, learning rates, schedules"),
    Topic("Convolution", None, "filters sliding over images, pooling, a tiny CNN"),
    Topic("Attention", None, "scaled dot-product attention and a transformer trained live"),
    Topic("LSTM gates", None, "input, forget and output gates at work on sequences"),
    Topic("GAN", None, "a generator and a discriminator in a live duel"),
)


# --- charts that update in place ---------------------------------------------------------
# st.plotly_chart remounts the chart whenever its data changes, so a live chart blanks for a
# frame on every tick. This component keeps one <div> per key and calls Plotly.react on it:
# the chart morphs in place, and zoom survives through the figure's layout.uirevision.
# Plotly's JS is the copy inside the installed plotly package, served from ./static/ by
# Streamlit's static file serving (server.enableStaticServing): nothing comes from a CDN.

_STATIC = Path(__file__).resolve().parents[1] / "static"
_PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
_LIVE_CHART_JS = """
function loadPlotly() {
  if (!window.__dlvizPlotly) {
    window.__dlvizPlotly = new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = "app/static/plotly.min.js";
      tag.onload = () => resolve(window.Plotly);
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }
  return window.__dlvizPlotly;
}
export default function (component) {
  const { data, parentElement } = component;
  const div = parentElement.querySelector(".dlviz-live-chart");
  loadPlotly().then((Plotly) => {
    const fig = JSON.parse(data.figure);
    const room = div.parentElement ? div.parentElement.clientWidth : 0;
    if (room && fig.layout.width && fig.layout.width > room) {
      fig.layout.width = room; // a fixed-width figure shrinks to fit a narrow column
    }
    Plotly.react(div, fig.data, fig.layout, data.config);
  });
}
"""


def _serve_plotly_js() -> bool:
    """Copy plotly.min.js next to the app for static serving; False if impossible."""
    target = _STATIC / "plotly.min.js"
    try:
        if not target.exists() or target.stat().st_size != _PLOTLY_JS.stat().st_size:
            _STATIC.mkdir(exist_ok=True)
            shutil.copyfile(_PLOTLY_JS, target)
        return True
    except OSError:
        return False


_IN_PLACE = _serve_plotly_js()
_live_chart_component = st.components.v2.component(
    "dlviz_live_chart",
    html='<div class="dlviz-live-chart" data-testid="dlvizLiveChart"></div>',
    js=_LIVE_CHART_JS,
    isolate_styles=False,
)


def live_chart(fig: go.Figure, key: str, *, toolbar: bool = False) -> None:
    """Draw `fig` (with a fixed layout height) so that later calls with the same `key`
    update it in place; falls back to st.plotly_chart when Plotly's JS cannot be served
    (the copy failed, or the app runs without server.enableStaticServing)."""
    config = {"displayModeBar": "hover" if toolbar else False, "displaylogo": False,
              "responsive": True}  # fmt: skip
    if not (_IN_PLACE and st.get_option("server.enableStaticServing")):
        st.plotly_chart(fig, theme=None, key=key, config=config)
        return
    height = int(fig.layout.height or 400)
    _live_chart_component(data={"figure": fig.to_json(), "config": config}, key=key, height=height)


def setup_page(title: str, icon: str = "🧠") -> None:
    """Page config (wide layout) and the shared sidebar. Call first on every page.
    The tab icon is an emoji, which Streamlit inlines; a :material/…: icon here would make
    every visitor's browser fetch the favicon from Google's font servers."""
    st.set_page_config(page_title=f"{title} · dlviz", page_icon=icon, layout="wide")
    sidebar()


def sidebar() -> None:
    """Navigation with human titles, the compute device, and the training queue if busy."""
    with st.sidebar:
        st.page_link("app.py", label="Home", icon=":material/home:")
        for topic in TOPICS:
            if topic.page:
                st.page_link(topic.page, label=topic.title, icon=":material/play_circle:")
            else:
                st.caption(f"{topic.title} · coming soon")
        st.divider()
        st.caption(f"Compute: {describe_device()}")
        gate = GATE.status()
        if gate.active >= gate.capacity or gate.waiting:
            st.caption(
                f"Training slots busy: {gate.active}/{gate.capacity}, {gate.waiting} waiting"
            )


def page_intro(title: str, idea: str, formula: str) -> None:
    """The opening of every page: title, the idea in a sentence or two, its formula."""
    st.title(title)
    st.markdown(idea)
    st.latex(formula)


def ranged_slider(label: str, low: int, high: int, default: int, key: str) -> int:
    """An integer slider that keeps its value when `high` changes (Streamlit gives a slider
    with new bounds a new identity and would reset it). The value is clamped to the range;
    the widget key is `{key}_{high}`, the remembered value `st.session_state[key]`."""
    value = min(max(st.session_state.get(key, default), low), high)
    chosen = st.slider(label, low, high, value, key=f"{key}_{high}")
    st.session_state[key] = chosen
    return chosen


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
) -> S:
    """Run/Pause toggle, Step and Reset buttons, and a live fragment that trains for
    `budget_s` per tick (every `interval_s` s while running), shows a row of metrics (`Step`
    first, then `readouts(snapshot)` as (label, value) pairs) and calls `draw(snapshot)`.
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
        snap = current.snapshot()
        if snap.halted:
            st.warning(f"**{snap.halted}** {DIVERGENCE_ADVICE}", icon=":material/warning:")
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
