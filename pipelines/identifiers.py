"""Chinese identifiers: Unified Social Credit Codes (companies), resident ID numbers (persons)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from stdnum import lei
from stdnum.cn import ric, uscc
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

_WHY = {
    InvalidChecksum: "wrong check character",
    InvalidLength: "must be 18 characters",
    InvalidFormat: "characters not allowed in this position",
    InvalidComponent: "unknown region code or impossible birth date",
}


@dataclass(frozen=True)
class IdentifierCheck:
    number: str  # compacted: no spaces or dashes, upper case
    id_type: str | None  # 'uscc', 'ric', or None when it is neither
    valid: bool
    birth_date: dt.date | None  # from a valid resident ID number
    problem: str | None  # why it is invalid


def check_identifier(raw: str, kind: str) -> IdentifierCheck:
    """Validate the number as the kind of debtor implies: a USCC for a company, an ID for a person.

    A number of the other kind that validates is accepted with its own type, since banks do file
    a sole proprietor's ID number on a company row and the reverse.
    """
    expected, other = (uscc, ric) if kind == "company" else (ric, uscc)
    number = expected.compact(raw).upper()
    try:
        expected.validate(number)
        return _valid(number, expected)
    except ValidationError as error:
        problem = f"invalid {_label(expected)}: {_WHY.get(type(error), str(error))}"
    try:
        other.validate(number)
        return _valid(number, other)
    except ValidationError:
        return IdentifierCheck(number, None, False, None, problem)


def _valid(number: str, module: object) -> IdentifierCheck:
    if module is ric:
        return IdentifierCheck(number, "ric", True, ric.get_birth_date(number), None)
    return IdentifierCheck(number, "uscc", True, None, None)


def _label(module: object) -> str:
    return "resident ID number" if module is ric else "Unified Social Credit Code"


def check_lei(raw: str) -> tuple[str, str | None]:
    """The compacted LEI and, when it does not validate (ISO 17442 check digits), why."""
    number = lei.compact(raw).upper()
    try:
        lei.validate(number)
    except ValidationError as error:
        return number, f"invalid LEI: {_WHY.get(type(error), str(error))}"
    return number, None
