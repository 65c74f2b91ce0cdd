"""load_case: the filters (debtor, confidence, confirmed chains), redaction, and the facts each
hop rests on, over a store built by the real debtor import, review and leads build."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pipelines.exports.case import Case, pseudonym
from pipelines.store import connect
from tests.pipelines.exports.case_store import CCOD, NOTE, PSC

Load = Callable[..., Case]


def targets(case: Case) -> set[tuple[str, str]]:
    return {(lead.debtor_id, lead.target.node_id) for lead in case.leads}


def test_every_debtor_and_lead_with_the_decision_on_its_match(case_of: Load) -> None:
    case = case_of()
    assert [d.debtor_id for d in case.debtors] == ["D1", "D2", "D3"]
    assert targets(case) == {("D1", "C1"), ("D1", "T1"), ("D2", "C2"), ("D2", "T2")}
    decisions = {lead.debtor_id: lead.decision for lead in case.leads}
    assert decisions == {"D1": "confirmed", "D2": "unreviewed"}
    assert case.debtors[0].name == "安丰投资有限公司"
    first = case.reviews[0]
    assert (first.debtor_id, first.decision, first.note) == ("D1", "confirm", NOTE)


def test_the_filters_select(case_of: Load) -> None:
    assert targets(case_of(debtor_id="D2")) == {("D2", "C2"), ("D2", "T2")}
    assert [d.debtor_id for d in case_of(debtor_id="D2").debtors] == ["D2"]
    # D2's title is reached at 0.7 × 0.9 × 0.9 × 1.0 = 0.567, its company at 0.63
    assert targets(case_of(min_confidence=0.6)) == {("D1", "C1"), ("D1", "T1"), ("D2", "C2")}
    assert targets(case_of(status="confirmed")) == {("D1", "C1"), ("D1", "T1")}
    assert case_of(debtor_id="NOPE").debtors == ()


def test_each_hop_rests_on_a_fact_with_its_source(case_of: Load, built_case_db: Path) -> None:
    case = case_of(debtor_id="D2")
    title = next(lead for lead in case.leads if lead.target.node_id == "T2")
    assert [hop.via for hop in title.hops] == ["match", "edge", "same_entity", "edge"]
    for hop in title.hops:
        assert hop.fact_id in case.facts
    psc = case.facts[title.hops[1].fact_id]
    with connect(built_case_db, read_only=True) as store:
        url, digest = store.con.execute(
            "SELECT source_url, content_hash::VARCHAR FROM relationships"
            " WHERE source = ? AND relationship_id = 'P2>C2'",
            [PSC],
        ).fetchall()[0]
    assert (psc.source, psc.url, psc.content_hash) == (PSC, url, digest)
    assert psc.statement == "CHAN Tai Man is psc of 宏港控股有限公司 (75-100%)"
    kinds = {fact.fact_id: fact.kind for fact in case.facts_of(title)}
    assert kinds[f"asset:{CCOD}:T2"] == "asset" and kinds[f"record:{PSC}:P2"] == "record"


def test_redaction_leaves_no_debtor_id_amount_or_note(case_of: Load) -> None:
    case = case_of(redact=True)
    shown = repr(case)
    for debtor_id in ("'D1'", "'D2'", "'D3'", ":D1:", ":D2:"):
        assert debtor_id not in shown
    assert NOTE not in shown and "1234567" not in shown
    assert [d.debtor_id for d in case.debtors] == [pseudonym(f"D{n}") for n in (1, 2, 3)]
    assert case_of(redact=True).debtors[0].debtor_id == case.debtors[0].debtor_id
    for lead in case.leads:
        assert all(hop.fact_id in case.facts for hop in lead.hops)
    assert targets(case) == {(pseudonym(d), t) for d, t in targets(case_of())}


@pytest.mark.parametrize("status", ["all", "confirmed"])
def test_the_filter_is_kept_for_the_audit_log(case_of: Load, status: str) -> None:
    filters = case_of(debtor_id="D1", min_confidence=0.5, status=status).filters
    assert filters.as_dict() == {"debtor": "D1", "min_confidence": 0.5, "status": status,
                                 "redact": False}  # fmt: skip
