"""Company probabilities calibrated among each debtor's candidates."""

from __future__ import annotations

import csv
import itertools
import json
import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from matching.calibration import (
    FEATURES,
    STEP,
    Calibration,
    name_parts,
    pair_figures,
    read_calibration,
    shipped_calibration,
)
from matching.explain import candidates
from matching.learn_calibration import fit
from matching.learn_calibration import main as learn
from matching.names import company_keys
from matching.names.encoder import encoder_score
from matching.names.script import has_han
from matching.names.translation import blend
from matching.run import run_matching
from pipelines.records import import_records
from pipelines.store import Store
from tests.conftest import REPO

HAND_MADE = Calibration(
    intercept=-1.0,
    coefficients={name: 0.0 for name in FEATURES} | {"score": 2.0, "lead": 10.0},
    odds_points=(-2.0, 0.0, 2.0),
    probability_points=(0.01, 0.5, 0.95),
    provenance={"learned_from": "hand"},
)


@pytest.mark.parametrize(
    ("weight", "score", "lead", "expected"),
    [
        (-10.0, 0.5, 0.0, 0.5),  # log odds 0: the middle point
        (-10.0, 0.5, 0.1, 0.725),  # log odds 1: half way to the next point
        (-10.0, 0.0, -0.5, 0.01),  # far below the first point: flat
        (-10.0, 0.7, 0.4, 0.95),  # far above the last point: flat
    ],
)
def test_probability_is_the_curve_at_the_logistic_log_odds(
    weight: float, score: float, lead: float, expected: float
) -> None:
    found = HAND_MADE.probabilities(_row(weight, score, lead))
    assert found[0] == pytest.approx(expected)


def _row(weight: float, score: float, lead: float) -> np.ndarray:
    """One pair's figures: these three, the others 0."""
    return np.array([[weight, score, lead] + [0.0] * (len(FEATURES) - 3)])


def test_a_calibration_reads_back_as_written() -> None:
    assert read_calibration(HAND_MADE.to_json()) == HAND_MADE


def test_the_shipped_calibration_says_where_it_was_learned() -> None:
    shipped = shipped_calibration()
    assert shipped is not None
    assert shipped.provenance["learned_from"] == "SP_10.csv"
    assert list(shipped.probability_points) == sorted(shipped.probability_points)
    # a clear lead over the next candidate speaks for the pair
    assert shipped.coefficients["lead"] > 0


def test_the_fit_learns_that_a_lead_makes_a_pair_right() -> None:
    rng = np.random.default_rng(3)
    lead = rng.uniform(-0.3, 0.3, 4_000)
    truth = rng.uniform(0, 1, 4_000) < 1 / (1 + np.exp(-(lead * 20 - 1)))
    others = np.zeros((4_000, len(FEATURES) - 3))
    figures = np.column_stack([np.full(4_000, -12.0), np.full(4_000, 0.4), lead, others])
    learned = fit(figures, truth, {})
    clear, behind = learned.probabilities(
        np.vstack([_row(-12.0, 0.4, 0.25), _row(-12.0, 0.4, -0.25)])
    )
    assert clear > 0.9 > 0.1 > behind
    # each band says about what share of its pairs were right
    said = learned.probabilities(figures)
    for low, high in ((0.0, 0.3), (0.3, 0.7), (0.7, 1.0)):
        band = (said >= low) & (said < high)
        assert abs(said[band].mean() - truth[band].mean()) < 0.05


def _figures(store: Store) -> dict[tuple[str, str, str], tuple[float, ...]]:
    rows = pair_figures(store.con, "true").to_pylist()
    return {(row["debtor_id"], row["source"], row["source_id"]): tuple(row[f] for f in FEATURES)
            for row in rows}  # fmt: skip


