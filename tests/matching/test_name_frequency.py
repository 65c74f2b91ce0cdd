"""A person's name agreeing says more when few records abroad carry it."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from matching.explain import candidates
from matching.model_levels import scored_levels
from matching.name_frequency import MAX_BITS, MIN_BITS, STEP
from matching.run import run_matching
from matching.splink_model import feature_tables, person_name_agreement, splink_connection
from pipelines.debtors import import_debtors
from pipelines.records import import_records
from pipelines.store import Store, connect

COMMON, RARE = "王伟", "欧阳明"
SURNAMES = ["LI", "CHEN", "ZHAO", "ZHOU", "WU", "XU", "SUN", "MA", "ZHU", "HU"]
GIVEN = ["Ming", "Hao", "Jun", "Lei", "Tao"]


@pytest.fixture(scope="module")
def matched(tmp_path_factory: pytest.TempPathFactory) -> Store:
    folder = tmp_path_factory.mktemp("names")
    _write(folder / "debtors.csv", ["debtor_id", "name", "kind", "id_number", "birth_date"],
           [["common", COMMON, "person", "", "1980-05-15"],
            ["rare", RARE, "person", "", "1975-03-15"]])  # fmt: skip
    records = [[f"wang-{month}", "WANG Wei", "person", f"19{60 + month}-{month % 12 + 1:02d}"]
               for month in range(30)]  # fmt: skip
    records.append(["wang-true", "WANG Wei", "person", "1980-05"])
    records.append(["au-yeung", "AU YEUNG Ming", "person", "1975-03"])
    records += [
        [f"other-{s}-{g}", f"{s} {g}", "person", "1970-01"] for s in SURNAMES for g in GIVEN
    ]
    _write(folder / "records.csv", ["source_id", "name", "kind", "birth_date"], records)
    store = connect(folder / "store.duckdb")
    import_debtors(store, folder / "debtors.csv")
    import_records(store, folder / "records.csv", "officers")
    run_matching(store)
    return store


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])


def _pair(store: Store, debtor_id: str, source_id: str) -> tuple[float, float, float]:
    """(probability, the linkage model's weight, the step's bits) of one pair."""
    probability, weight, bits = store.con.execute(
        "SELECT match_probability, match_weight,"
        " CAST(json_extract(contributions, '$.\"' || ? || '\".bits') AS DOUBLE)"
        " FROM matches WHERE debtor_id = ? AND source_id = ?",
        [STEP, debtor_id, source_id],
    ).fetchall()[0]
    return probability, weight, bits


def test_a_common_name_weighs_less_and_a_rare_one_more(matched: Store) -> None:
    common, _, common_bits = _pair(matched, "common", "wang-true")
    rare, _, rare_bits = _pair(matched, "rare", "au-yeung")
    assert MIN_BITS <= common_bits < 0 < rare_bits <= MAX_BITS
    assert rare > common


def test_the_probability_is_the_weight_and_the_step(matched: Store) -> None:
    for debtor_id, source_id in (("common", "wang-true"), ("rare", "au-yeung")):
        probability, weight, bits = _pair(matched, debtor_id, source_id)
        assert probability == pytest.approx(1 / (1 + 2 ** -(weight + bits)))


def test_the_step_is_in_the_explanation_with_the_count(matched: Store) -> None:
    found = next(c for c in candidates(matched.con, "common") if c.source_id == "wang-true")
    step = next(s for s in found.steps if s.comparison == STEP)
    assert step.level == "wang wei: 31 of 82 person records abroad"
    total = sum(s.bits for s in found.steps)
    assert 1 / (1 + 2**-total) == pytest.approx(found.probability)
    assert math.isfinite(step.bits)


def test_the_model_weighs_a_full_name_agreement_by_how_often_the_data_has_one(
    matched: Store,
) -> None:
    stored, training = matched.con.execute("SELECT settings, training FROM models").fetchall()[0]
    model = json.loads(stored) if isinstance(stored, str) else stored
    person = next(c for c in model["comparisons"] if c["output_column_name"] == "person_name")
    top = scored_levels(person)[0]
    con = splink_connection(*feature_tables(matched.con))
    agreement = person_name_agreement(con)
    # 王伟 meets its 31 WANG Wei records, 欧阳明 its AU YEUNG Ming: 32 of 2 x 82 pairs
    assert agreement == pytest.approx(32 / (2 * 82))
    assert top["u_probability"] == pytest.approx(agreement)
    recorded = json.loads(training) if isinstance(training, str) else training
    assert recorded["person_name_agreement"] == pytest.approx(agreement)
