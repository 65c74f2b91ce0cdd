"""Company names: segment Chinese names, tokenise English ones, in one comparable shape."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from matching.names.legal_forms import (
    english_words,
    main_form,
    strip_chinese_form,
    strip_english_form,
)
from matching.names.resources import company_tokenizer, read_words
from matching.names.script import fold, han_to_spaces, simplified
from matching.names.word_tables import brands, industry_words, places_in_english, region_of

_DISSOLVED = re.compile(r"\(\s*d\s*\d{4}-\d{2}-\d{2}\s*\)", re.IGNORECASE)
# the index's other dated marker, "(b2017-12-01)": the register's note, not the company's name
_DATED_NOTE = re.compile(r"\(\s*b\s*\d{4}-\d{2}-\d{2}\s*\)", re.IGNORECASE)
_BRACKETED = re.compile(r"\(([^()]*)\)")


@dataclass(frozen=True)
class ChineseCompany:
    """深圳市腾讯计算机系统有限公司 → places (深圳), trade 腾讯, industry (计算机, 系统), LTD."""

    places: tuple[str, ...]
    trade: str
    industry: tuple[str, ...]
    legal_form: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class EnglishCompany:
    """Content words (legal form, stop words and dissolution marker gone) and named places."""

    words: tuple[str, ...]
    places: tuple[str, ...]
    legal_form: str
    dissolved: bool


def strip_dissolution(name: str) -> tuple[str, bool]:
    """Hong Kong's index appends "(d1977-10-12)" to dissolved companies' names (and a dated
    "(b...)" note to some others, dropped as well)."""
    if "(" not in name:  # most names: no bracket
        return fold(name), False
    stripped = _DISSOLVED.sub(" ", name)
    return fold(_DATED_NOTE.sub(" ", stripped)), stripped != name


@lru_cache(maxsize=200_000)
def parse_chinese_company(name: str) -> ChineseCompany:
    text = "".join(c for c in simplified(strip_dissolution(name)[0]) if c.strip())
    places = [p for p in (region_of(b) for b in _BRACKETED.findall(text)) if p]
    text = _BRACKETED.sub(lambda m: "" if region_of(m.group(1)) else m.group(1), text)
    text, forms = strip_chinese_form(text)
    words = segment(text)
    start, end = 0, len(words)
    while start < end and region_of(words[start]):
        start += 1
    places = [region_of(w) for w in words[:start]] + places
    while end > start + 1 and words[end - 1] in industry_words():
        end -= 1
    trade = "".join(words[start:end])
    return ChineseCompany(tuple(dict.fromkeys(places)), trade, words[end:], main_form(forms), words)


@lru_cache(maxsize=200_000)
def segment(text: str) -> tuple[str, ...]:
    """Words of a simplified Chinese name; places and industry words come out whole."""
    tokens = company_tokenizer().lcut(text, HMM=False)
    return tuple(t for t in tokens if t.strip() and t not in "(),.-&")


@lru_cache(maxsize=500_000)
def parse_english_company(name: str) -> EnglishCompany:
    content, forms, dissolved = _english_parts(name)
    return EnglishCompany(content, places_in_english(content), main_form(forms), dissolved)


def english_content_words(name: str) -> tuple[str, ...]:
    """parse_english_company's words alone, kept nowhere: for a caller that meets millions of
    names once and needs neither their places nor their legal form."""
    return _english_parts(name)[0]


def _english_parts(name: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """A Latin company name's content words, its legal-form words, whether marked dissolved."""
    text, dissolved = strip_dissolution(name)
    latin = han_to_spaces(text)
    words, forms = strip_english_form(english_words(latin.replace("&", " and ")))
    stop = read_words("english_stopwords.txt")
    return tuple(w for w in words if w not in stop), forms, dissolved


def brand_words(text: str) -> tuple[tuple[str, ...], ...]:
    """English brand words for any brand written inside a Chinese name (恒大 → evergrande)."""
    return tuple(en for zh, names in brands().items() if zh in text for en in names)
