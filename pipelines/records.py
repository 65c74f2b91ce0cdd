"""`oad records import`: a user's own file of foreign records, in the canonical record shape."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.columns import HeaderMap, load_spec, map_header
from pipelines.imports import (
    ImportCounts,
    Rejection,
    file_sha256,
    finish_crawl,
    start_crawl,
    write_rejections,
)
from pipelines.record_files import RAW_TABLE, LoadedFile, load_file, row_lines
from pipelines.store import Store
from pipelines.upsert import RECORDS, ensure_source, merge

COMPANY_WORDS = (
    r"(?i)\b(limited|ltd|inc|incorporated|llc|llp|lp|corp|corporation|company|co|plc|holdings?"
    r"|group|gmbh|s\.?a|b\.?v|n\.?v|pte|bhd|sdn|trust|foundation)\b|公司|集團|集团"
)
_DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%b-%Y", "%Y%m%d"]
_BIRTH_DATE = r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$"


def import_records(
    store: Store, path: Path, source: str, encoding: str | None = None, snapshot: bool = False
) -> ImportCounts:
    """Load one file into `records` under SOURCE, in one transaction."""
    spec = load_spec("records")
    with store.transaction() as con:
        loaded = load_file(con, path, encoding)
        header = map_header(str(path), loaded.header, spec)
        crawl_id = start_crawl(con, "records_import", str(path), source, file_sha256(path))
        ensure_source(con, source, origin="import")
        _stage(con, header, loaded, spec.kinds)
        rejections = loaded.rejections + _rejections(con, loaded)
        merged = merge(con, RECORDS, "staged_valid", source, crawl_id, snapshot)
        counts = ImportCounts(
            loaded=merged.new,
            updated=merged.changed,
            unchanged=merged.unchanged,
            rejected=len(rejections),
            removed=merged.removed,
            unused_columns=header.unused,
        )
        write_rejections(con, crawl_id, str(path), rejections)
        finish_crawl(con, crawl_id, counts)
        store.audit(
            "records import",
            {"file": str(path), "source": source, "crawl_id": crawl_id, **vars(counts)},
        )
        con.execute("DROP VIEW staged_valid")
        for table in ("staged_records", RAW_TABLE):
            con.execute(f"DROP TABLE {table}")
    return counts


def _col(header: HeaderMap, name: str) -> str:
    """A trusted SQL expression for one canonical column: its positional column, trimmed."""
    position = header.positions.get(name)
    return "NULL::VARCHAR" if position is None else f"nullif(trim(c{position}), '')"


def _stage(
    con: duckdb.DuckDBPyConnection, header: HeaderMap, loaded: LoadedFile, kinds: dict[str, str]
) -> None:
    """Canonical columns, the first problem of each row, its content hash and the raw row as JSON.

    One pass into one table; `staged_valid` is a view of the rows without a problem.
    """
    c = {name: _col(header, name) for name in load_spec("records").columns}
    raw_pairs = ", ".join(f"$k{i}, c{i}" for i in range(len(loaded.header)))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE staged_records AS
        WITH typed AS (
            SELECT rowid AS ordinal,
                {c["source_id"]} AS source_id,
                {c["name"]} AS name,
                lower(regexp_replace({c["kind"]}, '[\\s_\\-.]+', '', 'g')) AS kind_text,
                {c["alt_names"]} AS alt_names_text,
                {c["jurisdiction"]} AS jurisdiction,
                {c["registration_number"]} AS registration_number,
                {c["incorporation_date"]} AS incorporation_text,
                try_strptime({c["incorporation_date"]}, $date_formats)::DATE AS incorporation_date,
                {c["birth_date"]} AS birth_date,
                {c["nationality"]} AS nationality,
                {c["country_of_residence"]} AS country_of_residence,
                {c["address"]} AS address,
                json_object({raw_pairs}) AS raw
            FROM {RAW_TABLE}
        ), checked AS (
            SELECT *,
                CASE WHEN list_contains($company, kind_text) THEN 'company'
                     WHEN list_contains($person, kind_text) THEN 'person'
                     WHEN kind_text IS NOT NULL THEN NULL
                     WHEN regexp_matches(name, $company_words) THEN 'company'
                     ELSE 'unknown' END AS kind,
                CASE WHEN alt_names_text IS NULL THEN []::VARCHAR[]
                     WHEN starts_with(alt_names_text, '[') THEN
                          coalesce(try_cast(alt_names_text::JSON AS VARCHAR[]), [alt_names_text])
                     ELSE list_filter(
                            list_transform(regexp_split_to_array(alt_names_text, '[;；]'),
                                           lambda x: trim(x)),
                            lambda x: x <> '') END AS alt_names
            FROM typed
        )
        SELECT * EXCLUDE (kind_text, alt_names_text, incorporation_text),
            -- every canonical field is derived from the raw row, so its hash covers them all
            md5(raw::VARCHAR) AS content_hash,
            CASE WHEN source_id IS NULL
                    THEN {{'field': 'source_id', 'reason': 'source_id is empty'}}
                 WHEN name IS NULL THEN {{'field': 'name', 'reason': 'name is empty'}}
                 WHEN kind IS NULL
                    THEN {{'field': 'kind', 'reason': 'kind is neither company nor person'}}
                 WHEN incorporation_text IS NOT NULL AND incorporation_date IS NULL
                    THEN {{'field': 'incorporation_date', 'reason': 'not a date (YYYY-MM-DD)'}}
                 WHEN birth_date IS NOT NULL AND (NOT regexp_matches(birth_date, $birth)
                      OR (length(birth_date) = 10 AND try_strptime(birth_date, '%Y-%m-%d') IS NULL))
                    THEN {{'field': 'birth_date', 'reason': 'not YYYY-MM or YYYY-MM-DD'}}
                 END AS problem
        FROM checked
        """,
        {
            "date_formats": _DATE_FORMATS,
            "company": [k for k, v in kinds.items() if v == "company"],
            "person": [k for k, v in kinds.items() if v == "person"],
            "company_words": COMPANY_WORDS,
            "birth": _BIRTH_DATE,
            **{f"k{i}": name for i, name in enumerate(loaded.header)},
        },
    )
    _reject_duplicates(con)
    con.execute(
        "CREATE OR REPLACE TEMP VIEW staged_valid AS SELECT * EXCLUDE (ordinal, problem),"
        " NULL::VARCHAR AS source_url FROM staged_records WHERE problem IS NULL"
    )


