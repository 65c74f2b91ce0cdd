"""Opening a record file (CSV, JSON lines, Parquet) as a relation of positional text columns.

Columns are renamed c0, c1, ... so that no header text from the file is ever spliced into SQL;
the file's own header is returned beside the relation for mapping. JSON lines and Parquet are
loaded into a temp table. A CSV file is read through a view over DuckDB's reader, so that a load
that reads its rows once parses them once; it is copied into the temp table only for a load that
reads them again.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.crawl_log import Rejection
from pipelines.encoding import check_encoding, detect_encoding, utf8_copy
from pipelines.errors import InputFileError
from pipelines.store import Variables
from pipelines.tabular import sniff_format

_SUFFIX_FORMATS = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
    ".parquet": "parquet", ".pq": "parquet",
}  # fmt: skip
RAW_TABLE = "raw_input"
CSV_VIEW = "raw_csv"
# the reader's arguments are variables, since a view cannot take a statement's parameters
_READ_CSV = (
    "read_csv(getvariable('oad_csv_path'), header = true, all_varchar = true,"
    " names = getvariable('oad_csv_names'), delim = getvariable('oad_csv_delimiter'),"
    " quote = '\"', escape = '\"', store_rejects = true, rejects_table = 'oad_csv_rejects',"
    " rejects_scan = 'oad_csv_scans', null_padding = false, strict_mode = true)"
)


@dataclass
class LoadedFile:
    header: list[str]
    format: str
    header_lines: int = 1
    rejections: list[Rejection] = field(default_factory=list)  # rows the parser itself refused
    relation: str = RAW_TABLE  # where the rows are read: the raw table, or CSV_VIEW
    text: Path | None = None  # a CSV file's UTF-8 text, which CSV_VIEW reads


@dataclass(frozen=True)
class CsvText:
    """A CSV file as DuckDB's reader takes it: UTF-8 text (the file itself or a copy of it),
    with its header and delimiter."""

    path: Path
    header: list[str]
    header_lines: int
    delimiter: str


def file_format(path: Path) -> str:
    if not path.is_file():
        raise InputFileError(str(path), "no such file")
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == b"PAR1":
        return "parquet"
    by_suffix = _SUFFIX_FORMATS.get(path.suffix.lower())
    if by_suffix == "parquet":
        raise InputFileError(str(path), "not a Parquet file (no PAR1 signature)")
    if by_suffix == "jsonl":
        return "jsonl"
    if sniff_format(path) != "csv":
        raise InputFileError(str(path), "a workbook: save it as CSV, JSON lines or Parquet")
    return "csv"


@contextmanager
def open_file(
    con: duckdb.DuckDBPyConnection, path: Path, encoding: str | None, variables: Variables
) -> Iterator[LoadedFile]:
    """The file, open for the length of the context: its header, and the relation its rows are
    read from."""
    fmt = file_format(path)
    if fmt != "csv":
        with reading(path, fmt):
            loaded = _load_jsonl(con, path) if fmt == "jsonl" else _load_parquet(con, path)
        yield loaded
        return
    with csv_text(path, encoding) as text:
        variables.set("oad_csv_path", str(text.path))
        variables.set("oad_csv_names", [f"c{i}" for i in range(len(text.header))])
        variables.set("oad_csv_delimiter", text.delimiter)
        with reading(path, fmt):
            con.execute("SELECT setseed(0)")
            con.execute(f"CREATE OR REPLACE TEMP VIEW {CSV_VIEW} AS SELECT * FROM {_READ_CSV}")
        yield LoadedFile(text.header, "csv", text.header_lines, [], CSV_VIEW, text.path)
        # not on an error: the transaction is rolled back, the view with it
        con.execute(f"DROP VIEW {CSV_VIEW}")


@contextmanager
def reading(path: Path, fmt: str) -> Iterator[None]:
    """DuckDB's errors in reading the file, as the user's error about that file."""
    try:
        yield
    except duckdb.Error as error:
        message = str(error).splitlines()[0]
        raise InputFileError(str(path), f"cannot be read as {fmt}: {message}") from None


def load_table(con: duckdb.DuckDBPyConnection, path: Path, loaded: LoadedFile) -> None:
    """Copy a CSV file's rows into the raw table, once, and list the rows its parser refused:
    for a load that reads the rows more than once, or needs to know each row's line."""
    if loaded.relation == RAW_TABLE:
        return
    with reading(path, loaded.format):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {RAW_TABLE} AS SELECT * FROM {CSV_VIEW}")
    loaded.relation = RAW_TABLE
    csv_parser_rejections(con, loaded)


@contextmanager
def csv_text(path: Path, encoding: str | None) -> Iterator[CsvText]:
    """The file as UTF-8 text, with its header; the copy made of a file in another encoding is
    removed at the end of the context."""
    chosen = check_encoding(path, encoding) if encoding else detect_encoding(path)
    text_path = utf8_copy(path, chosen)
    try:
        with text_path.open(encoding="utf-8-sig", newline="") as handle:
            sample = handle.read(65536)
            handle.seek(0)
            delimiter = _delimiter(sample)
            reader = csv.reader(handle, delimiter=delimiter)
            header = [cell.strip() for cell in next(reader, [])]
            header_lines = reader.line_num
        if not any(header):
            raise InputFileError(str(path), "empty file: no header row")
        yield CsvText(text_path, header, header_lines, delimiter)
    finally:
        if text_path != path:
            text_path.unlink(missing_ok=True)


