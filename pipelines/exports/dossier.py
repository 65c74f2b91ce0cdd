"""The PDF dossier: one debtor's identity, claim, leads hop by hop, match explanations, evidence,
sources and reviews, for counsel (data/exports/dossier.html.j2, rendered by WeasyPrint).

OUT ending in .pdf is one file, each debtor's dossier starting on a new page; any other OUT is a
folder holding one PDF per debtor, named by its debtor id (its pseudonym when redacted). With
--debtor the dossier is that debtor's, leads or not; without, every debtor with leads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import jinja2
import markupsafe

from pipelines.exports.case import Case, Debtor
from pipelines.exports.dossier_view import debtor_dossier, money
from pipelines.exports.files import written_whole
from pipelines.exports.pdf import PAGE_CSS, render_pdf
from pipelines.resources import data_file

TEMPLATE = "exports/dossier.html.j2"


def write_dossiers(case: Case, out: Path) -> list[Path]:
    """CASE's dossiers at OUT (one file, or a folder of one file per debtor); the paths written."""
    debtors = dossier_debtors(case)
    if out.suffix.lower() == ".pdf":
        documents = {out: render_pdf(render_html(case, debtors))}
    else:
        names = file_names([d.debtor_id for d in debtors])
        documents = {out / names[d.debtor_id]: render_pdf(render_html(case, [d])) for d in debtors}
    with written_whole(list(documents)) as staged:
        for temporary, pdf in zip(staged, documents.values(), strict=True):
            temporary.write_bytes(pdf)
    return list(documents)


def dossier_debtors(case: Case) -> list[Debtor]:
    """The debtor asked for (leads or not), or else every debtor with leads."""
    if case.filters.debtor_id is not None:
        return list(case.debtors)
    with_leads = {lead.debtor_id for lead in case.leads}
    return [d for d in case.debtors if d.debtor_id in with_leads]


def render_html(case: Case, debtors: list[Debtor]) -> str:
    template = _environment().from_string(data_file(TEMPLATE).read_text(encoding="utf-8"))
    filters = case.filters
    shown = [f"leads at confidence ≥ {filters.min_confidence:g}"] if filters.min_confidence else []
    shown += ["confirmed matches only"] if filters.status == "confirmed" else []
    shown += ["redacted"] if filters.redact else []
    return template.render(
        dossiers=[debtor_dossier(case, debtor) for debtor in debtors],
        produced=when(case.produced_at),
        run=case.run_id if case.run_id is not None else "none",
        filters=", ".join(shown),
        page_css=markupsafe.Markup(PAGE_CSS),  # oad's own stylesheet, not data
        money=money,
        when=when,
    )


def _environment() -> jinja2.Environment:
    # autoescape on for everything: names, statements and URLs come from crawled registers
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def when(moment: dt.datetime | dt.date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, dt.datetime):
        zone = " UTC" if moment.tzinfo is not None else ""
        return moment.strftime("%Y-%m-%d %H:%M") + zone
    return moment.isoformat()


def file_names(debtor_ids: list[str]) -> dict[str, str]:
    """Debtor id -> a file name safe in any folder: letters, digits, '.', '-' and '_' kept, the
    rest '_'; a short digest of the id added when two ids would give one name."""
    plain = {
        key: (re.sub(r"[^A-Za-z0-9._-]", "_", key).strip("._") or "debtor") for key in debtor_ids
    }
    taken = [name.lower() for name in plain.values()]
    names = {}
    for key, name in plain.items():
        if taken.count(name.lower()) > 1:
            name = f"{name}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:8]}"
        names[key] = f"{name}.pdf"
    return names
