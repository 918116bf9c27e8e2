"""dlviz home page: what it is, and a link to every topic."""

import streamlit as st

from dlviz import ui

page = ui.Page("home")
page.prose("topics")
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
page.caption("footer")
page.end()
