"""write_table: header kept in view, a filter on every column, widths that fit Chinese, no live
formula from crawled text, times without zones, control characters shown, not dropped."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from pipelines.exports.sheets import Column, display_width, shown, write_table

COLUMNS = (Column("name"), Column("value", "#,##0"), Column("seen", "yyyy-mm-dd hh:mm"))


def written(tmp_path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    assert book.active is not None
    assert write_table(book.active, COLUMNS, rows) == len(rows)  # type: ignore[arg-type]
    path = tmp_path / "t.xlsx"
    book.save(path)
    return path


def test_a_table_reads_back_frozen_filtered_and_fitted(tmp_path: Path) -> None:
    seen = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    path = written(
        tmp_path,
        [["安丰投资有限公司", Decimal("1250000.00"), seen], ["ANVEN INVESTMENT LIMITED", 7, None]],
    )
    sheet = load_workbook(path).active
    assert sheet is not None
    assert [cell.value for cell in sheet[1]] == ["name", "value", "seen"]
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:C3"
    assert sheet["A2"].value == "安丰投资有限公司"
    assert sheet["B2"].value == 1250000 and sheet["B2"].number_format == "#,##0"
    assert sheet["C2"].value == dt.datetime(2025, 3, 1, 1, 30)  # in UTC
    # eight Chinese characters are as wide as sixteen narrow ones; the longer Latin name wins
    assert sheet.column_dimensions["A"].width == len("ANVEN INVESTMENT LIMITED") + 1


def test_crawled_formulas_stay_text_and_control_characters_show(tmp_path: Path) -> None:
    rows = [['=HYPERLINK("http://x","y")', 1, None], ["+1", 2, None], ["a\x07b", 3, None]]
    sheet = load_workbook(written(tmp_path, rows)).active
    assert sheet is not None
    for row in (2, 3):
        assert sheet.cell(row, 1).data_type != "f"
        assert str(sheet.cell(row, 1).value).startswith("'")
    assert sheet["A4"].value == "a\ufffdb"


def test_a_row_of_the_wrong_length_is_refused() -> None:
    book = Workbook()
    with pytest.raises(ValueError, match="row 2 has 2 cells for 3 columns"):
        write_table(book.active, COLUMNS, [["a", 1, None], ["b", 2]])  # type: ignore[arg-type]


def test_wide_characters_count_double() -> None:
    assert display_width("许家印") == 6 and display_width("HUI Ka Yan") == 10


def test_numbers_are_fitted_as_their_format_shows_them(tmp_path: Path) -> None:
    columns = [Column("net", "#,##0.00"), Column("share", "0.0%")]
    path = tmp_path / "numbers.xlsx"
    book = Workbook()
    write_table(book.active, columns, [[Decimal("56000000.00"), Decimal("1.1574534464")]])
    book.save(path)
    sheet = load_workbook(path).active
    assert sheet is not None
    # "56,000,000.00" is 13 wide, not the 11 of "56000000.00": a narrower column shows ####
    assert sheet.column_dimensions["A"].width == len("56,000,000.00") + 1
    assert shown(Decimal("1.1574534464"), "0.0%") == "115.7%"
    assert sheet.column_dimensions["B"].width == len("share") + 2 + 1  # the header is wider
