from __future__ import annotations

import csv
from pathlib import Path

import pytest

from matching.evaluate import evaluate
from matching.explain import candidates, waterfall_html
from matching.export import EXPORT_COLUMNS, export_matches
from matching.features import refresh_features
from matching.reviews import record_review
from matching.run import run_matching
from pipelines.debtors import import_debtors
from pipelines.errors import InputFileError, OadError
from pipelines.records import import_records
from pipelines.store import Store
from tests.conftest import REPO

SAMPLE = REPO / "data" / "sample"
MICROSOFT_CN = ("D016", "gleif", "836800FXO82WAQQSJI94")


@pytest.fixture
def loaded(store: Store) -> Store:
    import_debtors(store, SAMPLE / "debtors.csv")
    import_records(store, SAMPLE / "records" / "hk_companies_registry.csv", "hk_companies_registry")
    import_records(store, SAMPLE / "records" / "gleif.jsonl", "gleif")
    return store


def match_row(store: Store, debtor_id: str, source: str, source_id: str) -> tuple | None:
    rows = store.con.execute(
        "SELECT match_probability, reason FROM matches"
        " WHERE debtor_id = ? AND source = ? AND source_id = ?",
        [debtor_id, source, source_id],
    ).fetchall()
    return rows[0] if rows else None


def test_identifier_link_is_certain_and_says_why(loaded: Store) -> None:
    summary = run_matching(loaded)
    assert summary.identifier_links == 1 and summary.trained
    probability, reason = match_row(loaded, *MICROSOFT_CN)
    assert probability == 1.0 and reason == "identifier: uscc:91110108600040399G"
    run = loaded.con.execute("SELECT status, stats FROM runs").fetchall()
    assert run[0][0] == "finished" and '"candidate_pairs"' in run[0][1]


def test_model_is_saved_and_reused_by_version(loaded: Store) -> None:
    first = run_matching(loaded)
    second = run_matching(loaded)
    assert not second.trained and second.model_version == first.model_version
    third = run_matching(loaded, retrain=True)
    assert third.trained and third.model_version != first.model_version
    assert loaded.scalar("SELECT count(*) FROM models") == 2
    stored = loaded.con.execute("SELECT DISTINCT model_version FROM matches").fetchall()
    assert stored == [(third.model_version,)]


def test_a_run_times_its_steps_and_the_candidate_steps_within_them(loaded: Store) -> None:
    seconds = run_matching(loaded).seconds
    steps = ("keys", "dense", "rerank", "rest")
    assert {"features", "candidates", "training", "predict", "write"} <= set(seconds)
    assert {f"candidates_{step}" for step in steps} <= set(seconds)
    assert sum(seconds[f"candidates_{step}"] for step in steps) <= seconds["candidates"]
    assert all(value > 0 for value in seconds.values())


def test_features_are_incremental(loaded: Store) -> None:
    first = refresh_features(loaded)
    assert first["debtor"].computed == 24 and first["record"].computed == 313
    again = refresh_features(loaded)
    assert again["debtor"].computed == 0 and again["record"].unchanged == 313
    loaded.con.execute("UPDATE records SET removed_at = now() WHERE source = 'gleif'")
    after = refresh_features(loaded)
    assert after["record"].deleted == 13
    assert loaded.scalar("SELECT count(*) FROM features WHERE source = 'gleif'") == 0


def test_export_contract(loaded: Store, tmp_path: Path) -> None:
    run_matching(loaded)
    out = tmp_path / "m.csv"
    written = export_matches(loaded.con, out, min_probability=0.0, top=3)
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == EXPORT_COLUMNS == (
        "debtor_id", "source", "source_id", "record_name", "match_probability", "match_weight",
        "rank",
    )  # fmt: skip
    assert written == len(rows) - 1 > 0
    per_debtor: dict[str, list[int]] = {}
    for row in rows[1:]:
        per_debtor.setdefault(row[0], []).append(int(row[6]))
    assert all(ranks == list(range(1, len(ranks) + 1)) and len(ranks) <= 3
               for ranks in per_debtor.values())  # fmt: skip
    everything = export_matches(loaded.con, tmp_path / "all.csv", min_probability=0.0, top=None)
    assert everything == loaded.scalar("SELECT count(*) FROM matches")
    certain = export_matches(loaded.con, tmp_path / "c.csv", min_probability=1.0, top=None)
    assert certain == 1


