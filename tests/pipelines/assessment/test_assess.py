"""The assessment of a small store built by the real import, review and leads build: coverage
ratios computed here by hand from the rows the store was built with, currencies without a
rate, dissipation after (and not before) the date of default, and the portfolio's ranking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.assessment.assess import assess_case
from pipelines.assessment.model import Assessment, DebtorAssessment
from pipelines.assessment.rates import load_rates
from pipelines.errors import InputFileError
from pipelines.exports.case import load_case
from pipelines.store import connect
from tests.pipelines.assessment.assess_store import (
    GBP_IN_CNY,
    PRICES,
    RATES_YML,
    build_assess_store,
)

ON = dt.date(2025, 3, 1)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("assess") / "store.duckdb"
    build_assess_store(path)
    return path


def assess(db: Path, rates_yml: str | None, tmp_path: Path, on: dt.date = ON) -> Assessment:
    rates = None
    if rates_yml is not None:
        (tmp_path / "rates.yml").write_text(rates_yml, encoding="utf-8")
        rates = load_rates(tmp_path / "rates.yml")
    with connect(db, read_only=True) as store:
        return assess_case(load_case(store.con), rates, on)


def of(assessment: Assessment, debtor_id: str) -> DebtorAssessment:
    return next(a for a in assessment.debtors if a.debtor.debtor_id == debtor_id)


def best_confidence(db: Path, debtor_id: str, target_id: str) -> Decimal:
    with connect(db, read_only=True) as store:
        found = store.scalar(
            "SELECT max(confidence) FROM leads WHERE debtor_id = ? AND target_id = ?",
            [debtor_id, target_id],
        )
    return Decimal(repr(found))


def test_coverage_ratio_of_d1_by_hand(db: Path, tmp_path: Path) -> None:
    d1 = of(assess(db, RATES_YML, tmp_path), "D1")
    net = Decimal("10000000") - Decimal("2000000")  # outstanding less security, as imported
    in_cny = {title: Decimal(price * GBP_IN_CNY) for title, price in PRICES.items()}
    confirmed = in_cny["T1"]  # only T1's chain starts from the confirmed match
    weighted = sum(in_cny[t] * best_confidence(db, "D1", t) for t in ("T1", "T2"))
    assert d1.net == net
    assert d1.confirmed_value == confirmed
    assert d1.weighted_value == weighted.quantize(Decimal("0.01"))
    assert d1.coverage_confirmed == (confirmed / net).quantize(Decimal("0.0001"))
    assert d1.coverage_weighted == (weighted / net).quantize(Decimal("0.0001"))
    assert not d1.partial
    # every traced value is in GB, where a final judgment has an eligible route
    assert [(line.jurisdiction, line.verdict.status) for line in d1.jurisdictions] == [
        ("GB", "eligible")
    ]
    assert d1.eligible_share == 1
    assert d1.expected_recovery == min(weighted, net).quantize(Decimal("0.01"))


def test_expected_recovery_capped_at_the_net_claim_and_ranked(db: Path, tmp_path: Path) -> None:
    assessment = assess(db, RATES_YML, tmp_path)
    d2 = of(assessment, "D2")
    weighted = Decimal(PRICES["T2"] * GBP_IN_CNY) * best_confidence(db, "D2", "T2")
    assert weighted > Decimal("880000")  # D2 owes less than what was traced
    assert d2.expected_recovery == Decimal("880000.00")
    assert [a.debtor.debtor_id for a in assessment.debtors] == ["D1", "D2", "D3"]
    assert assessment.ranked_value["D3"] is None and assessment.currency == "CNY"


def test_value_without_a_rate_is_unconverted_and_the_ratio_partial(
    db: Path, tmp_path: Path
) -> None:
    d1 = of(assess(db, "base: CNY\nrates:\n  USD: 7\n", tmp_path), "D1")
    assert d1.partial and d1.confirmed_value == 0 and d1.weighted_value == 0
    assert {a.value for a in d1.assets if a.value is not None} == {
        Decimal(price) for price in PRICES.values()
    }
    unconverted = [item for item in d1.missing if "shown unconverted" in item]
    assert len(unconverted) == 2 and all("no GBP→CNY rate in" in item for item in unconverted)
    without_rates = of(assess(db, None, tmp_path), "D1")
    assert without_rates.partial
    assert any("no exchange rates given" in item for item in without_rates.missing)


def test_dissipation_after_the_default_and_not_before(db: Path, tmp_path: Path) -> None:
    assessment = assess(db, RATES_YML, tmp_path)
    d1, d2 = of(assessment, "D1"), of(assessment, "D2")
    # D1 defaulted on 2024-01-15: T2's proprietor (2024-06-01) and the PSC (2024-05-01) came
    # after it; T1's proprietor (2023-05-01) and C1's PSC (2019) before
    dated = {(s.kind, s.on) for s in d1.signals if s.on is not None}
    assert dated == {
        ("title transferred", dt.date(2024, 6, 1)),
        ("relationship started", dt.date(2024, 5, 1)),
    }
    assert not any("T1" in s.text for s in d1.signals)
    # D2 defaulted on 2024-07-01, after both: the same chain shows no transfer after default
    assert [s.kind for s in d2.signals] == ["offshore"]
    assert "British Virgin Islands" in d2.signals[0].text


def test_what_is_missing(db: Path, tmp_path: Path) -> None:
    assessment = assess(db, RATES_YML, tmp_path)
    d1, d3 = of(assessment, "D1"), of(assessment, "D3")
    assert any(item.startswith("unreviewed: HUA XIA HOLDINGS LTD") for item in d1.missing)
    assert not any("ANVEN INVESTMENT" in item for item in d1.missing)  # confirmed
    # the chains rest on the matches of 2025-01-01: fresh on 2025-03-01, stale 180 days on
    assert not any(item.startswith("stale evidence") for item in d1.missing)
    later = of(assess(db, RATES_YML, tmp_path, dt.date(2025, 7, 1)), "D1")
    assert any(item.startswith("stale evidence") and "2025-01-01" in item for item in later.missing)
    assert "no claim fields on the debtor list: no route can be judged" in d3.missing
    assert "no leads: nothing traced for this debtor" in d3.missing
    assert d3.expected_recovery is None and d3.coverage_weighted == 0


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("base: yuan\nrates:\n  GBP: 9\n", "base"),
        ("base: CNY\nrates:\n  GBP: -9\n", "rates.GBP"),
        ("base: CNY\nrates:\n  GBP: lots\n", "rates.GBP"),
        ("base: CNY\n", "rates"),
    ],
)
def test_bad_rates_file_names_the_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "rates.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as raised:
        load_rates(path)
    assert raised.value.field == field and str(path) in str(raised.value)
