"""The xlsx case pack read back with openpyxl: its sheets and headers, Chinese names intact,
headers frozen and filtered, crawled formulas left as text, the value traced, the evidence
behind each lead, and a redacted pack free of the bank's internal fields."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from pipelines.exports.case import Case
from pipelines.exports.files import written_whole
from pipelines.exports.xlsx import write_xlsx
from tests.pipelines.exports.case_store import FORMULA_NAME, NOTE

Load = Callable[..., Case]
SHEETS = ["Summary", "By jurisdiction", "Leads", "Evidence", "Reviews", "About"]


def pack(case: Case, tmp_path: Path) -> dict[str, Worksheet]:
    out = tmp_path / "nested" / "case.xlsx"
    assert write_xlsx(case, out) == [out]
    book = load_workbook(out)
    return {sheet.title: sheet for sheet in book.worksheets}


def records(sheet: Worksheet) -> list[dict[str, Any]]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_sheets_headers_frozen_and_filtered(case_of: Load, tmp_path: Path) -> None:
    sheets = pack(case_of(), tmp_path)
    assert list(sheets) == SHEETS
    for sheet in sheets.values():
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}" + str(
            sheet.max_row
        )
        assert sheet["A1"].font.bold
    leads = records(sheets["Leads"])
    assert len(leads) == 4 and {"chain", "weakest_hop", "evidence_as_of"} <= set(leads[0])
    assert sheets["Leads"].column_dimensions["Q"].width > 60  # the chain column is wide


def test_chains_read_as_text_with_chinese_intact(case_of: Load, tmp_path: Path) -> None:
    leads = {row["target_id"]: row for row in records(pack(case_of(), tmp_path)["Leads"])}
    title = leads["T2"]
    assert title["chain"] == (
        "陈大文 → matched (0.70) → CHAN Tai Man → psc (0.90) → 宏港控股有限公司 → same company"
        " (0.90) → WANG KONG HOLDINGS LIMITED → proprietor (1.00) → 2 Example Road, Manchester"
    )
    assert title["debtor"] == "陈大文" and title["value"] == 750000
    assert title["weakest_hop"] == "hop 1: matched (0.70) 陈大文 → CHAN Tai Man"
    assert title["confidence"] == pytest.approx(0.567) and title["decision"] == "unreviewed"
    assert leads["C2"]["target"] == "宏港控股有限公司"


def test_a_crawled_formula_is_text(case_of: Load, tmp_path: Path) -> None:
    sheets = pack(case_of(), tmp_path)
    found = [
        cell
        for sheet in sheets.values()
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.lstrip("'").startswith("=")
    ]
    assert len(found) >= 2  # the lead's target and the company record's statement
    for cell in found:
        assert cell.data_type != "f" and cell.value == "'" + cell.value[1:]
    assert any(cell.value == "'" + FORMULA_NAME for cell in found)


def test_value_traced_per_debtor_and_jurisdiction(case_of: Load, tmp_path: Path) -> None:
    sheets = pack(case_of(), tmp_path)
    summary = {row["debtor_id"]: row for row in records(sheets["Summary"])}
    # D1's title is reached by a confirmed chain at 0.81; D2's by an unreviewed one at 0.567
    assert (summary["D1"]["known_value"], summary["D1"]["value_confirmed"]) == (500000, 500000)
    assert summary["D1"]["value_weighted"] == 405000
    assert (summary["D2"]["value_confirmed"], summary["D2"]["value_weighted"]) == (0, 425250)
    assert summary["D1"]["outstanding"] == pytest.approx(1234567.89) and summary["D3"]["leads"] == 0
    assert summary["D2"]["debtor"] == "陈大文"
    (gb,) = records(sheets["By jurisdiction"])
    assert (gb["jurisdiction"], gb["debtors"], gb["leads"], gb["targets"]) == ("GB", 2, 4, 4)
    assert gb["known_value"] == 1250000 and gb["value_weighted"] == 830250


def test_each_fact_once_with_the_leads_it_supports(case_of: Load, tmp_path: Path) -> None:
    case = case_of()
    evidence = records(pack(case, tmp_path)["Evidence"])
    assert sorted(row["fact_id"] for row in evidence) == sorted(case.facts)
    supported = {row["fact_id"]: set(row["leads"].split()) for row in evidence}
    for lead in case.leads:
        for fact in case.facts_of(lead):
            assert lead.lead_id in supported[fact.fact_id]
    match = next(row for row in evidence if row["fact_id"].startswith("match:D1:"))
    assert len(supported[match["fact_id"]]) == 2  # both of D1's chains start from it
    assert match["url"].startswith("https://example.org/") and match["fetched_at"] is not None


def test_reviews_with_their_notes(case_of: Load, tmp_path: Path) -> None:
    reviews = records(pack(case_of(), tmp_path)["Reviews"])
    assert [(r["debtor_id"], r["decision"], r["reviewer"]) for r in reviews] == [
        ("D1", "confirm", "alice"), ("D3", "reject", "bob"),
    ]  # fmt: skip
    assert reviews[0]["note"] == NOTE and reviews[0]["record"] == "ANVEN INVESTMENT LIMITED"


def test_a_redacted_pack_holds_no_debtor_id_amount_or_note(case_of: Load, tmp_path: Path) -> None:
    sheets = pack(case_of(redact=True), tmp_path)
    cells = [
        str(value)
        for sheet in sheets.values()
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    debtor_id = re.compile(r"(?<![0-9A-Za-z])D[123](?![0-9A-Za-z])")
    assert not [cell for cell in cells if debtor_id.search(cell)]
    assert not [cell for cell in cells if "7731" in cell or "1234567" in cell]
    assert all(row["outstanding"] is None for row in records(sheets["Summary"]))
    assert all(row["note"] is None for row in records(sheets["Reviews"]))
    assert len(records(sheets["Leads"])) == 4


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "case.xlsx"
    out.write_bytes(b"the last export")
    with pytest.raises(RuntimeError), written_whole([out]) as (staged,):
        staged.write_bytes(b"half")
        raise RuntimeError("disk full")
    assert out.read_bytes() == b"the last export" and list(tmp_path.iterdir()) == [out]


def test_filters_change_what_is_written(case_of: Load, tmp_path: Path) -> None:
    confirmed = records(pack(case_of(status="confirmed"), tmp_path)["Leads"])
    assert {row["debtor_id"] for row in confirmed} == {"D1"}
    one = pack(case_of(debtor_id="D2", min_confidence=0.6), tmp_path)
    assert [row["target_id"] for row in records(one["Leads"])] == ["C2"]
    assert [row["debtor_id"] for row in records(one["Summary"])] == ["D2"]
    about = {row["field"]: row["value"] for row in records(one["About"])}
    assert (about["debtor"], about["min_confidence"], about["leads"]) == ("D2", 0.6, 1)
    assert Decimal(0) == sum(Decimal(row["value_confirmed"]) for row in records(one["Summary"]))
