"""What a leads run found that the case team has not seen: the leads new or changed at that run
above a confidence, and the ones gone, per debtor, as a Markdown page for people, a CSV for
spreadsheets and a JSON-able payload for a webhook."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import duckdb

from pipelines.cells import neutralise_formula
from pipelines.errors import OadError
from pipelines.leads.report import LEADS_NAMED, RANKED_LEADS
from pipelines.markdown import markdown_text

# the leads a run made new or changed at or above the confidence, and every lead it found gone:
# a gone lead may have been reported at a higher confidence before, so none is held back
DIGEST_LEADS = f"""
SELECT l.debtor_id, d.name AS debtor_name, l.lead_id, l.status, l.confidence, l.weakest,
       l.value, l.target_type, l.target_source, l.target_id,
       coalesce(a.address, r.name) AS target_name, l.jurisdiction, l.via_related,
       l.changes::VARCHAR AS changes
{LEADS_NAMED}WHERE l.run_id = $run
  AND (l.status = 'gone' OR (l.status IN ('new', 'changed') AND l.confidence >= $min_confidence))
{RANKED_LEADS}
"""

STATUSES = ("new", "changed", "gone")
CSV_COLUMNS = (
    "debtor_id", "debtor_name", "status", "lead_id", "confidence", "weakest", "value",
    "target_type", "target_source", "target_id", "target_name", "jurisdiction", "via_related",
    "what_changed",
)  # fmt: skip
_STAMP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_SHOWN_CHARS = 60  # a changed field's old and new value, cut to stay on one line


@dataclass(frozen=True)
class DigestLead:
    debtor_id: str
    debtor_name: str | None
    lead_id: str
    status: str
    confidence: float
    weakest: float
    value: float | None
    target_type: str
    target_source: str
    target_id: str
    target_name: str | None
    jurisdiction: str | None
    via_related: str | None
    changes: list[dict[str, Any]] | None
    what_changed: str


@dataclass
class DebtorDigest:
    debtor_id: str
    name: str | None
    leads: dict[str, list[DigestLead]] = field(default_factory=lambda: {s: [] for s in STATUSES})


@dataclass(frozen=True)
class DigestCounts:
    new: int
    changed: int
    gone: int
    debtors: int

    def summary(self) -> str:
        return (
            f"{self.new} new, {self.changed} changed, {self.gone} gone"
            f" across {self.debtors} debtor(s)"
        )


@dataclass(frozen=True)
class Digest:
    md_path: Path
    csv_path: Path
    payload: dict[str, Any]
    counts: DigestCounts


def write_digest(
    con: duckdb.DuckDBPyConnection,
    leads_run_id: int,
    min_confidence: float,
    folder: Path,
    stamp: str,
) -> Digest:
    """Write `FOLDER/digest-STAMP.md` and `.csv`, each whole or not at all, for the leads run
    LEADS_RUN_ID; an empty digest says that nothing is new. A rerun with the same stamp
    replaces both files."""
    _check_arguments(con, leads_run_id, min_confidence, stamp)
    debtors = _debtor_digests(_digest_leads(con, leads_run_id, min_confidence))
    counts = _counts(debtors)
    generated_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    payload = _payload(leads_run_id, min_confidence, generated_at, debtors, counts)
    folder.mkdir(parents=True, exist_ok=True)
    md_path, csv_path = folder / f"digest-{stamp}.md", folder / f"digest-{stamp}.csv"
    page = markdown_page(leads_run_id, min_confidence, generated_at, debtors, counts)
    _write_atomically(md_path, lambda handle: handle.write(page), newline="\n")
    _write_atomically(csv_path, lambda handle: _write_csv(handle, debtors), newline="")
    return Digest(md_path, csv_path, payload, counts)


def _check_arguments(
    con: duckdb.DuckDBPyConnection, run_id: int, min_confidence: float, stamp: str
) -> None:
    if not _STAMP.match(stamp):
        raise OadError(
            f"digest stamp {stamp!r}: use letters, digits, '.', '_' or '-' (at most 100),"
            " starting with a letter or digit; it becomes part of a file name"
        )
    if not 0.0 <= min_confidence <= 1.0:
        raise OadError(f"digest min_confidence {min_confidence}: give a number from 0 to 1")
    row = con.execute("SELECT kind FROM runs WHERE run_id = ?", [run_id]).fetchall()
    if not row:
        raise OadError(f"digest: there is no run {run_id} in the store")
    if row[0][0] != "leads":
        raise OadError(f"digest: run {run_id} is a {row[0][0]} run, not a leads run")


def _digest_leads(
    con: duckdb.DuckDBPyConnection, run_id: int, min_confidence: float
) -> list[DigestLead]:
    cursor = con.execute(DIGEST_LEADS, {"run": run_id, "min_confidence": min_confidence})
    names = [column[0] for column in cursor.description or []]
    leads = []
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        changes = json.loads(row["changes"]) if row["changes"] else None
        value = row["value"]
        row.update(
            changes=changes,
            value=float(value) if isinstance(value, Decimal) else value,
            what_changed=changes_summary(changes) if row["status"] == "changed" else "",
        )
        leads.append(DigestLead(**row))
    return leads


def _debtor_digests(leads: list[DigestLead]) -> list[DebtorDigest]:
    """The leads per debtor, in the query's order (debtor, then best first)."""
    debtors: dict[str, DebtorDigest] = {}
    for lead in leads:
        debtor = debtors.setdefault(lead.debtor_id, DebtorDigest(lead.debtor_id, lead.debtor_name))
        debtor.leads[lead.status].append(lead)
    return list(debtors.values())


