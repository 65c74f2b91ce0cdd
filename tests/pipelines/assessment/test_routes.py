"""The enforcement verdicts, as a table: claim fields and assessment date in, status and the
reason's key words out, against the shipped routes table."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from pipelines.assessment.routes import load_routes, verdict
from pipelines.exports.case import Claim

ON = dt.date(2025, 6, 30)
D = dt.date
JUDGMENT = Claim(
    kind="judgment", reference="(2024)粤03民初1号", forum="深圳市中级人民法院",
    judgment_date=D(2024, 3, 1), final=True, default_date=D(2023, 12, 1),
    secured_amount=None, outstanding_amount=None, currency="CNY",
)  # fmt: skip
AWARD = replace(JUDGMENT, kind="award", forum="深圳国际仲裁院", judgment_date=D(2022, 5, 1))


@pytest.mark.parametrize(
    ("jurisdiction", "claim", "on", "status", "route", "words"),
    [
        # Cap. 645: judgments given on or after 29 January 2024; Cap. 597 before it
        (
            "HK",
            replace(JUDGMENT, judgment_date=D(2024, 1, 29)),
            ON,
            "eligible",
            "hk_cap645",
            "apply for registration by 2025-12-01",
        ),
        (
            "HK",
            replace(JUDGMENT, judgment_date=D(2024, 1, 28)),
            ON,
            "check",
            "hk_cap597",
            "exclusive choice-of-court agreement",
        ),
        # the two-year window from the date of default: the last day in, the day after out
        (
            "HK",
            replace(JUDGMENT, default_date=D(2023, 6, 30)),
            D(2025, 6, 30),
            "eligible",
            "hk_cap645",
            "by 2025-06-30",
        ),
        (
            "HK",
            replace(JUDGMENT, default_date=D(2023, 6, 30)),
            D(2025, 7, 1),
            "barred",
            "hk_cap645",
            "closed on 2025-06-30",
        ),
        (
            "HK",
            replace(JUDGMENT, default_date=None),
            ON,
            "check",
            "hk_cap645",
            "date of default not given",
        ),
        ("HK", replace(JUDGMENT, final=False), ON, "check", "hk_cap645", "not final"),
        (
            "HK",
            replace(JUDGMENT, final=False, default_date=D(2020, 1, 1)),
            ON,
            "barred",
            "hk_cap645",
            "not final",
        ),
        (
            "HK",
            replace(JUDGMENT, judgment_date=None),
            ON,
            "check",
            None,
            "Cap. 645 covers judgments given on or after 2024-01-29",
        ),
        # England and Wales: final and conclusive, or barred; finality unknown: check
        ("GB", JUDGMENT, ON, "eligible", "gb_common_law", "a fixed sum"),
        (
            "GB",
            replace(JUDGMENT, final=False),
            ON,
            "barred",
            "gb_common_law",
            "not final and conclusive",
        ),
        ("GB", replace(JUDGMENT, final=None), ON, "check", "gb_common_law", "is not given"),
        (
            "SG",
            replace(JUDGMENT, judgment_date=D(2019, 1, 1)),
            ON,
            "eligible",
            "sg_common_law",
            "common-law claim (SG) applies",
        ),
        ("SG", replace(JUDGMENT, final=False), ON, "barred", "sg_common_law", "not final"),
        # awards: the New York Convention, the Mainland-HK arrangement; no two-year window
        ("GB", AWARD, ON, "eligible", "new_york_convention", "seat of the arbitration"),
        ("SG", replace(AWARD, final=False), ON, "eligible", "new_york_convention", "seat"),
        (
            "HK",
            replace(AWARD, default_date=D(2015, 1, 1)),
            ON,
            "eligible",
            "hk_awards_arrangement",
            "seat of the arbitration on the Mainland",
        ),
        # what the table does not hold
        ("VG", JUDGMENT, ON, "check", None, "no route on file for VG"),
        ("KY", AWARD, ON, "check", None, "no route on file for KY"),
        (None, JUDGMENT, ON, "check", None, "jurisdiction not known"),
        ("GB", replace(JUDGMENT, kind=None), ON, "check", None, "claim kind"),
    ],
)
def test_verdict_table(
    jurisdiction: str | None, claim: Claim, on: dt.date, status: str, route: str | None,
    words: str,
) -> None:  # fmt: skip
    found = verdict(jurisdiction, claim, on, load_routes())
    assert found.status == status, found.reason
    assert (found.route.route_id if found.route else None) == route
    assert words in found.reason


def test_every_route_names_its_source() -> None:
    routes = load_routes()
    assert {route.route_id for route in routes} >= {"hk_cap645", "hk_cap597", "gb_common_law"}
    assert all(route.source.strip() and route.jurisdictions for route in routes)


def test_leap_day_default_has_a_deadline() -> None:
    claim = replace(JUDGMENT, default_date=D(2024, 2, 29), judgment_date=D(2024, 3, 1))
    found = verdict("HK", claim, D(2025, 1, 1), load_routes())
    assert (found.status, found.deadline) == ("eligible", D(2026, 2, 28))
