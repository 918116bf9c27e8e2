"""Text a visitor typed, made safe for Streamlit's Markdown: escaped so a link, an image, a
tag, a formula or emphasis in it shows as the characters typed and is never rendered (or
fetched by the browser). Streamlit only; every message that may quote user input goes
through here.
"""

from __future__ import annotations

import re

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones Markdown,
# Streamlit's directives (:red[…], :material/…:) and its LaTeX ($…$) give a meaning to.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:&])")


def _one_line(text: object, limit: int) -> str:
    """`text` on one line (runs of whitespace become one space), cut to `limit` characters."""
    one_line = " ".join(str(text).split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def escape(text: str, limit: int = 300) -> str:
    """`text` (cut to `limit` characters, on one line) with every Markdown-special
    character backslash-escaped: safe inside st.markdown, st.error, st.info and friends."""
    return _SPECIAL.sub(r"\\\1", _one_line(text, limit))


def code(text: str, limit: int = 60) -> str:
    """`text` as an inline code span (cut to `limit` characters): Markdown inside a code
    span is shown, never rendered. The fence is longer than any run of backticks in it."""
    one_line = _one_line(text, limit)
    longest = max((len(run) for run in re.findall(r"`+", one_line)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if one_line.startswith("`") or one_line.endswith("`") or not one_line else ""
    return f"{fence}{pad}{one_line}{pad}{fence}"