def _reject_duplicates(con: duckdb.DuckDBPyConnection) -> None:
    """A source_id seen again after its first valid row is a rejected row."""
    duplicated = con.execute(
        "SELECT count(*) FROM (SELECT source_id FROM staged_records WHERE problem IS NULL"
        " GROUP BY source_id HAVING count(*) > 1)"
    ).fetchall()[0][0]
    if not duplicated:  # the usual case, settled by one cheap aggregate
        return
    con.execute(
        "UPDATE staged_records SET problem = {'field': 'source_id', 'reason':"
        " 'duplicate source_id in the file; the first row with it was loaded'}"
        " WHERE problem IS NULL AND ordinal NOT IN (SELECT min(ordinal) FROM staged_records"
        " WHERE problem IS NULL GROUP BY source_id)"
    )


def _rejections(con: duckdb.DuckDBPyConnection, loaded: LoadedFile) -> list[Rejection]:
    rows = con.execute(
        "SELECT ordinal, problem.field, problem.reason, raw::VARCHAR FROM staged_records"
        " WHERE problem IS NOT NULL ORDER BY ordinal"
    ).fetchall()
    if not rows:
        return []
    lines = row_lines(con, loaded)
    return [Rejection(lines[int(o)], field, reason, raw) for o, field, reason, raw in rows]
