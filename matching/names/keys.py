"""Comparable keys of a name: what similarity scores and blocking rules are built from."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice, pairwise, product

from matching.names.companies import (
    ChineseCompany,
    EnglishCompany,
    brand_words,
    parse_chinese_company,
    parse_english_company,
)
from matching.names.lexicon import chinese_units, literal_words, load_lexicon
from matching.names.persons import HanName, LatinName, parse_latin_name, split_han_name
from matching.names.romanise import (
    cantonese,
    char_readings,
    mandarin,
    mandarin_phrase,
    person_readings,
    surname_spellings,
    wade_giles,
)
from matching.names.script import Script, detect_script, han_key, han_to_spaces, is_han
from matching.names.spellings import hokkien, sound_key, spelling_key, tongyong
from matching.names.word_tables import industry_words, regions

_COMBOS = 16
_VOWELS = re.compile("[aeiouy]")
_REPEATS = re.compile(r"(.)\1+")
_MAX_SOUNDS = 32  # given-name sound keys of one Han reading
Candidates = dict[str, tuple[float, str]]


@dataclass(frozen=True)
class PersonKeys:
    """Keys of a person name in any script; all keys are lower-case ASCII or simplified Han."""

    name: str
    script: Script
    han: str
    han_readings: tuple[HanName, ...]
    latin_readings: tuple[LatinName, ...]
    surname_keys: frozenset[str]
    given_keys: frozenset[str]
    full_keys: frozenset[str]
    syllable_keys: frozenset[str]
    skeleton_keys: tuple[str, ...] = ()
    sound_keys: tuple[str, ...] = ()

    @property
    def blocking_keys(self) -> tuple[str, ...]:
        """Short strings for blocking: "s:" surname spellings, "n:" sorted-syllable keys."""
        keys = {f"s:{k}" for k in self.surname_keys} | {f"n:{k}" for k in self.syllable_keys}
        return tuple(sorted(keys))


@dataclass(frozen=True)
class CompanyKeys:
    """Keys of a company name in any script.

    `words` are the English content words of a Latin name; `candidates` the English words a
    Han name is expected to show abroad, each with a weight in [0, 1] and the Chinese unit it came
    from (places and industry words translated, brands, romanised characters, the lexicon).
    """

    name: str
    script: Script
    han: str
    places: tuple[str, ...]
    trade: str
    industry: tuple[str, ...]
    legal_form: str
    words: tuple[str, ...]
    trade_readings: tuple[str, ...]
    candidates: tuple[tuple[str, float, str], ...]

    @property
    def blocking_keys(self) -> tuple[str, ...]:
        """The rarest English words (Latin names) or the likeliest ones (Han names: the Latin
        letters and digits they carry first, as written)."""
        lexicon = load_lexicon()
        if self.words:
            return tuple(sorted(self.words, key=lambda w: -lexicon.idf(w))[:3])
        joined = [r.replace(" ", "") for r in self.trade_readings]
        from_trade = [c for c in self.candidates if c[2] and c[2] in self.trade and c[1] >= 0.5]
        ranked = sorted(from_trade, key=lambda c: -c[1] * lexicon.idf(c[0]))
        literal = literal_words(self.name)
        return tuple(dict.fromkeys([*literal, *joined, *(word for word, _, _ in ranked)]))[:12]


# a person name's readings: each way to read its Han characters, and its Latin parts
Readings = tuple[tuple[HanName, ...], tuple[LatinName, ...]]


@lru_cache(maxsize=200_000)
def person_name_readings(name: str, surname: str | None = None) -> Readings:
    """The readings of a person name, which similarity compares (without the blocking keys,
    which cost more to work out); `surname` as for `person_keys`."""
    han = han_key(name)
    han_readings = split_han_name(han) if han else ()
    latin = parse_latin_name(han_to_spaces(name), surname) if detect_script(name) != "han" else ()
    return han_readings, latin


@lru_cache(maxsize=200_000)
def person_keys(name: str, surname: str | None = None) -> PersonKeys:
    """Keys of a person name; `surname` names the surname part of a romanised name if known."""
    han_readings, latin = person_name_readings(name, surname)
    full = {f"{s} {g}" for h in han_readings for s, g in _han_spellings(h)}
    full |= {f"{r.surname_key} {''.join(r.given)}" for r in latin}
    surnames = {
        spelling_key(k) for h in han_readings for k in _double_surname_spellings(h.surnames)
    }
    surnames |= {r.surname_key for r in latin}
    return PersonKeys(
        name=name,
        script=detect_script(name),
        han=han_key(name),
        han_readings=han_readings,
        latin_readings=latin,
        surname_keys=frozenset(surnames),
        given_keys=frozenset(f.split(" ", 1)[1] for f in full),
        full_keys=frozenset(full),
        syllable_keys=frozenset(_syllable_keys(han_readings, latin)),
        skeleton_keys=_skeleton_keys(surnames, full),
        sound_keys=_sound_keys(han_readings, latin),
    )


def consonants(word: str) -> str:
    """The first letter, then the consonants, each run of one letter kept once."""
    skeleton = word[:1] + _VOWELS.sub("", word[1:])
    return _REPEATS.sub(r"\1", skeleton)


def _skeleton_keys(surnames: set[str], full: set[str]) -> tuple[str, ...]:
    """Each surname spelling with the given name's consonants: spellings of one character
    differ mostly in vowels (Fat, Faat; Kwong, Kwang). The likeliest first: each whole
    spelling's own, then every surname spelling with every given name's."""
    pairs = [f.split(" ", 1) for f in full]
    skeletons = {given: consonants(given) for _, given in pairs}  # each given name's once
    own = sorted({f"{s} {skeletons[g]}" for s, g in pairs})
    crossed = sorted({f"{s} {c}" for s in surnames for c in set(skeletons.values())})
    return tuple(dict.fromkeys([*own, *crossed]))


def _sound_keys(han: tuple[HanName, ...], latin: tuple[LatinName, ...]) -> tuple[str, ...]:
    """Each surname spelling with the sounds of the given name's syllables (sound_key), a Han
    given name read character by character in every system, systems mixed (KUOK Hock Nien:
    Hock in Hokkien, Nien in Wade-Giles): "kuok hk nn". The usual surname spellings first."""
    keys = [f"{r.surname_key} {' '.join(sound_key(s) for s in r.given)}" for r in latin]
    for reading in han:
        per_char = [sorted({sound_key(r) for r in person_readings(c)}) for c in reading.given]
        givens = [" ".join(combo) for combo in islice(product(*per_char), _MAX_SOUNDS)]
        for surname in _double_surname_spellings(reading.surnames):
            keys.extend(f"{spelling_key(surname)} {given}" for given in givens)
    return tuple(dict.fromkeys(keys))


def _double_surname_spellings(surnames: tuple[str, ...]) -> list[str]:
    options = [surname_spellings(s) for s in surnames]
    return ["".join(c) for c in islice(product(*options), 64)]


def _han_spellings(name: HanName) -> list[tuple[str, str]]:
    """(surname, given) in Mandarin, Hong Kong Cantonese, Wade-Giles, Tongyong pinyin and
    Hokkien, as spelling keys."""
    surname = "".join(surname_spellings(s)[0] for s in name.surnames)
    spellings = [(surname, "".join(mandarin_phrase(name.given)))]
    for system in (cantonese, wade_giles, tongyong, hokkien):
        per_char = [system(c)[:2] or mandarin(c)[:1] for c in name.given]
        for combo in islice(product(*per_char), 4):
            given = "".join(spelling_key(s) for s in combo)
            spellings.append((spelling_key(_system_surname(name.surnames, system)), given))
    return list(dict.fromkeys(spellings))


def _system_surname(surnames: tuple[str, ...], system: Callable[[str], tuple[str, ...]]) -> str:
    """The surname as the system spells it: a surname spelling that is the system's reading of
    its characters run together (欧阳 in Cantonese: au + yeung → auyeung), else the first one."""
    spelled = []
    for s in surnames:
        readings = {"".join(p) for p in islice(product(*(system(c) for c in s)), _COMBOS)}
        found = [x for x in surname_spellings(s) if x in readings]
        spelled.append((found or list(surname_spellings(s)))[0])
    return "".join(spelled)


def _syllable_keys(han: tuple[HanName, ...], latin: tuple[LatinName, ...]) -> set[str]:
    """Sorted syllables: order-free, so "San ZHANG" and "Zhang San" share a key."""
    keys = {" ".join(sorted((*r.surname, *r.given))) for r in latin}
    for reading in han[:1]:
        for surname, _ in _han_spellings(reading)[:1]:
            keys.add(" ".join(sorted((surname, *mandarin_phrase(reading.given)))))
    return keys


@lru_cache(maxsize=200_000)
def company_keys(name: str) -> CompanyKeys:
    script = detect_script(name)
    han = han_key(name)
    chinese = parse_chinese_company(name) if han else None
    english = parse_english_company(name) if script in ("latin", "mixed") else None
    places = (chinese.places if chinese else ()) + (english.places if english else ())
    candidates = _han_candidates(name) if han else {}
    return CompanyKeys(
        name=name,
        script=script,
        han=han,
        places=tuple(dict.fromkeys(places)),
        trade=chinese.trade if chinese else "",
        industry=chinese.industry if chinese else (),
        legal_form=_legal_form(chinese, english),
        words=english.words if english else (),
        trade_readings=_trade_readings(chinese.trade) if chinese else (),
        candidates=tuple((w, v, u) for w, (v, u) in candidates.items()),
    )


@lru_cache(maxsize=200_000)
def candidate_map(name: str) -> dict[str, tuple[float, str]]:
    """English word → (weight, Chinese unit) for a name's Han part; {} for Latin names."""
    return {w: (v, u) for w, v, u in company_keys(name).candidates}


