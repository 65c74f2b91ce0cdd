"""Telling a company from a person by its name, where a file does not say which.

One rule for debtor lists, imported records and crawls: a name with a legal form (the aliases of
data/names/legal_forms.tsv, which the names module strips from company names) or an
organisation word (data/names/organisation_words.txt) is a company's.
"""

from __future__ import annotations

import re
from functools import cache

from pipelines.resources import read_rows
from pipelines.text import HAN_CLASS, has_han

_WORD_EDGE = "[^a-z0-9&]"
_HAN_PERSON = re.compile(f"^[{HAN_CLASS}·]{{2,5}}$")
_MOST_PERSON_WORDS = 4


@cache
def company_pattern() -> str:
    """A regular expression (Python's and DuckDB's) that finds a company word in a name."""
    aliases = [row[0] for row in read_rows("names", "legal_forms.tsv")]
    aliases += [row[0] for row in read_rows("names", "organisation_words.txt")]
    han = sorted({a for a in aliases if has_han(a)}, key=lambda a: (-len(a), a))
    latin = sorted({a.lower() for a in aliases if not has_han(a)}, key=lambda a: (-len(a), a))
    words = "|".join(
        f"{_WORD_EDGE}*".join(re.escape(word) for word in alias.split()) for alias in latin
    )
    return f"(?i)(?:^|{_WORD_EDGE})(?:{words})(?:{_WORD_EDGE}|$)|{'|'.join(han)}"


@cache
def _company_regex() -> re.Pattern[str]:
    return re.compile(company_pattern())


def looks_like_company(name: str) -> bool:
    return _company_regex().search(name) is not None


def guess_kind(name: str) -> str | None:
    """'company' for a name with a company word; 'person' for two to five Chinese characters,
    or a Latin name of at most four words without one; None when the name does not say."""
    if looks_like_company(name):
        return "company"
    if _HAN_PERSON.match(name):
        return "person"
    if not has_han(name) and 1 < len(name.split()) <= _MOST_PERSON_WORDS:
        return "person"
    return None
