"""Untrusted text on its way into Markdown: a crawled name shows as the text it is, never as a
table column, emphasis, a link or HTML."""

from __future__ import annotations

import re

# C0 controls (newlines included: a line break ends a table row), DEL and the C1 controls
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]+")
# what Markdown reads as syntax inside a line: emphasis, code, links, tables, headings' closing
_SYNTAX = re.compile(r"([\\`*_\[\]|~#!])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def markdown_text(text: str | None) -> str:
    """TEXT as literal Markdown on one line: syntax characters backslash-escaped, HTML's as
    entities, control characters and line breaks as one space each run."""
    if not text:
        return ""
    flat = _CONTROL.sub(" ", text).strip()
    escaped = "".join(_HTML.get(char, char) for char in flat)
    return _SYNTAX.sub(r"\\\1", escaped)
