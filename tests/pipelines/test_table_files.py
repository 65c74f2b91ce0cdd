"""The one reader of table files: rows with the lines they start on, row-level faults kept as
rejections, and CSV, XLSX, JSON lines, Parquet and zips read alike."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from pipelines import csv_chunks
from pipelines.errors import InputFileError
from pipelines.table_files import TableFile, read_download, read_file


def rows(table: TableFile) -> list[tuple[int, list[str]]]:
    return [row for batch in table.batches for row in batch.rows()]


def rejected(table: TableFile) -> list[tuple[int | None, str]]:
    return [(r.line, r.reason) for r in table.rejections]


def csv_file(tmp_path: Path, content: bytes, name: str = "f.csv") -> TableFile:
    path = tmp_path / name
    path.write_bytes(content)
    return read_file(path)


def test_rows_start_on_their_lines(tmp_path: Path) -> None:
    text = 'id,name,note\n1,A,\n2,"TWO\nLINES",x\n3,C,"and\nthree\nmore"\n\n4,D,\n'
    table = csv_file(tmp_path, text.encode())
    assert [(line, cells[0]) for line, cells in rows(table)] == [
        (2, "1"), (3, "2"), (5, "3"), (9, "4"),
    ]  # fmt: skip
    assert rows(csv_file(tmp_path, text.encode()))[1][1] == ["2", "TWO\nLINES", "x"]


@pytest.mark.parametrize("block", [16, 64, 1 << 20])
def test_lines_hold_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    """Chunks end only after a whole row, a quoted newline or a lone CR notwithstanding."""
    monkeypatch.setattr(csv_chunks, "BLOCK_BYTES", block)
    lines = ["id,name"]
    for i in range(1, 300):
        lines.append(f'{i},"N{i}\nX"' if i % 7 == 0 else f"{i},N{i}")
    table = csv_file(tmp_path, ("\r\n".join(lines) + "\r\n").encode())
    found = rows(table)
    assert [cells[0] for _, cells in found] == [str(i) for i in range(1, 300)]
    line = 2
    for (at, cells), i in zip(found, range(1, 300), strict=True):
        assert at == line, cells
        line += 2 if i % 7 == 0 else 1


def test_malformed_rows_are_refused_on_their_lines(tmp_path: Path) -> None:
    text = b'id,name,note\n1,A,x\n2,B\n3,C,x,extra\n4,"D\nE",x\n5,F,x\n'
    table = csv_file(tmp_path, text)
    assert [line for line, _ in rows(table)] == [2, 5, 7]
    assert rejected(table) == [
        (3, "malformed row: 2 fields where the header has 3"),
        (4, "malformed row: 4 fields where the header has 3"),
    ]
    assert table.rejections[1].raw == "3,C,x,extra"


def test_row_level_faults_leave_the_rest(tmp_path: Path) -> None:
    text = b"id,name\n1,A\n2,\xff\xfe\n3,B\x00C\n4,D\n"
    table = csv_file(tmp_path, ("id,name\n" + "9,深圳\n" * 300).encode() + text[8:])
    assert [cells[0] for _, cells in rows(table)][-2:] == ["1", "4"]
    assert rejected(table) == [
        (303, "not valid UTF-8 text"),
        (304, "a cell holds a NUL character"),
    ]


def test_a_cell_too_large_is_refused(tmp_path: Path) -> None:
    big = b"x" * (1 << 20 | 1)
    table = csv_file(tmp_path, b"id,name\n1,A\n2," + big + b"\n3,C\n")
    assert [cells[0] for _, cells in rows(table)] == ["1", "3"]
    assert rejected(table) == [(3, "a cell is larger than 1 MB")]


def test_old_mac_line_ends_are_line_ends(tmp_path: Path) -> None:
    table = csv_file(tmp_path, b"source_id,name\r\n1,A\rB\r\n2,C\r\n")
    assert [(line, cells) for line, cells in rows(table)] == [(2, ["1", "A"]), (4, ["2", "C"])]
    assert rejected(table) == [(3, "malformed row: 1 field where the header has 2")]


@pytest.mark.parametrize(
    ("encoding", "separator"), [("gb18030", ";"), ("utf-16", "\t"), ("cp1252", "|")]
)
def test_encodings_and_separators(tmp_path: Path, encoding: str, separator: str) -> None:
    name = "Müller Société" if encoding == "cp1252" else "深圳恒大科技有限公司"
    text = f"source_id{separator}name\n1{separator}{name}\n"
    table = csv_file(tmp_path, text.encode(encoding))
    assert table.encoding == encoding and rows(table) == [(2, ["1", name])]


def test_a_gb18030_row_that_does_not_decode_is_refused(tmp_path: Path) -> None:
    good = "1,深圳恒大科技有限公司\n".encode("gb18030") * 300
    table = csv_file(tmp_path, b"id,name\n" + good + b"2,\x81\n" + "3,好\n".encode("gb18030"))
    assert table.encoding == "gb18030"
    assert rows(table)[-1] == (303, ["3", "好"])
    assert rejected(table) == [(302, "not valid gb18030 text")]


def test_header_across_lines(tmp_path: Path) -> None:
    table = csv_file(tmp_path, b',Reg no.,"Incorp-\norated"\n1,26504,1972-01-14\n')
    assert table.header == ["", "Reg no.", "Incorp-\norated"]
    assert rows(table) == [(3, ["1", "26504", "1972-01-14"])]


def test_json_lines(tmp_path: Path) -> None:
    text = b'{"id": 1, "name": "A"}\n[1, 2]\n{bad\n\n{"id": 2, "aliases": ["x", "y"]}\n'
    table = csv_file(tmp_path, text, "r.jsonl")
    assert table.header == ["id", "name", "aliases"]
    assert rows(table) == [(1, ["1", "A", ""]), (5, ["2", "", '["x", "y"]'])]
    assert [line for line, _ in rejected(table)] == [2, 3]
    assert rejected(table)[0][1] == "not a JSON object"


def test_parquet_xlsx_and_zip(tmp_path: Path) -> None:
    parquet = tmp_path / "r.parquet"
    pq.write_table(pa.table({"id": [1, 2], "names": [["a"], []], "name": ["A", None]}), parquet)
    assert rows(read_file(parquet)) == [(1, ["1", '["a"]', "A"]), (2, ["2", "[]", ""])]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["id", "name"], [1, "许家印"], [None, None], [2, "B"]):
        sheet.append(row)
    book.save(tmp_path / "d.xlsx")
    assert rows(read_file(tmp_path / "d.xlsx")) == [(2, ["1", "许家印"]), (4, ["2", "B"])]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("b.csv", "id,name\n2,B\n")
        archive.writestr("a.csv", "id,name\n1,A\n")
        archive.writestr("GENERATED_ON_20250101.txt", "not a table")
    tables = list(
        read_download(buffer.getvalue(), "http://x/f.zip", None, lambda n: n.endswith(".csv"))
    )
    assert [(t.label, rows(t)) for t in tables] == [
        ("http://x/f.zip#a.csv", [(2, ["1", "A"])]),
        ("http://x/f.zip#b.csv", [(2, ["2", "B"])]),
    ]
    (tmp_path / "two.zip").write_bytes(buffer.getvalue())
    with pytest.raises(InputFileError, match="a zip of 3 tables"):
        read_file(tmp_path / "two.zip")


def test_a_file_cut_inside_quotes_loses_only_its_last_row(tmp_path: Path) -> None:
    table = csv_file(tmp_path, b'id,name\n0,A\n1,"never closed\n' + b"x" * 100)
    assert rows(table) == [(2, ["0", "A"])]
    assert rejected(table) == [(3, "the file ends inside a quoted cell (was it cut short?)")]


@pytest.mark.parametrize(
    ("content", "native"),
    [
        (b'id,name\n1,A\n2,"B\nC"\n', True),
        (b"\xef\xbb\xbfid,name\n1,A\n", True),
        (b"id,name\n" + b"1,A\n" * 100 + b"2,B\x00\n", False),
        (b"id,name\r\n1,A\rB\r\n", False),
        (b"id,name\n1,\xff\n", False),
        ("id,name\n1,深圳\n".encode("gb18030"), False),
    ],
)
def test_only_clean_utf8_files_are_left_to_duckdbs_parser(
    tmp_path: Path, content: bytes, native: bool
) -> None:
    assert (csv_file(tmp_path, content).native is not None) is native
