"""`oad records import`: a user's own file of foreign records, in the canonical record shape."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import duckdb

from pipelines.columns import HeaderMap, load_spec, map_header
from pipelines.crawl_log import (
    ImportCounts,
    Rejection,
    file_sha256,
    finish_crawl,
    start_crawl,
    write_rejections,
)
from pipelines.payloads import payload_sql
from pipelines.record_files import (
    RAW_TABLE,
    LoadedFile,
    csv_parser_rejections,
    load_table,
    open_file,
    parser_refused_rows,
    reading,
    row_lines,
)
from pipelines.record_hashes import content_hash_sql, refresh_content_hashes
from pipelines.store import Store, Variables
from pipelines.upsert import RECORDS, MergeCounts, ensure_source, has_rows, insert_staged, merge

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
    variables = Variables(store.con)
    try:
        with (
            ThreadPoolExecutor(1) as beside,
            store.transaction() as con,
            open_file(con, path, encoding, variables) as loaded,
        ):
            digest = beside.submit(file_sha256, path)  # read beside the load
            refresh_content_hashes(con)
            header = map_header(str(path), loaded.header, spec)
            crawl_id = start_crawl(con, "records_import", str(path), source)
            ensure_source(con, source, origin="import")
            stage = partial(_stage, con, header, loaded, spec.kinds, variables)
            if has_rows(con, RECORDS, source):
                load_table(con, path, loaded)  # the merge reads the rows more than once
                stage()
                rejections = loaded.rejections + _screen(con, loaded)
                merged = merge(con, RECORDS, "staged_valid", source, crawl_id, snapshot)
            else:
                merged, rejections = _first_load(
                    con, path, loaded, stage, source, crawl_id, variables
                )
            counts = ImportCounts(
                loaded=merged.new,
                updated=merged.changed,
                unchanged=merged.unchanged,
                rejected=len(rejections),
                removed=merged.removed,
                unused_columns=header.unused,
            )
            write_rejections(con, crawl_id, str(path), rejections)
            finish_crawl(con, crawl_id, counts, digest.result())
            store.audit(
                "records import",
                {"file": str(path), "source": source, "crawl_id": crawl_id, **vars(counts)},
            )
            for view in ("staged_valid", "staged_records"):
                con.execute(f"DROP VIEW {view}")
            for table in ("staged_rejected", RAW_TABLE):
                con.execute(f"DROP TABLE IF EXISTS {table}")
    finally:
        variables.reset()  # after the transaction, which an error leaves unable to run anything
    return counts


def _first_load(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    loaded: LoadedFile,
    stage: Callable[[], None],
    source: str,
    crawl_id: int,
    variables: Variables,
) -> tuple[MergeCounts, list[Rejection]]:
    """A source's first load: its valid rows inserted in one pass over the file, then checked.

    The usual file has no rejected row and no source_id twice. The pass itself counts the rows
    it leaves out for a problem (in a sequence: the one counter a query can move as it runs),
    the reader lists the rows it refused, and one aggregate finds a repeated source_id. Only
    when one of them finds something is the file read again, to list the rejected rows and keep
    the first valid row of each source_id.
    """
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    stage()
    con.execute("CREATE TEMP SEQUENCE oad_left_out START 1")
    con.execute(
        _VALID + " WHERE CASE WHEN problem IS NULL THEN true"
        " ELSE nextval('oad_left_out') IS NULL END"
    )
    with reading(path, loaded.format), variables.unordered_writes():
        inserted = insert_staged(con, RECORDS, "staged_valid", source, now, crawl_id)
    left_out = con.execute("SELECT nextval('oad_left_out') > 1").fetchall()[0][0]
    con.execute("DROP SEQUENCE oad_left_out")
    # distinct hashes: cheaper to count, and a collision only sends the load the slower way
    repeated = con.execute(
        "SELECT count(*) > count(DISTINCT hash(source_id)) FROM records WHERE source = ?",
        [source],
    ).fetchall()[0][0]
    if not (left_out or repeated or parser_refused_rows(con, loaded)):
        csv_parser_rejections(con, loaded)
        return MergeCounts(inserted, 0, 0, 0), loaded.rejections
    load_table(con, path, loaded)
    stage()
    rejections = loaded.rejections + _screen(con, loaded)
    if repeated:
        inserted -= _keep_first_rows(con, source, now, crawl_id)
    return MergeCounts(inserted, 0, 0, 0), rejections


def _keep_first_rows(
    con: duckdb.DuckDBPyConnection, source: str, now: dt.datetime, crawl_id: int
) -> int:
    """Of a source_id inserted more than once, keep only its first valid row (the one the
    screened `staged_valid` holds); returns how many rows went."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE repeated_ids AS SELECT source_id FROM records"
        " WHERE source = ? GROUP BY source_id HAVING count(*) > 1",
        [source],
    )
    deleted = con.execute(
        "DELETE FROM records WHERE source = ?"
        " AND source_id IN (SELECT source_id FROM repeated_ids)",
        [source],
    ).fetchall()[0][0]
    kept = insert_staged(
        con, RECORDS, "staged_valid", source, now, crawl_id,
        " SEMI JOIN repeated_ids r ON r.source_id = s.source_id",
    )  # fmt: skip
    con.execute("DROP TABLE repeated_ids")
    return int(deleted) - kept


