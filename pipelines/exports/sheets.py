"""One table on one openpyxl sheet, the way every oad workbook shows it: a bold header row that
stays in view, a filter on every column, widths that fit the text (Chinese counted double), and
no cell that Excel would run as a formula or refuse to open.

Crawled text is untrusted: a string starting with = + - @ (or a tab, CR, LF) gets a leading
quote (pipelines/cells.py), and control characters XML cannot hold are shown as U+FFFD rather
than dropped, so that a reader sees something was there.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from pipelines.cells import neutralise_formula

CellValue = str | int | float | Decimal | bool | dt.date | dt.datetime | None

_MIN_WIDTH = 6
_PLAIN_NUMBER = re.compile(r"^([#,0]*0)(\.0+)?(%?)$")
_SAMPLED_ROWS = 2000  # widths are judged on the first rows: enough to fit, cheap at 100,000


@dataclass(frozen=True)
class Column:
    header: str
    number_format: str | None = None  # e.g. '0.00', '#,##0', 'yyyy-mm-dd hh:mm'
    max_width: int = 50


def safe_cell(value: CellValue) -> CellValue:
    """VALUE as a cell may hold it: text neutralised, aware times in UTC without their zone
    (Excel has no time zones)."""
    if isinstance(value, str):
        return neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def write_table(
    sheet: Worksheet | WriteOnlyWorksheet,
    columns: Sequence[Column],
    rows: Iterable[Sequence[CellValue]],
) -> int:
    """Write COLUMNS' headers and ROWS to SHEET (empty; a workbook's sheet, or a write-only one,
    which is several times quicker for large tables); returns the rows written."""
    safe_rows = [[safe_cell(value) for value in row] for row in rows]
    for number, row in enumerate(safe_rows, 1):
        if len(row) != len(columns):
            raise ValueError(f"row {number} has {len(row)} cells for {len(columns)} columns")
    # a write-only sheet writes its settings before its first row: all of them come first
    _fit_widths(sheet, columns, safe_rows)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(safe_rows) + 1}"
    bold = Font(bold=True)
    sheet.append([_styled(sheet, column.header, font=bold) for column in columns])
    formats = [column.number_format for column in columns]
    for row in safe_rows:
        sheet.append(
            [value if form is None or value is None else _styled(sheet, value, form)
             for value, form in zip(row, formats, strict=True)]
        )  # fmt: skip
    return len(safe_rows)


def _styled(
    sheet: Worksheet | WriteOnlyWorksheet,
    value: CellValue,
    number_format: str | None = None,
    font: Font | None = None,
) -> WriteOnlyCell:
    """A cell carrying its own format (either kind of sheet takes one as it appends)."""
    cell = WriteOnlyCell(sheet, value)
    if number_format is not None:
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    return cell


def _fit_widths(
    sheet: Worksheet | WriteOnlyWorksheet,
    columns: Sequence[Column],
    rows: Sequence[Sequence[CellValue]],
) -> None:
    for index, column in enumerate(columns):
        widest = max(
            [display_width(column.header) + 2]  # room for the filter's button
            + [
                display_width(shown(row[index], column.number_format))
                for row in rows[:_SAMPLED_ROWS]
            ]
        )
        width = min(max(widest + 1, _MIN_WIDTH), column.max_width)
        sheet.column_dimensions[get_column_letter(index + 1)].width = width


def shown(value: CellValue, number_format: str | None) -> CellValue:
    """A number as a plain numeric format (#,##0.00, 0.0%, 0.000) shows it, so that its
    column is fitted to the grouped digits Excel draws and not to the bare value (a column too
    narrow shows ####)."""
    plain = _PLAIN_NUMBER.match(number_format or "")
    if plain is None or isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    decimals = len(plain.group(2) or ".") - 1  # the zeros after the point
    grouping = "," if "," in plain.group(1) else ""
    scaled = value * 100 if plain.group(3) == "%" else value
    return f"{scaled:{grouping}.{decimals}f}" + plain.group(3)


def display_width(value: CellValue) -> int:
    """How many narrow characters VALUE takes on screen: wide (CJK) characters count two."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 19
    if isinstance(value, dt.date):
        return 10
    text = value if isinstance(value, str) else str(value)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
