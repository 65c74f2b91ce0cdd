"""The features table: what matching compares, per debtor and per live record, kept incremental.

A row is recomputed only when what it is derived from changed: its content hash (which for a
record also covers the names of its officers and owners) or the way features are derived (the
word lists and lexicons in data/, and DERIVATION below).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

import duckdb
import pyarrow as pa

from matching.engine import DUCKDB, Engine
from matching.name_features import entity_name_features
from matching.places import city_key, country_code
from matching.search_index import refresh_search_index
from pipelines.identifiers import check_identifier, check_lei
from pipelines.processes import in_processes, worker_count
from pipelines.progress import QUIET, Progress
from pipelines.resources import fingerprint
from pipelines.store import Store, insert_arrow, memory_released

BATCH = int(os.environ.get("OAD_FEATURE_BATCH") or 20_000)  # rows a worker takes at a time
# Raise when feature code changes what it derives from the same input, so every row is redone.
DERIVATION = 5
DERIVED_FROM = ("names", "places")  # data folders whose files shape the features
Result = TypeVar("Result")
# one encoder for every row: json.dumps with options makes a new one each call (half its time)
_JSON = json.JSONEncoder(ensure_ascii=False)
IdentifierFn = Callable[[object], list[str]]

# Both sides' rows have the same columns, in the order arrow_feature_batch unpacks them.
_DEBTOR_ROWS = """
    SELECT debtor_id AS entity_id, 'debtors' AS source, kind,
           list_prepend(name, coalesce(alt_names, [])) AS names,
           strftime(birth_date, '%Y-%m-%d') AS birth, nationality, NULL AS residence,
           'CN' AS jurisdiction, address, NULL AS incorporated,
           list_filter([CASE WHEN id_valid AND id_type = 'uscc' THEN 'uscc:' || id_number END,
                        CASE WHEN id_valid AND id_type = 'ric' THEN 'ric:' || id_number END,
                        CASE WHEN lei IS NOT NULL THEN 'lei:' || lei END],
                       lambda x: x IS NOT NULL) AS raw_ids,
           coalesce(json_extract_string(related_persons, '$[*].name'), []) AS related,
           content_hash
    FROM debtors
"""
_RECORD_ROWS = """
    WITH related AS (
        SELECT r.object_source AS source, r.object_id AS source_id,
               list_sort(list_distinct(list(p.name))) AS names
        FROM relationships r
        JOIN records p ON p.source = r.subject_source AND p.source_id = r.subject_id
        WHERE r.removed_at IS NULL AND r.object_type = 'record' GROUP BY ALL
    )
    SELECT rec.source_id AS entity_id, rec.source, rec.kind,
           list_prepend(rec.name, coalesce(rec.alt_names, [])) AS names,
           rec.birth_date AS birth, rec.nationality, rec.country_of_residence AS residence,
           rec.jurisdiction, rec.address,
           strftime(rec.incorporation_date, '%Y-%m-%d') AS incorporated,
           list_filter([rec.registration_number, rec.source_id], lambda x: x IS NOT NULL)
               AS raw_ids,
           coalesce(related.names, []) AS related,
           md5(rec.content_hash::VARCHAR
               || coalesce(array_to_string(related.names, chr(31)), ''))
               AS content_hash
    FROM records rec LEFT JOIN related USING (source, source_id)
    WHERE rec.removed_at IS NULL
