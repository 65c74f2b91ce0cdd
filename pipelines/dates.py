"""Dates as published and as banks write them: one list of accepted formats for debtors,
imported records and crawls, and the rule for a plausible birth date."""

from __future__ import annotations

import datetime as dt

# tried in this order, in Python and in SQL (DuckDB's strptime reads the same patterns); no
# two read the same text, and the ones registers publish most come first (a failed try costs)
DATE_FORMATS = (
    "%Y-%m-%d", "%d/%m/%Y", "%Y%m%d", "%d-%b-%Y", "%Y/%m/%d", "%d-%m-%Y", "%Y.%m.%d",
    "%Y年%m月%d日",
)  # fmt: skip
EXPECTED = "YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD, DD/MM/YYYY, DD-MON-YYYY or YYYY年M月D日"
EARLIEST_YEAR = 1000  # "85-3-4" is no date, though a parser may read the year 85 in it
EARLIEST_BIRTH_YEAR = 1850
# a birth date as registers publish it: a year and month, or a whole date
BIRTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$"
BIRTH_FORM = "not YYYY-MM or YYYY-MM-DD"


def date_sql(text: str) -> str:
    """A trusted SQL expression: the DATE in TEXT (a trusted expression) by the same formats
    as parse_date, or NULL; one before EARLIEST_YEAR is no date (see `not_a_date_sql`)."""
    return f"try_strptime({text}, getvariable('oad_date_formats'))::DATE"


def not_a_date_sql(text: str, parsed: str) -> str:
    """A trusted SQL condition: TEXT is given, and PARSED (its date_sql) says it is no date."""
    return f"{text} IS NOT NULL AND ({parsed} IS NULL OR {parsed} < DATE '{EARLIEST_YEAR}-01-01')"


def parse_date(text: str) -> dt.date:
    """TEXT in any accepted format; ValueError with a message fit for a user otherwise."""
    for pattern in DATE_FORMATS:
        try:
            found = dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
        if found.year >= EARLIEST_YEAR:
            return found
    raise ValueError(f"not a date (expected {EXPECTED})")


def birth_out_of_range(birth: dt.date | str, today: dt.date | None = None) -> str | None:
    """Why BIRTH (a date, or 'YYYY-MM[-DD]' text) cannot be a living or historical person's
    birth date, or None when it can."""
    text = birth.isoformat() if isinstance(birth, dt.date) else birth
    today = today or dt.date.today()
    if int(text[:4]) < EARLIEST_BIRTH_YEAR or text > today.isoformat()[: len(text)]:
        return f"birth date {text} is out of range ({EARLIEST_BIRTH_YEAR} to today)"
    return None
