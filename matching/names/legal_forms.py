"""Legal forms (有限公司, Co., Ltd., Pte. Ltd., Sdn. Bhd. ...): find, classify and strip them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from matching.names.resources import read_rows
from matching.names.script import is_han, simplified

_NON_WORD = re.compile(r"[^a-z0-9&]+")


def english_words(text: str) -> tuple[str, ...]:
    """Lower-case words; dots, commas and other punctuation only separate ("Co.,Ltd." → co ltd)."""
    return tuple(w for w in _NON_WORD.split(text.lower().replace("'", "")) if w)


@lru_cache(maxsize=1)
def _english_forms() -> dict[tuple[str, ...], str]:
    return {
        english_words(alias): form
        for alias, form, *_ in read_rows("legal_forms.tsv")
        if not any(is_han(c) for c in alias)
    }


def phrase_sizes(phrases: Iterable[tuple[str, ...]], at: int) -> dict[str, tuple[int, ...]]:
    """Per word standing AT (0: first, -1: last) in some of the PHRASES, their sizes in words,
    longest first: a name's word that starts (or ends) none is looked up once, not once per
    size."""
    sizes: dict[str, set[int]] = {}
    for phrase in phrases:
        sizes.setdefault(phrase[at], set()).add(len(phrase))
    return {word: tuple(sorted(found, reverse=True)) for word, found in sizes.items()}


@lru_cache(maxsize=1)
def _form_sizes() -> dict[str, tuple[int, ...]]:
    return phrase_sizes(_english_forms(), -1)


@lru_cache(maxsize=1)
def _chinese_forms() -> tuple[tuple[str, str], ...]:
    forms = {
        simplified(alias): form
        for alias, form, *_ in read_rows("legal_forms.tsv")
        if any(is_han(c) for c in alias)
    }
    return tuple(sorted(forms.items(), key=lambda item: -len(item[0])))


def strip_english_form(words: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Remove legal-form words from the end, repeatedly ("... Company Limited" → LTD).

    Returns the remaining words and the classes found, outermost last. A name is never emptied:
    "Company Limited" alone keeps its words.
    """
    forms = _english_forms()
    sizes = _form_sizes()
    found: list[str] = []
    while len(words) > 1:
        for size in sizes.get(words[-1], ()):
            form = forms.get(words[-size:]) if size < len(words) else None
            if form:
                words, found = words[:-size], [form, *found]
                break
        else:
            break
    return words, tuple(found)


def strip_chinese_form(text: str) -> tuple[str, tuple[str, ...]]:
    """Remove a Chinese legal form from the end of a simplified name (有限公司 → LTD)."""
    found: list[str] = []
    changed = True
    while changed:
        changed = False
        for alias, form in _chinese_forms():
            if text.endswith(alias) and len(text) > len(alias):
                text, found, changed = text[: -len(alias)], [form, *found], True
                break
    return text, tuple(found)


def main_form(forms: tuple[str, ...]) -> str:
    """The class that says most: LTD over a bare CO ("Company Limited" is LTD)."""
    specific = [f for f in forms if f != "CO"]
    return specific[-1] if specific else (forms[-1] if forms else "")
