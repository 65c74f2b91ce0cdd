"""Reading a user's table file (CSV in any supported encoding, or XLSX) row by row, by line."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from pipelines.encoding import check_encoding, detect_encoding
from pipelines.errors import InputFileError

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
Row = tuple[int, list[str]]  # (line number in the file, cells)


@dataclass
class Table:
    file: str
    header: list[str]
    rows: Iterator[Row]
    encoding: str | None  # None for XLSX


def sniff_format(path: Path) -> str:
    """'xlsx' or 'csv', by content rather than by name."""
    if not path.is_file():
        raise InputFileError(str(path), "no such file")
    with path.open("rb") as handle:
        head = handle.read(8192)
    if head.startswith(_ZIP_MAGIC):
        if (
            not zipfile.is_zipfile(path)
            or "xl/workbook.xml" not in zipfile.ZipFile(path).namelist()
        ):
            raise InputFileError(str(path), "a zip archive, not an XLSX workbook or a CSV file")
        return "xlsx"
    if head.startswith(_OLE_MAGIC):
        raise InputFileError(str(path), "old binary .xls workbook: save it as .xlsx or CSV")
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputFileError(str(path), "binary data, not a CSV or XLSX file")
    return "csv"


def read_table(path: Path, encoding: str | None = None, sheet: str | None = None) -> Table:
    if sniff_format(path) == "xlsx":
        return _read_xlsx(path, sheet)
    chosen = check_encoding(path, encoding) if encoding else detect_encoding(path)
    return _read_csv(path, chosen)


def _read_csv(path: Path, encoding: str) -> Table:
    handle = path.open("r", encoding=encoding, newline="")
    sample = handle.read(65536)
    handle.seek(0)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(handle, dialect)
    try:
        header = next(reader)
    except StopIteration:
        handle.close()
        raise InputFileError(str(path), "empty file: no header row") from None
    except csv.Error as error:
        handle.close()
        raise InputFileError(str(path), f"not a readable CSV file: {error}", line=1) from None
    return Table(str(path), [cell.strip() for cell in header], _csv_rows(reader, handle), encoding)


def _csv_rows(reader: Iterator[list[str]], handle: TextIO) -> Iterator[Row]:
    line_end = getattr(reader, "line_num", 1)
    try:
        for cells in reader:
            start = line_end + 1
            line_end = getattr(reader, "line_num", start)
            if any(cell.strip() for cell in cells):
                yield start, cells
    finally:
        handle.close()


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    from openpyxl import (
        load_workbook,
    )  # here: loading it costs every CSV import a tenth of a second

    book = load_workbook(path, read_only=True, data_only=True)
    if sheet is not None and sheet not in book.sheetnames:
        raise InputFileError(
            str(path), f"no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})"
        )
    worksheet = book[sheet] if sheet is not None else book.worksheets[0]
    values = worksheet.iter_rows(values_only=True)
    try:
        header = [_cell_text(cell) for cell in next(values)]
    except StopIteration:
        raise InputFileError(str(path), "empty sheet: no header row") from None
    rows = (
        (line, [_cell_text(cell) for cell in cells])
        for line, cells in enumerate(values, start=2)
        if any(cell not in (None, "") for cell in cells)
    )
    return Table(str(path), header, rows, None)


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
