"""Resolve the same company across sources into `entity_links`: first by registration number
within a jurisdiction, then by Latin name within a jurisdiction with a Splink model."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from matching.entities import name_model
from matching.entities.keys import record_keys
from pipelines.store import insert_arrow, transaction

REGISTRATION_VERSION = "entities-registration-1"
# A shared registration number in one jurisdiction is near proof; names that also agree make
# it closer still. Names that do not may be a renamed company or a mistyped number.
REGISTRATION_P_NAMES_AGREE = 0.99
REGISTRATION_P_NAMES_DIFFER = 0.9
MIN_NAME_PROBABILITY = 0.5
# A name word held by more records than this in a jurisdiction ("holdings", "international")
# blocks no pairs, unless it is a name's rarest word: common words would pair nearly everything.
MAX_WORD_RECORDS = 500

# Names agree when their word sets mostly overlap (the name model's 'overlap' level or better).
_NAMES_AGREE = (
    "(a.name_key = b.name_key OR len(list_intersect(a.name_words, b.name_words))"
    " >= 0.6 * greatest(len(a.name_words), len(b.name_words)))"
)

_REGISTRATION_LINKS = f"""
INSERT INTO entity_links_found
SELECT a.source, a.source_id, b.source, b.source_id, 'registration_number',
       CASE WHEN coalesce({_NAMES_AGREE}, false) THEN $agree ELSE $differ END,
       a.jurisdiction,
       json_object('registration_key', a.registration_key,
                   'registration_numbers', [a.registration_number, b.registration_number],
                   'jurisdictions', [a.published_jurisdiction, b.published_jurisdiction],
                   'names', [a.name, b.name],
                   'names_agree', coalesce({_NAMES_AGREE}, false)),
       $version, $now
FROM entity_keys a
JOIN entity_keys b
  ON a.jurisdiction = b.jurisdiction AND a.registration_key = b.registration_key
 AND a.source < b.source
"""

# Pairs the name model scores: the same jurisdiction, a shared (not too common) name word,
# different sources, and not both with a registration key (there, the numbers decide: equal
# ones are linked above, different ones are different companies).
_NAME_PAIRS = """
WITH words AS (
    SELECT source, source_id, jurisdiction, unnest(name_words) AS word
    FROM entity_keys WHERE jurisdiction IS NOT NULL AND name_words IS NOT NULL
), counted AS (
    SELECT *, count(*) OVER (PARTITION BY jurisdiction, word) AS records FROM words
), blocking AS (
    SELECT source, source_id, jurisdiction, word FROM counted
    QUALIFY records <= $max_records
         OR row_number() OVER (PARTITION BY source, source_id ORDER BY records, word) = 1
)
SELECT DISTINCT a.source AS source_l, a.source_id AS id_l, b.source AS source_r, b.source_id AS id_r
FROM blocking a
JOIN blocking b ON a.jurisdiction = b.jurisdiction AND a.word = b.word AND a.source < b.source
JOIN entity_keys ka ON ka.source = a.source AND ka.source_id = a.source_id
JOIN entity_keys kb ON kb.source = b.source AND kb.source_id = b.source_id
WHERE ka.registration_key IS NULL OR kb.registration_key IS NULL
ORDER BY ALL
"""

_NAME_LINKS = """
INSERT INTO entity_links_found
SELECT a.source, a.source_id, b.source, b.source_id, 'name', s.match_probability,
       a.jurisdiction,
       json_object('names', [a.name, b.name], 'name_keys', [a.name_key, b.name_key],
                   'jurisdictions', [a.published_jurisdiction, b.published_jurisdiction],
                   'match_weight', round(s.match_weight, 3), 'comparisons', s.comparisons::JSON),
       $version, $now
FROM name_scores s
JOIN entity_keys a ON a.source = least(s.source_l, s.source_r)
 AND a.source_id = CASE WHEN s.source_l < s.source_r THEN s.id_l ELSE s.id_r END
JOIN entity_keys b ON b.source = greatest(s.source_l, s.source_r)
 AND b.source_id = CASE WHEN s.source_l < s.source_r THEN s.id_r ELSE s.id_l END
