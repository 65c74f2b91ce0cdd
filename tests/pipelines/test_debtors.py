from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from pipelines.dates import EXPECTED
from pipelines.debtors import import_debtors
from pipelines.errors import InputFileError
from pipelines.store import Store
from tests.conftest import rows_by

HEADER = (
    "debtor_id,name,kind,alt_names,id_number,birth_date,related_persons,outstanding_amount,currency"
)
ROWS = [
    "D1,深圳恒大科技有限公司,company,恒大科技;Evergrande Tech,91110108600040399G,,"
    "许家印:法定代表人,1000,CNY",
    "D2,许家印,person,,11010519491231002X,,,,",
    "D3,张伟,person,,110105194912310021,1985-01-01,,,",
    "D4,陈大文,person,,11010519491231002X,1950-01-01,,,",
]
CHINESE_HEADER = "债务人编号,名称,类型,别名,证件号码,出生日期,关联人,欠款金额,币种"


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def debtors(store: Store) -> dict[str, dict[str, Any]]:
    return rows_by(store, "SELECT * FROM debtors", "debtor_id")


def rejected(store: Store) -> list[tuple[int, str, str]]:
    return store.con.execute(
        "SELECT line, field, reason FROM rejected_rows ORDER BY line"
    ).fetchall()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_each_encoding_is_detected(store: Store, tmp_path: Path, encoding: str) -> None:
    path = write(
        tmp_path / "d.csv",
        [CHINESE_HEADER, *[r.replace(",company,", ",公司,") for r in ROWS]],
        encoding,
    )
    counts = import_debtors(store, path)
    assert (counts.loaded, counts.rejected) == (4, 0)
    assert debtors(store)["D1"]["name"] == "深圳恒大科技有限公司"
    assert debtors(store)["D1"]["alt_names"] == ["恒大科技", "Evergrande Tech"]


def test_named_encoding_must_decode(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "d.csv", [HEADER, *ROWS], "gb18030")
    with pytest.raises(InputFileError, match="does not decode as utf-8"):
        import_debtors(store, path, encoding="utf-8")
    assert import_debtors(store, path, encoding="gbk").loaded == 4


def test_chinese_headers_and_kind_values(store: Store, tmp_path: Path) -> None:
    lines = [
        CHINESE_HEADER,
        'D1,中华汽车服务有限公司,企业,,,,,"12,000.50",CNY',
        "D2,陈大文,自然人,,,,,,",
    ]
    import_debtors(store, write(tmp_path / "d.csv", lines))
    rows = debtors(store)
    assert rows["D1"]["kind"] == "company" and str(rows["D1"]["outstanding_amount"]) == "12000.50"
    assert rows["D2"]["kind"] == "person"


def test_identifiers_validated_and_birth_date_derived(store: Store, tmp_path: Path) -> None:
    import_debtors(store, write(tmp_path / "d.csv", [HEADER, *ROWS]))
    rows = debtors(store)
    assert (rows["D1"]["id_type"], rows["D1"]["id_valid"]) == ("uscc", True)
    assert json.loads(rows["D1"]["related_persons"]) == [{"name": "许家印", "role": "法定代表人"}]
    assert rows["D2"]["birth_date"] == dt.date(1949, 12, 31)
    assert rows["D2"]["birth_date_origin"] == "id_number"
    # an invalid ID number is kept and flagged, never dropped
    assert rows["D3"]["id_valid"] is False and rows["D3"]["id_number"] == "110105194912310021"
    assert any("invalid resident ID number" in f for f in rows["D3"]["findings"])
    assert rows["D3"]["birth_date"] == dt.date(1985, 1, 1)
    # a birth date that disagrees with the ID is kept as given and flagged
    assert rows["D4"]["birth_date"] == dt.date(1950, 1, 1)
    assert any("disagrees with the ID number (1949-12-31)" in f for f in rows["D4"]["findings"])


def test_invalid_uscc_is_kept_and_flagged(store: Store, tmp_path: Path) -> None:
    lines = [HEADER, "D9,深圳某某有限公司,company,,91110108600040399H,,,,"]
    counts = import_debtors(store, write(tmp_path / "d.csv", lines))
    assert (counts.loaded, counts.rejected) == (1, 0)
    row = debtors(store)["D9"]
    assert row["id_valid"] is False and row["id_type"] is None
    assert row["findings"][0].startswith("invalid Unified Social Credit Code")


