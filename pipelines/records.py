"""`oad records import`: a user's own file of foreign records, in the canonical record shape."""

from __future__ import annotations

import datetime as dt
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.canonical import canonical_text_sql
from pipelines.columns import HeaderMap, load_spec, map_header
from pipelines.crawl_log import (
    ImportCounts,
    file_sha256,
    finish_crawl,
    start_crawl,
    write_rejections,
)
from pipelines.errors import OadError, RemovalsHeld
from pipelines.progress import QUIET, Progress
from pipelines.rejections import Rejected
from pipelines.shape import checked_sql, duplicate_reason, valid_sql, variables
from pipelines.store import Store, Variables
from pipelines.table_files import TableFile, column_names, read_file
from pipelines.upsert import (
    DEFAULT_REMOVAL_GUARD,
    MergeCounts,
    ensure_source,
    has_rows,
    insert_staged,
    merge,
)


def import_records(
    store: Store,
    path: Path,
    source: str,
    encoding: str | None = None,
    snapshot: bool = False,
    progress: Progress = QUIET,
    accept_removals: bool = False,
) -> ImportCounts:
    """Load one file into `records` under SOURCE, in one transaction.

    A SNAPSHOT (the file is the whole source) with no record in it is refused; one that would
    mark more than DEFAULT_REMOVAL_GUARD of the source's live records removed is held (nothing
    is loaded, the import is recorded as held, RemovalsHeld raised) unless ACCEPT_REMOVALS."""
    table = read_file(path, encoding, progress=progress)
    header = map_header(str(path), table.header, load_spec("records"))
    load = _Import(store, path, source, encoding, header, snapshot, accept_removals, progress)
    try:
        if table.native is None:
            return load.run(table)
        try:
            return load.run(table)
        except duckdb.Error:
            # DuckDB's parser failed the file outright (the transaction is undone): this
            # module's reader gives every row its verdict instead
            table = read_file(path, encoding)
            table.native = None
            return load.run(table)
    finally:
        progress.finish()


@dataclass
class _Import:
    """One attempt at an import, in one transaction."""

    store: Store
    path: Path
    source: str
    encoding: str | None
    header: HeaderMap
    snapshot: bool
    accept_removals: bool
    progress: Progress

    def run(self, table: TableFile) -> ImportCounts:
        store, path, source = self.store, self.path, self.source
        guard = None if self.accept_removals else DEFAULT_REMOVAL_GUARD
        settings = Variables(store.con)
        try:
            with ThreadPoolExecutor(1) as beside, store.transaction() as con:
                digest = beside.submit(file_sha256, path)  # read beside the load
                crawl_id = start_crawl(con, "records_import", str(path), source)
                ensure_source(con, source, origin="import")
                for name, value in variables().items():
                    settings.set(name, value)
                settings.set("oad_raw_keys", table.header)
                load = _Load(con, path, self.encoding, self.header, settings)
                if has_rows(con, "records", source):
                    merged, rejections = load.into_stored(
                        table, source, crawl_id, self.snapshot, guard
                    )
                    self.progress.stage("merge with the stored records")
                else:
                    merged, rejections = load.first(table, source, crawl_id)
                counts = ImportCounts(
                    loaded=merged.new,
                    updated=merged.changed,
                    unchanged=merged.unchanged,
                    rejected=len(rejections),
                    removed=merged.removed,
                    refreshed=merged.refreshed,
                    unused_columns=self.header.unused,
                )
                write_rejections(con, crawl_id, rejections)
                finish_crawl(con, crawl_id, counts, digest.result())
                store.audit(
                    "records import",
                    {"file": str(path), "source": source, "crawl_id": crawl_id, **vars(counts)},
                )
                load.drop()
        except RemovalsHeld:
            settings.reset()
            _record_held(store, path, source, sys.exc_info()[1])
            raise
        finally:
            settings.reset()  # after the transaction, which an error leaves unable to run anything
        return counts


def _record_held(store: Store, path: Path, source: str, held: BaseException | None) -> None:
    """The held import's row (its transaction was rolled back): what it would have done."""
    assert isinstance(held, RemovalsHeld)
    notes = {"held": str(held), "would_remove": held.removing, "live": held.live}
    with store.transaction() as con:
        crawl_id = start_crawl(con, "records_import", str(path), source)
        con.execute(
            "UPDATE crawls SET status = 'held', finished_at = current_timestamp, notes = ?"
            " WHERE crawl_id = ?",
            [json.dumps(notes), crawl_id],
        )
        store.audit("records import held", {"file": str(path), "source": source, **notes})


