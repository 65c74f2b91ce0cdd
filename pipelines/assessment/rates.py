"""Exchange rates for the assessment, from a file the user names: oad has no network and never
guesses a rate. A value whose currency has no rate stays unconverted and is listed as missing.

The file (YAML):

    base: CNY                 # the currency the rates are quoted in
    as_of: 2026-01-01         # optional: the date the rates are for
    illustrative: true        # optional: say plainly that these are not market data
    note: free text           # optional: where the rates come from
    rates:                    # units of BASE for one unit of each currency
      GBP: 9.1
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from pipelines.errors import InputFileError

_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Rates:
    file: str
    base: str
    per_unit: dict[str, Decimal]  # currency -> units of BASE for one unit of it
    as_of: dt.date | None = None
    illustrative: bool = False
    note: str | None = None

    def convert(self, amount: Decimal, currency: str, to: str) -> Decimal | None:
        """AMOUNT of CURRENCY in TO, or None when either has no rate."""
        if currency == to:
            return amount
        source, target = self._rate(currency), self._rate(to)
        if source is None or target is None:
            return None
        return amount * source / target

    def _rate(self, currency: str) -> Decimal | None:
        return Decimal(1) if currency == self.base else self.per_unit.get(currency)

    def describe(self) -> str:
        when = f" as of {self.as_of}" if self.as_of else ""
        plain = " — ILLUSTRATIVE SAMPLE RATES, NOT MARKET DATA" if self.illustrative else ""
        return f"exchange rates from {self.file}{when} (base {self.base}){plain}"


def load_rates(path: Path) -> Rates:
    """The rates in PATH; InputFileError naming the file and field when it cannot be used."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise InputFileError(str(path), f"cannot read exchange rates: {error}") from None
    if not isinstance(raw, dict):
        raise InputFileError(str(path), "expected a mapping with 'base' and 'rates'")
    base = _currency(path, "base", raw.get("base"))
    table = raw.get("rates")
    if not isinstance(table, dict) or not table:
        raise InputFileError(str(path), "no rates given", field="rates")
    per_unit = {
        _currency(path, f"rates.{code}", code): _rate(path, code, value)
        for code, value in table.items()
    }
    as_of = raw.get("as_of")
    if as_of is not None and not isinstance(as_of, dt.date):
        raise InputFileError(str(path), f"not a date: {as_of!r}", field="as_of")
    return Rates(str(path), base, per_unit, as_of, raw.get("illustrative") is True,
                 _text(raw.get("note")))  # fmt: skip


def _currency(path: Path, field: str, value: Any) -> str:
    if not isinstance(value, str) or not _CURRENCY.match(value):
        raise InputFileError(str(path), f"not a currency code (e.g. GBP): {value!r}", field=field)
    return value


def _rate(path: Path, code: Any, value: Any) -> Decimal:
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        rate = Decimal(0)
    if isinstance(value, bool) or not rate.is_finite() or rate <= 0:
        raise InputFileError(str(path), f"not a positive rate: {value!r}", field=f"rates.{code}")
    return rate


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None
