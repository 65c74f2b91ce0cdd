"""A debtor's related persons (the debtor file's 法定代表人, shareholders, guarantors...) found
among the person records, so that leads can start from them as from the debtor's own matches.

The debtor file gives a related person's name and role, nothing more: the records are found by
name alone (the names module's blocking keys, then its person similarity), and the certainty of
that hop is the name score times a fixed name-only weight (data/leads/related_persons.yml).
Matched against the record features of the last `oad match`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

import duckdb
import pyarrow as pa

from matching.name_features import entity_name_features
from matching.names import person_similarity
from pipelines.resources import read_yaml
from pipelines.store import insert_arrow, transaction

MAX_CANDIDATES = 50  # per related person, the records sharing its strongest name keys

_CANDIDATES = """
SELECT k.person_name, f.source, f.entity_id AS source_id, any_value(f.names) AS names,
       max(k.weight) AS weight
FROM related_keys k
JOIN (SELECT source, entity_id, names, unnest(block_keys) AS key FROM features
      WHERE side = 'record' AND kind IN ('person', 'unknown')) f USING (key)
JOIN records r ON r.source = f.source AND r.source_id = f.entity_id AND r.removed_at IS NULL
GROUP BY k.person_name, f.source, f.entity_id
QUALIFY row_number() OVER (PARTITION BY k.person_name
                           ORDER BY max(k.weight) DESC, f.source, f.entity_id) <= $most
"""

_WRITE = """
INSERT INTO related_matches
SELECT p.debtor_id, p.person_name, p.person_role, p.role_label, s.source, s.source_id,
       s.record_name, s.name_score, s.name_score * $weight,
       p.person_name || ' (' || p.role_label || ', named in the debtor file) found by name as '
           || s.record_name || ': name score ' || round(s.name_score, 2)::VARCHAR
           || ', times ' || $weight::VARCHAR || ' for a name alone',
       $now
FROM related_people p JOIN related_scores s USING (person_name)
"""


@dataclass(frozen=True)
class RelatedRules:
    min_name_score: float
    name_only_weight: float
    per_person: int
    roles: dict[str, str]

    def label(self, role: str) -> str:
        return self.roles.get(role.strip(), role.strip() or "related person")


@cache
def load_rules() -> RelatedRules:
    data = read_yaml("leads", "related_persons.yml")
    return RelatedRules(
        float(data["min_name_score"]), float(data["name_only_weight"]), int(data["per_person"]),
        {str(word): str(label) for word, label in data["roles"].items()},
    )  # fmt: skip


@dataclass(frozen=True)
class RelatedCounts:
    persons: int
    matched_persons: int
    matches: int

    def summary(self) -> str:
        return (
            f"{self.matches} records for {self.matched_persons} of {self.persons} related persons"
        )


def match_related_persons(
    con: duckdb.DuckDBPyConnection, rules: RelatedRules | None = None
) -> RelatedCounts:
    """Rebuild `related_matches` from the debtors' related persons, in one transaction of its
    own (CON must not be inside one)."""
    rules = rules or load_rules()
    people = related_people(con, rules)
    names = sorted(set(people.column("person_name").to_pylist()))
    scores = _scores(con, names, rules)
    with transaction(con):
        con.execute("DELETE FROM related_matches")
        con.register("related_people", people)
        try:
            now = con.execute("SELECT current_timestamp::TIMESTAMP").fetchall()[0][0]
            insert_arrow(
                con, "related_scores", scores, _WRITE,
                {"weight": rules.name_only_weight, "now": now},
            )  # fmt: skip
        finally:
            con.unregister("related_people")
    found = con.execute(
        "SELECT count(DISTINCT (debtor_id, person_name)), count(*) FROM related_matches"
    ).fetchall()[0]
    return RelatedCounts(people.num_rows, int(found[0]), int(found[1]))


def related_people(con: duckdb.DuckDBPyConnection, rules: RelatedRules) -> pa.Table:
    """One row per debtor and related person (a name given twice for one debtor counts once)."""
    rows = con.execute(
        "SELECT debtor_id, related_persons::VARCHAR FROM debtors"
        " WHERE json_array_length(related_persons) > 0 ORDER BY debtor_id"
    ).fetchall()
    seen: dict[tuple[str, str], str] = {}
    for debtor_id, persons in rows:
        for person in json.loads(persons):
            name = str(person.get("name") or "").strip()
            if name:
                seen.setdefault((debtor_id, name), str(person.get("role") or "").strip())
    return pa.table(
        {
            "debtor_id": [debtor for debtor, _ in seen],
            "person_name": [name for _, name in seen],
            "person_role": list(seen.values()),
            "role_label": [rules.label(role) for role in seen.values()],
        }
    )


def _scores(con: duckdb.DuckDBPyConnection, names: list[str], rules: RelatedRules) -> pa.Table:
    """The best-agreeing person records for each related person's name."""
    candidates = _candidates(con, names) if names else []  # none: no scan of every key
    scored: dict[str, list[tuple[float, str, str, str]]] = {}
    for person_name, source, source_id, record_names, _weight in candidates:
        score, record_name = max(
            (person_similarity(person_name, name).score, name) for name in record_names
        )
        if score >= rules.min_name_score:
            scored.setdefault(person_name, []).append((score, source, source_id, record_name))
    rows = []
    for name, found in scored.items():
        best = sorted(found, reverse=True)[: rules.per_person]
        rows += [
            (name, source, key, record_name, score) for score, source, key, record_name in best
        ]
    columns = ("person_name", "source", "source_id", "record_name", "name_score")
    return pa.table(
        {column: [row[i] for row in rows] for i, column in enumerate(columns)},
        schema=pa.schema(
            [(column, pa.float64() if column == "name_score" else pa.string())
             for column in columns]
        ),
    )  # fmt: skip


def _candidates(con: duckdb.DuckDBPyConnection, names: list[str]) -> list[tuple[Any, ...]]:
    con.register("related_keys", _name_keys(names))
    try:
        return con.execute(_CANDIDATES, {"most": MAX_CANDIDATES}).fetchall()
    finally:
        con.unregister("related_keys")


def _name_keys(names: list[str]) -> pa.Table:
    rows = [
        (name, key, weight)
        for name in names
        for key, weight in entity_name_features("person", [name]).block_keys.items()
    ]
    return pa.table(
        {
            "person_name": pa.array([row[0] for row in rows], pa.string()),
            "key": pa.array([row[1] for row in rows], pa.string()),
            "weight": pa.array([row[2] for row in rows], pa.float64()),
        }
    )
