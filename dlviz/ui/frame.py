"""The page frame: the topic list, page config, the sidebar (navigation, compute device,
training queue), the opening of every page, and slider helpers. Streamlit only.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dlviz.device import GATE, describe_device


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
    Topic(
        "Activations",
        "pages/activations.py",
        "curves, derivatives, softmax, and what they do to a deep network",
    ),
    Topic(
        "Gradient descent",
        "pages/gradient_descent.py",
        "loss surfaces, optimizer races, learning rates, schedules",
    ),
    Topic("Convolution", None, "filters sliding over images, pooling, a tiny CNN"),
    Topic(
        "Attention",
        "pages/attention.py",
        "scaled dot-product attention step by step, and a transformer whose heads you watch",
    ),
    Topic("LSTM gates", None, "input, forget and output gates at work on sequences"),
    Topic("GAN", None, "a generator and a discriminator in a live duel"),
)


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


def ranged_slider(
    label: str, low: int, high: int, default: int, key: str, help: str | None = None
) -> int:
    """An integer slider that keeps its value when `high` changes (Streamlit gives a slider
    with new bounds a new identity and would reset it). The value is clamped to the range;
    the widget key is `{key}_{high}`, the remembered value `st.session_state[key]`."""
    value = min(max(st.session_state.get(key, default), low), high)
    chosen = st.slider(label, low, high, value, key=f"{key}_{high}", help=help)
    st.session_state[key] = chosen
    return chosen