def test_the_figures_count_close_rivals_and_measure_both_names(matched: Store) -> None:
    """within_05 and within_02 count the debtor's other candidates scoring no more than 0.05
    (0.02) below the pair or above it, as logs of one more; the lengths are of the parsed names."""
    figures = _figures(matched)
    scores: dict[str, list[float]] = {}
    for (debtor_id, _, _), found in figures.items():
        scores.setdefault(debtor_id, []).append(found[FEATURES.index("score")])
    names = dict(matched.con.execute("SELECT debtor_id, name FROM debtors").fetchall())
    records = {
        (s, i): n
        for s, i, n in matched.con.execute("SELECT source, source_id, name FROM records").fetchall()
    }
    crowded = 0
    for (debtor_id, source, source_id), found in itertools.islice(figures.items(), 500):
        score = found[FEATURES.index("score")]
        for margin, name in ((0.05, "within_05"), (0.02, "within_02")):
            rivals = sum(other >= score - margin for other in scores[debtor_id]) - 1
            assert found[FEATURES.index(name)] == pytest.approx(math.log(1 + rivals))
            crowded += rivals > 0
        assert found[FEATURES.index("trade_chars")] == len(company_keys(names[debtor_id]).trade)
        words = company_keys(records[source, source_id]).words
        assert found[FEATURES.index("record_words")] == len(words)
    assert crowded  # some pair had rivals close by


def test_the_name_score_is_split_into_its_two_models_and_each_has_its_lead(
    matched: Store,
) -> None:
    """encoder is the name encoder's score of the pair's names, model what the blend leaves;
    each part's lead is over the best of the debtor's other candidates by that part."""
    figures = _figures(matched)
    names = {
        (source if side == "record" else "debtor", entity_id): names
        for side, source, entity_id, names in matched.con.execute(
            "SELECT side, source, entity_id, names FROM features"
        ).fetchall()
    }
    column = {name: FEATURES.index(name) for name in FEATURES}
    by_debtor: dict[str, list[tuple[float, ...]]] = {}
    for (debtor_id, _, _), found in figures.items():
        by_debtor.setdefault(debtor_id, []).append(found)
    split = 0
    for (debtor_id, source, source_id), found in itertools.islice(figures.items(), 300):
        han = [n for n in names["debtor", debtor_id] if has_han(n)]
        latin = [n for n in names[source, source_id] if not has_han(n)]
        if han and latin and 0 < found[column["score"]] < 1:
            expected = max(encoder_score(h, n) for h in han for n in latin)
            assert found[column["encoder"]] == pytest.approx(expected, abs=1e-6)
            if found[column["model"]] > 0:
                assert blend(found[column["model"]], expected) == pytest.approx(
                    found[column["score"]], abs=1e-6
                )
                split += 1
        for part in ("encoder", "model"):
            others = list(by_debtor[debtor_id])
            others.remove(found)
            best_other = max((o[column[part]] for o in others), default=0.0)
            assert found[column[f"{part}_lead"]] == pytest.approx(
                found[column[part]] - best_other, abs=1e-9
            )
    assert split > 100


def test_a_score_the_blend_does_not_give_stands_for_both_parts() -> None:
    """A record's Chinese name scored the pair (1.0 against the debtor's), or it has no Latin
    name: the parts are not the encoder's and what the blend leaves, but the score itself."""
    debtor, english = "安丰投资有限公司", "ANVEN INVESTMENT LIMITED"
    encoder = encoder_score(debtor, english)
    blended = blend(0.5, encoder)
    pairs = pa.table({
        "score": [blended, 1.0, 0.8],
        "debtor_names": [[debtor]] * 3,
        "record_names": [[english], ["安豐投資有限公司", english], ["安豐投資有限公司"]],
    })  # fmt: skip
    encoders, models = name_parts(pairs)
    assert encoders[0] == pytest.approx(encoder) and models[0] == pytest.approx(0.5)
    assert encoders[1:].tolist() == models[1:].tolist() == [1.0, 0.8]


