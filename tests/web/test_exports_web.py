"""Exports from the workbench: each format downloads a file that opens, the form's filters and
redaction reach it, every export reaches the audit log with its user, and while a run holds the
store the export comes from the replica and its audit entry waits."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from contextlib import closing
from pathlib import Path

import duckdb
import openpyxl
import pytest
from followthemoney import model
from httpx import Response

from pipelines.workbench_db import connect_workbench
from pipelines.workbench_events import pending_events
from tests.pipelines.exports.case_store import build_case_store
from tests.store_holder import held_by_another_process
from tests.web.conftest import add_users, copy_store
from tests.web.test_app import logged_in

ALL_LEADS = {"C1", "T1", "C2", "T2"}  # D1's and D2's targets (D3 has none)


@pytest.fixture(scope="module")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("exports") / "bank.duckdb"
    build_case_store(store)
    add_users(store)
    return store


@pytest.fixture
def store(built_store: Path, tmp_path: Path) -> Path:
    return copy_store(built_store, tmp_path)


def export(store: Path, user: str, **form: str) -> Response:
    client, token = logged_in(store, user)
    return client.post("/exports", data={"csrf_token": token, **form})


def downloaded(response: Response) -> str:
    assert response.status_code == 200, response.text
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    return disposition.split('filename="')[1].rstrip('"')


def zipped(response: Response) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def leads_of(response: Response) -> list[dict[str, str]]:
    files = zipped(response)
    return csv_rows(next(data for name, data in files.items() if name.endswith("-leads.csv")))


def test_the_form_is_in_the_navigation_and_takes_a_debtor_from_the_link(store: Path) -> None:
    client, _ = logged_in(store, "ian")
    html = client.get("/exports?debtor=D2").text
    assert '<a href="/exports"' in html
    assert 'name="debtor" value="D2"' in html and "陈大文 (D2)" in html
    assert "No debtor D9" in client.get("/exports?debtor=D9").text


def test_xlsx_downloads_a_workbook_openpyxl_opens(store: Path) -> None:
    response = export(store, "ian", format="xlsx")
    assert downloaded(response) == "case.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    leads = workbook["Leads"]
    header = [cell.value for cell in leads[1]]
    targets = {
        row[header.index("target_id")] for row in leads.iter_rows(min_row=2, values_only=True)
    }
    assert targets == ALL_LEADS


def test_csv_downloads_a_zip_of_leads_and_evidence(store: Path) -> None:
    response = export(store, "ian", format="csv")
    assert downloaded(response) == "case-csv.zip"
    assert sorted(zipped(response)) == ["case-evidence.csv", "case-leads.csv"]
    assert {row["target_id"] for row in leads_of(response)} == ALL_LEADS


def test_ftm_downloads_lines_followthemoney_parses(store: Path) -> None:
    response = export(store, "ian", format="ftm")
    assert downloaded(response) == "case.ftm.jsonl"
    entities = [json.loads(line) for line in response.text.splitlines()]
    assert entities
    for entity in entities:
        proxy = model.get_proxy(entity, cleaned=False)  # re-cleans every value as on import
        assert proxy.to_dict() == entity and proxy.schema.validate(entity) is None


def test_pdf_of_one_debtor_is_a_pdf_and_of_all_a_zip_of_pdfs(store: Path) -> None:
    one = export(store, "ian", format="pdf", debtor="D1")
    assert downloaded(one) == "case-D1.pdf" and one.content.startswith(b"%PDF")
    every = export(store, "ian", format="pdf")
    assert downloaded(every) == "case-pdf.zip"
    dossiers = zipped(every)
    assert sorted(dossiers) == ["D1.pdf", "D2.pdf"]  # the debtors with leads
    assert all(pdf.startswith(b"%PDF") for pdf in dossiers.values())


def test_the_filters_choose_the_leads(store: Path) -> None:
    every = leads_of(export(store, "ian", format="csv"))
    one = leads_of(export(store, "ian", format="csv", debtor="D2"))
    assert {row["debtor_id"] for row in one} == {"D2"}
    confirmed = leads_of(export(store, "ian", format="csv", confirmed="1"))
    assert {row["debtor_id"] for row in confirmed} == {"D1"}
    # a threshold between the leads' confidences keeps those at or above it
    confidences = sorted({float(row["confidence"]) for row in every})
    threshold = (confidences[0] + confidences[-1]) / 2
    above = leads_of(export(store, "ian", format="csv", min_confidence=str(threshold)))
    kept = {row["lead_id"] for row in every if float(row["confidence"]) >= threshold}
    assert {row["lead_id"] for row in above} == kept and 0 < len(kept) < len(every)


def test_redaction_is_chosen_by_an_investigator_and_always_for_a_viewer(store: Path) -> None:
    plain = leads_of(export(store, "ian", format="csv"))
    assert {row["debtor_id"] for row in plain} == {"D1", "D2"}
    for user, form in (("ian", {"redact": "1"}), ("vic", {})):
        rows = leads_of(export(store, user, format="csv", **form))
        assert rows and all(row["debtor_id"].startswith("X-") for row in rows), user
    redacted_pdf = export(store, "vic", format="pdf", debtor="D1")
    assert downloaded(redacted_pdf) == "case.pdf"  # the debtor id stays out of the name too


def test_an_export_is_in_the_audit_log_with_its_user(store: Path) -> None:
    downloaded(export(store, "ian", format="csv", debtor="D2", min_confidence="0.1"))
    with duckdb.connect(str(store), read_only=True) as con:
        actor, details = con.execute(
            "SELECT actor, details::VARCHAR FROM audit_log WHERE action = 'export'"
        ).fetchone() or ("", "{}")
    assert actor == "web:ian"
    logged = json.loads(details)
    assert logged["format"] == "csv" and logged["download"] == "case-D2-csv.zip"
    assert logged["filter"] == {"debtor": "D2", "min_confidence": 0.1, "status": "all",
                                "redact": False}  # fmt: skip
    assert logged["outputs"] == ["case-D2-leads.csv", "case-D2-evidence.csv"]
    assert logged["counts"]["debtors"] == 1 and logged["counts"]["leads"] == 2
    admin, _ = logged_in(store, "ada")
    audit = admin.get("/audit").text
    assert "web:ian" in audit and "case-D2-csv.zip" in audit


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"format": "docx"}, 400, "no export format"),
        ({"format": "csv", "min_confidence": "2"}, 400, "from 0 to 1"),
        ({"format": "csv", "debtor": "D9"}, 400, "no debtor"),
        ({"format": "pdf", "min_confidence": "1"}, 400, "nothing to export"),
    ],
)
def test_an_export_there_is_none_of_says_why(
    store: Path, form: dict[str, str], status: int, message: str
) -> None:
    response = export(store, "ian", **form)
    assert response.status_code == status and message in response.text
    assert "attachment" not in response.headers.get("content-disposition", "")


def test_an_export_without_the_csrf_token_is_refused(store: Path) -> None:
    client, _ = logged_in(store, "ian")
    assert client.post("/exports", data={"format": "csv"}).status_code == 403


def test_while_a_run_holds_the_store_the_export_reads_the_replica(store: Path) -> None:
    client, token = logged_in(store, "ian")
    client.get("/exports?debtor=D1")  # a read of the free store leaves its replica
    with held_by_another_process(store):
        response = client.post("/exports", data={"csrf_token": token, "format": "xlsx"})
        assert downloaded(response) == "case.xlsx"
        openpyxl.load_workbook(io.BytesIO(response.content))
        with closing(connect_workbench(store)) as con:
            waiting = pending_events(con)
        exports = [(e.actor, e.details["format"]) for e in waiting if e.action == "export"]
        assert exports == [("web:ian", "xlsx")]
        admin, _ = logged_in(store, "ada")
        assert "Not yet in the store" in admin.get("/audit").text