WHERE s.match_probability >= $min_probability
"""


# The links found replace the table's, but a link found again as it was (the same pair, method,
# probability, jurisdiction, explanation and model) keeps its row and its resolved_at: a walk
# reads that time as the link's, and a rebuild of the same records changes nothing.
_SAME_LINK = """
a.source_a = b.source_a AND a.id_a = b.id_a AND a.source_b = b.source_b AND a.id_b = b.id_b
AND a.method = b.method AND a.probability = b.probability AND a.jurisdiction = b.jurisdiction
AND a.explanation::VARCHAR = b.explanation::VARCHAR AND a.model_version = b.model_version
"""
_REPLACE_LINKS = (
    f"DELETE FROM entity_links a WHERE NOT EXISTS (SELECT 1 FROM entity_links_found b"
    f" WHERE {_SAME_LINK})",
    f"INSERT INTO entity_links SELECT * FROM entity_links_found a WHERE NOT EXISTS"
    f" (SELECT 1 FROM entity_links b WHERE {_SAME_LINK})",
)


@dataclass(frozen=True)
class ResolutionCounts:
    companies: int  # live company records read
    with_jurisdiction: int  # of which a jurisdiction code was found
    with_registration_key: int  # of which a registration key was made
    registration_links: int
    name_pairs: int  # candidate pairs the name model scored
    name_links: int  # of which at least min_name_probability
    name_model_version: str | None  # None when there was no pair to score


def resolve_entities(
    con: duckdb.DuckDBPyConnection, min_name_probability: float = MIN_NAME_PROBABILITY
) -> ResolutionCounts:
    """Rebuild `entity_links` from the live company records of the store on CON, in one
    transaction (CON must not be inside one already).

    1. Registration number: records of different sources whose jurisdictions fold to one ISO
       code (jurisdiction_code) and whose numbers give one key (registration_key) are linked
       with probability REGISTRATION_P_NAMES_AGREE, or REGISTRATION_P_NAMES_DIFFER when their
       names do not agree (method 'registration_number').
    2. Name: other pairs of different sources in one jurisdiction sharing a name word, at
       least one without a registration key, are scored by a Splink model on the Latin name's
       content words, legal form and incorporation year (matching/entities/name_model.py); those
       of at least MIN_NAME_PROBABILITY are linked (method 'name'). Its model_version says
       whether fixed parameters or EM-trained ones were used.

    Each link's explanation JSON says what agreed. A rebuild over the same records gives the
    same links, and keeps the rows (and resolved_at) of links found again as they were."""
    with transaction(con):
        return relink_entities(con, min_name_probability)


def relink_entities(
    con: duckdb.DuckDBPyConnection,
    min_name_probability: float = MIN_NAME_PROBABILITY,
    changed_records: str | None = None,
) -> ResolutionCounts:
    """resolve_entities within the caller's transaction (its working tables are temporary: a
    rollback takes them too). The keys of each company record are kept in `entity_keys`;
    CHANGED_RECORDS names a table (a trusted identifier) of (source, source_id): only those
    records' keys are made again, the others' read as the last resolution left them. None makes
    every key again. The links are then found from every key, as a whole resolution finds them."""
    _refresh_keys(con, changed_records)
    keys = con.sql("SELECT * FROM entity_keys ORDER BY source, source_id").to_arrow_table()
    pairs = con.sql(_NAME_PAIRS, params={"max_records": MAX_WORD_RECORDS}).to_arrow_table()
    scores, version = _score_names(keys, pairs)
    now = con.execute("SELECT current_timestamp::TIMESTAMP").fetchall()[0][0]
    con.execute("CREATE OR REPLACE TEMP TABLE entity_links_found AS FROM entity_links LIMIT 0")
    con.execute(
        _REGISTRATION_LINKS,
        {
            "agree": REGISTRATION_P_NAMES_AGREE,
            "differ": REGISTRATION_P_NAMES_DIFFER,
            "version": REGISTRATION_VERSION,
            "now": now,
        },
    )
    by_number = _count(con, "registration_number")
    if scores is not None and version is not None:
        insert_arrow(
            con,
            "name_scores",
            scores,
            _NAME_LINKS,
            {"version": version, "now": now, "min_probability": min_name_probability},
        )
    by_name = _count(con, "name")
    for statement in _REPLACE_LINKS:
        con.execute(statement)
    con.execute("DROP TABLE temp.entity_links_found")
    return ResolutionCounts(
        companies=keys.num_rows,
        with_jurisdiction=keys.num_rows - keys.column("jurisdiction").null_count,
        with_registration_key=keys.num_rows - keys.column("registration_key").null_count,
        registration_links=by_number,
        name_pairs=pairs.num_rows,
        name_links=by_name,
        name_model_version=version,
    )


def _refresh_keys(con: duckdb.DuckDBPyConnection, changed_records: str | None) -> None:
    if changed_records is None:
        con.execute("DELETE FROM entity_keys")
    else:
        con.execute(
            f"DELETE FROM entity_keys k USING {changed_records} c"  # a trusted name
            " WHERE c.source = k.source AND c.source_id = k.source_id"
        )
    made = record_keys(con, changed_records)
    insert_arrow(con, "keys_in", made, "INSERT INTO entity_keys BY NAME SELECT * FROM keys_in")


def _score_names(keys: pa.Table, pairs: pa.Table) -> tuple[pa.Table | None, str | None]:
    if not pairs.num_rows:
        return None, None
    candidates = keys.select(
        [
            "source",
            "source_id",
            "jurisdiction",
            "name_key",
            "name_words",
            "legal_form",
            "incorporation_year",
        ]
    ).rename_columns(
        [
            "source",
            name_model.UNIQUE_ID,
            "jurisdiction",
            "name_key",
            "name_words",
            "legal_form",
            "incorporation_year",
        ]
    )
    splink_con = name_model.splink_connection(candidates)
    try:
        splink_con.execute(
            "ALTER TABLE candidates ADD COLUMN first_word VARCHAR;"
            " UPDATE candidates SET first_word = name_words[1]"
        )
        model = name_model.fit(splink_con, pairs.num_rows)
        return name_model.score(splink_con, model, pairs), model.version
    finally:
        splink_con.close()


def _count(con: duckdb.DuckDBPyConnection, method: str) -> int:
    found = con.execute(
        "SELECT count(*) FROM entity_links_found WHERE method = ?", [method]
    ).fetchall()
    return int(found[0][0])
