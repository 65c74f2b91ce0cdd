"""Registration numbers in one comparable form per jurisdiction.

Sources write the same number differently: Companies House pads to eight characters
("01234567", "SC012345") while HM Land Registry and GLEIF often drop the zeros ("1234567");
Hong Kong's registry pads its numbers with zeros that other sources leave out; Australian and
Swiss numbers come with spaces, dots or hyphens. A key is comparable only within its
jurisdiction: the same digits name unrelated companies elsewhere.
"""

from __future__ import annotations

import re

_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")
# Companies House: eight characters, either all digits or a prefix of letters (SC, NI, OC,
# SO, NC, R0, FC, OE, LP, SL ...) and digits.
_GB_NUMBER = re.compile(r"^([A-Z]{1,2}|R0)?([0-9]{1,8})$")
_GB_LENGTH = 8
# Texts that sources put where they have no number.
_NO_NUMBER = frozenset({"NA", "NONE", "NIL", "NULL", "UNKNOWN", "NOTKNOWN", "NOTAPPLICABLE", "TBC"})


def registration_key(jurisdiction_code: str | None, number: str | None) -> str | None:
    """The comparable form of NUMBER in the jurisdiction with ISO code JURISDICTION_CODE.

    Upper case, spaces and punctuation gone; Companies House numbers (GB) zero-padded to eight
    characters ('1234567' -> '01234567', 'SC12345' -> 'SC012345'); all-digit numbers elsewhere
    without leading zeros (Hong Kong's '0012345' -> '12345'). None for an empty number, a
    placeholder ('N/A', 'UNKNOWN'), one of zeros only, or no jurisdiction (the key would not
    say whose number it is)."""
    if not jurisdiction_code or not number:
        return None
    compact = _NOT_ALNUM.sub("", number.upper())
    if not compact or compact in _NO_NUMBER or not compact.strip("0"):
        return None
    if jurisdiction_code == "GB":
        return _companies_house(compact)
    return compact.lstrip("0") if compact.isdigit() else compact


def _companies_house(compact: str) -> str:
    found = _GB_NUMBER.match(compact)
    if not found or len(compact) > _GB_LENGTH:
        return compact  # not a Companies House number: kept as published, compared exactly
    prefix, digits = found.group(1) or "", found.group(2)
    return prefix + digits.zfill(_GB_LENGTH - len(prefix))
