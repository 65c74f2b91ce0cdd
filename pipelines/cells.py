"""Untrusted text on its way into a spreadsheet or CSV: no cell may start a formula."""

from __future__ import annotations

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise_formula(text: str | None) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula (=HYPERLINK(...), +1, @SUM)."""
    if not text:
        return ""
    return "'" + text if text.startswith(_FORMULA_START) else text