def han_candidates_once(name: str) -> dict[str, tuple[float, str]]:
    """candidate_map without keeping it or the name's keys: for a caller that meets each
    name once (the re-ranking, debtor by debtor), where a million-record run's tens of
    thousands of debtor names, each with hundreds of English words, held gigabytes."""
    return _han_candidates.__wrapped__(name) if han_key(name) else {}


def _legal_form(chinese: ChineseCompany | None, english: EnglishCompany | None) -> str:
    return (chinese.legal_form if chinese else "") or (english.legal_form if english else "")


def _trade_readings(trade: str) -> tuple[str, ...]:
    chars = [c for c in trade if is_han(c)]
    if not chars:
        return ()
    found = [" ".join(mandarin_phrase("".join(chars)))]
    per_char = [cantonese(c)[:2] or mandarin(c)[:1] for c in chars]
    found.extend(" ".join(combo) for combo in islice(product(*per_char), 4))
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=200_000)
def _han_candidates(name: str) -> Candidates:
    parts = parse_chinese_company(name)
    found: Candidates = {}
    for place in parts.places:
        _add_phrases(found, regions().get(place, ()), 1.0, place)
    for word in parts.words:
        _add_phrases(found, industry_words().get(word, ()), 1.0, word)
    _add_phrases(found, brand_words("".join(parts.words)), 1.0, parts.trade)
    # the trade name alone is written as it sounds: a place or an industry word is translated
    # (香港 HONG KONG, 发展 DEVELOPMENT: the tables above), and its readings (HEUNG, GONG, and
    # KONGBO across it and the trade name) only made the keys reach more records
    _add_romanisations(found, parts.trade)
    for word in literal_words(name):  # written as the English name writes it
        _add(found, word, 1.0, word)
    lexicon = load_lexicon()
    for unit in chinese_units(name):
        for word, value in lexicon.translations(unit)[:12]:
            _add(found, word, value**0.5, unit)
    return found


def _add_romanisations(found: Candidates, text: str) -> None:
    """Each character's spellings, and adjacent pairs run together ("hengda", "hangtai")."""
    chars = [c for c in text if is_han(c)]
    for char in chars:
        for reading in char_readings(char):
            _add(found, reading, 0.9, char)
    for first, second in pairwise(chars):
        pairs = product(sorted(char_readings(first)), sorted(char_readings(second)))
        for a, b in islice(pairs, _COMBOS * 4):  # sorted: the same keys in every process
            _add(found, a + b, 1.0, first + second)


def _add_phrases(
    found: Candidates, phrases: Iterable[tuple[str, ...]], weight: float, unit: str
) -> None:
    for phrase in phrases:
        for word in phrase:
            _add(found, word, weight if len(phrase) == 1 else 0.9 * weight, unit)


def _add(found: Candidates, word: str, weight: float, unit: str) -> None:
    if weight > found.get(word, (0.0, ""))[0]:
        found[word] = (weight, unit)