def _counts(debtors: list[DebtorDigest]) -> DigestCounts:
    totals = {status: sum(len(d.leads[status]) for d in debtors) for status in STATUSES}
    return DigestCounts(totals["new"], totals["changed"], totals["gone"], len(debtors))


def changes_summary(changes: list[dict[str, Any]] | None) -> str:
    """The `changes` JSON of a lead in one line: each hop's fields that differ, old → new."""
    if not changes:
        return "changed (no detail kept)"
    parts = []
    for difference in changes:
        fields = difference.get("fields") or {}
        if difference.get("hop") is None:
            parts.append("a record or title on the way changed")
            continue
        said = ", ".join(_field_change(name, was_now) for name, was_now in fields.items())
        to = f" (to {difference['to']})" if difference.get("to") else ""
        parts.append(f"hop {int(difference['hop']) + 1}{to}: {said}")
    return "; ".join(parts)


def _field_change(name: str, was_now: Any) -> str:
    if not isinstance(was_now, dict):
        return f"{name} {_short(was_now)}"
    return f"{name} {_short(was_now.get('was'))} → {_short(was_now.get('now'))}"


def _short(value: Any) -> str:
    text = f"{value:.2f}" if isinstance(value, float) else str(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _payload(
    run_id: int,
    min_confidence: float,
    generated_at: dt.datetime,
    debtors: list[DebtorDigest],
    counts: DigestCounts,
) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "generated_at": generated_at.isoformat(),
        "min_confidence": min_confidence,
        "totals": asdict(counts),
        "debtors": [_debtor_payload(debtor) for debtor in debtors],
    }


def _debtor_payload(debtor: DebtorDigest) -> dict[str, Any]:
    shown: dict[str, Any] = {"debtor_id": debtor.debtor_id, "name": debtor.name}
    for status in STATUSES:
        shown[status] = [_lead_payload(lead) for lead in debtor.leads[status]]
    return shown


def _lead_payload(lead: DigestLead) -> dict[str, Any]:
    shown = asdict(lead)
    for debtor_field in ("debtor_id", "debtor_name", "status"):  # said by where it is listed
        del shown[debtor_field]
    return shown