def test_untrusted_names_are_neutralised_and_escaped(loaded: Store, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.csv"
    hostile.write_text(
        "source_id,name,registration_number\n"
        'X1,"=HYPERLINK(""http://evil"")<script>alert(1)</script>",91110108600040399G\n',
        encoding="utf-8",
    )
    import_records(loaded, hostile, "vendor")
    run_matching(loaded)
    out = tmp_path / "m.csv"
    export_matches(loaded.con, out, min_probability=1.0, top=None)
    text = out.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    found = [c for c in candidates(loaded.con, "D016") if c.source == "vendor"]
    page = waterfall_html("t", "s", found[0].steps, found[0].probability)
    html_title = waterfall_html(found[0].record_name or "", "", [], 1.0)
    assert "<script>" not in html_title and "&lt;script&gt;" in html_title
    assert page.startswith("<!doctype html>")


def test_reviews_hold_across_runs(loaded: Store) -> None:
    run_matching(loaded)
    some = loaded.con.execute(
        "SELECT debtor_id, source, source_id FROM matches WHERE debtor_id = 'D001'"
        " ORDER BY match_probability DESC LIMIT 1"
    ).fetchall()[0]
    with loaded.transaction() as con:
        record_review(con, *some, "reject", "analyst")
        # a pair blocking never proposes: confirmed by a person, it must stay
        record_review(con, "D018", "hk_companies_registry", "26504", "confirm", "analyst", "seen")
    for _ in range(2):
        run_matching(loaded)
        assert match_row(loaded, *some) is None
        probability, reason = match_row(loaded, "D018", "hk_companies_registry", "26504")
        assert probability == 1.0 and reason.startswith("confirmed by analyst on ")
    with loaded.transaction() as con:  # the latest decision is in force
        record_review(con, *some, "confirm", "lead")
    run_matching(loaded)
    assert match_row(loaded, *some)[0] == 1.0
    assert loaded.scalar("SELECT count(*) FROM reviews") == 3


def test_review_refuses_unknown_pairs(loaded: Store) -> None:
    with pytest.raises(OadError, match="no debtor 'NOPE'"), loaded.transaction() as con:
        record_review(con, "NOPE", "gleif", "x", "confirm", "a")
    with (
        pytest.raises(OadError, match="no record 'x' from source 'gleif'"),
        loaded.transaction() as con,
    ):
        record_review(con, "D016", "gleif", "x", "confirm", "a")
    with pytest.raises(OadError, match="decision must be one of"), loaded.transaction() as con:
        record_review(con, *MICROSOFT_CN, "maybe", "a")


def test_incremental_run_pairs_only_new_records(loaded: Store, tmp_path: Path) -> None:
    run_matching(loaded)
    before = loaded.scalar("SELECT count(*) FROM matches")
    extra = tmp_path / "new.csv"
    extra.write_text(
        "source_id,name,registration_number\nN1,QXZV,91110108600040399G\n",
        encoding="utf-8",
    )
    import_records(loaded, extra, "vendor")
    summary = run_matching(loaded, incremental=True)
    assert not summary.trained and summary.candidate_pairs == 1  # only the new record's pair
    assert match_row(loaded, "D016", "vendor", "N1")[0] == 1.0
    assert match_row(loaded, *MICROSOFT_CN)[0] == 1.0  # earlier matches kept
    assert loaded.scalar("SELECT count(*) FROM matches") >= before + 1


def test_incremental_run_drops_the_matches_of_records_gone(loaded: Store) -> None:
    run_matching(loaded)
    assert loaded.scalar("SELECT count(*) FROM matches WHERE source = 'gleif'")
    loaded.con.execute("UPDATE records SET removed_at = now() WHERE source = 'gleif'")
    run_matching(loaded, incremental=True)
    assert loaded.scalar("SELECT count(*) FROM matches WHERE source = 'gleif'") == 0
    assert loaded.scalar("SELECT count(*) FROM matches WHERE source = 'hk_companies_registry'")


def test_evaluate_counts(loaded: Store, tmp_path: Path) -> None:
    run_matching(loaded)
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "debtor_id,source,source_id,is_match\n"
        "D016,gleif,836800FXO82WAQQSJI94,1\n"
        "D018,hk_companies_registry,26504,1\n",
        encoding="utf-8",
    )
    result = evaluate(loaded.con, labels, threshold=0.9)
    assert (result.labelled_debtors, result.true_pairs) == (2, 2)
    assert result.recall_at_1 == 0.5 and result.pairs_completeness == 0.5
    assert result.precision == 1.0 and result.recall == 0.5
    bad = tmp_path / "bad.csv"
    bad.write_text("debtor_id,source,source_id,is_match\nD1,s,1,maybe\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="line 2, field 'is_match'"):
        evaluate(loaded.con, bad, threshold=0.9)


def test_scoring_in_chunks_gives_the_same_matches(
    loaded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matching import splink_model

    query = (
        "SELECT debtor_id, source, source_id, round(match_probability, 9), contributions"
        " FROM matches ORDER BY ALL"
    )
    run_matching(loaded)
    whole = loaded.con.execute(query).fetchall()
    monkeypatch.setattr(splink_model, "PREDICT_CHUNK", 7)
    run_matching(loaded)
    assert len(whole) > 20 and loaded.con.execute(query).fetchall() == whole
