from __future__ import annotations

from decimal import Decimal

import pytest

from pipelines.values import parse_amount, parse_related_persons, split_list


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,000,000.5", "1000000.50"), ("¥ 300", "300.00"), ("RMB 12.345", "12.35"), ("0", "0.00")],
)
def test_parse_amount(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "not an amount"),
        ("1.2.3", "not an amount"),
        ("NaN", "not an amount"),
        ("Infinity", "not an amount"),
        ("1e26", "amount too large"),
        ("1000000000000000000", "amount too large"),
    ],
)
def test_parse_amount_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_amount(text)


def test_lists_and_related_persons() -> None:
    assert split_list("A; B；C ;; ") == ["A", "B", "C"]
    assert parse_related_persons("张三：法定代表人; 李四:股东; 王五") == [
        {"name": "张三", "role": "法定代表人"},
        {"name": "李四", "role": "股东"},
        {"name": "王五", "role": "related"},
    ]
    with pytest.raises(ValueError, match="without a name"):
        parse_related_persons(":股东")
