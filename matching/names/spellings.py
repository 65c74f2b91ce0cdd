"""Person-name spellings beyond Mandarin pinyin, Hong Kong Cantonese and Wade-Giles.

Southeast Asian Chinese names are spelled from Hokkien, Teochew or Hakka readings, Taiwanese
names in Wade-Giles without apostrophes, Tongyong pinyin or Gwoyeu Romatzyh, and Indonesian
names in the Dutch-era spelling (oe, tj, dj). Here:

- `hokkien(char)`: Hokkien readings (the Taiwanese Hokkien dictionary data of the `taibun`
  package, CC BY-SA 4.0, read at run time) spelled as Southeast Asian names spell them;
- `table_spellings(char, part)`: the hand-compiled irregular spellings of data/names/
  syllables.tsv (Teochew, Hakka, Gwoyeu Romatzyh, one-off spellings), each with its source;
- `tongyong(char)`: Tongyong pinyin, derived from the Mandarin readings, and
  `macau_syllable`: Macau's spelling of a Hong Kong Cantonese syllable;
- `spelling_key(syllable)`: one form for spellings that differ only in convention (Dutch-era
  oe/tj/dj, aspirate chh, final ck), applied to both sides of a comparison.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from matching.names.resources import opencc_converter, read_rows, split_list
from matching.names.script import hong_kong_form, simplified

# Pinyin's ü after l and n as Chinese passports (Lyu, Nyu) and many Chinese systems (Lv, Nv)
# write it, each to the u that the Mandarin readings here use.
U_UMLAUT_SPELLINGS = (("lyu", "lu"), ("nyu", "nu"), ("lv", "lu"), ("nv", "nu"))
# Conventions that spell one sound several ways, each to one form: Dutch-era Indonesian
# (Liem Sioe Liong, Tjoa, Djie), POJ's aspirate chh, final ck (Hock, Teck) for k, and ü.
_KEY_RULES = (
    ("tjh", "ch"), ("tj", "ch"), ("dj", "j"), ("chh", "ch"), ("ck", "k"), ("oe", "u"),
    *U_UMLAUT_SPELLINGS,
)  # fmt: skip

# Tâi-lô syllable → the spellings names use for it, as (pattern, alternatives), applied in
# turn; every alternative of every rule is kept (Hokkien names are spelled many ways).
_HOKKIEN_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"^tsh", ("ch", "chh", "ts")),
    (r"^ts", ("ch", "ts")),
    (r"^kh", ("kh", "k")),
    (r"^ph", ("ph", "p")),
    (r"^th", ("th", "t")),
    (r"^ng(?=[aeiou])", ("ng", "g")),
    (r"oo(?=h?$)", ("o", "oh", "oo", "aw")),
    (r"ing$", ("ing", "eng")),
    (r"ik$", ("ik", "ek")),
    (r"ua", ("ua", "oa", "wa")),
    (r"ue", ("ue", "oe", "we")),
    (r"ui", ("ui", "wee", "ooi")),
    (r"iau$", ("iau", "iao", "iaw", "eow")),
    (r"(?<![iy])au$", ("au", "ao", "aw", "ow")),
    (r"iu$", ("iu", "iew", "ew")),
    (r"ian", ("ian", "ien", "ean")),
    (r"iat$", ("iat", "iet")),
    (r"un$", ("un", "oon")),
    (r"ut$", ("ut", "oot")),
    (r"(?<=[^aeiou])u$", ("u", "oo")),
    (r"(?<=[^aeiou])i$", ("i", "ee")),
    (r"(?<=[^aeiou])a$", ("a", "ah")),
    (r"(?<=[^aeiou])e$", ("e", "eh")),
    (r"(?<=[^aeiou])o$", ("o", "oh")),
    (r"^i(?=[aeou])", ("i", "y")),
)
_MAX_VARIANTS = 48


# the same few thousand syllables, millions of times a run
@lru_cache(maxsize=100_000)
def spelling_key(syllable: str) -> str:
    """The comparable form of a romanised syllable: Tjoa → choa, Sioe → siu, Hock → hok."""
    key = syllable.lower()
    for old, new in _KEY_RULES:
        key = key.replace(old, new)
    return key


# Initials that spell one sound, to one letter (longest first), and the class of a final: its
# nasal (n, ng as g, m) or a stop (k, t, p as k: Cantonese and Hokkien keep them, Mandarin lost
# them; a Han name is read in every system, so its keys hold both).
_SOUND_INITIALS = (
    ("tsh", "c"), ("chh", "c"), ("ch", "c"), ("ts", "c"), ("tz", "c"), ("jh", "c"), ("zh", "c"),
    ("qu", "k"), ("kh", "k"), ("kw", "k"), ("k", "k"), ("g", "k"), ("q", "c"), ("j", "c"),
    ("z", "c"), ("c", "c"), ("sh", "s"), ("sz", "s"), ("hs", "s"), ("x", "s"), ("s", "s"),
    ("ph", "p"), ("p", "p"), ("b", "p"), ("th", "t"), ("t", "t"), ("d", "t"), ("hw", "h"),
    ("wh", "h"), ("f", "h"), ("h", "h"), ("ng", ""), ("n", "n"), ("m", "m"), ("l", "l"),
    ("y", ""), ("w", ""), ("r", ""), ("v", ""),
)  # fmt: skip


_SOUND_FINALS = (("ng", "g"), ("n", "n"), ("m", "m"), ("k", "k"), ("t", "k"), ("p", "k"))


@lru_cache(maxsize=100_000)
def sound_key(syllable: str) -> str:
    """A coarse sound of one romanised syllable, alike in every system: the initial's class and
    the final's nasal or stop. Kwong, guang, kong → kg; Hock → hk, he → h; Tjhong, chong, zhong,
    tsung → cg; Ying, ing, eng → g; Kim → km, jin → cn."""
    key = spelling_key(syllable)
    initial = ""
    for spelled, sound in _SOUND_INITIALS:
        if key.startswith(spelled) and len(key) > len(spelled):
            initial, key = sound, key[len(spelled) :]
            break
    key = key.rstrip("h")
    final = next((f for end, f in _SOUND_FINALS if key.endswith(end)), "")
    return initial + final or "-"


def _plain(reading: str) -> str:
    decomposed = unicodedata.normalize("NFKD", reading)
    return "".join(c for c in decomposed if c.isascii() and (c.isalpha() or c == "/")).lower()


def hokkien_spellings(tailo: str) -> tuple[str, ...]:
    """Name spellings of one Tâi-lô syllable (tones marked or not; "jī/lī" gives both
    readings): tsok → chok, ts, ...; bûn → bun, boon; kinn → ki, kee (the nasal is dropped)."""
    found: list[str] = []
    for reading in _plain(tailo).split("/"):
        base = re.sub(r"nnh?$", "", reading) if len(reading) > 3 else reading
        variants = [base]
        for pattern, alternatives in _HOKKIEN_RULES:
            variants = [
                re.sub(pattern, alt, v, count=1) if re.search(pattern, v) else v
                for v in variants
                for alt in alternatives
            ]
            variants = list(dict.fromkeys(variants))[:_MAX_VARIANTS]
        found.extend(variants)
    return _unique(found)


@lru_cache(maxsize=1)
def _hokkien_data() -> dict[str, list[str]]:
    from taibun.taibun import prons_dict  # the package's character → Tâi-lô readings

    return dict(prons_dict)


def hokkien_characters() -> tuple[str, ...]:
    """Every character the Hokkien data reads."""
    return tuple(_hokkien_data())


@lru_cache(maxsize=100_000)
def hokkien(char: str) -> tuple[str, ...]:
    """Hokkien spellings of one character, as Singapore, Malaysia and Indonesia spell names."""
    data = _hokkien_data()
    found: list[str] = []
    taiwan = str(opencc_converter("s2tw").convert(char))
    for form in _unique((char, taiwan, hong_kong_form(char), simplified(char))):
        for reading in data.get(form, ()):
            found.extend(hokkien_spellings(reading))
    return _unique(found)


# Macau's spelling of a Hong Kong Cantonese one: v for w (Vong), i for y (Ieong, Iat), eong
# for eung (Leong), ao for au (Lao, Chao), uok for wok (Kuok), eng for ing (Seng).
_MACAU_RULES = (
    (r"^w", "v"),
    (r"^y(?=[aeiou])", "i"),
    (r"eung", "eong"),
    (r"au$", "ao"),
    (r"wok$", "uok"),
    (r"ing$", "eng"),
    (r"^ii", "i"),
)


def macau_syllable(hong_kong: str) -> str:
    """One Hong Kong Government Cantonese syllable as Macau spells it: Wong → Vong, Yeung →
    Ieong, Yat → Iat, Lau → Lao, Kwok → Kuok, Shing → Sheng."""
    spelled = hong_kong
    for pattern, replacement in _MACAU_RULES:
        spelled = re.sub(pattern, replacement, spelled)
    return spelled


# Tongyong pinyin from Hanyu pinyin: whole syllables first, then initials and finals.
_TONGYONG_WHOLE = {"zhi": "jhih", "chi": "chih", "shi": "shih", "ri": "rih", "zi": "zih",
                   "ci": "cih", "si": "sih", "wen": "wun", "weng": "wong"}  # fmt: skip
_TONGYONG_RULES = (
    (r"^zh", "jh"),
    (r"^([jqx])u", r"\1yu"),
    (r"^x", "s"),
    (r"^q", "c"),
    (r"iong$", "yong"),
    (r"iu$", "iou"),
    (r"ui$", "uei"),
    (r"^([bpmf])eng$", r"\1ong"),
)


def tongyong_syllable(pinyin_syllable: str) -> str:
    """One Hanyu pinyin syllable (ü written u) in Tongyong pinyin: xin → sin, qing → cing,
    zhi → jhih, liu → liou, xiong → syong, feng → fong."""
    if pinyin_syllable in _TONGYONG_WHOLE:
        return _TONGYONG_WHOLE[pinyin_syllable]
    spelled = pinyin_syllable
    for pattern, replacement in _TONGYONG_RULES:
        spelled = re.sub(pattern, replacement, spelled)
    return spelled


@lru_cache(maxsize=100_000)
def tongyong(char: str) -> tuple[str, ...]:
    from matching.names.romanise import mandarin

    return _unique(tongyong_syllable(m) for m in mandarin(char))


@lru_cache(maxsize=1)
def _table() -> dict[str, list[tuple[str, str, tuple[str, ...], str]]]:
    """Simplified character → (part, system, spellings, source) rows of syllables.tsv."""
    rows: dict[str, list[tuple[str, str, tuple[str, ...], str]]] = {}
    for char, part, system, spellings, source in read_rows("syllables.tsv"):
        rows.setdefault(simplified(char), []).append((part, system, split_list(spellings), source))
    return rows


def table_spellings(char: str, part: str) -> tuple[tuple[str, str, str], ...]:
    """(spelling, system, source) of a character's listed irregular spellings; `part` is
    "surname" or "given" (rows marked "both" serve either)."""
    rows = _table().get(simplified(char), [])
    return tuple(
        (spelling, system, source)
        for row_part, system, spellings, source in rows
        if row_part in (part, "both")
        for spelling in spellings
    )


def table_syllables() -> frozenset[str]:
    """Every syllable the table spells, for cutting run-together names."""
    return frozenset(s for rows in _table().values() for row in rows for s in row[2])


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item))
