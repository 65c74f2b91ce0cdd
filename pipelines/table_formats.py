"""Table files other than CSV: XLSX workbooks, JSON lines and Parquet, as batches of text cells
with the line (or, in Parquet, the row) each row is on."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipelines.errors import InputFileError
from pipelines.rejections import Rejected
from pipelines.table_files import Source, TableFile
from pipelines.text_cells import Batch, RowRejecter, text_cells, texts

BATCH_ROWS = 50_000


def read_xlsx(source: Source, label: str, sheet: str | None) -> TableFile:
    from openpyxl import load_workbook  # here: loading it costs every CSV a tenth of a second

    try:
        opened = source if isinstance(source, Path) else io.BytesIO(source)
        book = load_workbook(opened, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        raise InputFileError(label, f"not a readable XLSX workbook ({error})") from None
    if sheet is not None and sheet not in book.sheetnames:
        raise InputFileError(label, f"no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})")
    values = (book[sheet] if sheet is not None else book.worksheets[0]).iter_rows(values_only=True)
    try:
        header = [_cell_text(cell) for cell in next(values)]
    except StopIteration:
        raise InputFileError(label, "empty sheet: no header row") from None
    table = TableFile(label, "xlsx", header, None, iter(()))
    rows = (
        (line, [_cell_text(cell) for cell in cells[: len(header)]])
        for line, cells in enumerate(values, start=2)
        if any(cell not in (None, "") for cell in cells)
    )
    table.batches = _batched(table, rows)
    return table


def _cell_text(value: object) -> str:
    """Excel cells as text the way a person reads them (dates as ISO, whole numbers without .0)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_jsonl(source: Source, label: str, encoding: str) -> TableFile:
    """JSON lines: one object a line; the header is every key, in the order first seen (a
    first pass over the file finds them)."""
    keys: dict[str, None] = {}
    for _, found in _objects(source, label, encoding, None):
        if isinstance(found, dict):
            keys.update(dict.fromkeys(found))
    table = TableFile(label, "jsonl", list(keys), encoding, iter(()))
    if not keys:
        raise InputFileError(label, "no JSON object in the file")
    rows = (
        (line, [_json_text(found.get(key)) for key in keys])
        for line, found in _objects(source, label, encoding, table.rejections)
        if isinstance(found, dict)
    )
    table.batches = _batched(table, rows)
    return table


def _objects(
    source: Source, label: str, encoding: str, rejections: list[Rejected] | None
) -> Iterator[tuple[int, object]]:
    handle = source.open("rb") if isinstance(source, Path) else io.BytesIO(source)
    with io.TextIOWrapper(handle, encoding=encoding, errors="surrogateescape", newline="") as text:
        for line, content in enumerate(text, start=1):
            if not content.strip():
                continue
            problem, found = _json_object(content)
            if problem and rejections is not None:
                rejections.append(Rejected(label, line, problem, None, content.rstrip("\r\n")))
            yield line, found


def _json_object(content: str) -> tuple[str | None, object]:
    try:
        content.encode("utf-8")
        found = json.loads(content)
    except UnicodeEncodeError:
        return "not valid UTF-8 text", None
    except json.JSONDecodeError as error:
        return f"not JSON: {error.msg} (column {error.colno})", None
    if not isinstance(found, dict):
        return "not a JSON object", None
    if any("\x00" in _json_text(v) for v in found.values()):
        return "a cell holds a NUL character", None
    return None, found


def _json_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def read_parquet(source: Source, label: str) -> TableFile:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(source if isinstance(source, Path) else io.BytesIO(source))
    except (pa.ArrowInvalid, OSError) as error:
        raise InputFileError(label, f"cannot be read as Parquet: {error}") from None
    table = TableFile(label, "parquet", list(parquet.schema_arrow.names), None, iter(()))
    table.batches = _parquet_batches(parquet, table)
    return table


def _parquet_batches(parquet: Any, table: TableFile) -> Iterator[Batch]:
    first = 1
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
        columns = [_parquet_text(column) for column in batch.columns]
        cells = pa.RecordBatch.from_arrays(columns, names=table.names)
        lines = pa.array(range(first, first + batch.num_rows), pa.int64())
        first += batch.num_rows
        cells, lines = text_cells(cells, lines, _rejecter(table))
        yield Batch(cells, lines)


def _parquet_text(column: pa.Array) -> pa.Array:
    if pa.types.is_nested(column.type):
        return pa.array([_json_text(v) for v in column.to_pylist()], pa.string())
    if pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
        return column.cast(pa.binary()).fill_null(b"")
    return column.cast(pa.string()).fill_null("")


def _rejecter(table: TableFile) -> RowRejecter:
    def reject(line: int, reason: str, cells: list[Any]) -> None:
        values = texts(cells)
        raw = json.dumps(dict(zip(table.header, values, strict=False)), ensure_ascii=False)
        table.rejections.append(Rejected(table.label, line, reason, None, raw))

    return reject


def _batched(table: TableFile, rows: Iterator[tuple[int, list[str]]]) -> Iterator[Batch]:
    """Python rows (line, cells) as batches of BATCH_ROWS."""
    width = len(table.header)
    while True:
        block = [row for _, row in zip(range(BATCH_ROWS), rows, strict=False)]
        if not block:
            return
        cells = [
            pa.array([(row[i] if i < len(row) else "") for _, row in block], pa.string())
            for i in range(width)
        ]
        batch = pa.RecordBatch.from_arrays(cells, names=table.names)
        lines = pa.array([line for line, _ in block], pa.int64())
        batch, lines = text_cells(batch, lines, _rejecter(table))
        yield Batch(batch, lines)
