"""resolve_entities over stores built by importing canonical record files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from matching.entities import name_model, resolve_entities
from pipelines.records import import_records
from pipelines.store import Store
from tests.conftest import REPO

HEADER = "source_id,name,kind,jurisdiction,registration_number,incorporation_date"
GOLDEN = REPO / "tests" / "spiders" / "golden"


def write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def links(store: Store) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    cursor = store.con.execute("SELECT * EXCLUDE (resolved_at) FROM entity_links")
    names = [d[0] for d in cursor.description or []]
    found = {}
    for row in cursor.fetchall():
        link = dict(zip(names, row, strict=True))
        link["explanation"] = json.loads(link["explanation"])
        found[(link["source_a"], link["id_a"], link["source_b"], link["id_b"])] = link
    return found


@pytest.fixture
def sources(store: Store, tmp_path: Path) -> Store:
    """An OCOD-style proprietor register, the Singapore and Hong Kong registers, and corporate
    PSCs whose country is in their identification."""
    ocod = [
        "SINGAPORE|201012345K,LION CITY HOLDINGS PTE. LTD,company,SINGAPORE,201012345K,",
        "HONG KONG|name:HARBOUR VIEW,HARBOUR VIEW INVESTMENTS LIMITED,company,HONG KONG,,",
        "JERSEY|name:HARBOUR VIEW,HARBOUR VIEW INVESTMENTS LIMITED,company,JERSEY,,",
        "HONG KONG|name:PEARL,PEARL RIVER ESTATES LIMITED,company,HONG KONG,,",
        "BRITISH VIRGIN ISLANDS|1876543,WAH KWONG INVESTMENTS LIMITED,company,"
        "BRITISH VIRGIN ISLANDS,1876543,",
    ]
    import_records(store, write(tmp_path / "ocod.csv", ocod), "gb_land_registry")
    acra = ["201012345K,Lion City Holdings Pte Ltd,company,SG,201012345K,2010-05-01"]
    import_records(store, write(tmp_path / "acra.csv", acra), "sg_acra")
    hk = [
        "0123456,Harbour View Investments Ltd,company,HK,0123456,2001-01-01",
        "0654321,Harbour Lights Trading Ltd,company,HK,0654321,2003-01-01",
        "02345678,HUAXIN HOLDINGS (HONG KONG) LIMITED,company,HK,02345678,2005-01-01",
        "0999999,Pearl River Estates Ltd,company,HK,0999999,1999-01-01",
        "0777777,Removed Company Ltd,company,HK,0777777,1999-01-01",
    ]
    import_records(store, write(tmp_path / "hk.csv", hk), "hk_companies_registry")
    store.con.execute(
        "UPDATE records SET removed_at = current_timestamp WHERE source_id = '0777777'"
    )
    psc_id = "/company/12345672/persons-with-significant-control/corporate-entity/x"
    psc = [f"{psc_id},HUAXIN HOLDINGS (HONG KONG) LIMITED,company,,2345678,"]
    import_records(store, write(tmp_path / "psc.csv", psc), "gb_companies_house_psc")
    # as the Companies House spider keeps it: the published object, country in identification
    payload = {
        "identification": {"country_registered": "Hong Kong", "registration_number": "2345678"}
    }
    store.con.execute(
        "UPDATE records SET raw = ? WHERE source_id = ?", [json.dumps(payload), psc_id]
    )
    return store


def test_a_shared_registration_number_links_across_sources(sources: Store) -> None:
    counts = resolve_entities(sources.con)
    found = links(sources)
    lion = found[("gb_land_registry", "SINGAPORE|201012345K", "sg_acra", "201012345K")]
    assert (lion["method"], lion["jurisdiction"], lion["probability"]) == (
        "registration_number",
        "SG",
        0.99,
    )
    assert lion["explanation"]["registration_key"] == "201012345K"
    assert lion["explanation"]["names_agree"] is True
    # a corporate PSC's country is read from its identification; HK zeros do not matter
    psc = found[
        (
            "gb_companies_house_psc",
            "/company/12345672/persons-with-significant-control/corporate-entity/x",
            "hk_companies_registry",
            "02345678",
        )
    ]
    assert psc["method"] == "registration_number" and psc["jurisdiction"] == "HK"
    assert counts.registration_links == 2


def test_the_same_name_in_the_same_jurisdiction_links_by_name(sources: Store) -> None:
    counts = resolve_entities(sources.con)
    found = links(sources)
    harbour = found[
        ("gb_land_registry", "HONG KONG|name:HARBOUR VIEW", "hk_companies_registry", "0123456")
    ]
    assert harbour["method"] == "name"
    assert harbour["probability"] >= 0.8
    assert harbour["model_version"].startswith("entities-name-fixed-")  # tiny data: fixed
    assert harbour["explanation"]["comparisons"]["name"]["level"] == "same name words"
    assert harbour["explanation"]["comparisons"]["name"]["bits"] > 0
    assert counts.name_model_version == harbour["model_version"]
    assert ("gb_land_registry", "HONG KONG|name:PEARL", "hk_companies_registry", "0999999") in found


def test_what_is_not_linked(sources: Store) -> None:
    resolve_entities(sources.con)
    found = links(sources)
    ids = {(a, b) for _, a, _, b in found}
    # the same name incorporated elsewhere is another company
    assert not any(a == "JERSEY|name:HARBOUR VIEW" for a, _ in ids)
    # a name sharing one word is not the same company
    assert not any(b == "0654321" for _, b in ids)
    # a removed record links to nothing; a record of no other source's jurisdiction neither
    assert not any(b == "0777777" for _, b in ids)
    assert not any(a.startswith("BRITISH VIRGIN ISLANDS") for a, _ in ids)
    assert len(found) == 4


def test_a_rebuild_gives_the_same_links(sources: Store) -> None:
    first = resolve_entities(sources.con)
    before = links(sources)
    second = resolve_entities(sources.con)
    assert links(sources) == before and first == second


def test_different_registration_numbers_are_not_linked_by_name(
    store: Store, tmp_path: Path
) -> None:
    """Two registers that both give a number in one jurisdiction: the numbers decide."""
    import_records(
        store, write(tmp_path / "a.csv", ["1,ACME TRADING LIMITED,company,HK,111,"]), "a"
    )
    import_records(store, write(tmp_path / "b.csv", ["2,Acme Trading Ltd,company,HK,222,"]), "b")
    counts = resolve_entities(store.con)
    assert (counts.registration_links, counts.name_pairs, counts.name_links) == (0, 0, 0)


def test_an_empty_store_resolves_to_nothing(store: Store) -> None:
    counts = resolve_entities(store.con)
    assert counts.companies == 0 and counts.name_model_version is None
    assert store.scalar("SELECT count(*) FROM entity_links") == 0


def test_em_on_too_little_data_keeps_the_fixed_parameters_and_says_so(
    sources: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked to train on a handful of pairs, the model still scores them; its version says
    which parameters were used."""
    monkeypatch.setattr(name_model, "MIN_EM_PAIRS", 1)
    counts = resolve_entities(sources.con)
    assert counts.name_model_version is not None
    assert counts.name_model_version.startswith(("entities-name-em-", "entities-name-fixed-"))
    assert counts.name_links >= 1


