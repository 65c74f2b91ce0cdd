"""`oad assess`: help with an example, the portfolio and one debtor printed, xlsx and PDF
written with the not-legal-advice statement, rates from --rates or the configuration, bad
input refused in one line, and every assessment in the audit log."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from openpyxl import load_workbook
from pypdf import PdfReader

from pipelines.store import connect
from tests.pipelines.assessment.assess_store import RATES_YML, build_assess_store

Oad = Callable[..., Result]
NOT_ADVICE = "Evidence for counsel, not legal advice"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("assess") / "assess.duckdb"
    build_assess_store(db)
    return db


@pytest.fixture
def oad(built: Path, db_path: Path, oad: Oad) -> Oad:
    shutil.copy(built, db_path)
    return oad


@pytest.fixture
def rates(tmp_path: Path) -> Path:
    path = tmp_path / "rates.yml"
    path.write_text(RATES_YML, encoding="utf-8")
    return path


def audit_rows(db: Path) -> list[dict[str, Any]]:
    with connect(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT details::VARCHAR FROM audit_log WHERE action = 'assess' ORDER BY audit_id"
        ).fetchall()
    return [json.loads(row[0]) for row in rows]


def test_help_has_an_example(oad: Oad) -> None:
    shown = " ".join(oad("assess", "--help").output.split())
    assert "Example:" in shown and "oad assess --debtor D001 --rates" in shown
    assert "not legal advice" in shown


def test_portfolio_ranked_and_audited(oad: Oad, db_path: Path, rates: Path) -> None:
    shown = oad("assess", "--rates", str(rates), "--on", "2025-03-01").output
    assert NOT_ADVICE in shown
    ranked = [line.split()[1] for line in shown.splitlines() if line[:4].strip().isdigit()]
    assert ranked == ["D1", "D2", "D3"]
    (audit,) = audit_rows(db_path)
    assert audit["format"] == "terminal" and audit["outputs"] == []
    assert audit["counts"] == {"debtors": 3, "leads": 6} and audit["on"] == "2025-03-01"
    assert audit["rates"] == str(rates)


def test_one_debtor_to_xlsx(oad: Oad, db_path: Path, rates: Path, tmp_path: Path) -> None:
    out = tmp_path / "x" / "d1.xlsx"
    shown = oad("assess", "--debtor", "D1", "--rates", str(rates), "-o", str(out)).output
    assert "D1 安丰投资有限公司" in shown and "ELIGIBLE" in shown and f"written: {out}" in shown
    book = load_workbook(out)
    assert book.sheetnames[0] == "about"
    assert NOT_ADVICE in str(book["about"]["B2"].value)
    portfolio = list(book["portfolio"].iter_rows(values_only=True))
    assert [row[1] for row in portfolio[1:]] == ["D1"]
    signals = [row[1] for row in book["signals"].iter_rows(min_row=2, values_only=True)]
    assert sorted(signals) == ["offshore", "relationship started", "title transferred"]
    assert audit_rows(db_path)[0]["outputs"] == [str(out.resolve())]


def test_pdf_holds_the_statement_and_chinese(oad: Oad, rates: Path, tmp_path: Path) -> None:
    out = tmp_path / "d1.pdf"
    oad("assess", "--debtor", "D1", "--rates", str(rates), "-o", str(out))
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "not legal advice" in text and "安丰投资有限公司" in text
    assert "HUA XIA HOLDINGS LTD" in text


def test_rates_from_the_configuration(oad: Oad, tmp_path: Path, rates: Path) -> None:
    config = tmp_path / "oad.toml"
    config.write_text(f'[assess]\nrates = "{rates.name}"\n', encoding="utf-8")
    shown = oad("assess", "--debtor", "D1", "--config", str(config)).output
    assert f"exchange rates from {rates}" in shown and "shown unconverted" not in shown
    without = oad("assess", "--debtor", "D1").output
    assert "no exchange rates given" in without and "shown unconverted" in without


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--debtor", "D9"], "no debtor 'D9' in the store"),
        (["-o", "out.docx"], "write the assessment to a .xlsx or .pdf file"),
    ],
)
def test_bad_input_refused_in_one_line(oad: Oad, args: list[str], message: str) -> None:
    result = oad("assess", *args, expect_exit=1)
    assert message in result.output and "Traceback" not in result.output
