"""Loading a record file (CSV, JSON lines, Parquet) into a temp table of positional text columns.

Columns are renamed c0, c1, ... so that no header text from the file is ever spliced into SQL;
the file's own header is returned beside the table for mapping.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.encoding import check_encoding, detect_encoding, utf8_copy
from pipelines.errors import InputFileError
from pipelines.imports import Rejection
from pipelines.tabular import sniff_format

_SUFFIX_FORMATS = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
    ".parquet": "parquet", ".pq": "parquet",
}  # fmt: skip
RAW_TABLE = "raw_input"


@dataclass
class LoadedFile:
    header: list[str]
    format: str
    header_lines: int = 1
    rejections: list[Rejection] = field(default_factory=list)  # rows the parser itself refused


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


def load_file(con: duckdb.DuckDBPyConnection, path: Path, encoding: str | None) -> LoadedFile:
    fmt = file_format(path)
    try:
        if fmt == "parquet":
            return _load_parquet(con, path)
        if fmt == "jsonl":
            return _load_jsonl(con, path)
        return _load_csv(con, path, encoding)
    except duckdb.Error as error:
        message = str(error).splitlines()[0]
        raise InputFileError(str(path), f"cannot be read as {fmt}: {message}") from None


def _load_csv(con: duckdb.DuckDBPyConnection, path: Path, encoding: str | None) -> LoadedFile:
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
        names = [f"c{i}" for i in range(len(header))]
        con.execute("SELECT setseed(0)")
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {RAW_TABLE} AS SELECT * FROM read_csv(?,"
            " header = true, all_varchar = true, names = ?, delim = ?, quote = '\"',"
            " escape = '\"', store_rejects = true, rejects_table = 'oad_csv_rejects',"
            " rejects_scan = 'oad_csv_scans', null_padding = false, strict_mode = true)",
            [str(text_path), names, delimiter],
        )
        loaded = LoadedFile(header, "csv", header_lines)
        _csv_parser_rejections(con, text_path, loaded)
        return loaded
    finally:
        if text_path != path:
            text_path.unlink(missing_ok=True)


def _delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        return ","


def _csv_parser_rejections(
    con: duckdb.DuckDBPyConnection, text_path: Path, loaded: LoadedFile
) -> None:
    """Rows DuckDB's parser refused (wrong column count, bad quoting), with their real lines.

    DuckDB counts records, not lines; the byte offset it gives is turned back into a line.
    """
    rows = con.execute(
        "SELECT line_byte_position, first(error_type ORDER BY byte_position),"
        " first(error_message ORDER BY byte_position), first(csv_line) FROM oad_csv_rejects"
        " GROUP BY line_byte_position ORDER BY line_byte_position"
    ).fetchall()
    con.execute("DROP TABLE IF EXISTS oad_csv_rejects")
    con.execute("DROP TABLE IF EXISTS oad_csv_scans")
    if not rows:
        return
    data = text_path.read_bytes()
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
        rows = con.execute(f"SELECT rowid FROM {RAW_TABLE}").fetchall()
        return {int(r[0]): int(r[0]) + 1 for r in rows}
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
