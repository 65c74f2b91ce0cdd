"""Enforcement routes (data/assessment/routes.yml) and the verdict on one claim in one
jurisdiction: eligible, check or barred, with the reason in words.

`verdict` is a pure function of the claim fields, the jurisdiction, the assessment date and the
table, so that every verdict can be checked row by row against the table's sources.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pipelines.exports.case import Claim
from pipelines.resources import read_yaml

Status = Literal["eligible", "check", "barred"]
_SEVERITY: dict[Status, int] = {"eligible": 0, "check": 1, "barred": 2}


@dataclass(frozen=True)
class Route:
    route_id: str
    short: str
    name: str
    jurisdictions: frozenset[str]
    claim_kind: str  # 'judgment' or 'award'
    source: str
    judgments_from: dt.date | None = None
    judgments_before: dt.date | None = None
    final: Literal["required", "check"] | None = None
    register_within_years_of_default: int | None = None
    needs: str | None = None
    conditions: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()

    def covers(self, judgment_date: dt.date) -> bool:
        after = self.judgments_from is None or judgment_date >= self.judgments_from
        return after and (self.judgments_before is None or judgment_date < self.judgments_before)

    @property
    def dated(self) -> bool:
        return self.judgments_from is not None or self.judgments_before is not None

    def window(self) -> str:
        if self.judgments_from:
            return f"{self.short} covers judgments given on or after {self.judgments_from}"
        return f"{self.short} covers judgments given before {self.judgments_before}"


@dataclass(frozen=True)
class Verdict:
    status: Status
    reason: str
    route: Route | None = None
    deadline: dt.date | None = None  # the last day to apply for registration, when one applies


@cache
def load_routes() -> tuple[Route, ...]:
    return tuple(_route(entry) for entry in read_yaml("assessment", "routes.yml")["routes"])


def _route(entry: dict[str, Any]) -> Route:
    return Route(
        route_id=entry["id"], short=entry["short"], name=entry["name"],
        jurisdictions=frozenset(entry["jurisdictions"]), claim_kind=entry["claim_kind"],
        source=entry["source"], judgments_from=entry.get("judgments_from"),
        judgments_before=entry.get("judgments_before"), final=entry.get("final"),
        register_within_years_of_default=entry.get("register_within_years_of_default"),
        needs=entry.get("needs"), conditions=tuple(entry.get("conditions", ())),
        excludes=tuple(entry.get("excludes", ())),
    )  # fmt: skip


def verdict(
    jurisdiction: str | None, claim: Claim, on: dt.date, routes: Sequence[Route]
) -> Verdict:
    """Whether CLAIM can be enforced in JURISDICTION (ISO code) on the date ON, by ROUTES."""
    if not jurisdiction:
        return Verdict("check", "jurisdiction not known: no route can be chosen")
    here = [route for route in routes if jurisdiction in route.jurisdictions]
    if not here:
        return Verdict("check", f"no route on file for {jurisdiction}")
    if claim.kind is None:
        shorts = ", ".join(dict.fromkeys(route.short for route in here))
        return Verdict("check", f"claim kind (judgment or award) not given; on file for "
                                f"{jurisdiction}: {shorts}")  # fmt: skip
    of_kind = [route for route in here if route.claim_kind == claim.kind]
    if not of_kind:
        return Verdict("check", f"no route on file for an {claim.kind} in {jurisdiction}"
                       if claim.kind == "award"
                       else f"no route on file for a {claim.kind} in {jurisdiction}")  # fmt: skip
    if claim.judgment_date is None and any(route.dated for route in of_kind):
        windows = "; ".join(route.window() for route in of_kind if route.dated)
        return Verdict("check", f"date of the {claim.kind} not given: {windows}")
    applicable = [
        route
        for route in of_kind
        if not route.dated or (claim.judgment_date and route.covers(claim.judgment_date))
    ]
    if not applicable:
        return Verdict("check", f"no route on file in {jurisdiction} for a {claim.kind} given "
                                f"on {claim.judgment_date}")  # fmt: skip
    return route_verdict(applicable[0], claim, on)


def route_verdict(route: Route, claim: Claim, on: dt.date) -> Verdict:
    """CLAIM against ROUTE's conditions: the worst of what fails, every reason named."""
    found: list[tuple[Status, str]] = []
    found.extend(_finality(route, claim))
    deadline = _deadline(route, claim)
    found.extend(_registration_window(route, claim, deadline, on))
    if route.needs:
        found.append(("check", f"{route.short} needs {route.needs}, not on the debtor list"))
    if not found:
        return Verdict("eligible", _eligible_reason(route, claim, deadline), route, deadline)
    status = max((status for status, _ in found), key=_SEVERITY.__getitem__)
    return Verdict(status, "; ".join(reason for _, reason in found), route, deadline)


def _deadline(route: Route, claim: Claim) -> dt.date | None:
    years = route.register_within_years_of_default
    if years is None or claim.default_date is None:
        return None
    return _add_years(claim.default_date, years)


def _registration_window(
    route: Route, claim: Claim, deadline: dt.date | None, on: dt.date
) -> list[tuple[Status, str]]:
    years = route.register_within_years_of_default
    if years is None:
        return []
    window = f"within {years} years of the date of default, as reported"
    if deadline is None:
        return [("check", f"date of default not given: {route.short} registration is {window}")]
    if on > deadline:
        closed = f"{route.short} registration window ({window}: {claim.default_date})"
        return [("barred", f"{closed} closed on {deadline}")]
    return []


def _finality(route: Route, claim: Claim) -> list[tuple[Status, str]]:
    if route.final is None or claim.final is True:
        return []
    if claim.final is None:
        return [("check", f"whether the {claim.kind} is final is not given; {route.short} "
                          f"needs a final one")]  # fmt: skip
    if route.final == "required":
        return [("barred", f"the {claim.kind} is not final and conclusive, as {route.short} "
                           f"requires")]  # fmt: skip
    return [("check", f"the {claim.kind} is not final: check that {route.short} accepts it")]


def _eligible_reason(route: Route, claim: Claim, deadline: dt.date | None) -> str:
    parts = [f"{route.short} applies"]
    if route.dated:
        parts[0] += f" ({route.window().removeprefix(route.short + ' ')})"
    if deadline:
        parts.append(f"apply for registration by {deadline} (as reported)")
    if route.conditions:
        parts.append("counsel to confirm: " + ", ".join(route.conditions))
    if route.excludes:
        parts.append("excludes " + ", ".join(route.excludes))
    return "; ".join(parts)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)
