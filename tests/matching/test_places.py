from __future__ import annotations

import pytest

from matching.places import city_key, country_code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("British Virgin Islands", "VG"),
        ("BRITISH VIRGIN ISLANDS", "VG"),
        ("Chinese", "CN"),
        ("中国", "CN"),
        ("HONG KONG", "HK"),
        ("Hong Kong, China", "HK"),
        ("US-DE", "US"),
        ("CN", "CN"),
        ("Cayman Islands", "KY"),
        ("British", "GB"),
        ("England", "GB"),
        ("Atlantis", None),
        ("", None),
        (None, None),
    ],
)
def test_country_code(text: str | None, code: str | None) -> None:
    assert country_code(text) == code


@pytest.mark.parametrize(
    ("address", "city"),
    [
        ("广东省深圳市南山区科技园", "shenzhen"),
        ("Flat 2, 18 Harbour Road, Wan Chai, Hong Kong", "hong kong"),
        ("北京市海淀区", "beijing"),
        ("1 Canada Square, London E14", "london"),
        ("Road Town, Tortola, BVI", "road town"),
        ("somewhere unknown", None),
        (None, None),
    ],
)
def test_city_key(address: str | None, city: str | None) -> None:
    assert city_key(address) == city
