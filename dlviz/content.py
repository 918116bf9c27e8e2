"""The learner-facing prose of each topic, read from content/<topic>.md: a title (`# …`)
and named sections (`## name`), each a list of blocks, Markdown or a display formula (lines
between two `$$` lines). Placeholders `{{name}}` are filled by the page. No streamlit.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

CONTENT = Path(__file__).resolve().parents[1] / "content"


@dataclass(frozen=True)
class Block:
    """One piece of a section: Markdown text or a LaTeX formula."""

    kind: str  # "markdown" or "latex"
    text: str


@dataclass(frozen=True)
class Prose:
    """One topic's prose: its title and its sections by name, in file order."""

    topic: str
    title: str
    sections: dict[str, tuple[Block, ...]]

    def section(self, name: str, **fill: object) -> tuple[Block, ...]:
        """The blocks of section `name` with each `{{key}}` replaced by `fill[key]`;
        KeyError naming the topic and the sections it has when there is none."""
        if name not in self.sections:
            raise KeyError(f"content/{self.topic}.md has no section {name!r} "
                           f"(it has: {', '.join(self.sections)})")  # fmt: skip
        blocks = self.sections[name]
        for key, value in fill.items():
            blocks = tuple(Block(b.kind, b.text.replace("{{" + key + "}}", str(value)))
                           for b in blocks)  # fmt: skip
        return blocks


def _blocks(lines: list[str]) -> tuple[Block, ...]:
    """Split a section's lines into Markdown paragraphs runs and `$$` formulas."""
    blocks: list[Block] = []
    text: list[str] = []
    formula: list[str] | None = None

    def flush() -> None:
        joined = "\n".join(text).strip()
        if joined:
            blocks.append(Block("markdown", joined))
        text.clear()

    for line in lines:
        if line.strip() == "$$":
            if formula is None:
                flush()
                formula = []
            else:
                blocks.append(Block("latex", "\n".join(formula).strip()))
                formula = None
        elif formula is not None:
            formula.append(line)
        else:
            text.append(line)
    if formula is not None:
        raise ValueError("a $$ formula is not closed")
    flush()
    return tuple(blocks)


def parse(topic: str, source: str) -> Prose:
    """Read one content file's text."""
    title, sections, name, lines = "", {}, None, []
    for line in source.splitlines():
        if line.startswith("# "):
            title = line[2:].strip()
        elif line.startswith("## "):
            if name is not None:
                sections[name] = _blocks(lines)
            name, lines = line[3:].strip(), []
        elif name is not None:
            lines.append(line)
    if name is not None:
        sections[name] = _blocks(lines)
    if not title:
        raise ValueError(f"content/{topic}.md has no '# title' line")
    return Prose(topic, title, sections)


@functools.cache
def prose(topic: str) -> Prose:
    """The prose of `topic` (content/<topic>.md), read once per process."""
    return parse(topic, (CONTENT / f"{topic}.md").read_text(encoding="utf-8"))
