"""The assessment of a case: per debtor, the claim against what its leads trace, then the
portfolio ranked by expected recovery (the formula is in docs/assessment.md).

    expected recovery = min(weighted traced value, net claim) x eligible share
    weighted traced value = sum over traced assets of value x confidence of its best chain
    eligible share = weighted value in jurisdictions whose route is eligible / weighted value
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from matching.entities.jurisdictions import jurisdiction_code
from pipelines.assessment.gaps import missing_items
from pipelines.assessment.model import (
    Assessment,
    DebtorAssessment,
    JurisdictionLine,
    TracedAsset,
)
from pipelines.assessment.rates import Rates
from pipelines.assessment.routes import Route, Verdict, load_routes, verdict
from pipelines.assessment.settings import Settings, load_settings
from pipelines.assessment.signals import dissipation_signals
from pipelines.exports.case import Case, Debtor, Lead

CENT = Decimal("0.01")


def assess_case(
    case: Case,
    rates: Rates | None,
    on: dt.date,
    routes: Sequence[Route] | None = None,
    settings: Settings | None = None,
) -> Assessment:
    """Every debtor of CASE assessed on the date ON, ranked by expected recovery."""
    routes = load_routes() if routes is None else routes
    settings = settings or load_settings()
    assessed = [assess_debtor(case, d, rates, on, routes, settings) for d in case.debtors]
    currency = rates.base if rates else _commonest(a.currency for a in assessed)
    ranked_value = {a.debtor.debtor_id: _in(a, currency, rates) for a in assessed}
    assessed.sort(key=lambda a: _rank_key(ranked_value[a.debtor.debtor_id], a.debtor.debtor_id))
    return Assessment(case.produced_at, on, case.run_id, rates, currency, tuple(assessed),
                      ranked_value)  # fmt: skip


def assess_debtor(
    case: Case,
    debtor: Debtor,
    rates: Rates | None,
    on: dt.date,
    routes: Sequence[Route],
    settings: Settings,
) -> DebtorAssessment:
    claim = debtor.claim
    currency = claim.currency
    leads = case.leads_of(debtor.debtor_id)
    assets = traced_assets(leads, currency, rates, settings)
    confirmed = _total(a.converted for a in assets if a.confirmed)
    weighted = _total(_weighted(a) for a in assets)
    net = None
    if claim.outstanding_amount is not None:
        net = claim.outstanding_amount - (claim.secured_amount or Decimal(0))
    lines = _jurisdictions(assets, claim_verdict=lambda j: verdict(j, claim, on, routes))
    share = _eligible_share(lines, weighted)
    expected = None
    if share is not None:
        cap = weighted if net is None else min(weighted, max(net, Decimal(0)))
        expected = (cap * share).quantize(CENT)
    return DebtorAssessment(
        debtor, currency, claim.outstanding_amount, claim.secured_amount, net, assets,
        confirmed.quantize(CENT), weighted.quantize(CENT), _ratio(confirmed, net),
        _ratio(weighted, net), any(a.value is not None and a.converted is None for a in assets),
        lines, share, expected,
        tuple(dissipation_signals(leads, claim.default_date, settings.offshore)),
        tuple(missing_items(debtor, leads, assets, net, rates, on, settings)),
    )  # fmt: skip


def traced_assets(
    leads: Sequence[Lead], currency: str | None, rates: Rates | None, settings: Settings
) -> tuple[TracedAsset, ...]:
    """Each title or company LEADS reach, once, by its most confident chain."""
    by_target: dict[tuple[str, str], list[Lead]] = {}
    for lead in leads:
        by_target.setdefault((lead.target.source, lead.target.node_id), []).append(lead)
    assets = []
    for chains in by_target.values():
        best = max(chains, key=lambda lead: (lead.confidence, lead.lead_id))
        value_currency = settings.value_currency.get(best.target.source) if best.asset else None
        assets.append(TracedAsset(
            best, jurisdiction_code(best.jurisdiction) or best.jurisdiction, best.value,
            value_currency, _convert(best.value, value_currency, currency, rates),
            any(lead.decision == "confirmed" for lead in chains), len(chains),
        ))  # fmt: skip
    return tuple(sorted(assets, key=lambda a: (-a.confidence, a.lead.lead_id)))


def _convert(
    value: Decimal | None, source: str | None, target: str | None, rates: Rates | None
) -> Decimal | None:
    if value is None or source is None or target is None:
        return None
    if source == target:
        return value
    return rates.convert(value, source, target) if rates else None


def _weighted(asset: TracedAsset) -> Decimal | None:
    if asset.converted is None:
        return None
    return asset.converted * Decimal(repr(asset.confidence))


def _total(values: Iterable[Decimal | None]) -> Decimal:
    return sum((value for value in values if value is not None), Decimal(0))


def _ratio(value: Decimal, net: Decimal | None) -> Decimal | None:
    """VALUE over the net claim; None when the net claim is unknown or nothing is owed net."""
    if net is None or net <= 0:
        return None
    return (value / net).quantize(Decimal("0.0001"))


def _jurisdictions(
    assets: Sequence[TracedAsset], claim_verdict: Callable[[str | None], Verdict]
) -> tuple[JurisdictionLine, ...]:
    by_place: dict[str | None, list[TracedAsset]] = {}
    for asset in assets:
        by_place.setdefault(asset.jurisdiction, []).append(asset)
    lines = [
        JurisdictionLine(
            place,
            len(here),
            sum(1 for a in here if a.value is None),
            _total(a.converted for a in here if a.confirmed).quantize(CENT),
            _total(_weighted(a) for a in here).quantize(CENT),
            claim_verdict(place),
        )
        for place, here in by_place.items()
    ]
    return tuple(sorted(lines, key=lambda line: (-line.weighted_value, line.jurisdiction or "")))


def _eligible_share(lines: Sequence[JurisdictionLine], weighted: Decimal) -> Decimal | None:
    """The share of the weighted traced value that sits where a route is eligible; None when
    nothing of value was traced (or none of it could be converted)."""
    if weighted <= 0:
        return None
    eligible = sum(
        (line.weighted_value for line in lines if line.verdict.status == "eligible"), Decimal(0)
    )
    return (eligible / weighted.quantize(CENT)).quantize(Decimal("0.0001"))


def _commonest(currencies: Iterable[str | None]) -> str | None:
    counted = Counter(c for c in currencies if c)
    return counted.most_common(1)[0][0] if counted else None


def _in(assessed: DebtorAssessment, currency: str | None, rates: Rates | None) -> Decimal | None:
    """The debtor's expected recovery in the portfolio's CURRENCY, when it can be had."""
    return _convert(assessed.expected_recovery, assessed.currency, currency, rates)


def _rank_key(value: Decimal | None, debtor_id: str) -> tuple[bool, Decimal, str]:
    return (value is None, -(value or Decimal(0)), debtor_id)
