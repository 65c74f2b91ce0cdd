"""What is missing from a debtor's assessment, in words: claim fields the debtor list does not
give, traced assets without a value or without a rate to convert it, matches no investigator
has reviewed, and evidence older than the staleness limit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from pipelines.assessment.model import TracedAsset
from pipelines.assessment.rates import Rates
from pipelines.assessment.settings import Settings
from pipelines.exports.case import Claim, Debtor, Lead

_CLAIM_FIELDS = {
    "kind": "claim kind (judgment or award)", "reference": "judgment or award reference",
    "forum": "court or tribunal", "judgment_date": "judgment date", "final": "final or not",
    "default_date": "date of default",
}  # fmt: skip


def missing_items(
    debtor: Debtor,
    leads: Sequence[Lead],
    assets: Sequence[TracedAsset],
    net: Decimal | None,
    rates: Rates | None,
    on: dt.date,
    settings: Settings,
) -> list[str]:
    items = _claim_gaps(debtor.claim, net)
    if not leads:
        items.append("no leads: nothing traced for this debtor")
    items.extend(_value_gaps(assets, debtor.claim.currency, rates))
    items.extend(_unreviewed(leads))
    items.extend(_stale(leads, on, settings.stale_after_days))
    return items


def _claim_gaps(claim: Claim, net: Decimal | None) -> list[str]:
    absent = [label for name, label in _CLAIM_FIELDS.items() if getattr(claim, name) is None]
    if len(absent) == len(_CLAIM_FIELDS) and claim.secured_amount is None:
        items = ["no claim fields on the debtor list: no route can be judged"]
    elif absent:
        items = ["claim fields not given: " + ", ".join(absent)]
    else:
        items = []
    if claim.outstanding_amount is None:
        items.append("no outstanding amount (or redacted): no coverage ratio")
    elif claim.secured_amount is None:
        items.append("secured amount not given: the net claim is the whole outstanding amount")
    if net is not None and net <= 0:
        items.append("the security covers the claim: no net claim to cover")
    if claim.currency is None:
        items.append("claim currency not given: no value can be converted into it")
    if claim.default_date is None:
        items.append("date of default not given: transfers after default not checked")
    return items


def _value_gaps(
    assets: Sequence[TracedAsset], currency: str | None, rates: Rates | None
) -> list[str]:
    items = []
    unvalued = [asset.label for asset in assets if asset.value is None]
    if unvalued:
        items.append(f"no value on file for {len(unvalued)} of {len(assets)} traced: "
                     + "; ".join(unvalued))  # fmt: skip
    for asset in assets:
        if asset.value is None or asset.converted is not None:
            continue
        shown = f"{asset.value:,.2f} {asset.value_currency or '(currency unknown)'}"
        why = (
            f"no {asset.value_currency}→{currency} rate in {rates.file}"
            if rates and asset.value_currency and currency
            else "no exchange rates given (--rates)"
            if asset.value_currency and currency
            else "currency unknown"
        )
        items.append(f"{asset.label}: value {shown} shown unconverted ({why}); the coverage "
                     "ratio is partial")  # fmt: skip
    return items


def _unreviewed(leads: Sequence[Lead]) -> list[str]:
    starts: dict[str, int] = {}
    for lead in leads:
        if lead.decision == "unreviewed":
            first = lead.hops[0]
            label = f"{first.end.name} ({first.end.source} {first.end.node_id}, {first.via}" \
                    f" {first.certainty:.2f})"  # fmt: skip
            starts[label] = starts.get(label, 0) + 1
    return [f"unreviewed: {label}, first hop of {count} lead(s)" for label, count in starts.items()]


def _stale(leads: Sequence[Lead], on: dt.date, days: int) -> list[str]:
    limit = on - dt.timedelta(days=days)
    stale = sorted(
        {(lead.evidence_as_of, lead.target.name) for lead in leads
         if lead.evidence_as_of is not None and lead.evidence_as_of < limit}
    )  # fmt: skip
    return [
        f"stale evidence: the chain to {name} rests on a fetch of {as_of} (older than {days} days)"
        for as_of, name in stale
    ]