def test_xlsx_with_sheet(store: Store, tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "notes"
    book.active.append(["nothing here"])
    sheet = book.create_sheet("对公")
    sheet.append(CHINESE_HEADER.split(","))
    sheet.append(
        ["D1", "中华汽车服务有限公司", "公司", None, "91110108600040399G", None, None, 5000, "CNY"]
    )
    sheet.append(
        [
            "D2",
            "许家印",
            "个人",
            None,
            "11010519491231002X",
            dt.datetime(1949, 12, 31),
            None,
            None,
            None,
        ]
    )
    path = tmp_path / "debtors.xlsx"
    book.save(path)
    counts = import_debtors(store, path, sheet="对公")
    assert (counts.loaded, counts.rejected) == (2, 0)
    rows = debtors(store)
    assert str(rows["D1"]["outstanding_amount"]) == "5000.00"
    assert rows["D2"]["birth_date_origin"] == "file" and rows["D2"]["findings"] == []
    with pytest.raises(InputFileError, match="no sheet 'missing'"):
        import_debtors(store, path, sheet="missing")


def test_reimport_changes_nothing(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "d.csv", [HEADER, *ROWS])
    import_debtors(store, path)
    before = store.con.execute("SELECT * FROM debtors ORDER BY debtor_id").fetchall()
    counts = import_debtors(store, path)
    assert (counts.loaded, counts.updated, counts.unchanged) == (0, 0, 4)
    assert store.con.execute("SELECT * FROM debtors ORDER BY debtor_id").fetchall() == before
    assert store.scalar("SELECT count(*) FROM debtor_changes") == 0


def test_updated_import_updates_by_id_and_records_changes(store: Store, tmp_path: Path) -> None:
    import_debtors(store, write(tmp_path / "d.csv", [HEADER, *ROWS]))
    first_seen = debtors(store)["D1"]["imported_at"]
    changed = [ROWS[0].replace(",1000,", ",2500,"), *ROWS[1:], "D5,李四,person,,,,,,"]
    counts = import_debtors(store, write(tmp_path / "d2.csv", [HEADER, *changed]))
    assert (counts.loaded, counts.updated, counts.unchanged) == (1, 1, 3)
    row = debtors(store)["D1"]
    assert str(row["outstanding_amount"]) == "2500.00" and row["imported_at"] == first_seen
    assert row["source_file"].endswith("d2.csv")
    changes = store.con.execute(
        "SELECT debtor_id, field, old_value, new_value FROM debtor_changes"
    ).fetchall()
    assert changes == [("D1", "outstanding_amount", "1000.00", "2500.00")]


def test_malformed_rows_rejected_with_lines(store: Store, tmp_path: Path) -> None:
    lines = [
        HEADER,
        ROWS[0],
        'D2,"multi\nline name",person,,,,,,',  # lines 3-4, loads
        ",无编号,person,,,,,,",  # line 5
        "D6,王五,robot,,,,,,",  # line 6
        "D7,赵六,person,,,1985-02-30,,,",  # line 7
        "D8,钱七,person,,,,,12abc,",  # line 8
        "D1,重复,company,,,,,,",  # line 9
        "D10,Acme Widgets Ltd,,,,,,,",  # kind inferred
    ]
    counts = import_debtors(store, write(tmp_path / "d.csv", lines))
    assert (counts.loaded, counts.rejected) == (3, 5)
    assert rejected(store) == [
        (5, "debtor_id", "debtor_id is empty"),
        (6, "kind", "kind 'robot' is neither company nor person"),
        (7, "birth_date", f"not a date (expected {EXPECTED})"),
        (8, "outstanding_amount", "not an amount: '12abc'"),
        (9, "debtor_id", "duplicate debtor_id 'D1' (first at line 2)"),
    ]
    raw = store.scalar("SELECT raw FROM rejected_rows WHERE line = 6")
    assert json.loads(raw)["name"] == "王五"
    assert debtors(store)["D10"]["kind"] == "company"
    assert debtors(store)["D2"]["source_line"] == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7\x00\x01\x02binary", "binary data, not a table file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "old binary .xls workbook"),
        (b"PK\x03\x04not really a zip", "not a complete zip archive"),
        (b"", "empty file"),
        ("名称,类型\n张三,个人\n".encode(), "required column(s) missing: debtor_id"),
    ],
)
def test_unreadable_file_writes_nothing(
    store: Store, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(
        InputFileError, match=message.replace("(", r"\(").replace(")", r"\)")
    ) as error:
        import_debtors(store, path)
    assert str(path) in str(error.value)
    for table in ("debtors", "crawls", "rejected_rows", "audit_log"):
        assert store.scalar(f"SELECT count(*) FROM {table}") == 0


def test_lei_column_kept_and_checked(store: Store, tmp_path: Path) -> None:
    lines = [
        "债务人编号,名称,类型,法人识别编码",
        "D1,微软(中国)有限公司,公司,836800FXO82WAQQSJI94",
        "D2,某某有限公司,公司,836800FXO82WAQQSJI95",
    ]
    import_debtors(store, write(tmp_path / "d.csv", lines))
    rows = debtors(store)
    assert rows["D1"]["lei"] == "836800FXO82WAQQSJI94" and rows["D1"]["findings"] == []
    assert rows["D2"]["findings"] == ["invalid LEI: wrong check character"]