def parser_refused_rows(con: duckdb.DuckDBPyConnection, loaded: LoadedFile) -> bool:
    """Whether DuckDB's parser refused any row of a CSV file read since its last listing (see
    csv_parser_rejections), without consuming the list."""
    if loaded.text is None:
        return False
    return bool(con.execute("SELECT count(*) FROM oad_csv_rejects").fetchall()[0][0])


def _delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        return ","


def csv_parser_rejections(con: duckdb.DuckDBPyConnection, loaded: LoadedFile) -> None:
    """Rows DuckDB's parser refused (wrong column count, bad quoting), with their real lines;
    read once, after the file's last parse (each parse records them again).

    DuckDB counts records, not lines; the byte offset it gives is turned back into a line.
    """
    if loaded.text is None:
        return
    rows = con.execute(
        "SELECT line_byte_position, first(error_type ORDER BY byte_position),"
        " first(error_message ORDER BY byte_position), first(csv_line) FROM oad_csv_rejects"
        " GROUP BY line_byte_position ORDER BY line_byte_position"
    ).fetchall()
    con.execute("DROP TABLE IF EXISTS oad_csv_rejects")
    con.execute("DROP TABLE IF EXISTS oad_csv_scans")
    if not rows:
        return
    data = loaded.text.read_bytes()
    for byte_position, error_type, message, csv_line in rows:
        line = data.count(b"\n", 0, int(byte_position or 0)) + 1
        reason = f"{str(error_type).lower().replace('_', ' ')}: {message}"
        loaded.rejections.append(Rejection(line, None, reason, csv_line))


def row_lines(con: duckdb.DuckDBPyConnection, loaded: LoadedFile) -> dict[int, int]:
    """The line each loaded row starts on, by its rowid in the raw table.

    JSON lines and Parquet rows are one a line. A CSV row can span lines (a newline inside a
    quoted field) and rows the parser refused are missing, so its lines are counted here; this
    costs a pass over the table, made only when some row is rejected.
    """
    if loaded.format != "csv":
        # by position, not rowid + 1: a table made inside a transaction numbers its rows from
        # far above 0 until it commits
        rows = con.execute(f"SELECT rowid FROM {RAW_TABLE} ORDER BY rowid").fetchall()
        return {int(rowid): line for line, (rowid,) in enumerate(rows, start=1)}
    refused = sorted(r.line for r in loaded.rejections if r.line is not None)
    spans = con.execute(
        f"SELECT rowid, {_newlines_sql(len(loaded.header))} FROM {RAW_TABLE} ORDER BY rowid"
    ).fetchall()
    lines: dict[int, int] = {}
    line, skip = loaded.header_lines + 1, 0
    for ordinal, newlines in spans:
        while skip < len(refused) and refused[skip] <= line:
            line, skip = line + 1, skip + 1
        lines[int(ordinal)] = line
        line += 1 + int(newlines)
    return lines


def _newlines_sql(width: int) -> str:
    parts = [
        f"coalesce(length(c{i}) - length(replace(c{i}, chr(10), '')), 0)" for i in range(width)
    ]
    return " + ".join(parts) or "0"


def _load_jsonl(con: duckdb.DuckDBPyConnection, path: Path) -> LoadedFile:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE raw_objects AS SELECT json FROM"
        " read_json_objects(?, format = 'newline_delimited')",
        [str(path)],
    )
    not_objects = con.execute(
        "SELECT count(*) FROM raw_objects WHERE json_type(json) <> 'OBJECT'"
    ).fetchall()[0][0]
    if not_objects:
        raise InputFileError(str(path), f"{not_objects} line(s) are not JSON objects")
    keys = [
        row[0]
        for row in con.execute(
            "SELECT k FROM (SELECT unnest(json_keys(json)) AS k, rowid AS r FROM raw_objects)"
            " GROUP BY k ORDER BY min(r)"
        ).fetchall()
    ]
    columns = ", ".join(f"json_extract_string(json, ?) AS c{i}" for i in range(len(keys)))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {RAW_TABLE} AS SELECT {columns or 'NULL AS c0'}"
        " FROM raw_objects ORDER BY rowid",
        [_json_path(key) for key in keys],
    )
    con.execute("DROP TABLE raw_objects")
    return LoadedFile(keys, "jsonl")


def _json_path(key: str) -> str:
    return '$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _load_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> LoadedFile:
    relation = con.read_parquet(str(path))
    expressions = []
    for i, (name, dtype) in enumerate(zip(relation.columns, relation.types, strict=True)):
        column = duckdb.ColumnExpression(name)
        if str(dtype).endswith("[]") or str(dtype).startswith(("STRUCT", "MAP")):
            column = duckdb.FunctionExpression("to_json", column)
        expressions.append(column.cast(duckdb.sqltype("VARCHAR")).alias(f"c{i}"))
    relation.select(*expressions).create(RAW_TABLE)
    return LoadedFile(list(relation.columns), "parquet")
