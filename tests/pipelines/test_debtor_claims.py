"""The claim columns of the debtor list: Chinese headers, yes/no values, a bad value rejected
with its file, line and field, and a changed claim seen as a change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from pipelines.debtors import import_debtors
from pipelines.store import Store
from tests.conftest import rows_by

HEADER = "债务人编号,名称,类型,欠款金额,币种,债权类型,案号,法院,判决日期,是否生效,违约日期,担保金额"
GOOD = [
    "D1,安丰投资有限公司,公司,1000,CNY,判决,(2024)粤03民初1号,深圳市中级人民法院,2024-03-01,是,"
    '2023-06-30,"1,200.00"',
    "D2,陈大文,个人,,,仲裁裁决,深国仲2023第5号,深圳国际仲裁院,2023/05/01,N,,",
    "D3,李小龙,个人,,,,,,,,,",
]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_claim_columns_read_from_chinese_headers(store: Store, tmp_path: Path) -> None:
    counts = import_debtors(store, write(tmp_path / "d.csv", [HEADER, *GOOD]))
    assert (counts.loaded, counts.rejected, counts.unused_columns) == (3, 0, ())
    rows = rows_by(store, "SELECT * FROM debtors", "debtor_id")
    d1, d2, d3 = rows["D1"], rows["D2"], rows["D3"]
    assert (d1["claim_kind"], d1["claim_reference"], d1["claim_forum"]) == (
        "judgment", "(2024)粤03民初1号", "深圳市中级人民法院",
    )  # fmt: skip
    assert (d1["judgment_date"], d1["judgment_final"], d1["default_date"]) == (
        dt.date(2024, 3, 1), True, dt.date(2023, 6, 30),
    )  # fmt: skip
    assert d1["secured_amount"] == Decimal("1200.00")
    assert (d2["claim_kind"], d2["judgment_final"], d2["judgment_date"]) == (
        "award", False, dt.date(2023, 5, 1),
    )  # fmt: skip
    assert d2["default_date"] is None and d2["secured_amount"] is None
    assert [d3[name] for name in ("claim_kind", "judgment_final", "default_date")] == [None] * 3


def test_bad_claim_values_rejected_with_file_line_and_field(store: Store, tmp_path: Path) -> None:
    lines = [
        HEADER,
        GOOD[0],
        "D4,王五,个人,,,判决,,,2024-13-01,是,,",  # line 3: no 13th month
        "D5,赵六,个人,,,借款合同,,,,,,",  # line 4: not a judgment or award
        "D6,钱七,个人,,,判决,,,,也许,,",  # line 5: neither yes nor no
        "D7,孙八,个人,,,判决,,,,,,12abc",  # line 6: not an amount
    ]
    path = write(tmp_path / "claims.csv", lines)
    counts = import_debtors(store, path)
    assert (counts.loaded, counts.rejected) == (1, 4)
    rows = store.con.execute(
        "SELECT file, line, field, reason FROM rejected_rows ORDER BY line"
    ).fetchall()
    assert [(line, field) for _, line, field, _ in rows] == [
        (3, "judgment_date"), (4, "claim_kind"), (5, "judgment_final"), (6, "secured_amount"),
    ]  # fmt: skip
    assert all(file.endswith("claims.csv") for file, *_ in rows)
    assert rows[0][3].startswith("judgment_date '2024-13-01': not a date")
    assert rows[1][3] == "claim_kind '借款合同' is neither a judgment nor an award"
    assert "也许" in rows[2][3] and rows[3][3] == "not an amount: '12abc'"


def test_changed_claim_is_an_update_and_logged(store: Store, tmp_path: Path) -> None:
    import_debtors(store, write(tmp_path / "d.csv", [HEADER, *GOOD]))
    again = import_debtors(store, write(tmp_path / "d.csv", [HEADER, *GOOD]))
    assert (again.updated, again.unchanged) == (0, 3)
    changed = [GOOD[0].replace(",是,", ",否,"), *GOOD[1:]]
    counts = import_debtors(store, write(tmp_path / "d2.csv", [HEADER, *changed]))
    assert (counts.updated, counts.unchanged) == (1, 2)
    changes = store.con.execute(
        "SELECT debtor_id, field, old_value, new_value FROM debtor_changes"
    ).fetchall()
    assert changes == [("D1", "judgment_final", "true", "false")]
    assert rows_by(store, "SELECT * FROM debtors", "debtor_id")["D1"]["judgment_final"] is False
