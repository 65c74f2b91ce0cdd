"""Search debtors, records and assets by a name in any script or spelling, or by an identifier.

The query's keys (search_query.py) are looked up by equality in `search_keys`
(search_index.py); the entities sharing the most telling keys, a few hundred at most, are then
scored again by how alike their names are to the query (rapidfuzz), and the best come back with
the key that found them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import duckdb
from rapidfuzz import fuzz, process

from matching.kept import KeptTables
from matching.name_features import agreed_parts, company_score
from matching.names import person_keys
from matching.names.script import has_han
from matching.search_query import QueryKeys, company_core, query_keys, without_tones

CANDIDATES = 300  # entities re-scored by name, the best by shared keys
TRANSLATED = 50  # of which Han company names get the translation model against a Latin query
MIN_SCORE = 0.3
NAME_SHARE = 0.7  # of the score; the rest is how telling the shared keys are
KEY_FAMILIES = {
    "id": "identifier",
    "x": "the exact name",
    "p": "the full name in one spelling",
    "s": "surname and the start of the given name",
    "g": "the given name",
    "q": "surname and the given name's consonants",
    "v": "surname and the sounds of the given name's syllables",
    "n": "the name's syllables in any order",
    "c": "a word of the company name",
}

_CANDIDATES_SQL = """
    WITH query AS (SELECT unnest($keys::VARCHAR[]) AS key, unnest($weights::DOUBLE[]) AS qweight),
    hits AS (SELECT k.side, k.source, k.entity_id, k.key, k.weight * q.qweight AS weight
             FROM search_keys k JOIN query q USING (key) WHERE k.key IN ({placeholders})),
    -- a key many entities share tells less: weighed down by the log of how many
    telling AS (SELECT key, 1.0 / (1.0 + log10(count(*))) AS idf FROM hits GROUP BY key),
    scored AS (
        SELECT side, source, entity_id, sum(weight * idf) AS key_score,
               -- between keys as telling, an identifier or the exact name explains it best
               arg_max(key, weight * idf + CASE WHEN key[:2] IN ('id', 'x:') THEN 0.001
                                                ELSE 0 END) AS best_key
        FROM hits JOIN telling USING (key)
        GROUP BY ALL ORDER BY key_score DESC, side, source, entity_id LIMIT $candidates
    )
    SELECT side, source, entity_id, key_score, best_key FROM scored
"""
# the candidates' names, read apart: joined in the query above, every row of `features` had its
# names read (a hundred milliseconds at a million records). Read from the store or from its
# copy in memory (SEARCH_NAMES), where a server keeps them: the same tables either way.
_NAMES_SQL = """
    WITH wanted AS (SELECT unnest($sides::VARCHAR[]) AS side,
                           unnest($sources::VARCHAR[]) AS source,
                           unnest($ids::VARCHAR[]) AS entity_id),
    named AS (SELECT side, source, entity_id, names, name_keys, kind FROM features
              WHERE entity_id IN (SELECT unnest($ids::VARCHAR[]))),
    addressed AS (SELECT 'asset' AS side, source, asset_id AS entity_id, address FROM assets
                  WHERE asset_id IN (SELECT unnest($ids::VARCHAR[])))
    SELECT w.side, w.source, w.entity_id, coalesce(f.names, [a.address]), f.name_keys, f.kind
    FROM wanted w
    LEFT JOIN named f USING (side, source, entity_id)
    LEFT JOIN addressed a USING (side, source, entity_id)