@dataclass
class _Load:
    con: duckdb.DuckDBPyConnection
    path: Path
    encoding: str | None
    header: HeaderMap
    settings: Variables

    def first(
        self, table: TableFile, source: str, crawl_id: int
    ) -> tuple[MergeCounts, list[Rejected]]:
        """A source's first load: its valid rows inserted in one pass over the file, then
        checked.

        The usual file has no rejected row and no source_id twice. The pass itself counts the
        rows it leaves out for a problem (in a sequence: the one counter a query can move as it
        runs), and one aggregate finds a repeated source_id. Only when either finds something is
        the file read again, to list the rejected rows and keep the first valid row of each
        source_id. A clean UTF-8 CSV file is parsed by DuckDB itself on that first pass; any
        row its parser refuses, or any problem, undoes the pass and this module's reader reads
        the file again, so that every row's verdict is the one a crawl of the file gives.
        """
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        if table.native is not None:
            done = self._first_pass(table, "native", source, crawl_id, now)
            if done is not None:
                return done
            self.con.execute("DELETE FROM records WHERE source = ?", [source])
            table = read_file(self.path, self.encoding)
        done = self._first_pass(table, "stream", source, crawl_id, now)
        if done is not None:
            return done
        inserted = self.con.execute(
            "SELECT count(*) FROM records WHERE source = ?", [source]
        ).fetchall()[0][0]
        again = self._read_again()
        rejections = self._screen(self._faults())
        inserted -= self._keep_first_rows(source, now, crawl_id)
        return MergeCounts(inserted, 0, 0, 0), sorted(again.rejections + rejections, key=_line)

    def _first_pass(
        self, table: TableFile, relation: str, source: str, crawl_id: int, now: dt.datetime
    ) -> tuple[MergeCounts, list[Rejected]] | None:
        """Insert the valid rows in one pass over RELATION ('native' or 'stream'); the result
        when nothing was refused, left out or repeated, else None (what was inserted stays)."""
        self._stage(table, relation)
        self.con.execute("CREATE OR REPLACE TEMP SEQUENCE oad_left_out START 1")
        left_out_rows = (
            "CASE WHEN problem IS NULL THEN true ELSE nextval('oad_left_out') IS NULL END"
        )
        self._valid(left_out_rows)
        with self.settings.unordered_writes():
            inserted = insert_staged(self.con, "records", "staged_valid", source, now, crawl_id)
        table.check()
        left_out = self.con.execute("SELECT nextval('oad_left_out') > 1").fetchall()[0][0]
        self.con.execute("DROP SEQUENCE oad_left_out")
        # distinct hashes: cheaper to count, and a collision only sends the load the slower way
        repeated = self.con.execute(
            "SELECT count(*) > count(DISTINCT hash(source_id)) FROM records WHERE source = ?",
            [source],
        ).fetchall()[0][0]
        refused = relation == "native" and _native_refused(self.con)
        if left_out or repeated or refused:
            return None
        return MergeCounts(inserted, 0, 0, 0), table.rejections

    def into_stored(
        self, table: TableFile, source: str, crawl_id: int, snapshot: bool, guard: float | None
    ) -> tuple[MergeCounts, list[Rejected]]:
        """Rows merged with the source's stored ones (which reads them more than once)."""
        self._materialise(table)
        faults = self._faults()
        if table.native is not None and (_native_refused(self.con) or any(faults)):
            table = self._read_again()  # this module's verdicts, with the rows' lines
            faults = self._faults()
        rejections = self._screen(faults)
        if snapshot and not self.con.execute("SELECT count(*) FROM staged_valid").fetchall()[0][0]:
            raise OadError(
                f"{self.path}: no record to load; as a snapshot it would mark every record of"
                f" {source} removed, so nothing was changed"
            )
        merged = merge(
            self.con, "records", "staged_valid", source, crawl_id, snapshot, removal_guard=guard
        )
        return merged, sorted(table.rejections + rejections, key=_line)

    def _read_again(self) -> TableFile:
        table = read_file(self.path, self.encoding)
        table.native = None
        self._materialise(table)
        return table

    def _materialise(self, table: TableFile) -> None:
        """The file's rows in a temp table `raw_input`, read once, for a load that reads them
        more than once."""
        if table.native is not None:
            self._native(table)
            self.con.execute(
                "CREATE OR REPLACE TEMP TABLE raw_input AS SELECT *, NULL::BIGINT AS line"
                f" FROM {table.native.scan_sql()}"
            )
        else:
            self.con.register("raw_stream", table.arrow_reader())
            try:
                self.con.execute("CREATE OR REPLACE TEMP TABLE raw_input AS FROM raw_stream")
            finally:
                self.con.unregister("raw_stream")
            table.check()
        self._stage(table, "raw_input")

    def _native(self, table: TableFile) -> None:
        assert table.native is not None
        for name, value in table.native.variables().items():
            self.settings.set(name, value)

    def _stage(self, table: TableFile, relation: str) -> None:
        """`staged_records`: the rows of RELATION ('native', 'stream' or a table) as canonical
        text fields with their raw payload (their non-empty cells as JSON), checked by the
        record shape (`problem`)."""
        if relation == "stream":
            self.con.register("raw_stream", table.arrow_reader())
            relation = "raw_stream"
        elif relation == "native":
            self._native(table)
            assert table.native is not None
            relation = f"(SELECT *, NULL::BIGINT AS line FROM {table.native.scan_sql()})"
        cells = column_names(len(table.header))
        text = canonical_text_sql(self.header, cells, relation, "oad_raw_keys", "NULL::VARCHAR")
        self.con.execute(
            f"CREATE OR REPLACE TEMP VIEW staged_records AS {checked_sql('records', f'({text})')}"
        )

    def _valid(self, condition: str) -> None:
        relation = f"(SELECT * FROM staged_records WHERE {condition})"
        self.con.execute(
            f"CREATE OR REPLACE TEMP VIEW staged_valid AS {valid_sql('records', relation)}"
        )

    def _screen(self, faults: tuple[int, bool]) -> list[Rejected]:
        """The rows that cannot be loaded, and `staged_valid`, a view of the rest.

        A row is rejected for its first problem, or for a source_id seen again after its first
        valid row. The usual file has neither, which one aggregate settles; only otherwise are
        the rejected rows listed in `staged_rejected` and left out of the view.
        """
        problems, repeated = faults
        if not problems and not repeated:
            self._valid("problem IS NULL")
            return []
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE staged_rejected AS"
            " SELECT line, problem FROM staged_records WHERE problem IS NOT NULL"
        )
        if repeated:
            self.con.execute(
                "INSERT INTO staged_rejected SELECT line, {'field': 'source_id', 'reason': ?}"
                " FROM staged_records WHERE problem IS NULL"
                " QUALIFY row_number() OVER (PARTITION BY source_id ORDER BY line) > 1",
                [duplicate_reason("records")],
            )
        self._valid("problem IS NULL AND line NOT IN (SELECT line FROM staged_rejected)")
        rows = self.con.execute(
            "SELECT r.line, r.problem.field, r.problem.reason, s.raw::VARCHAR"
            " FROM staged_rejected r JOIN staged_records s USING (line) ORDER BY r.line"
        ).fetchall()
        file = str(self.path)
        return [Rejected(file, line, reason, field, raw) for line, field, reason, raw in rows]

    def _faults(self) -> tuple[int, bool]:
        """How many staged rows have a problem, and whether a valid row's source_id is there
        twice: one aggregate over the rows."""
        problems, repeated = self.con.execute(
            "SELECT count(*) FILTER (problem IS NOT NULL), count(*) FILTER (problem IS NULL)"
            " > count(DISTINCT source_id) FILTER (problem IS NULL) FROM staged_records"
        ).fetchall()[0]
        return int(problems), bool(repeated)

    def _keep_first_rows(self, source: str, now: dt.datetime, crawl_id: int) -> int:
        """Of a source_id inserted more than once, keep only its first valid row (the one the
        screened `staged_valid` holds); returns how many rows went."""
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE repeated_ids AS SELECT source_id FROM records"
            " WHERE source = ? GROUP BY source_id HAVING count(*) > 1",
            [source],
        )
        deleted = self.con.execute(
            "DELETE FROM records WHERE source = ?"
            " AND source_id IN (SELECT source_id FROM repeated_ids)",
            [source],
        ).fetchall()[0][0]
        kept = insert_staged(
            self.con, "records", "staged_valid", source, now, crawl_id,
            " SEMI JOIN repeated_ids r ON r.source_id = s.source_id",
        )  # fmt: skip
        self.con.execute("DROP TABLE repeated_ids")
        return int(deleted) - kept

    def drop(self) -> None:
        for view in ("staged_valid", "staged_records"):
            self.con.execute(f"DROP VIEW IF EXISTS {view}")
        for name in ("staged_rejected", "raw_input"):
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
        self.con.unregister("raw_stream")


def _native_refused(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether DuckDB's parser refused any row of the file (it lists them in a temp table)."""
    refused = con.execute("SELECT count(*) FROM oad_csv_rejects").fetchall()[0][0]
    con.execute("DROP TABLE IF EXISTS oad_csv_rejects")
    con.execute("DROP TABLE IF EXISTS oad_csv_scans")
    return bool(refused)


def _line(rejected: Rejected) -> int:
    return rejected.line or 0
