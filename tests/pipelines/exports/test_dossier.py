"""The PDF dossier: what counsel reads in it (the debtor's Chinese name, the title, the source URL,
the evidence, the reviewers' decisions, that it is not legal advice), page 1 as an image, one
file or one per debtor, redaction, and crawled text that cannot become markup."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from PIL import Image
from pypdf import PdfReader

from pipelines.exports.case import Case, CaseFilter, load_case
from pipelines.exports.dossier import file_names, render_html, write_dossiers
from tests.pipelines.exports.case_store import FORMULA_NAME, NOTE, build_case_store


@pytest.fixture(scope="module")
def case_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("dossier") / "case.duckdb"
    build_case_store(db)
    return db


def case_of(db: Path, filters: CaseFilter | None = None) -> Case:
    with duckdb.connect(str(db), read_only=True) as con:
        return load_case(con, filters)


def pdf_text(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


@pytest.fixture(scope="module")
def one_debtor(case_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "d1.pdf"
    assert write_dossiers(case_of(case_db, CaseFilter(debtor_id="D1")), out) == [out]
    return out


def test_the_dossier_reads_as_counsel_needs_it(one_debtor: Path, case_db: Path) -> None:
    text = pdf_text(one_debtor)
    case = case_of(case_db)
    for wanted in ("安丰投资有限公司", "title T1", "https://example.org/ccod/T1", "T1",
                   "FORMULA HOLDINGS LIMITED", "not legal advice", f"leads run {case.run_id}",
                   "CNY 1,250,000.00", "alice", NOTE, "weakest", "Evidence", "E1"):  # fmt: skip
        assert wanted in text, wanted
    assert FORMULA_NAME in text  # a crawled formula is text in a PDF, shown as published
    assert "陈大文" not in text  # another debtor's dossier is not in this one
    assert "page 1 of" in text


def test_each_hop_shows_its_certainty_and_reason(one_debtor: Path, case_db: Path) -> None:
    text = " ".join(pdf_text(one_debtor).split())
    leads = case_of(case_db, CaseFilter(debtor_id="D1")).leads
    assert leads
    for hop in (hop for lead in leads for hop in lead.hops):
        assert f"{hop.certainty:.2f}" in text
        assert " ".join(hop.reason.split()[:4]) in text, hop.reason


def test_page_one_renders_to_an_a4_image(one_debtor: Path, tmp_path: Path) -> None:
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm missing: make setup installs poppler-utils (.ci/system-packages)"
    subprocess.run([pdftoppm, "-f", "1", "-l", "1", "-r", "60", "-png", "-singlefile",
                    str(one_debtor), str(tmp_path / "page1")], check=True, timeout=60)  # fmt: skip
    with Image.open(tmp_path / "page1.png") as image:
        width, height = image.size
        inked = sum(image.convert("L").histogram()[:128])  # pixels darker than mid grey
    assert height / width == pytest.approx(297 / 210, rel=0.01)
    assert inked > 0.01 * width * height  # text on the page, not a blank sheet


def test_one_pdf_per_debtor_with_leads_in_a_folder(case_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "dossiers"
    written = write_dossiers(case_of(case_db), folder)
    assert sorted(p.name for p in written) == ["D1.pdf", "D2.pdf"]  # D3 has no leads
    assert sorted(p.name for p in folder.iterdir()) == ["D1.pdf", "D2.pdf"]
    assert "陈大文" in pdf_text(folder / "D2.pdf") and "title T2" in pdf_text(folder / "D2.pdf")
    again = write_dossiers(case_of(case_db), folder)  # a rerun replaces, never adds
    assert again == written and len(list(folder.iterdir())) == 2


def test_a_debtor_without_leads_still_gets_its_dossier(case_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "d3.pdf"
    write_dossiers(case_of(case_db, CaseFilter(debtor_id="D3")), out)
    text = pdf_text(out)
    assert "宝伦发展有限公司" in text and "No leads for this debtor" in text
    assert "bob" in text and "reject" in text  # the rejected candidate's review


def test_redacted_dossier_leaves_out_the_banks_fields(case_db: Path) -> None:
    html = render_html(case := case_of(case_db, CaseFilter(redact=True)), list(case.debtors))
    assert "安丰投资有限公司" in html
    assert "D1" not in html and NOTE not in html and "1,250,000" not in html


def test_crawled_text_cannot_become_markup(case_db: Path) -> None:
    case = case_of(case_db, CaseFilter(debtor_id="D1"))
    hostile = '<img src="https://evil.example/x"><script>alert(1)</script>'
    lead = case.leads[0]
    last = lead.hops[-1]
    hops = (*lead.hops[:-1], dataclasses.replace(last, end=dataclasses.replace(last.end,
            name=hostile), reason=hostile))  # fmt: skip
    case = dataclasses.replace(case, leads=(dataclasses.replace(lead, hops=hops),))
    html = render_html(case, list(case.debtors))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_file_names_are_safe_and_distinct() -> None:
    names = file_names(["D1", "../../etc/passwd", "a/b", "a_b", "债务人"])
    assert names["D1"] == "D1.pdf"
    assert all("/" not in n and not n.startswith(".") for n in names.values())
    assert len(set(names.values())) == len(names)
    assert names["债务人"] == "debtor.pdf"
