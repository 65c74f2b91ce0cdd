"""The role book: every word the spiders write today reads as a known canonical role."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.leads.roles import KINDS, canonical_role, load_roles

GOLDEN = Path(__file__).resolve().parents[2] / "spiders" / "golden"

# (source, the source's word) -> (role, kind, controller, certainty)
EXPECTED = {
    ("gb_companies_house_psc", "psc"): ("psc", "control", "subject", 0.9),
    ("gb_companies_house_psc", "beneficial-owner"): (
        "beneficial_owner", "control", "subject", 0.95),
    ("gb_companies_house_api", "psc"): ("psc", "control", "subject", 0.9),
    ("gb_companies_house_api", "director"): ("director", "officer", "subject", 0.95),
    ("gb_companies_house_api", "secretary"): ("secretary", "officer", "subject", 0.95),
    ("gb_companies_house_api", "corporate-secretary"): ("secretary", "officer", "subject", 0.95),
    ("gb_companies_house_api", "corporate-nominee-director"): (
        "nominee_director", "officer", "subject", 0.9),
    ("gb_companies_house_api", "llp-designated-member"): (
        "llp_member", "ownership", "subject", 0.95),
    ("gb_land_registry", "proprietor"): ("proprietor", "property", "subject", 1.0),
    ("gb_land_registry_ccod", "proprietor"): ("proprietor", "property", "subject", 1.0),
    ("gleif", "is_directly_consolidated_by"): ("direct_parent", "group", "object", 0.8),
    ("gleif", "is_ultimately_consolidated_by"): ("ultimate_parent", "group", "object", 0.8),
    ("gleif", "is_international_branch_of"): ("head_office", "group", "object", 0.9),
    ("gleif", "is_fund-managed_by"): ("fund_manager", "control", "object", 0.8),
    ("gleif", "is_subfund_of"): ("umbrella_fund", "group", "object", 0.8),
    ("gleif", "is_feeder_to"): ("master_fund", "ownership", "subject", 0.8),
    # ICIJ: every role capped at 0.7 (leaked files, not a register)
    ("icij_offshore_leaks", "shareholder of"): ("shareholder", "ownership", "subject", 0.7),
    ("icij_offshore_leaks", "director of"): ("director", "officer", "subject", 0.7),
    ("icij_offshore_leaks", "intermediary of"): ("intermediary", "intermediary", "subject", 0.7),
    ("icij_offshore_leaks", "intermediary_of"): ("intermediary", "intermediary", "subject", 0.7),
    ("icij_offshore_leaks", "connected to"): ("connected", "other", "subject", 0.4),
    ("icij_offshore_leaks", "nominee shareholder of"): (
        "nominee_shareholder", "ownership", "subject", 0.6),
    ("icij_offshore_leaks", "similar name and address as"): ("similar", "other", "subject", 0.2),
    ("icij_offshore_leaks", "officer_of"): ("officer", "officer", "subject", 0.7),
}  # fmt: skip


@pytest.mark.parametrize(("source", "word"), sorted(EXPECTED))
def test_each_word_reads_as_its_role(source: str, word: str) -> None:
    role = canonical_role(source, word)
    assert role is not None
    assert (role.name, role.kind, role.controller, role.certainty) == EXPECTED[(source, word)]
    assert role.reason


def _golden_words() -> list[tuple[str, str]]:
    words = set()
    for path in GOLDEN.glob("*.json"):
        for edge in json.loads(path.read_text(encoding="utf-8"))["relationships"]:
            words.add((edge["source"], edge["role"]))
    return sorted(words)


@pytest.mark.parametrize(("source", "word"), _golden_words())
def test_every_role_in_the_goldens_is_known(source: str, word: str) -> None:
    assert canonical_role(source, word) is not None, (source, word)


def test_the_goldens_hold_the_roles_the_spiders_write() -> None:
    assert len(_golden_words()) >= 12  # a golden lost would otherwise pass the test above


def test_words_compare_lower_cased_with_spaces_trimmed() -> None:
    assert canonical_role("icij_offshore_leaks", "  Shareholder OF ") == canonical_role(
        "icij_offshore_leaks", "shareholder of"
    )


def test_unknown_words_and_sources_read_as_none() -> None:
    assert canonical_role("gb_land_registry", "tenant") is None
    assert canonical_role("gb_land_registry", None) is None
    assert canonical_role("nowhere", "proprietor") is None
    # a word is a source's own: Land Registry has no PSCs
    assert canonical_role("gb_land_registry", "psc") is None


def test_the_cap_is_named_in_the_reason() -> None:
    role = canonical_role("icij_offshore_leaks", "shareholder of")
    assert role is not None and "ICIJ" in role.reason
    registry = canonical_role("gb_companies_house_api", "director")
    assert registry is not None and "ICIJ" not in registry.reason


def test_symmetric_roles_and_roles_that_read_natures() -> None:
    same = canonical_role("icij_offshore_leaks", "same as")
    assert same is not None and same.symmetric
    psc = canonical_role("gb_companies_house_psc", "psc")
    assert psc is not None and psc.natures and not psc.symmetric
    assert not canonical_role("gb_land_registry", "proprietor").natures  # type: ignore[union-attr]


def test_the_book_is_whole() -> None:
    book = load_roles()
    assert all(role.kind in KINDS for role in book.roles.values())
    assert all(0 <= role.certainty <= 1 for role in book.roles.values())
    assert book.fallback_paths() == {"icij_offshore_leaks": "$.rel_type"}
    values = {q.value: q.certainty for q in book.qualifiers if q.source == "gleif"}
    assert values["FULLY_CORROBORATED"] > values["ENTITY_SUPPLIED_ONLY"]
    rows = book.word_rows()
    assert len({(row[0], row[1]) for row in rows}) == len(rows)