def markdown_page(
    run_id: int,
    min_confidence: float,
    generated_at: dt.datetime,
    debtors: list[DebtorDigest],
    counts: DigestCounts,
) -> str:
    lines = [
        f"# Leads digest: leads run {run_id}",
        "",
        f"Generated {generated_at:%Y-%m-%d %H:%M} UTC. Leads new or changed at this run with"
        f" confidence {min_confidence:.2f} or more, and leads no longer found.",
        "",
    ]
    if not debtors:
        lines.append("**Nothing new**: no lead is new, changed or gone at this run.")
        return "\n".join(lines) + "\n"
    lines += [f"**{counts.summary()}.**", ""]
    for debtor in debtors:
        lines += _debtor_section(debtor)
    return "\n".join(lines)


def _debtor_section(debtor: DebtorDigest) -> list[str]:
    name = markdown_text(debtor.name) or "(not in the debtor list)"
    lines = [f"## {name} ({markdown_text(debtor.debtor_id)})", ""]
    for status, title in (("new", "New leads"), ("changed", "Changed leads")):
        if debtor.leads[status]:
            lines += [f"### {title} ({len(debtor.leads[status])})", ""]
            lines += _lead_table(debtor.leads[status], with_changes=status == "changed")
    gone = debtor.leads["gone"]
    if gone:
        lines += [f"### Gone: no longer found ({len(gone)})", ""]
        lines += [f"- {lead.lead_id[:12]}: {_target(lead)}" for lead in gone] + [""]
    return lines


def _lead_table(leads: list[DigestLead], with_changes: bool) -> list[str]:
    header = ["lead", "confidence", "weakest hop", "value", "target", "jurisdiction", "starts from"]
    header += ["what changed"] if with_changes else []
    rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for lead in leads:
        cells = [
            lead.lead_id[:12],
            f"{lead.confidence:.3f}",
            f"{lead.weakest:.2f}",
            f"£{lead.value:,.0f}" if lead.value is not None else "",
            _target(lead),
            markdown_text(lead.jurisdiction),
            _starts_from(lead),
        ]
        cells += [markdown_text(lead.what_changed)] if with_changes else []
        rows.append("| " + " | ".join(cells) + " |")
    return [*rows, ""]


def _starts_from(lead: DigestLead) -> str:
    if lead.via_related:
        return f"{markdown_text(lead.via_related)} (related person)"
    return "the debtor"


def _target(lead: DigestLead) -> str:
    """The title's address or the company's name, with what it is and its id, escaped."""
    what = "title" if lead.target_type == "asset" else "company"
    where = f"{what} {markdown_text(lead.target_id)}"
    return f"{markdown_text(lead.target_name)} ({where})" if lead.target_name else where


def _write_csv(handle: IO[str], debtors: list[DebtorDigest]) -> None:
    writer = csv.writer(handle)
    writer.writerow(CSV_COLUMNS)
    for debtor in debtors:
        for status in STATUSES:
            writer.writerows(_csv_row(lead) for lead in debtor.leads[status])


def _csv_row(lead: DigestLead) -> list[str]:
    text = neutralise_formula
    return [
        text(lead.debtor_id), text(lead.debtor_name), lead.status, text(lead.lead_id),
        f"{lead.confidence:.6f}", f"{lead.weakest:.4f}",
        "" if lead.value is None else f"{lead.value:.2f}",
        lead.target_type, text(lead.target_source), text(lead.target_id), text(lead.target_name),
        text(lead.jurisdiction), text(lead.via_related), text(lead.what_changed),
    ]  # fmt: skip


def _write_atomically(path: Path, write: Callable[[IO[str]], object], newline: str) -> None:
    """PATH written under a temporary name beside it, then renamed over it: a reader sees the
    old file or the whole new one, never half of it."""
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (renamed, not closed, at the end)
        "w", encoding="utf-8", newline=newline, dir=path.parent,
        prefix=f".{path.name}.", suffix=".tmp", delete=False,
    )  # fmt: skip
    try:
        with handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException as error:
        Path(handle.name).unlink(missing_ok=True)
        if isinstance(error, OSError) and not error.filename:
            raise OSError(error.errno, error.strerror or str(error), os.fspath(path)) from None
        raise
