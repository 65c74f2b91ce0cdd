"""One list of date formats for debtors, records and crawls, in Python and in DuckDB alike."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from pipelines.dates import (
    DATE_FORMATS,
    birth_out_of_range,
    date_sql,
    not_a_date_sql,
    parse_date,
)

ACCEPTED = [
    ("1985-03-04", dt.date(1985, 3, 4)),
    ("1985/3/4", dt.date(1985, 3, 4)),
    ("19850304", dt.date(1985, 3, 4)),
    ("1985.3.4", dt.date(1985, 3, 4)),
    ("1985年3月4日", dt.date(1985, 3, 4)),
    ("04/03/1985", dt.date(1985, 3, 4)),
    ("04-03-1985", dt.date(1985, 3, 4)),
    ("04-MAR-1985", dt.date(1985, 3, 4)),
    ("04-mar-1985", dt.date(1985, 3, 4)),
]
REFUSED = ["1985-02-30", "1980-02-31", "March 1985", "85-3-4", "0085-03-04", "2020-03-05T00:00:00"]


@pytest.fixture(autouse=True)
def formats() -> None:
    duckdb.execute("SET VARIABLE oad_date_formats = ?", [list(DATE_FORMATS)])


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_parse_date(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", [*REFUSED, ""])
def test_parse_date_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_date(text)


@pytest.mark.parametrize(("text", "expected"), [*((t, d) for t, d in ACCEPTED)])
def test_duckdb_reads_the_formats_as_python_does(text: str, expected: dt.date) -> None:
    found = duckdb.sql(f"SELECT {date_sql('$t')}", params={"t": text})
    assert found.fetchall()[0][0] == expected


@pytest.mark.parametrize("text", REFUSED)
def test_duckdb_refuses_what_python_refuses(text: str) -> None:
    refused = not_a_date_sql("$t", date_sql("$t"))
    assert duckdb.sql(f"SELECT {refused}", params={"t": text}).fetchall()[0][0] is True


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_duckdb_accepts_what_python_accepts(text: str, expected: dt.date) -> None:
    refused = not_a_date_sql("$t", date_sql("$t"))
    assert duckdb.sql(f"SELECT {refused}", params={"t": text}).fetchall()[0][0] is False


@pytest.mark.parametrize(
    ("birth", "problem"),
    [
        ("1958-10", None),
        (dt.date(1958, 10, 9), None),
        ("1849-12", "out of range"),
        ("9999-12-31", "out of range"),
        ("2026-12", None),
        ("2027-01", "out of range"),
    ],
)
def test_birth_dates_in_range(birth: str | dt.date, problem: str | None) -> None:
    found = birth_out_of_range(birth, today=dt.date(2026, 12, 3))
    assert (found is None) if problem is None else (problem in (found or ""))
