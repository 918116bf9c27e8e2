"""dlviz home page: what it is, and a link to every topic."""

import streamlit as st

from dlviz import ui

ui.setup_page("Home")
st.title("dlviz")
st.markdown(
    "**Deep learning you can watch.** Every page here trains a real PyTorch model while you "
    "look at it: turn a knob and see the loss curve, the decision boundary, the attention "
    "weights or the gates change within a second."
)
st.subheader("Topics")
for topic in ui.TOPICS:
    if topic.page:
        st.page_link(
            topic.page, label=f"**{topic.title}** — {topic.blurb}", icon=":material/play_circle:"
        )
    else:
        st.markdown(f":material/schedule: **{topic.title}** — {topic.blurb} *(coming soon)*")
st.divider()
st.caption(
    "Models train on the server's GPU when it has one, otherwise on its CPU. Training only "
    "runs while a page is open and running; close the tab and it stops."
)
