"""The page frame: the topic list, the sidebar (navigation, classroom view, compute device,
training queue), and `Page`, which opens a page with its title and idea from its content
file, renders its prose sections, hides its controls in the classroom view and, at the end,
says which settings in the address it could not use. Streamlit only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import streamlit as st
from streamlit.errors import StreamlitAPIException

from dlviz.content import Block, prose
from dlviz.device import GATE, describe_device
from dlviz.knobs import Knob
from dlviz.live import Snapshot
from dlviz.ui.charts import preload_plotly
from dlviz.ui.knobs import BIND, drawn_keys, notes, refused_keys, start_run
from dlviz.ui.live import last_snapshot
from dlviz.ui.text import code

CLASSROOM = "classroom"  # the URL parameter (and widget key) of the classroom view
RESERVED = {"embed", "embed_options", CLASSROOM}  # parameters that are not a page's knobs
REPLICA_ENV = "DLVIZ_REPLICA"  # this server's name among replicas behind a balancer (deploy/)
_REPLICA_NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")


@dataclass(frozen=True)
class Topic:
    """One entry of the home page and the sidebar."""

    title: str
    page: str | None  # script path, None while the topic is not built yet
    blurb: str


TOPICS: tuple[Topic, ...] = (
    Topic("Neurons and backprop", "pages/neurons.py",
          "a perceptron learns AND and fails on XOR; one backpropagation step, number by number"),
    Topic("Losses, metrics, overfitting", "pages/training.py",
          "why cross-entropy, precision against recall, and what each cure for overfitting does"),
    Topic("Playground", "pages/playground.py",
          "train a neural network on 2-D data and watch its decision boundary form"),
    Topic("Activations", "pages/activations.py",
          "curves, derivatives, softmax, and what they do to a deep network"),
    Topic("Gradient descent", "pages/gradient_descent.py",
          "loss surfaces, optimizer races, learning rates, schedules"),
    Topic("Convolution", "pages/convolution.py",
          "a kernel sliding by hand, edges in photos, a CNN whose every unit you can open"),
    Topic("Attention", "pages/attention.py",
          "scaled dot-product attention step by step, and a transformer whose heads you watch"),
    Topic("LSTM gates", "pages/lstm_gates.py",
          "RNN, LSTM and GRU learn to remember; watch their gates and the gradient through time"),
    Topic("GAN", "pages/gan.py",
          "a generator and a discriminator in a live duel, on the plane and on digits"),
    Topic("Autoencoders and VAEs", "pages/autoencoders.py",
          "squeeze digits into a code and rebuild them; walk the latent space and generate"),
)  # fmt: skip


def classroom() -> bool:
    """Whether the classroom view (controls and notes hidden) is on."""
    return bool(st.session_state.get(CLASSROOM, False))


def replica_name() -> str | None:
    """This server's name from $DLVIZ_REPLICA (1-32 of A-Z a-z 0-9 _ -), None when it is
    unset or anything else."""
    name = os.environ.get(REPLICA_ENV, "")
    return name if _REPLICA_NAME.fullmatch(name) else None


def sidebar() -> None:
    """Navigation with human titles, the classroom switch, the compute device (and which
    replica serves this learner, behind a balancer), and how many learners share it."""
    with st.sidebar:
        st.page_link("app.py", label="Home", icon=":material/home:")
        for topic in TOPICS:
            if topic.page:
                st.page_link(topic.page, label=topic.title, icon=":material/play_circle:")
            else:
                st.caption(f"{topic.title} · coming soon")
        st.divider()
        st.toggle("Classroom view", key=CLASSROOM, bind=BIND,
                  help="Hide the controls and the notes, for projecting the live view. It is "
                  "part of the address, so a link can open in it.")  # fmt: skip
        server = replica_name()  # "_" escaped: it could start Markdown emphasis
        where = f" · server {server}".replace("_", r"\_") if server else ""
        st.caption(f"Compute: {describe_device()}{where}")
        gate = GATE.status()
        if gate.live > gate.capacity:  # a class: say so once, not the queue of the moment
            st.caption(f"{gate.live} learners are training on this server; each gets a fair "
                       "share.")  # fmt: skip
        preload_plotly()


@contextmanager
def controls(name: str) -> Iterator[None]:
    """A container for a group of widgets (`name` unique on the page); the classroom view
    hides it, while its widgets still run, so their values still come from the address."""
    with st.container(key=f"controls_{name}"):
        yield


def render(blocks: tuple[Block, ...], caption: bool = False) -> None:
    """Prose blocks: Markdown (or captions) and display formulas."""
    for block in blocks:
        if block.kind == "latex":
            st.latex(block.text)
        elif caption:
            st.caption(block.text)
        else:
            st.markdown(block.text)


class Page:
    """One page run: `Page("playground")` sets the page up and draws its title and idea
    (content/playground.md, section "intro"); `prose`/`caption` draw further sections;
    `end` draws "What to notice" and "Try this" and notes the address's unusable settings
    at the top of the page."""

    def __init__(self, topic: str, icon: str = "🧠") -> None:
        self.topic = topic
        self.text = prose(topic)
        st.set_page_config(page_title=f"{self.text.title} · dlviz", page_icon=icon,
                           layout="wide")  # fmt: skip
        start_run()
        self.asked = {k: st.query_params.get_all(k) for k in st.query_params}
        sidebar()
        if classroom():  # our own fixed CSS, no user data: hide every controls container
            st.html("<style>[class*='st-key-controls_']{display:none !important}</style>")
        st.title(self.text.title)
        self._notes = st.empty()
        self.prose("intro")

    def prose(self, section: str, **fill: object) -> None:
        """Draw a section of the content file, `{{key}}` placeholders filled."""
        render(self.text.section(section, **fill))

    def caption(self, section: str, **fill: object) -> None:
        """Draw a section as small print."""
        render(self.text.section(section, **fill), caption=True)

    def words(self, section: str, **fill: object) -> str:
        """A one-paragraph section as Markdown text (e.g. a pause's advice), `{{key}}`
        placeholders filled (escape any user text put in them)."""
        blocks = self.text.section(section, **fill)
        return " ".join(b.text for b in blocks if b.kind == "markdown")

    def trained(self, key: str, config: object, as_of: str) -> Snapshot | None:
        """The last snapshot of live panel `key` for a view below the panel that reads the
        trained model, after a caption: content section `as_of` with the snapshot's
        `{{step}}`, or section "no_network" when there is none (or `config` is None)."""
        snap = last_snapshot(key) if config is not None else None
        if snap is None:
            self.caption("no_network")
        else:
            self.caption(as_of, step=f"{snap.step:,}")
        return snap

    def header(self, title: str, section: str | None = None) -> None:
        """A section heading, then (when given) the content section that opens it."""
        st.header(title, divider="gray")
        if section:
            self.prose(section)

    def end(self) -> None:
        """ "What to notice" and "Try this" (not in the classroom view), then the notes on
        settings from the address that could not be used."""
        if not classroom() and "notice" in self.text.sections:
            st.divider()
            st.subheader("What to notice")
            self.prose("notice")
            st.subheader("Try this")
            self.prose("try")
        said = notes() + self._address_notes()
        if said:
            self._notes.info("  \n".join(said), icon=":material/link_off:")

    def _address_notes(self) -> list[str]:
        """Parameters of the address this page does not use (dropped from it), and used
        ones whose value a widget refused (Streamlit already dropped those)."""
        known, refused = drawn_keys(), refused_keys()
        said = []
        for key, values in self.asked.items():
            if key in RESERVED or key in refused:
                continue
            shown = f"{code(key, 30)}={code(values[-1] if values else '', 30)}"
            if key not in known:
                if not _drop(key):
                    continue  # a widget the learner just replaced: nothing to tell them
                said.append(f"The address's {shown} is not a setting of this page as it is "
                            "set up now: ignored.")  # fmt: skip
            elif key not in st.query_params and not _is_default(known[key], key, values):
                said.append(f"The address's {shown} can't be used: that setting shows its "
                            "default instead.")  # fmt: skip
        return said


def _drop(key: str) -> bool:
    """Remove parameter `key` from the address; False when it is still bound to a widget
    of the previous run (a slider whose key carries its range, a knob no longer drawn),
    which the page may not delete: Streamlit drops it itself once that widget is gone."""
    try:
        if key in st.query_params:
            del st.query_params[key]
    except StreamlitAPIException:
        return False
    return True


def _is_default(k: Knob, key: str, values: list[str]) -> bool:
    """Whether the address's value for a widget is what the widget shows now (Streamlit
    then dropped it from the address only because it is the default). Choices travel as
    the label the learner reads, numbers as numbers."""
    now = st.session_state.get(key)
    if isinstance(now, list | tuple):
        return [k.show(v) for v in now] == values or [str(v) for v in now] == values
    raw = values[-1] if values else ""
    if isinstance(now, bool):
        return raw.lower() == str(now).lower()
    if raw in (k.show(now), str(now)):
        return True
    try:
        return float(raw) == float(now)
    except (TypeError, ValueError):
        return False
