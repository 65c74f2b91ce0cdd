"""The assessment as tables (header and rows), the one shape the workbook and the PDF render:
the portfolio, value and route by jurisdiction, assets with their weakest hop, dissipation
signals, what is missing, and how it was made."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.assessment.model import NOT_ADVICE, Assessment
from pipelines.assessment.text import LEGEND
from pipelines.exports.sheets import CellValue, Column

Row = list[CellValue]
MONEY, RATIO, DAY = "#,##0.00", "0.0%", "yyyy-mm-dd"


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    rows: list[Row]


def _columns(*specs: str | tuple[str, str]) -> tuple[Column, ...]:
    return tuple(Column(s) if isinstance(s, str) else Column(s[0], s[1]) for s in specs)


def portfolio_table(assessment: Assessment) -> Table:
    cur = assessment.currency or ""
    columns = _columns(
        "rank", "debtor id", "name", "claim kind", "claim currency", ("outstanding", MONEY),
        ("secured", MONEY), ("net claim", MONEY), ("traced confirmed", MONEY),
        ("traced weighted", MONEY), ("coverage confirmed", RATIO), ("coverage weighted", RATIO),
        "coverage partial", ("eligible share", RATIO), ("expected recovery", MONEY),
        (f"expected recovery {cur}".strip(), MONEY), "signals", "missing",
    )  # fmt: skip
    rows: list[Row] = []
    for rank, a in enumerate(assessment.debtors, 1):
        rows.append([
            rank, a.debtor.debtor_id, a.debtor.name, a.debtor.claim.kind, a.currency,
            a.outstanding, a.secured, a.net, a.confirmed_value, a.weighted_value,
            a.coverage_confirmed, a.coverage_weighted, "yes" if a.partial else "no",
            a.eligible_share, a.expected_recovery, assessment.ranked_value[a.debtor.debtor_id],
            len(a.signals), len(a.missing),
        ])  # fmt: skip
    return Table("portfolio", columns, rows)


def claims_table(assessment: Assessment) -> Table:
    columns = _columns(
        "debtor id", "name", "claim kind", "reference", "court or tribunal",
        ("judgment date", DAY), "final", ("date of default", DAY), "currency",
        ("outstanding", MONEY), ("secured", MONEY), ("net claim", MONEY),
    )  # fmt: skip
    rows: list[Row] = []
    for a in assessment.debtors:
        claim = a.debtor.claim
        final = None if claim.final is None else ("yes" if claim.final else "no")
        rows.append([
            a.debtor.debtor_id, a.debtor.name, claim.kind, claim.reference, claim.forum,
            claim.judgment_date, final, claim.default_date, a.currency, a.outstanding,
            a.secured, a.net,
        ])  # fmt: skip
    return Table("claims", columns, rows)


def jurisdictions_table(assessment: Assessment) -> Table:
    columns = _columns(
        "debtor id", "jurisdiction", "traced", "without value", ("confirmed value", MONEY),
        ("weighted value", MONEY), "currency", "status", "route", "reason",
        ("register by", DAY), "source",
    )  # fmt: skip
    rows: list[Row] = []
    for a in assessment.debtors:
        for line in a.jurisdictions:
            route = line.verdict.route
            rows.append([
                a.debtor.debtor_id, line.jurisdiction, line.assets, line.unvalued,
                line.confirmed_value, line.weighted_value, a.currency, line.verdict.status,
                route.name if route else None, line.verdict.reason, line.verdict.deadline,
                route.source if route else None,
            ])  # fmt: skip
    return Table("jurisdictions", columns, rows)


def assets_table(assessment: Assessment) -> Table:
    columns = _columns(
        "debtor id", "asset", "jurisdiction", ("value", MONEY), "value currency",
        ("value in claim currency", MONEY), ("confidence", "0.000"), "confirmed", "chains",
        "weakest hop", "weakest hop role", ("weakest hop certainty", "0.00"),
        "weakest hop reason", ("evidence as of", DAY), "lead id",
    )  # fmt: skip
    rows: list[Row] = []
    for a in assessment.debtors:
        for asset in a.assets:
            hop = asset.weakest
            rows.append([
                a.debtor.debtor_id, asset.label, asset.jurisdiction, asset.value,
                asset.value_currency, asset.converted, asset.confidence,
                "yes" if asset.confirmed else "no", asset.chains, hop.number, hop.role,
                hop.certainty, hop.reason, asset.lead.evidence_as_of, asset.lead.lead_id,
            ])  # fmt: skip
    return Table("assets", columns, rows)


def signals_table(assessment: Assessment) -> Table:
    columns = _columns("debtor id", "signal", ("on", DAY), "what", "lead id")
    rows: list[Row] = [
        [a.debtor.debtor_id, s.kind, s.on, s.text, s.lead_id]
        for a in assessment.debtors
        for s in a.signals
    ]
    return Table("signals", columns, rows)


def missing_table(assessment: Assessment) -> Table:
    columns = _columns("debtor id", "what is missing")
    rows: list[Row] = [[a.debtor.debtor_id, item] for a in assessment.debtors for item in a.missing]
    return Table("missing", columns, rows)


def about_table(assessment: Assessment) -> Table:
    rates = assessment.rates
    rows: list[Row] = [
        ["statement", NOT_ADVICE],
        ["produced at (UTC)", assessment.produced_at.replace(tzinfo=None)],
        ["leads run", assessment.run_id],
        ["routes judged on", assessment.on],
        ["exchange rates", rates.describe() if rates else "none given: values not converted"],
        ["portfolio currency", assessment.currency],
        ["debtors", len(assessment.debtors)],
        ["how it is computed", LEGEND],
    ]
    if rates:
        rows += [[f"rate {code}", f"{rate} {rates.base}"] for code, rate in rates.per_unit.items()]
    return Table("about", _columns("item", "value"), rows)


TABLES = (about_table, portfolio_table, claims_table, jurisdictions_table, assets_table,
          signals_table, missing_table)  # fmt: skip
