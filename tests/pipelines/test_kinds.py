"""One rule tells a company from a person where a file does not say which."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.kinds import company_pattern, guess_kind

CASES = [
    ("许家印", "person"),
    ("HUI Ka Yan", "person"),
    ("CHAN Tai Man", "person"),
    ("Acme Widgets Ltd", "company"),
    ("深圳市腾讯计算机系统有限公司", "company"),
    ("恒大集团", "company"),
    ("中国银行", "company"),
    ("LION CITY HOLDINGS PTE. LTD", "company"),
    ("TIANSHENG INDUSTRY AND TRADING CO., LTD.", "company"),
    ("Evergrande Real Estate Group", "company"),
    ("Smith & Sons GmbH", "company"),
    ("深圳市腾讯计算机系统", None),
    ("ZHANG", None),
]


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_guess_kind(name: str, kind: str | None) -> None:
    assert guess_kind(name) == kind


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_duckdb_finds_the_same_company_words(name: str, kind: str | None) -> None:
    found = duckdb.sql("SELECT regexp_matches($n, $p)", params={"n": name, "p": company_pattern()})
    assert found.fetchall()[0][0] is (kind == "company")
