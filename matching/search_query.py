"""What a search query is looked up by: its spellings and the index keys they make.

A query may be Chinese in either script, pinyin with tone marks or run together, a Cantonese or
English rendering, a company name, or an identifier. Its keys are made the way the index's are
(matching.name_features, search_index.py), so the two meet by equality.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from matching.name_features import entity_name_features
from matching.names.legal_forms import english_words, strip_english_form
from matching.names.romanise import split_syllables
from matching.names.script import fold, has_han, hong_kong_form, simplified

_NOT_ID = re.compile(r"[^0-9A-Za-z]")
_LETTERS = re.compile(r"[a-z]+")
MAX_SPLITS = 3  # readings of a run-together pinyin query ("xujiayin")
MIN_ID_LENGTH = 4


@dataclass(frozen=True)
class QueryKeys:
    spellings: tuple[str, ...]  # the query's forms compared with names when re-scoring
    keys: dict[str, float]  # index key -> how strongly the query speaks for it


def without_tones(text: str) -> str:
    """Latin letters without their marks (Xǔ Jiāyìn -> Xu Jiayin); Han characters untouched."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", kept)


def exact_key(name: str) -> str:
    """The index's exact-name key: letters and digits, lower case (search_index.py's SQL)."""
    return "x:" + "".join(c for c in name.lower() if c.isalnum())


def id_key(text: str) -> str:
    return "id:" + _NOT_ID.sub("", text).upper()


def spellings(query: str) -> tuple[str, ...]:
    """The query as typed (folded, without tone marks), in both Chinese scripts, and each
    reading of a run-together romanisation as surname and given name."""
    text = without_tones(fold(query))
    found = [text]
    if has_han(text):
        found += [simplified(text), hong_kong_form(simplified(text))]
    elif _LETTERS.fullmatch(text.lower()) and len(text) >= 4:
        for split in split_syllables(text.lower())[:MAX_SPLITS]:
            if len(split) >= 2:
                found.append(f"{split[0]} {''.join(split[1:])}")
    return tuple(dict.fromkeys(s for s in found if s))


@lru_cache(maxsize=1024)
def query_keys(query: str) -> QueryKeys:
    forms = spellings(query)
    keys: dict[str, float] = {}
    for form in forms:
        features = entity_name_features("unknown", [form])
        for key, weight in features.block_keys.items():
            _add(keys, key, weight)
            if key.startswith("p:"):
                surname, _, given = key[2:].partition(" ")
                if surname and len(given) > 3:
                    _add(keys, f"s:{surname} {given[:3]}", 0.5)
        _add(keys, exact_key(form), 1.0)
    raw_id = _NOT_ID.sub("", query)
    if len(raw_id) >= MIN_ID_LENGTH and any(c.isdigit() for c in raw_id):
        _add(keys, id_key(query), 1.0)
    return QueryKeys(forms, {k: w for k, w in keys.items() if len(k) > 3})


def company_core(name: str) -> str:
    """A Latin company name's content words without its legal form, lower case, in order."""
    words, _form = strip_english_form(english_words(name))
    return " ".join(words).lower() if words else name.lower()


def _add(keys: dict[str, float], key: str, weight: float) -> None:
    keys[key] = max(keys.get(key, 0.0), weight)
