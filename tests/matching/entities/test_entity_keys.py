"""Jurisdiction codes and registration keys: the tables entity resolution joins on."""

from __future__ import annotations

import pytest

from matching.entities import jurisdiction_code, registration_key
from matching.entities.jurisdictions import JURISDICTIONS_FILE, _spellings, fold_spelling
from matching.entities.names import latin_name_key
from pipelines.resources import read_yaml


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # HM Land Registry OCOD "Country Incorporated"
        ("HONG KONG", "HK"),
        ("BRITISH VIRGIN ISLANDS", "VG"),
        ("VIRGIN ISLANDS, BRITISH", "VG"),
        ("CAYMAN ISLANDS", "KY"),
        ("JERSEY", "JE"),
        ("ISLE OF MAN", "IM"),
        ("SINGAPORE", "SG"),
        ("SWITZERLAND", "CH"),
        ("DELAWARE", "US"),
        ("CHANNEL ISLANDS", None),  # Jersey or Guernsey: no single jurisdiction
        # Companies House
        ("ENGLAND AND WALES", "GB"),
        ("England & Wales", "GB"),
        ("UNITED KINGDOM", "GB"),
        ("Hong Kong", "HK"),
        ("China", "CN"),
        # ICIJ Offshore Leaks jurisdiction codes and country codes
        ("BVI", "VG"),
        ("SAM", "WS"),
        ("BAH", "BS"),
        ("PMA", "PA"),
        ("HKG", "HK"),
        ("SGP", "SG"),
        ("CHN", "CN"),
        ("XXX", None),
        # GLEIF legal jurisdictions (ISO 3166-1 and 3166-2)
        ("GB", "GB"),
        ("IE", "IE"),
        ("US-DE", "US"),
        ("GB-SCT", "GB"),
        # nothing to go on
        ("Atlantis", None),
        ("  ", None),
        ("", None),
        (None, None),
    ],
)
def test_jurisdiction_code(text: str | None, code: str | None) -> None:
    assert jurisdiction_code(text) == code


def test_every_listed_spelling_folds_to_one_code() -> None:
    """The file groups spellings by source; one spelling under two codes would be a typo."""
    loaded = read_yaml(JURISDICTIONS_FILE)
    assert {"gb_land_registry", "gb_companies_house", "icij_offshore_leaks", "gleif"} <= set(loaded)
    folded = _spellings()
    for spellings in loaded.values():
        for spelling, code in spellings.items():
            assert folded[fold_spelling(str(spelling))] == code
            assert code is None or (len(code) == 2 and code.isupper())


@pytest.mark.parametrize(
    ("jurisdiction", "number", "key"),
    [
        # Companies House: zero-padded to eight characters, prefixes kept
        ("GB", "1234567", "01234567"),
        ("GB", "01234567", "01234567"),
        ("GB", "SC12345", "SC012345"),
        ("GB", "sc 012345", "SC012345"),
        ("GB", "NI-5678", "NI005678"),
        ("GB", "OE012345", "OE012345"),
        ("GB", "R0000123", "R0000123"),
        ("GB", "123456789", "123456789"),  # not a Companies House number: kept
        # Hong Kong: no leading zeros
        ("HK", "0012345", "12345"),
        ("HK", "1234567", "1234567"),
        # Singapore UEN: upper case, letters kept
        ("SG", "201012345k", "201012345K"),
        ("SG", "T12FC0456A", "T12FC0456A"),
        # spaces and punctuation go
        ("AU", "31 163 792 078", "31163792078"),
        ("CH", "CHE-101.202.303", "CHE101202303"),
        ("CN", "91110000710935732K", "91110000710935732K"),
        # no number
        ("SG", "N/A", None),
        ("HK", "Unknown", None),
        ("HK", "0000", None),
        ("HK", "-", None),
        ("HK", "", None),
        ("HK", None, None),
        (None, "201012345K", None),  # whose number? no key
    ],
)
def test_registration_key(jurisdiction: str | None, number: str | None, key: str | None) -> None:
    assert registration_key(jurisdiction, number) == key


@pytest.mark.parametrize(
    ("names", "words", "form"),
    [
        (["HARBOUR VIEW INVESTMENTS LIMITED"], ("harbour", "view", "investments"), "LTD"),
        (["Harbour View Investments Ltd"], ("harbour", "view", "investments"), "LTD"),
        (["LION CITY HOLDINGS PTE. LTD."], ("lion", "city", "holdings"), "PTE_LTD"),
        (
            ["金橋國際控股有限公司", "GOLDEN BRIDGE HOLDINGS LIMITED"],
            ("golden", "bridge", "holdings"),
            "LTD",
        ),
    ],
)
def test_latin_name_key(names: list[str], words: tuple[str, ...], form: str) -> None:
    key = latin_name_key(names)
    assert key is not None and (key.words, key.legal_form) == (words, form)


def test_a_name_in_chinese_characters_only_gives_no_latin_key() -> None:
    assert latin_name_key(["金橋國際控股有限公司", None]) is None
