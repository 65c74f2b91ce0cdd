"""Parsing single cell values; each parser raises ValueError with a message fit for a user."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%d/%m/%Y")
_CN_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$")
_AMOUNT_NOISE = re.compile(r"[,\s¥￥$€£]|RMB|CNY|元", re.IGNORECASE)
_LIST_SEPARATOR = re.compile(r"[;；]")


def clean(text: str | None) -> str:
    """Trim and fold full-width ASCII (Ｎａｍｅ → Name) and odd spaces."""
    if text is None:
        return ""
    return unicodedata.normalize("NFKC", text).strip()


def parse_date(text: str) -> dt.date:
    match = _CN_DATE.match(text)
    if match:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r} (expected YYYY-MM-DD)")


def parse_amount(text: str) -> Decimal:
    cleaned = _AMOUNT_NOISE.sub("", text)
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"not an amount: {text!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not an amount: {text!r}")
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def split_list(text: str) -> list[str]:
    return [part.strip() for part in _LIST_SEPARATOR.split(text) if part.strip()]


def parse_related_persons(text: str) -> list[dict[str, str]]:
    """'张三:法定代表人; 李四:股东' → [{'name': '张三', 'role': '法定代表人'}, ...]."""
    persons = []
    for part in split_list(text):
        name, _, role = part.replace("：", ":").partition(":")
        if not name.strip():
            raise ValueError(f"related person without a name: {part!r}")
        persons.append({"name": name.strip(), "role": role.strip() or "related"})
    return persons
