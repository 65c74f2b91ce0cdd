"""Learn the Chinese ↔ English name lexicon from bilingual company registers.

Run:
    python -m matching.names.learn_lexicon --out data/names/lexicon.tsv \\
        --hk data/hk_companies_registry/SP_2.csv [--gleif golden-copy.csv]

Method: IBM Model 1 (EM, 4 rounds: on a hold-out of SP_2 more rounds fit the training names too
closely and rank worse) in both directions over (Chinese characters and words, English words)
after legal forms, stop words and dissolution markers are removed; a pair's association is the
geometric mean of the two translation probabilities, so a word must explain the unit and the unit
the word. English words also yield their first and last 2, 3 and 4 letters as units ("bal~",
"~lly"), which is how transliterated brand names (霸立 BALLY) are learned, and a rare word made of
common pieces yields the pieces too (創運 CHARMLUCK: charm, luck); the pieces are the corpus's
English words and the romanised syllables of its characters, written beside the lexicon. A rare
plural whose singular is such a word yields the singular too (societies: society). Chinese
is made simplified first, so traditional and simplified names map alike.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import math
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from matching.names.companies import parse_english_company, strip_dissolution
from matching.names.legal_forms import english_words
from matching.names.lexicon import (
    FREQUENCY_FILE,
    MIN_PIECE_COUNT,
    NULL_UNIT,
    PIECES_FILE,
    chinese_units,
    with_fragments,
)
from matching.names.romanise import char_readings
from matching.names.script import detect_script, is_han

Pair = tuple[tuple[str, ...], tuple[str, ...]]
Row = tuple[str, str, float, float, float]
Table = dict[str, dict[str, float]]
_NULL = ""
_GLEIF_NAME = re.compile(
    r"Entity\.(LegalName|OtherEntityNames\.OtherEntityName\.\d+"
    r"|TransliteratedOtherEntityNames\.TransliteratedOtherEntityName\.\d+)$"
)


def hk_register_rows(path: Path) -> Iterator[tuple[str, str, str | None]]:
    """(Reg no., English name, Chinese name or None) of each row of the HK index, whose Name is
    "ENGLISH NAME\\n中文名稱" or the English name alone."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        number, column = header.index("Reg no."), header.index("Name")
        for row in reader:
            if len(row) > column:
                english, _, chinese = row[column].partition("\n")
                yield row[number].strip(), english.strip(), chinese.strip() or None


def read_hk_register(path: Path) -> Iterator[tuple[str, str]]:
    """(Chinese, English) from the HK index's bilingual rows."""
    for _, english, chinese in hk_register_rows(path):
        if chinese:
            yield chinese, english


def read_gleif(path: Path) -> Iterator[tuple[str, str]]:
    """(Chinese, English) from a GLEIF golden-copy CSV: each Han name with each Latin name."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            names = [v for k, v in row.items() if k and v and _GLEIF_NAME.match(k)]
            han = [n for n in names if detect_script(n) in ("han", "mixed")]
            latin = [n for n in names if detect_script(n) == "latin"]
            yield from ((h, e) for h in han for e in latin)


def word_pieces(pairs: Sequence[tuple[str, str]]) -> dict[str, int]:
    """What run-together words are split into: English name words by the number of names that
    have them, and the romanised syllables of the names' characters (as common as needed)."""
    counts = Counter(w for _, en in pairs for w in set(english_words(strip_dissolution(en)[0])))
    syllables = {r for zh, _ in pairs for c in set(zh) if is_han(c) for r in char_readings(c)}
    for syllable in syllables:
        counts[syllable] = max(counts[syllable], MIN_PIECE_COUNT)
    return {w: c for w, c in counts.items() if c >= MIN_PIECE_COUNT and w.isalpha()}


def to_units(pairs: Iterable[tuple[str, str]], pieces: dict[str, int]) -> list[Pair]:
    units = [
        (chinese_units(zh), with_fragments(parse_english_company(en).words, pieces))
        for zh, en in pairs
    ]
    return [(zh, en) for zh, en in units if zh and en]


def ibm_model_1(pairs: Sequence[Pair], iterations: int) -> Table:
    """t[source][target] = P(target | source), with a NULL source for unexplained targets."""
    targets = {t for _, ts in pairs for t in ts}
    uniform = 1.0 / max(1, len(targets))
    table: Table = defaultdict(dict)
    for _ in range(iterations):
        counts: Table = defaultdict(lambda: defaultdict(float))
        for sources, target_words in pairs:
            options = (_NULL, *sources)
            for target in target_words:
                weights = [table[s].get(target, uniform) if table else uniform for s in options]
                total = sum(weights)
                for source, weight in zip(options, weights, strict=True):
                    counts[source][target] += weight / total
        table = defaultdict(dict)
        for source, row in counts.items():
            norm = sum(row.values())
            table[source] = {t: c / norm for t, c in row.items()}
    return table


