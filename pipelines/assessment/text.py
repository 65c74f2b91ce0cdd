"""The assessment as terminal text: the portfolio ranked, or one debtor in full."""

from __future__ import annotations

from decimal import Decimal

from pipelines.assessment.model import NOT_ADVICE, Assessment, DebtorAssessment

LEGEND = (
    "coverage c/w: confirmed / confidence-weighted traced value over the net claim; * partial"
    " (a value had no exchange rate). Expected recovery = min(weighted traced value, net claim)"
    " × the share of that value in jurisdictions with an eligible route."
)


def money(amount: Decimal | None, currency: str | None = None) -> str:
    if amount is None:
        return "—"
    return f"{amount:,.2f}" + (f" {currency}" if currency else "")


def ratio(value: Decimal | None, partial: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:.1%}" + (" (partial)" if partial else "")


def header(assessment: Assessment) -> list[str]:
    run = f"leads run {assessment.run_id}" if assessment.run_id is not None else "no leads run"
    rates = assessment.rates.describe() if assessment.rates else "no exchange rates given"
    return [
        "Recovery assessment. " + NOT_ADVICE,
        f"Produced {assessment.produced_at:%Y-%m-%d %H:%M} UTC from {run}; routes judged on "
        f"{assessment.on}; {rates}.",
    ]


def portfolio_text(assessment: Assessment) -> str:
    lines = [*header(assessment), ""]
    currency = assessment.currency or ""
    lines.append(f"{'rank':>4}  {'debtor':<10} {'expected recovery ' + currency:>26}  "
                 f"{'coverage c/w':>17}  {'eligible':>8}  signals  name")  # fmt: skip
    for rank, assessed in enumerate(assessment.debtors, 1):
        value = assessment.ranked_value[assessed.debtor.debtor_id]
        coverage = f"{ratio(assessed.coverage_confirmed)}/{ratio(assessed.coverage_weighted)}"
        if assessed.partial:
            coverage += "*"
        share = ratio(assessed.eligible_share)
        lines.append(f"{rank:>4}  {assessed.debtor.debtor_id:<10} {money(value):>26}  "
                     f"{coverage:>17}  {share:>8}  {len(assessed.signals):>7}  "
                     f"{assessed.debtor.name}")  # fmt: skip
    lines += ["", LEGEND]
    return "\n".join(lines)


def debtor_text(assessment: Assessment, assessed: DebtorAssessment) -> str:
    debtor, cur = assessed.debtor, assessed.currency
    claim = debtor.claim
    lines = [*header(assessment), "", f"{debtor.debtor_id} {debtor.name} ({debtor.kind})"]
    lines.append(
        f"Claim: {claim.kind or 'kind not given'} {claim.reference or ''}"
        f" {claim.forum or ''}, given {claim.judgment_date or '—'}, final "
        f"{_yes_no(claim.final)}, default {claim.default_date or '—'}"
    )
    lines.append(f"  outstanding {money(assessed.outstanding, cur)}, secured "
                 f"{money(assessed.secured, cur)}, net {money(assessed.net, cur)}")  # fmt: skip
    lines.append(f"Traced value: confirmed {money(assessed.confirmed_value, cur)}, weighted "
                 f"{money(assessed.weighted_value, cur)}; coverage "
                 f"{ratio(assessed.coverage_confirmed, assessed.partial)} confirmed, "
                 f"{ratio(assessed.coverage_weighted, assessed.partial)} weighted")  # fmt: skip
    lines.append(f"Expected recovery: {money(assessed.expected_recovery, cur)} (eligible share "
                 f"{ratio(assessed.eligible_share)})")  # fmt: skip
    lines += ["", "By jurisdiction:"]
    for line in assessed.jurisdictions:
        lines.append(f"  {line.jurisdiction or '?'}: {line.assets} traced ({line.unvalued} "
                     f"without value), weighted {money(line.weighted_value, cur)} — "
                     f"{line.verdict.status.upper()}: {line.verdict.reason}")  # fmt: skip
    lines += ["", "Assets (best chain, weakest hop):"]
    for asset in assessed.assets:
        hop = asset.weakest
        value = money(asset.value, asset.value_currency) if asset.value is not None else "no value"
        confirmed = " confirmed" if asset.confirmed else ""
        lines.append(f"  {asset.label} [{asset.jurisdiction or '?'}] {value}; confidence "
                     f"{asset.confidence:.3f}{confirmed}; weakest hop {hop.number} {hop.role} "
                     f"{hop.certainty:.2f}{_why(hop.reason)}")  # fmt: skip
    lines += ["", "Dissipation signals:"]
    lines += [f"  [{s.kind}] {s.text}" for s in assessed.signals] or ["  none found"]
    lines += ["", "What is missing:"]
    lines += [f"  - {item}" for item in assessed.missing] or ["  nothing"]
    return "\n".join(lines)


def _yes_no(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "no")


def _why(reason: str) -> str:
    return f" ({reason})" if reason else ""