"""


@dataclass(frozen=True)
class FeatureCounts:
    computed: int  # new or changed
    unchanged: int
    deleted: int  # changed (then computed again) or gone


def refresh_features(
    store: Store, progress: Progress = QUIET, engine: Engine = DUCKDB
) -> dict[str, FeatureCounts]:
    """Bring the features table, and the search index made from it, up to date with debtors and
    live records, in one transaction; the rows to compute are computed on ENGINE."""
    with store.transaction() as con:
        counts = {
            side: _refresh_side(con, side, rows_sql, identifiers, progress, engine)
            for side, rows_sql, identifiers in (
                ("debtor", _DEBTOR_ROWS, _debtor_identifiers),
                ("record", _RECORD_ROWS, _record_identifiers),
            )
        }
        refresh_search_index(con)  # the search keys of the entities just computed again
        return counts


def _refresh_side(
    con: duckdb.DuckDBPyConnection,
    side: str,
    rows_sql: str,
    identifiers: IdentifierFn,
    progress: Progress,
    engine: Engine,
) -> FeatureCounts:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE feature_input AS SELECT * REPLACE"
        f" (md5(content_hash || $derivation) AS content_hash) FROM ({rows_sql})",
        {"derivation": derivation()},
    )
    deleted = con.execute(
        "DELETE FROM features f WHERE side = ? AND NOT EXISTS (SELECT 1 FROM feature_input i"
        " WHERE i.entity_id = f.entity_id AND i.source = f.source"
        " AND i.content_hash = f.content_hash) RETURNING 1",
        [side],
    ).fetchall()
    # numbered, and read a batch at a time: held whole in Python, five million records'
    # input took gigabytes beside the store's own memory
    con.execute(
        "CREATE OR REPLACE TEMP TABLE feature_stale AS"
        " SELECT row_number() OVER () AS stale_row, * FROM feature_input i WHERE NOT EXISTS"
        " (SELECT 1 FROM features f WHERE f.side = ? AND f.entity_id = i.entity_id"
        " AND f.source = i.source)",
        [side],
    )
    stale = con.execute("SELECT count(*) FROM feature_stale").fetchall()[0][0]
    total = con.execute("SELECT count(*) FROM feature_input").fetchall()[0][0]
    con.execute("DROP TABLE feature_input")  # a full run's stale rows are all of it again
    computed = 0
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    progress.stage(f"names and keys of {side}s", stale)
    with memory_released(con):  # the workers' name caches take the memory meanwhile
        for table in _computed(con, side, stale, identifiers, now, engine):
            insert_arrow(
                con,
                "feature_batch",
                table,
                "INSERT INTO features BY NAME SELECT * FROM feature_batch",
            )
            computed += table.num_rows
            progress.update(computed)
    con.execute("DROP TABLE feature_stale")
    return FeatureCounts(computed, int(total) - computed, len(deleted))


@cache
def derivation() -> str:
    """A fingerprint of how features are derived: the code's DERIVATION and the data files."""
    return fingerprint(*DERIVED_FROM, salt=str(DERIVATION)).hexdigest()[:16]


def _computed(
    con: duckdb.DuckDBPyConnection,
    side: str,
    stale: int,
    identifiers: IdentifierFn,
    now: dt.datetime,
    engine: Engine,
) -> Iterator[pa.Table]:
    """Feature batches of the STALE rows of feature_stale; on DuckDB, in their order, with
    many rows spread over worker processes; on Spark, as a Spark job."""
    if engine.on_spark:
        from matching.spark_features import spark_feature_tables
        from matching.spark_session import spark_session

        session = spark_session(engine.spark_master)
        rows = con.sql(f"SELECT {_INPUT} FROM feature_stale ORDER BY stale_row").to_arrow_table()
        yield from spark_feature_tables(session, side, rows, identifiers, now)
        return
    calls = ((side, rows, identifiers, now) for rows in _batches(con, stale))
    # fewer than four batches: not worth starting processes for
    workers = worker_count() if stale >= 4 * BATCH else 1
    if workers <= 1:
        yield from (arrow_feature_batch(*call) for call in calls)
        return
    yield from in_processes(arrow_feature_batch, calls, workers)


_INPUT = "* EXCLUDE (stale_row)"


def _batches(con: duckdb.DuckDBPyConnection, stale: int) -> Iterator[pa.Table]:
    """feature_stale's rows, BATCH at a time (each read whole before the next insert), as
    Arrow: made into Python values by the worker, not by this process, which the workers
    otherwise wait on."""
    for start in range(0, stale, BATCH):
        yield con.sql(
            f"SELECT {_INPUT} FROM feature_stale WHERE stale_row > ? AND stale_row <= ?"
            " ORDER BY stale_row",
            params=[start, start + BATCH],
        ).to_arrow_table()


