"""Dissipation signals on a debtor's chains: a title's proprietor added, or an owner's or
officer's relationship starting or ending, after the date of default; and offshore layers, a
company registered in an offshore jurisdiction between the debtor and what it holds."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from matching.entities.jurisdictions import jurisdiction_code
from pipelines.dates import parse_date
from pipelines.exports.case import Hop, Lead

_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Signal:
    kind: str  # 'title transferred', 'relationship started', 'relationship ended', 'offshore'
    text: str
    lead_id: str
    on: dt.date | None = None  # when it happened, for the dated kinds


def dissipation_signals(
    leads: Iterable[Lead], default_date: dt.date | None, offshore: dict[str, str]
) -> list[Signal]:
    """What on LEADS' chains suggests assets moved after DEFAULT_DATE or sit behind offshore
    layers; each signal once however many chains show it."""
    found: dict[tuple[str, str], Signal] = {}
    for lead in leads:
        for signal in _offshore_layers(lead, offshore):
            found.setdefault((signal.kind, signal.text), signal)
        if default_date is None:
            continue
        for signal in _after_default(lead, default_date):
            found.setdefault((signal.kind, signal.text), signal)
    return sorted(found.values(), key=lambda s: (s.on or dt.date.max, s.kind, s.text))


def _after_default(lead: Lead, default_date: dt.date) -> list[Signal]:
    signals = []
    asset = lead.asset
    if asset is not None and asset.date_added is not None and asset.date_added > default_date:
        where = f" ({asset.address})" if asset.address else ""
        signals.append(Signal(
            "title transferred",
            f"title {asset.asset_id}{where}: proprietor added {asset.date_added}, after the "
            f"default on {default_date}", lead.lead_id, asset.date_added,
        ))  # fmt: skip
    for hop in lead.hops:
        # a title's own proprietor edge is the transfer already signalled above
        if hop.via == "edge" and hop.end.node_type != "asset":
            signals.extend(_edge_dates(hop, lead, default_date))
    return signals


def _edge_dates(hop: Hop, lead: Lead, default_date: dt.date) -> list[Signal]:
    """An owner's or officer's relationship (a hop of the chain) that began or ended after the
    date of default."""
    signals = []
    edge = f"{hop.start.name} {hop.role} of {hop.end.name}"
    for kind, verb, text in (("relationship started", "from", hop.since),
                             ("relationship ended", "until", hop.until)):  # fmt: skip
        day = _published_date(text)
        if day is not None and day > default_date:
            signals.append(Signal(
                kind, f"{edge}: {verb} {text}, after the default on {default_date}",
                lead.lead_id, day,
            ))  # fmt: skip
    return signals


def _published_date(text: str | None) -> dt.date | None:
    """A relationship's date as stored: a whole date in any accepted form, or 'YYYY-MM' read as
    the month's first day (so a month counts as after the default only when all of it is)."""
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError:
        pass
    month = _YEAR_MONTH.match(text.strip())
    return dt.date(int(month[1]), int(month[2]), 1) if month else None


def _offshore_layers(lead: Lead, offshore: dict[str, str]) -> list[Signal]:
    signals = []
    for hop in lead.hops:
        node = hop.end
        code = jurisdiction_code(node.jurisdiction) if node.node_type == "record" else None
        if code in offshore:
            # one company published by two sources is one layer: the text leaves the source out
            text = f"{node.name}, registered in {offshore[code]}, between the debtor and its assets"
            signals.append(Signal("offshore", text, lead.lead_id))
    return signals