def _col(header: HeaderMap, name: str) -> str:
    """A trusted SQL expression for one canonical column: its positional column, trimmed."""
    position = header.positions.get(name)
    return "NULL::VARCHAR" if position is None else f"nullif(trim(c{position}), '')"


def _stage(
    con: duckdb.DuckDBPyConnection,
    header: HeaderMap,
    loaded: LoadedFile,
    kinds: dict[str, str],
    variables: Variables,
) -> None:
    """`staged_records`: a view of the raw table as canonical columns, with each row's first
    problem, its raw row as JSON (its non-empty cells) and the content hash.

    A view, not a table: the rows are computed as they are inserted into the store, so a load
    makes one pass over the file's rows instead of copying them into a staging table first.
    """
    variables.set("oad_raw_keys", loaded.header)
    variables.set("oad_company_kinds", [k for k, v in kinds.items() if v == "company"])
    variables.set("oad_person_kinds", [k for k, v in kinds.items() if v == "person"])
    variables.set("oad_company_words", COMPANY_WORDS)
    variables.set("oad_birth_date", _BIRTH_DATE)
    variables.set("oad_date_formats", _DATE_FORMATS)
    c = {name: _col(header, name) for name in load_spec("records").columns}
    raw = payload_sql("oad_raw_keys", [f"c{i}" for i in range(len(loaded.header))])
    # rows read straight from a CSV file have no rowid; only the raw table's rows need one, to
    # list the rejected ones by line
    ordinal = "rowid" if loaded.relation == RAW_TABLE else "NULL::BIGINT"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP VIEW staged_records AS
        WITH typed AS (
            SELECT {ordinal} AS ordinal,
                {c["source_id"]} AS source_id,
                {c["name"]} AS name,
                lower({c["kind"]}) AS kind_text,
                {c["alt_names"]} AS alt_names_text,
                {c["jurisdiction"]} AS jurisdiction,
                {c["registration_number"]} AS registration_number,
                {c["incorporation_date"]} AS incorporation_text,
                try_strptime({c["incorporation_date"]}, getvariable('oad_date_formats'))::DATE
                    AS incorporation_date,
                {c["birth_date"]} AS birth_date,
                {c["nationality"]} AS nationality,
                {c["country_of_residence"]} AS country_of_residence,
                {c["address"]} AS address,
                {raw} AS raw
            FROM {loaded.relation}
        ), checked AS (
            SELECT *,
                -- (list_position rather than list_contains, which DuckDB turns into a join
                -- that costs the insert its parallel writing)
                CASE WHEN list_position(getvariable('oad_company_kinds'), kind_text) IS NOT NULL
                        THEN 'company'
                     WHEN list_position(getvariable('oad_person_kinds'), kind_text) IS NOT NULL
                        THEN 'person'
                     WHEN kind_text IS NULL THEN
                        CASE WHEN regexp_matches(name, getvariable('oad_company_words'))
                             THEN 'company' ELSE 'unknown' END
                     -- folded like a header only when not found as it is: most files spell
                     -- their kinds plainly, and the regular expression costs more than the rest
                     WHEN list_position(getvariable('oad_company_kinds'),
                                        regexp_replace(kind_text, '[\\s_\\-.]+', '', 'g'))
                          IS NOT NULL THEN 'company'
                     WHEN list_position(getvariable('oad_person_kinds'),
                                        regexp_replace(kind_text, '[\\s_\\-.]+', '', 'g'))
                          IS NOT NULL THEN 'person'
                     END AS kind,
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
            {content_hash_sql("raw")} AS content_hash,
            CASE WHEN source_id IS NULL
                    THEN {{'field': 'source_id', 'reason': 'source_id is empty'}}
                 WHEN name IS NULL THEN {{'field': 'name', 'reason': 'name is empty'}}
                 WHEN kind IS NULL
                    THEN {{'field': 'kind', 'reason': 'kind is neither company nor person'}}
                 WHEN incorporation_text IS NOT NULL AND incorporation_date IS NULL
                    THEN {{'field': 'incorporation_date', 'reason': 'not a date (YYYY-MM-DD)'}}
                 WHEN birth_date IS NOT NULL
                      AND (NOT regexp_matches(birth_date, getvariable('oad_birth_date'))
                      OR (length(birth_date) = 10 AND try_strptime(birth_date, '%Y-%m-%d') IS NULL))
                    THEN {{'field': 'birth_date', 'reason': 'not YYYY-MM or YYYY-MM-DD'}}
                 END AS problem
        FROM checked
        """
    )


_VALID = (
    "CREATE OR REPLACE TEMP VIEW staged_valid AS SELECT * EXCLUDE (ordinal, problem),"
    " NULL::VARCHAR AS source_url FROM staged_records"
)


def _screen(con: duckdb.DuckDBPyConnection, loaded: LoadedFile) -> list[Rejection]:
    """The rows that cannot be loaded, and `staged_valid`, a view of the rest.

    A row is rejected for its first problem, or for a source_id seen again after its first
    valid row. The usual file has neither, which one aggregate settles; only otherwise are the
    rejected rows listed in `staged_rejected` and left out of the view.
    """
    problems, valid, distinct = con.execute(
        "SELECT count(*) FILTER (problem IS NOT NULL), count(*) FILTER (problem IS NULL),"
        " count(DISTINCT source_id) FILTER (problem IS NULL) FROM staged_records"
    ).fetchall()[0]
    if not problems and valid == distinct:
        con.execute(_VALID)
        return []
    con.execute(
        "CREATE OR REPLACE TEMP TABLE staged_rejected AS"
        " SELECT ordinal, problem FROM staged_records WHERE problem IS NOT NULL"
    )
    if valid != distinct:
        con.execute(
            "INSERT INTO staged_rejected SELECT ordinal, {'field': 'source_id', 'reason':"
            " 'duplicate source_id in the file; the first row with it was loaded'}"
            " FROM staged_records WHERE problem IS NULL"
            " QUALIFY row_number() OVER (PARTITION BY source_id ORDER BY ordinal) > 1"
        )
    con.execute(_VALID + " WHERE ordinal NOT IN (SELECT ordinal FROM staged_rejected)")
    rows = con.execute(
        "SELECT r.ordinal, r.problem.field, r.problem.reason, s.raw::VARCHAR"
        " FROM staged_rejected r JOIN staged_records s USING (ordinal) ORDER BY r.ordinal"
    ).fetchall()
    lines = row_lines(con, loaded)
    return [Rejection(lines[int(o)], field, reason, raw) for o, field, reason, raw in rows]
