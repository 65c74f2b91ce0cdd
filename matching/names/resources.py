"""Loading the names data files and the slow-to-build library objects, once per process."""

from __future__ import annotations

import logging
from functools import cache, lru_cache
from importlib.resources.abc import Traversable
from typing import Any

from pipelines.resources import data_file
from pipelines.resources import read_rows as data_rows

REGION_SUFFIXES = ("省", "市", "区", "县")


def data_path(name: str) -> Traversable:
    """A file of data/names."""
    return data_file("names", name)


@cache
def read_rows(name: str) -> tuple[tuple[str, ...], ...]:
    """The tab-separated rows of a file of data/names, without comment and blank lines."""
    return data_rows("names", name)


@cache
def read_words(name: str) -> frozenset[str]:
    """A one-word-per-line list as a set of lower-case words."""
    return frozenset(row[0].lower() for row in read_rows(name))


def split_list(field: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in field.split(",") if item.strip())


@cache
def opencc_converter(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


@lru_cache(maxsize=1)
def cantonese_table() -> Any:
    from cantoroman import Cantonese

    return Cantonese()


def _quiet_jieba() -> None:
    import jieba

    jieba.setLogLevel(logging.WARNING)


@lru_cache(maxsize=1)
def company_tokenizer() -> Any:
    """A jieba tokenizer that knows places, industry words and brands as whole words.

    A separate instance, so that other users of jieba in the same process are not changed.
    """
    import jieba

    _quiet_jieba()
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in user_words():
        tokenizer.add_word(word, freq=200000)
    return tokenizer


@lru_cache(maxsize=1)
def user_words() -> tuple[str, ...]:
    from matching.names.script import simplified

    words: set[str] = set()
    for name in ("regions.tsv", "industry_words.tsv", "brands.tsv"):
        words.update(simplified(row[0]) for row in read_rows(name))
    for row in read_rows("regions.tsv"):
        # "重庆市长江" must split after the suffix, not into 市长 ("mayor").
        words.update(simplified(row[0]) + suffix for suffix in REGION_SUFFIXES)
    return tuple(sorted(words))
