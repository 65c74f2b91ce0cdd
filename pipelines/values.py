"""Parsing single cell values; each parser raises ValueError with a message fit for a user."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_AMOUNT_NOISE = re.compile(r"[,\s¥￥$€£]|RMB|CNY|元", re.IGNORECASE)
_LIST_SEPARATOR = re.compile(r"[;；]")
LARGEST_AMOUNT = Decimal(10) ** 18  # the store keeps DECIMAL(20, 2)


def parse_amount(text: str) -> Decimal:
    cleaned = _AMOUNT_NOISE.sub("", text)
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"not an amount: {text!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not an amount: {text!r}")
    if abs(amount) >= LARGEST_AMOUNT:
        raise ValueError(f"amount too large: {text!r} (at most 18 digits before the point)")
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