def arrow_feature_batch(
    side: str, rows: pa.Table | pa.RecordBatch, identifiers: IdentifierFn, now: dt.datetime
) -> pa.Table:
    """The features of ROWS (the input columns, in their order): the names' keys name by name,
    the other columns a column at a time (places and dates repeat: each value is looked up
    once), and what passes through unchanged straight from Arrow."""
    (entity_id, source, kind, names, birth, nationality, residence, jurisdiction, address,
     incorporated, raw_ids, related, digest) = rows.columns  # fmt: skip
    name_lists = [[n for n in _as_list(found) if n] for found in names.to_pylist()]
    name_features = [entity_name_features(str(k), n)
                     for k, n in zip(kind.to_pylist(), name_lists, strict=True)]  # fmt: skip
    births = _each_once(_year_month, birth)
    columns: dict[str, object] = {
        "side": pa.array([side] * rows.num_rows, pa.string()),
        "source": source, "entity_id": entity_id, "content_hash": digest, "kind": kind,
        "names": name_lists,
        "name_keys": [_JSON.encode(f.keys) for f in name_features],
        "block_keys": [list(f.block_keys) for f in name_features],
        "block_weights": [list(f.block_keys.values()) for f in name_features],
        "birth_year": [year for year, _ in births],
        "birth_month": [month for _, month in births],
        "nationality": _each_once(_country, nationality),
        "residence": _each_once(_country, residence),
        "jurisdiction": _each_once(_country, jurisdiction),
        "city": _each_once(_city, address),
        "incorporation_year": [year for year, _ in _each_once(_year_month, incorporated)],
        "identifiers": [identifiers(found) for found in raw_ids.to_pylist()],
        "related_names": [[n for n in _as_list(found) if n] for found in related.to_pylist()],
        "computed_at": pa.array([now] * rows.num_rows, pa.timestamp("us")),
    }  # fmt: skip
    return pa.Table.from_arrays(
        [_column(columns[field.name], field.type) for field in FEATURE_SCHEMA],
        schema=FEATURE_SCHEMA,
    )


def _each_once(derive: Callable[[object], Result], column: pa.Array | pa.ChunkedArray
               ) -> list[Result]:  # fmt: skip
    """DERIVE of each value of COLUMN, worked out once per distinct value."""
    values = column.to_pylist()
    derived = {value: derive(value) for value in set(values)}
    return [derived[value] for value in values]


def _column(values: object, kind: pa.DataType) -> pa.Array | pa.ChunkedArray:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values.cast(kind)
    return pa.array(values, kind)


def _country(value: object) -> str | None:
    return country_code(_text(value))


def _city(value: object) -> str | None:
    return city_key(_text(value))


# the features table's columns, as a batch holds them
FEATURE_SCHEMA = pa.schema(
    [
        ("side", pa.string()), ("source", pa.string()), ("entity_id", pa.string()),
        ("content_hash", pa.string()), ("kind", pa.string()), ("names", pa.list_(pa.string())),
        ("name_keys", pa.string()), ("block_keys", pa.list_(pa.string())),
        ("block_weights", pa.list_(pa.float64())), ("birth_year", pa.int64()),
        ("birth_month", pa.int64()), ("nationality", pa.string()), ("residence", pa.string()),
        ("jurisdiction", pa.string()), ("city", pa.string()),
        ("incorporation_year", pa.int64()), ("identifiers", pa.list_(pa.string())),
        ("related_names", pa.list_(pa.string())), ("computed_at", pa.timestamp("us")),
    ]
)  # fmt: skip


def _text(value: object) -> str | None:
    return str(value) if value else None


def _year_month(value: object) -> tuple[int | None, int | None]:
    text = str(value or "")
    year = int(text[:4]) if text[:4].isdigit() else None
    month = int(text[5:7]) if len(text) >= 7 and text[5:7].isdigit() else None
    return year, month


def _as_list(raw: object) -> list[str]:
    return [str(x) for x in raw] if isinstance(raw, list | tuple) else []


def _debtor_identifiers(raw: object) -> list[str]:
    return _as_list(raw)


def _record_identifiers(raw: object) -> list[str]:
    """Identifiers a record's numbers prove: a USCC (GLEIF's registeredAs) or an LEI."""
    found: list[str] = []
    for text in _as_list(raw):
        if len(text.replace(" ", "").replace("-", "")) != 18 and len(text.strip()) != 20:
            continue
        check = check_identifier(text, "company")
        if check.valid and check.id_type == "uscc":
            found.append(f"uscc:{check.number}")
        lei, problem = check_lei(text)
        if len(lei) == 20 and problem is None:
            found.append(f"lei:{lei}")
    return sorted(set(found))
