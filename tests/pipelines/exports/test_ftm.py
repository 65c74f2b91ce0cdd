"""The FollowTheMoney export: every line is an entity the followthemoney package itself parses
and validates unchanged, every link points at an entity in the file, the chain from a debtor to
its title can be walked entity by entity, and a rerun gives the same ids."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner
from followthemoney import model
from followthemoney.cli.cli import cli as ftm_cli
from followthemoney.types import registry

from pipelines.exports.case import CaseFilter, load_case, pseudonym
from pipelines.exports.ftm import share_band, write_ftm
from pipelines.exports.ftm_values import FtmValues
from tests.pipelines.exports.case_store import build_case_store


@pytest.fixture(scope="module")
def case_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("ftm") / "case.duckdb"
    build_case_store(db)
    return db


def export(db: Path, out: Path, filters: CaseFilter | None = None) -> list[dict[str, Any]]:
    with duckdb.connect(str(db), read_only=True) as con:
        assert write_ftm(load_case(con, filters), out) == [out]
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def by_schema(entities: list[dict[str, Any]], schema: str) -> list[dict[str, Any]]:
    return [e for e in entities if e["schema"] == schema]


def test_every_line_parses_and_validates_unchanged(case_db: Path, tmp_path: Path) -> None:
    entities = export(case_db, tmp_path / "case.ftm.jsonl")
    assert entities
    for data in entities:
        proxy = model.get_proxy(data, cleaned=False)  # re-cleans every value as on import
        assert proxy.to_dict() == data
        assert proxy.schema.validate(data) is None
        missing = [p for p in proxy.schema.required if not proxy.get(p)]
        assert missing == [], (data, missing)
    ids = [e["id"] for e in entities]
    assert len(ids) == len(set(ids))


def test_ftm_validate_passes_every_entity_through(case_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "case.ftm.jsonl"
    entities = export(case_db, out)
    checked = tmp_path / "checked.jsonl"
    result = CliRunner().invoke(ftm_cli, ["validate", "-i", str(out), "-o", str(checked)])
    assert result.exit_code == 0, result.output
    again = [json.loads(line) for line in checked.read_text(encoding="utf-8").splitlines()]
    fields = ("id", "schema", "properties")  # validate adds its own empty datasets, referents
    assert sorted([{k: e[k] for k in fields} for e in again], key=lambda e: e["id"]) == sorted(
        entities, key=lambda e: e["id"]
    )


def test_links_point_at_entities_in_the_file(case_db: Path, tmp_path: Path) -> None:
    entities = export(case_db, tmp_path / "case.ftm.jsonl")
    ids = {e["id"] for e in entities}
    references = 0
    for data in entities:
        schema = model.schemata[data["schema"]]
        for name, values in data["properties"].items():
            if schema.properties[name].type == registry.entity:
                assert set(values) <= ids, (data["schema"], name, values)
                references += len(values)
    ownerships = by_schema(entities, "Ownership")
    assert ownerships and references >= 2 * len(ownerships)


def _neighbours(entities: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Entity id -> the ids one link away (links read in their published direction)."""
    found: dict[str, set[str]] = {}
    ends = {"Ownership": ("owner", "asset"), "Directorship": ("director", "organization"),
            "UnknownLink": ("subject", "object")}  # fmt: skip
    for data in entities:
        if data["schema"] in ends:
            start, end = (data["properties"][p][0] for p in ends[data["schema"]])
            found.setdefault(start, set()).add(end)
    return found


