from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pipelines.values import clean, parse_amount, parse_date, parse_related_persons, split_list


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1985-03-04", dt.date(1985, 3, 4)),
        ("1985/3/4", dt.date(1985, 3, 4)),
        ("19850304", dt.date(1985, 3, 4)),
        ("1985年3月4日", dt.date(1985, 3, 4)),
        ("04/03/1985", dt.date(1985, 3, 4)),
    ],
)
def test_parse_date(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["1985-02-30", "March 1985", "85-3-4", ""])
def test_parse_date_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,000,000.5", "1000000.50"), ("¥ 300", "300.00"), ("RMB 12.345", "12.35"), ("0", "0.00")],
)
def test_parse_amount(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "1.2.3", "NaN", "Infinity"])
def test_parse_amount_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="not an amount"):
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


def test_clean_folds_full_width() -> None:
    assert clean("  ＡＢＣ有限公司（香港） ") == "ABC有限公司(香港)"
