"""A company's Latin name in the form entity resolution compares: content words only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from matching.names.companies import parse_english_company
from matching.names.script import is_han


@dataclass(frozen=True)
class NameKey:
    """'HARBOUR VIEW INVESTMENTS LIMITED' -> words ('harbour', 'view', 'investments'), 'LTD'."""

    name: str  # the name as published that the key was made from
    words: tuple[str, ...]
    legal_form: str

    @property
    def text(self) -> str:
        return " ".join(self.words)


def latin_name_key(names: Iterable[str | None]) -> NameKey | None:
    """The key of the first name with Latin words (a record's name, then its other names).

    Legal forms, stop words and Hong Kong's dissolution marker are removed by the project's
    company-name parser; a name in Chinese characters only gives no key (script-crossing is
    debtor matching's business, not this)."""
    for name in names:
        if not name or not any(c.isalpha() and not is_han(c) for c in name):
            continue
        parsed = parse_english_company(name)
        if parsed.words:
            return NameKey(name, parsed.words, parsed.legal_form)
    return None