"""


_NAMES_STATE = (
    "SELECT count(*), max(computed_at) FROM features",
    "SELECT count(*), sum(hash(source, asset_id, address)) FROM assets",
)


def _fill_names(store: duckdb.DuckDBPyConnection, memory: duckdb.DuckDBPyConnection) -> None:
    for table, columns in (
        ("features", "side, source, entity_id, names, name_keys, kind"),
        ("assets", "source, asset_id, address"),
    ):
        memory.register("copied", store.sql(f"SELECT {columns} FROM {table}").to_arrow_table())
        memory.execute(f"CREATE TABLE {table} AS SELECT * FROM copied")
        memory.unregister("copied")


SEARCH_NAMES = KeptTables(_NAMES_STATE, _fill_names)


@dataclass(frozen=True)
class Hit:
    kind: str  # 'debtor', 'record' or 'asset'
    source: str  # 'debtors' for a debtor
    id: str  # debtor id, record source id or asset id (a title number)
    names: tuple[str, ...]
    matched_key: str  # the index key that spoke most for it
    why: str
    score: float  # in [0, 1]


def search(
    con: duckdb.DuckDBPyConnection,
    query: str,
    limit: int = 20,
    names_from: duckdb.DuckDBPyConnection | None = None,
) -> list[Hit]:
    """The LIMIT entities best matching QUERY, best first; the candidates' names read from
    NAMES_FROM (a cursor of SEARCH_NAMES, kept by a server) or else from the store."""
    wanted = query_keys(query.strip()) if query.strip() else QueryKeys((), {})
    if not wanted.keys:
        return []
    keys = list(wanted.keys)
    sql = _CANDIDATES_SQL.format(placeholders=", ".join(f"$k{i}" for i in range(len(keys))))
    params: dict[str, Any] = {f"k{i}": key for i, key in enumerate(keys)}
    params.update(keys=keys, weights=list(wanted.keys.values()), candidates=CANDIDATES)
    found = con.execute(sql, params).fetchall()
    if not found:
        return []
    named = _names_of(names_from or con, found)
    rows = [row + named.get(row[:3], (None, None, None)) for row in found]
    best_keys = max(row[3] for row in rows)
    forms = _query_forms(wanted.spellings)
    latin_query = not any(has_han(s) for s in wanted.spellings)
    ranked = sorted(rows, key=lambda row: -row[3])
    hits = []
    for rank, (side, source, entity_id, key_score, best_key, names, name_keys, kind) in enumerate(
        ranked
    ):
        names = [n for n in names or [] if n]
        translate = latin_query and kind != "person" and rank < TRANSLATED
        alike, alike_name = _name_alike(forms, names, name_keys, translate)
        score = 1.0 if best_key.startswith("id:") else (
            NAME_SHARE * alike + (1 - NAME_SHARE) * key_score / best_keys
        )  # fmt: skip
        if score >= MIN_SCORE:
            why = _why(best_key, alike, alike_name)
            hits.append(Hit(side, source, entity_id, tuple(names), best_key, why, round(score, 3)))
    hits.sort(key=lambda hit: (-hit.score, hit.kind, hit.source, hit.id))
    return hits[:limit]


def _names_of(
    con: duckdb.DuckDBPyConnection, found: list[tuple[Any, ...]]
) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    """(side, source, id) -> (names, name keys, kind) of each entity FOUND."""
    columns = {"sides": [row[0] for row in found], "sources": [row[1] for row in found],
               "ids": [row[2] for row in found]}  # fmt: skip
    return {tuple(row[:3]): tuple(row[3:]) for row in con.execute(_NAMES_SQL, columns).fetchall()}


def warm_up() -> None:
    """Load what the first search of each kind, and the first explanation of a person's or a
    company's names, would load (name tables, the lexicon and the translation model: seconds),
    so that no user waits for it."""
    query_keys("许家印 Hui Ka Yan")
    company_score("安丰投资有限公司", "anfeng investment")
    agreed_parts("person", ["许家印"], ["HUI Ka Yan"])


def _query_forms(spellings: tuple[str, ...]) -> list[str]:
    forms: list[str] = []
    for spelling in spellings:
        forms += [spelling.lower(), company_core(spelling)]
        forms += sorted(person_keys(spelling).full_keys)
    return list(dict.fromkeys(f for f in forms if f))


def _name_alike(
    forms: list[str], names: list[str], name_keys: str | None, translate: bool
) -> tuple[float, str]:
    """How alike (0..1) the query is to the best of the entity's names, and that name."""
    choices: dict[str, str] = {}  # compared form -> the name it stands for
    for name in names:
        plain = without_tones(name).lower()
        choices.setdefault(plain, name)
        choices.setdefault(company_core(plain), name)
    for name, derived in (json.loads(name_keys) if name_keys else {}).items():
        for full in derived.get("full", []):
            choices.setdefault(full, name)
    best, best_name = 0.0, names[0] if names else ""
    for form in forms:
        found = process.extractOne(form, list(choices), scorer=fuzz.token_sort_ratio)
        if found and found[1] / 100 > best:
            best, best_name = found[1] / 100, choices[found[0]]
    if translate:
        for name in names:
            if has_han(name):
                for form in forms[:2]:
                    translated = company_score(name, form).score
                    if translated > best:
                        best, best_name = translated, name
    return best, best_name


def _why(key: str, alike: float, name: str) -> str:
    family, _, value = key.partition(":")
    found_by = f"{KEY_FAMILIES.get(family, family)} ({value})"
    if family == "id":
        return f"found by {found_by}"
    return f"found by {found_by}; best name {name!r}, {alike:.0%} alike"


# an IN list of constants: the review queue's copy in memory answers it from its index
_MATCHED_DEBTORS = """
SELECT source, source_id, arg_max(debtor_id, match_probability) FROM matches
WHERE source_id IN ({placeholders}) GROUP BY ALL
"""


def matched_debtors(con: duckdb.DuckDBPyConnection, hits: list[Hit]) -> dict[tuple[str, str], str]:
    """(source, id) of each record hit that is a candidate of a debtor -> that debtor (the one
    it matches best). CON reads `matches`: the store, or the review queue's copy in memory."""
    records = {(hit.source, hit.id) for hit in hits if hit.kind == "record"}
    if not records:
        return {}
    ids = sorted({source_id for _, source_id in records})
    sql = _MATCHED_DEBTORS.format(placeholders=", ".join(f"$i{n}" for n in range(len(ids))))
    found = con.execute(sql, {f"i{n}": source_id for n, source_id in enumerate(ids)}).fetchall()
    return {(s, k): debtor for s, k, debtor in found if (s, k) in records}