def test_a_failed_rebuild_keeps_the_links_it_had(
    sources: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolve_entities(sources.con)
    before = links(sources)

    def fail(*_: object) -> None:
        raise duckdb.Error("scoring failed")

    monkeypatch.setattr("matching.entities.resolve._count", fail)
    with pytest.raises(duckdb.Error):
        resolve_entities(sources.con)
    assert links(sources) == before


def test_spider_fixtures_link_the_singapore_company_across_three_sources(
    store: Store, tmp_path: Path
) -> None:
    """The golden records of the OCOD, ACRA and records-feed fixtures, imported as files."""
    for name in ("gb_land_registry.ocod_full", "sg_acra.entities", "records_feed.file"):
        records = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))["records"]
        path = tmp_path / f"{name}.jsonl"
        keep = ("source_id", "name", "kind", "jurisdiction", "registration_number")
        path.write_text(
            "".join(json.dumps({k: r[k] for k in keep}) + "\n" for r in records),
            encoding="utf-8",
        )
        import_records(store, path, name.split(".")[1])
    resolve_entities(store.con)
    found = {
        (a, ia, b, ib)
        for a, ia, b, ib, m in store.con.execute(
            "SELECT source_a, id_a, source_b, id_b, method FROM entity_links"
            " WHERE method = 'registration_number'"
        ).fetchall()
    }
    assert found == {
        ("entities", "201912345K", "file", "V001"),
        ("entities", "201912345K", "ocod_full", "SINGAPORE|201912345K"),
        ("file", "V001", "ocod_full", "SINGAPORE|201912345K"),
    }