def associations(
    pairs: Sequence[Pair], iterations: int, floor: float, min_count: int = 1
) -> list[Row]:
    """(Chinese unit, English unit, P(en|zh), P(zh|en), association) for each kept pair.

    The NULL unit is written as `NULL_UNIT`: it carries the probabilities of units that are left
    unexplained, which scoring needs. Pairs seen together fewer than `min_count` times are
    dropped as noise.
    """
    forward = ibm_model_1(pairs, iterations)
    backward = ibm_model_1([(en, zh) for zh, en in pairs], iterations)
    cooccur = Counter((z, e) for zh, en in pairs for z in zh for e in en)
    found = []
    for unit, row in forward.items():
        for word, p_word in row.items():
            p_unit = backward.get(word, {}).get(unit, 0.0)
            value = math.sqrt(p_word * p_unit)
            keep = max(p_word, p_unit) >= floor and cooccur[(unit, word)] >= min_count
            if keep or (not unit and p_word >= floor):
                found.append((unit or NULL_UNIT, word, p_word, p_unit, value))
    found += [
        (NULL_UNIT, f"{NULL_UNIT}{u}", 0.0, p, 0.0)
        for u, p in backward[_NULL].items()
        if p >= floor
    ]
    return sorted(found, key=lambda r: (r[0], -r[4], -r[2]))


def write_lexicon(out: Path, rows: list[Row], provenance: list[str]) -> None:
    with out.open("w", encoding="utf-8") as handle:
        handle.writelines(f"# {line}\n" for line in provenance)
        handle.write("chinese\tenglish\tp_english\tp_chinese\tassociation\n")
        handle.writelines(f"{u}\t{w}\t{f:.4g}\t{b:.4g}\t{v:.4f}\n" for u, w, f, b, v in rows)


def write_pieces(out: Path, pieces: dict[str, int], provenance: list[str]) -> None:
    with out.open("w", encoding="utf-8") as handle:
        handle.writelines(f"# {line}\n" for line in provenance)
        handle.write("piece\tcount\n")
        handle.writelines(f"{w}\t{c}\n" for w, c in sorted(pieces.items()))


def write_frequencies(out: Path, pairs: Sequence[Pair], provenance: list[str]) -> None:
    frequency = Counter(w for _, en in pairs for w in set(en))
    with out.open("w", encoding="utf-8") as handle:
        handle.writelines(f"# {line}\n" for line in provenance)
        handle.write(f"# documents: {len(pairs)}\nenglish\tcount\n")
        handle.writelines(f"{w}\t{c}\n" for w, c in sorted(frequency.items()) if c >= 2)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--hk", type=Path, action="append", default=[])
    parser.add_argument("--gleif", type=Path, action="append", default=[])
    parser.add_argument("--iterations", type=int, default=4)
    parser.add_argument("--floor", type=float, default=0.005)
    parser.add_argument("--min-count", type=int, default=1)
    args = parser.parse_args(argv)
    raw = [p for path in args.hk for p in read_hk_register(path)]
    raw += [p for path in args.gleif for p in read_gleif(path)]
    pieces = word_pieces(raw)
    pairs = to_units(raw, pieces)
    rows = associations(pairs, args.iterations, args.floor, args.min_count)
    command = " ".join(sys.argv[1:] if argv is None else argv)
    provenance = [
        "Learned bilingual lexicon for oad name matching (association in [0, 1]).",
        f"Learned from: {', '.join(str(p) for p in [*args.hk, *args.gleif])} ({len(pairs)} pairs)",
        f"Command: python -m matching.names.learn_lexicon {command}",
        f"Date: {datetime.date.today().isoformat()}",
        "Method: IBM Model 1 both directions; association = sqrt(P(en|zh) * P(zh|en)).",
        f"Rows with Chinese {NULL_UNIT}: probabilities of the empty unit (unexplained words).",
        "Licence: derived facts from public registers; this file Apache-2.0 as the project.",
    ]
    write_lexicon(args.out, rows, provenance)
    write_frequencies(args.out.with_name(FREQUENCY_FILE), pairs, provenance)
    write_pieces(args.out.with_name(PIECES_FILE), pieces, provenance)
    print(f"{len(pairs)} pairs, {len(rows)} associations → {args.out}")


if __name__ == "__main__":
    main()