def test_the_chain_walks_from_the_debtor_to_its_title(case_db: Path, tmp_path: Path) -> None:
    entities = export(case_db, tmp_path / "case.ftm.jsonl")
    debtor = next(e for e in entities if e["properties"]["name"] == ["安丰投资有限公司"])
    assert debtor["schema"] == "Company" and debtor["properties"]["country"] == ["cn"]
    title = next(e for e in by_schema(entities, "RealEstate")
                 if e["properties"]["titleNumber"] == ["T1"])  # fmt: skip
    assert title["properties"]["amount"] == ["500000.00"]
    assert title["properties"]["currency"] == ["GBP"]
    assert title["properties"]["country"] == ["gb"]
    assert title["properties"]["sourceUrl"] == ["https://example.org/ccod/T1"]
    reached, frontier, neighbours = {debtor["id"]}, [debtor["id"]], _neighbours(entities)
    while frontier:
        for nxt in neighbours.get(frontier.pop(), set()) - reached:
            reached.add(nxt)
            frontier.append(nxt)
    assert title["id"] in reached
    proprietor = next(e for e in by_schema(entities, "Ownership")
                      if e["properties"]["asset"] == [title["id"]])  # fmt: skip
    assert proprietor["properties"]["role"] == ["proprietor"]
    assert proprietor["properties"]["publisher"] == ["HM Land Registry"]
    owner = next(e for e in entities if e["id"] == proprietor["properties"]["owner"][0])
    assert owner["properties"]["name"] == ["FORMULA HOLDINGS LIMITED"]


def test_the_match_link_explains_itself(case_db: Path, tmp_path: Path) -> None:
    entities = export(case_db, tmp_path / "case.ftm.jsonl")
    debtor = next(e for e in entities if e["properties"]["name"] == ["安丰投资有限公司"])
    match = next(e for e in by_schema(entities, "UnknownLink")
                 if e["properties"]["subject"] == [debtor["id"]])  # fmt: skip
    assert match["properties"]["role"] == ["matched to the debtor"]
    assert match["properties"]["status"] == ["confirmed"]
    (summary,) = match["properties"]["summary"]
    assert summary.startswith("certainty 1.00: confirmed by alice") and "name agrees" in summary
    psc = next(e for e in entities if e["id"] == match["properties"]["object"][0])
    assert psc["properties"]["name"] == ["ANVEN INVESTMENT LIMITED"]
    assert psc["properties"]["registrationNumber"] == ["01234567"]


def test_a_crawled_formula_is_plain_text_here(case_db: Path, tmp_path: Path) -> None:
    entities = export(case_db, tmp_path / "case.ftm.jsonl")
    names = {n for e in entities for n in e["properties"].get("name", [])}
    assert '=HYPERLINK("http://x","y")' in names  # JSON: nothing runs it, nothing to neutralise


def test_a_rerun_gives_the_same_file(case_db: Path, tmp_path: Path) -> None:
    export(case_db, tmp_path / "one.jsonl")
    export(case_db, tmp_path / "two.jsonl")
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()


def test_redacted_export_carries_no_debtor_id(case_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "redacted.jsonl"
    export(case_db, out, CaseFilter(redact=True))
    text = out.read_text(encoding="utf-8")
    plain = export(case_db, tmp_path / "plain.jsonl")
    assert "D1" not in text and f"debtor {pseudonym('D1')} in the bank's debtor list" in text
    assert "debtor D1 in the bank's debtor list" in json.dumps(plain, ensure_ascii=False)
    assert len(text.splitlines()) == len(plain)


def test_share_bands_from_natures_of_control() -> None:
    assert share_band(["ownership-of-shares-75-to-100-percent"]) == "75-100"
    assert share_band(["voting-rights-25-to-50-percent", "ownership-of-shares-25-to-50-percent"]) \
        == "25-50"  # fmt: skip
    assert share_band(["right-to-appoint-and-remove-directors"]) is None


def test_register_dates_are_read_and_unreadable_values_kept() -> None:
    link = FtmValues(model.make_entity("Ownership"))
    link.put("startDate", "05-05-2020")
    link.put("startDate", "14-MAY-2012")
    link.put("endDate", "sometime in 2019")
    assert link.proxy.get("startDate") == ["2020-05-05", "2012-05-14"]
    assert link.proxy.get("endDate") == []
    assert link.proxy.get("description") == ["endDate as published: sometime in 2019"]
    company = FtmValues(model.make_entity("Company"))
    company.put("jurisdiction", "Atlantis")
    assert company.proxy.get("notes") == ["jurisdiction as published: Atlantis"]
    assert company.refused == [("jurisdiction", "Atlantis")]
