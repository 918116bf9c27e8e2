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
for row in range(0, len(ui.TOPICS), 3):
    for column, topic in zip(st.columns(3), ui.TOPICS[row : row + 3]):
        with column.container(border=True, height="stretch"):
            st.markdown(f"#### {topic.title}")
            st.markdown(topic.blurb)
            if topic.page:
                st.page_link(topic.page, label=f"Open {topic.title}", icon=":material/play_circle:")
            else:
                st.caption(":material/schedule: coming soon")
st.divider()
st.caption(
    "Models train on the server's GPU when it has one, otherwise on its CPU. Training only "
    "runs while a page is open and running; close the tab and it stops."
)
