"""AppTest of the home page and of what every page shares: a card and a link per built
topic, the sidebar, the classroom view, and notes for settings in the address."""

import re
from pathlib import Path

import pytest
from pagekit import ROOT, open_page, texts

from dlviz.ui import TOPICS

BUILT = [t for t in TOPICS if t.page]


def test_home_links_every_built_topic_and_marks_the_rest_coming_soon():
    at = open_page("app.py")
    assert at.title[0].value == "dlviz"
    links = {(link.proto.label, link.proto.page) for link in at.get("page_link")}
    for topic in BUILT:
        assert (f"Open {topic.title}", Path(topic.page).stem) in links
        assert (topic.title, Path(topic.page).stem) in links  # the sidebar too
    soon = [t.title for t in TOPICS if not t.page]
    shown = sum("coming soon" in c.value for c in at.caption)
    assert shown >= len(soon) and (soon or shown == 0)  # every topic is built: none marked
    assert all((ROOT / t.page).exists() for t in BUILT)


def test_home_notes_an_unknown_parameter_and_drops_it():
    at = open_page("app.py", {"foo": "1", "lr": "banana"})
    note = texts(at.info)
    assert "`foo`" in note and "`lr`" in note and "not a setting of this page" in note
    assert "foo" not in at.query_params and "lr" not in at.query_params


@pytest.mark.parametrize("page", [t.page for t in BUILT])
def test_the_classroom_view_hides_controls_and_notes_but_keeps_the_url_state(page):
    plain = open_page(page)
    assert [h.value for h in plain.subheader][-2:] == ["What to notice", "Try this"]
    assert not any("controls_" in h.proto.body for h in plain.get("html"))
    at = open_page(page, {"classroom": "true"})
    assert at.toggle(key="classroom").value
    (style,) = [h for h in at.get("html") if "controls_" in h.proto.body]
    assert "display:none" in style.proto.body
    assert "What to notice" not in [h.value for h in at.subheader]


def test_typed_markdown_is_shown_as_text_never_as_a_link_or_image():
    hostile = "[x](//example.com) ![](//127.0.0.1:9/x) <img src=x> :red[boo] $x$"
    at = open_page("pages/activations.py", {"act_logits": hostile})
    (error,) = at.error
    typed = error.value.split("used:", 1)[1]  # the part that quotes what was typed
    assert "\\[x\\]\\(//example" in typed  # escaped: Markdown shows the characters
    unescaped = re.findall(r"(?<!\\)[\[\]()!<>$:*_`]", typed)
    assert unescaped == [], typed
