"""What the assessment holds: per debtor, the claim against the traced value, jurisdiction by
jurisdiction, with signals and gaps; and the portfolio, ranked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from pipelines.assessment.rates import Rates
from pipelines.assessment.routes import Verdict
from pipelines.assessment.signals import Signal
from pipelines.exports.case import Debtor, Hop, Lead

NOT_ADVICE = (
    "Evidence for counsel, not legal advice: routes and verdicts are read from public sources "
    "(data/assessment/routes.yml) and must be checked by a qualified lawyer."
)


@dataclass(frozen=True)
class TracedAsset:
    """One title or company a debtor's leads reach, by its most confident chain."""

    lead: Lead  # the most confident chain to it
    jurisdiction: str | None  # ISO 3166-1 alpha-2 where known
    value: Decimal | None  # as published
    value_currency: str | None
    converted: Decimal | None  # in the claim's currency; None when no rate (or no value)
    confirmed: bool  # some chain to it starts from a match an investigator confirmed
    chains: int  # how many of the debtor's leads reach it

    @property
    def confidence(self) -> float:
        return self.lead.confidence

    @property
    def weakest(self) -> Hop:
        return self.lead.weakest_hop

    @property
    def label(self) -> str:
        target = self.lead.target
        if self.lead.asset is not None:
            return f"title {target.node_id} {target.name}".strip()
        return f"{target.kind or 'record'} {target.name} ({target.source} {target.node_id})"


@dataclass(frozen=True)
class JurisdictionLine:
    jurisdiction: str | None
    assets: int
    unvalued: int
    confirmed_value: Decimal
    weighted_value: Decimal
    verdict: Verdict


@dataclass(frozen=True)
class DebtorAssessment:
    debtor: Debtor
    currency: str | None  # the claim's currency: every converted value is in it
    outstanding: Decimal | None
    secured: Decimal | None
    net: Decimal | None  # outstanding less security; None when the outstanding is not known
    assets: tuple[TracedAsset, ...]
    confirmed_value: Decimal
    weighted_value: Decimal
    coverage_confirmed: Decimal | None
    coverage_weighted: Decimal | None
    partial: bool  # some value could not be converted: the traced values leave it out
    jurisdictions: tuple[JurisdictionLine, ...]
    eligible_share: Decimal | None  # of the weighted value, the share where a route is eligible
    expected_recovery: Decimal | None
    signals: tuple[Signal, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class Assessment:
    produced_at: dt.datetime
    on: dt.date  # the date verdicts and deadlines are judged on
    run_id: int | None
    rates: Rates | None
    currency: str | None  # of the portfolio's ranking
    debtors: tuple[DebtorAssessment, ...]  # ranked by expected recovery, highest first
    ranked_value: dict[str, Decimal | None]  # debtor id -> expected recovery in `currency`
