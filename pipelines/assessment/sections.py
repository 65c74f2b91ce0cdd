"""The assessment as the PDF shows it: the portfolio in the columns a funder reads first, then
one section per debtor (the claim, value and route by jurisdiction, assets with their weakest
hop, dissipation signals, what is missing). The workbook keeps every column (tables.py).

Each table states its column widths, so that it is laid out fixed to the page: a long crawled
value wraps inside its cell instead of pushing the table past the page's edge."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipelines.assessment.model import Assessment, DebtorAssessment, TracedAsset
from pipelines.assessment.text import money, ratio

_LEAD_ID_SHOWN = 12  # as the digest and the leads report show them


@dataclass(frozen=True)
class Cell:
    text: str
    css: str = ""
    note: str = ""  # a second, smaller line under the text


@dataclass(frozen=True)
class Col:
    header: str
    width: int  # percent of the table's width
    css: str = ""  # 'number' or 'date': aligned and never wrapped


@dataclass(frozen=True)
class HtmlTable:
    columns: tuple[Col, ...]
    rows: list[list[Cell]]

    def __post_init__(self) -> None:
        total = sum(column.width for column in self.columns)
        if total != 100:
            raise ValueError(f"column widths add up to {total}%, not 100%")
        for number, row in enumerate(self.rows, 1):
            if len(row) != len(self.columns):
                raise ValueError(f"row {number} has {len(row)} cells for {len(self.columns)}")


@dataclass(frozen=True)
class DebtorSection:
    heading: str
    kind: str
    facts: list[tuple[str, str]]  # label, value: the claim and what the leads trace against it
    jurisdictions: HtmlTable
    assets: HtmlTable
    signals: HtmlTable
    missing: tuple[str, ...] = ()


def portfolio(assessment: Assessment) -> HtmlTable:
    recovery = f"expected recovery {assessment.currency or ''}".strip()
    columns = (
        Col("rank", 4, "number"), Col("debtor", 6), Col("name", 16), Col("claim kind", 7),
        Col("net claim", 13, "number"), Col("traced weighted", 11, "number"),
        Col("coverage confirmed / weighted", 12, "number"), Col("eligible share", 7, "number"),
        Col(recovery, 12, "number"), Col("signals", 6, "number"), Col("missing", 6, "number"),
    )  # fmt: skip
    rows = [
        [Cell(str(rank)), Cell(a.debtor.debtor_id), Cell(a.debtor.name),
         Cell(a.debtor.claim.kind or "—"), Cell(money(a.net, a.currency)),
         Cell(money(a.weighted_value)), Cell(_coverage(a)), Cell(ratio(a.eligible_share)),
         Cell(money(assessment.ranked_value[a.debtor.debtor_id])), Cell(str(len(a.signals))),
         Cell(str(len(a.missing)))]
        for rank, a in enumerate(assessment.debtors, 1)
    ]  # fmt: skip
    return HtmlTable(columns, rows)


def debtor_sections(assessment: Assessment) -> list[DebtorSection]:
    return [
        DebtorSection(
            heading=f"{rank}. {a.debtor.debtor_id} {a.debtor.name}",
            kind=a.debtor.kind,
            facts=_facts(a),
            jurisdictions=_jurisdictions(a),
            assets=_assets(a),
            signals=_signals(a),
            missing=a.missing,
        )
        for rank, a in enumerate(assessment.debtors, 1)
    ]


def _facts(a: DebtorAssessment) -> list[tuple[str, str]]:
    claim, cur = a.debtor.claim, a.currency
    return [
        ("claim kind", claim.kind or "—"), ("reference", claim.reference or "—"),
        ("court or tribunal", claim.forum or "—"), ("judgment date", _day(claim.judgment_date)),
        ("final", _yes_no(claim.final)), ("date of default", _day(claim.default_date)),
        ("outstanding", money(a.outstanding, cur)), ("secured", money(a.secured, cur)),
        ("net claim", money(a.net, cur)), ("traced confirmed", money(a.confirmed_value, cur)),
        ("traced weighted", money(a.weighted_value, cur)),
        ("coverage confirmed / weighted", _coverage(a)),
        ("eligible share", ratio(a.eligible_share)),
        ("expected recovery", money(a.expected_recovery, cur)),
    ]  # fmt: skip


def _jurisdictions(a: DebtorAssessment) -> HtmlTable:
    cur = a.currency or ""
    columns = (
        Col("jurisdiction", 7), Col("traced", 5, "number"), Col("without value", 6, "number"),
        Col(f"confirmed value {cur}".strip(), 9, "number"),
        Col(f"weighted value {cur}".strip(), 10, "number"), Col("verdict", 6), Col("route", 15),
        Col("reason", 22), Col("register by", 6, "date"), Col("source", 14),
    )  # fmt: skip
    rows = []
    for line in a.jurisdictions:
        verdict, route = line.verdict, line.verdict.route
        rows.append([
            Cell(line.jurisdiction or "?"), Cell(str(line.assets)), Cell(str(line.unvalued)),
            Cell(money(line.confirmed_value)), Cell(money(line.weighted_value)),
            Cell(verdict.status, f"status-{verdict.status}"),
            Cell(route.name if route else "—"), Cell(verdict.reason),
            Cell(_day(verdict.deadline)), Cell(route.source if route else "—"),
        ])  # fmt: skip
    return HtmlTable(columns, rows)


def _assets(a: DebtorAssessment) -> HtmlTable:
    columns = (
        Col("asset (best chain's lead)", 22), Col("jurisdiction", 7), Col("value", 11, "number"),
        Col(f"value {a.currency or ''}".strip(), 10, "number"), Col("confidence", 7, "number"),
        Col("confirmed", 6), Col("chains", 5, "number"), Col("weakest hop", 10),
        Col("why the weakest", 16), Col("evidence as of", 6, "date"),
    )  # fmt: skip
    return HtmlTable(columns, [_asset_row(asset) for asset in a.assets])


def _asset_row(asset: TracedAsset) -> list[Cell]:
    hop = asset.weakest
    value = money(asset.value, asset.value_currency) if asset.value is not None else "no value"
    return [
        Cell(asset.label, note=f"lead {asset.lead.lead_id[:_LEAD_ID_SHOWN]}"),
        Cell(asset.jurisdiction or "?"), Cell(value), Cell(money(asset.converted)),
        Cell(f"{asset.confidence:.3f}"), Cell("yes" if asset.confirmed else "no"),
        Cell(str(asset.chains)),
        Cell(hop.role.replace("_", " "), note=f"hop {hop.number}, certainty {hop.certainty:.2f}"),
        Cell(hop.reason or "—"), Cell(_day(asset.lead.evidence_as_of)),
    ]  # fmt: skip


def _signals(a: DebtorAssessment) -> HtmlTable:
    columns = (Col("on", 9, "date"), Col("signal", 14), Col("what", 65), Col("lead", 12))
    rows = [
        [Cell(_day(s.on)), Cell(s.kind), Cell(s.text), Cell(s.lead_id[:_LEAD_ID_SHOWN])]
        for s in a.signals
    ]
    return HtmlTable(columns, rows)


def _coverage(a: DebtorAssessment) -> str:
    shown = f"{ratio(a.coverage_confirmed)} / {ratio(a.coverage_weighted)}"
    return shown + (" *" if a.partial else "")


def _day(value: dt.date | None) -> str:
    return "—" if value is None else value.isoformat()


def _yes_no(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "no")