def test_company_pairs_carry_the_calibrated_probability_and_its_step(matched: Store) -> None:
    calibration = shipped_calibration()
    assert calibration is not None
    figures = _figures(matched)
    assert len(figures) > 1_000
    rows = matched.con.execute(
        "SELECT debtor_id, source, source_id, match_probability, match_weight, contributions"
        " FROM matches JOIN debtors USING (debtor_id) WHERE kind = 'company' AND reason IS NULL"
    ).fetchall()
    for debtor_id, source, source_id, probability, weight, contributions in rows:
        said = calibration.probabilities(np.array([figures[debtor_id, source, source_id]]))[0]
        assert probability == pytest.approx(said)
        step = json.loads(contributions)[STEP]
        # the step makes the linkage model's weight into the calibrated probability's
        assert weight + step["bits"] == pytest.approx(math.log2(said / (1 - said)))
    # the probabilities are no longer all low: some debtors' best records stand out
    assert max(row[3] for row in rows) > 0.9


def test_the_calibration_is_a_step_of_the_explanation(matched: Store) -> None:
    best = matched.con.execute(
        "SELECT debtor_id FROM matches JOIN debtors USING (debtor_id)"
        " WHERE kind = 'company' ORDER BY match_probability DESC LIMIT 1"
    ).fetchall()[0][0]
    first = candidates(matched.con, best, limit=1)[0]
    step = next(s for s in first.steps if s.comparison == STEP)
    assert step.level.startswith("name score ") and "on the next candidate" in step.level
    figures = _figures(matched)[best, first.source, first.source_id]
    parts = [figures[FEATURES.index(name)] for name in ("encoder", "model")]
    assert "(encoder {:.2f}, translation model {:.2f})".format(*parts) in step.level
    total = sum(s.bits for s in first.steps)
    assert 1 / (1 + 2**-total) == pytest.approx(first.probability)


def test_a_better_record_arriving_later_takes_the_lead(matched: Store, tmp_path: Path) -> None:
    """An incremental run recalibrates every pair of the debtors it touched: the record that
    led loses its lead to an exact copy of the debtor's true English name."""
    debtor_id, source_id, name = matched.con.execute(
        "SELECT m.debtor_id, m.source_id, r.name FROM matches m JOIN debtors d USING (debtor_id)"
        " JOIN records r ON r.source = m.source AND r.source_id = m.source_id"
        " WHERE d.kind = 'company' AND m.reason IS NULL"
        " ORDER BY m.match_probability DESC LIMIT 1"
    ).fetchall()[0]
    before = _figures(matched)[debtor_id, "hk_companies_registry", source_id]
    assert before[2] > 0  # it led
    copy = tmp_path / "copy.csv"
    with copy.open("w", encoding="utf-8", newline="") as handle:
        rows = [["source_id", "name", "kind"], ["same-name", name, "company"]]
        csv.writer(handle).writerows(rows)
    import_records(matched, copy, "another_register")
    run_matching(matched, incremental=True)
    after = _figures(matched)
    # tied, neither leads (the two scores may differ in the last bit of a float)
    assert after[debtor_id, "hk_companies_registry", source_id][2] <= 1e-9
    assert after[debtor_id, "another_register", "same-name"][2] <= 1e-9
    probability = matched.con.execute(
        "SELECT match_probability FROM matches WHERE debtor_id = ? AND source_id = ?",
        [debtor_id, source_id],
    ).fetchall()[0][0]
    said = shipped_calibration().probabilities(  # type: ignore[union-attr]
        np.array([after[debtor_id, "hk_companies_registry", source_id]])
    )[0]
    assert probability == pytest.approx(said)


def test_the_learner_learns_from_a_register_slice(tmp_path: Path) -> None:
    """The learning command end to end on 3,000 rows of SP_10: a real run, every candidate
    pair labelled by the row it came from."""
    with (REPO / "data" / "hk_companies_registry" / "SP_10.csv").open(
        encoding="utf-8", newline=""
    ) as handle:
        rows = list(itertools.islice(csv.reader(handle), 3_001))
    part = tmp_path / "part.csv"
    with part.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    out = tmp_path / "calibration.json"
    learn(["--hk", str(part), "--out", str(out), "--companies", "300"])
    learned = read_calibration(out.read_text(encoding="utf-8"))
    assert learned.provenance["debtors"] == 300 and learned.provenance["records"] == 3_000
    assert 0 < learned.provenance["true_pairs"] <= 300 < learned.provenance["pairs"]
    assert learned.coefficients["lead"] > 0
    assert list(learned.probability_points) == sorted(learned.probability_points)
