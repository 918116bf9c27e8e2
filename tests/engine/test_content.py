"""dlviz.content: the prose files parse into titled sections of Markdown and formulas, every
page has its idea, "what to notice" and "try this", and every section a page names exists."""

import ast
from pathlib import Path

import pytest

from dlviz.content import CONTENT, Block, parse, prose

REPO = Path(__file__).resolve().parents[2]
PAGES = {"app": REPO / "app.py", **{p.stem: p for p in (REPO / "pages").glob("*.py")}}
TOPICS = {"app": "home", **{stem: stem for stem in PAGES if stem != "app"}}


def test_a_file_parses_into_a_title_and_sections_of_blocks():
    text = "# Title\n\n## intro\nSome *idea*.\n\n$$\na = b\n$$\nAfter.\n\n## empty\n"
    p = parse("demo", text)
    assert p.title == "Title"
    assert p.section("intro") == (
        Block("markdown", "Some *idea*."),
        Block("latex", "a = b"),
        Block("markdown", "After."),
    )
    assert p.section("empty") == ()


def test_placeholders_are_filled_and_missing_sections_named():
    p = parse("demo", "# T\n## note\nη < {{limit}} here\n")
    assert p.section("note", limit=0.2)[0].text == "η < 0.2 here"
    with pytest.raises(KeyError, match=r"has no section 'nope'.*note"):
        p.section("nope")


def test_an_unclosed_formula_and_a_missing_title_are_errors():
    with pytest.raises(ValueError, match="not closed"):
        parse("demo", "# T\n## a\n$$\nx\n")
    with pytest.raises(ValueError, match="no '# title'"):
        parse("demo", "## a\ntext\n")


@pytest.mark.parametrize("topic", sorted(t for t in TOPICS.values() if t != "home"))
def test_every_page_has_its_idea_what_to_notice_and_what_to_try(topic):
    p = prose(topic)
    assert p.title
    for section in ("intro", "notice", "try"):
        blocks = p.section(section)
        assert blocks and all(b.text.strip() for b in blocks), (topic, section)


def _named_sections(path: Path) -> set[str]:
    """Section names a page passes as plain strings to page.prose/caption/words/header."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        func = node.func if isinstance(node, ast.Call) else None
        on_page = isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "page"
        if on_page:
            if node.func.attr in ("prose", "caption", "words") and node.args:
                arg = node.args[0]
            elif node.func.attr == "header" and len(node.args) > 1:
                arg = node.args[1]
            else:
                continue
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                names.add(arg.value)
    return names


@pytest.mark.parametrize("stem", sorted(PAGES))
def test_every_section_a_page_names_is_in_its_content_file(stem):
    named = _named_sections(PAGES[stem])
    assert named, f"{stem} draws no prose from content/{TOPICS[stem]}.md"
    missing = named - set(prose(TOPICS[stem]).sections)
    assert not missing, f"content/{TOPICS[stem]}.md lacks {sorted(missing)}"


def test_the_home_page_has_its_idea():
    assert prose("home").section("intro")


def test_every_content_file_belongs_to_a_page():
    assert {p.stem for p in CONTENT.glob("*.md")} == set(TOPICS.values())
