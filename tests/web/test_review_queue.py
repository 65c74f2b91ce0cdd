"""The review queue over a real store: its order, who sees it, decisions one by one (plain and
htmx) and in bulk, blind mode, and crawled names shown as text."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import duckdb
import pytest

from matching.review_queue import QueueFilter, queue_page
from pipelines.decision_journal import apply_if_free, pending, record_decision
from pipelines.store import connect
from tests.pipelines.exports.case_store import PSC
from tests.pipelines.exports.store_rows import insert_match
from tests.web.conftest import HOSTILE_NAME
from tests.web.queue_store import UNDECIDED, build_queue_store
from tests.web.test_app import logged_in

Pair = tuple[str, str, str]


@pytest.fixture
def queue_store(tmp_path: Path) -> Path:
    store_path = tmp_path / "bank.duckdb"
    build_queue_store(store_path)
    return store_path


def queued(page_html: str) -> list[Pair]:
    """The pairs the queue page lists, in order (from each row's tick box)."""
    values = re.findall(
        r'<input type="checkbox" name="pair" form="bulk" value=\'([^\']+)\'', page_html
    )
    return [tuple(json.loads(html.unescape(value))) for value in values]  # type: ignore[misc]


def reviews(store_path: Path) -> dict[Pair, tuple[str, str | None]]:
    with duckdb.connect(str(store_path), read_only=True) as con:
        rows = con.execute(
            "SELECT debtor_id, source, source_id, decision, note FROM reviews"
        ).fetchall()
    return {(d, s, i): (decision, note) for d, s, i, decision, note in rows}


def expected_order(store_path: Path) -> list[Pair]:
    """The undecided pairs by value × (1 − |2p − 1|), worked out here from the store's claims,
    probabilities and leads."""
    with duckdb.connect(str(store_path), read_only=True) as con:
        rows = con.execute(
            "SELECT m.debtor_id, m.source, m.source_id, m.match_probability,"
            " d.outstanding_amount::DOUBLE, (SELECT sum(l.value)::DOUBLE FROM leads l"
            "  WHERE l.debtor_id = m.debtor_id AND l.gone_at IS NULL"
            "  AND l.path->0->>'to_id' = m.source_id)"
            " FROM matches m JOIN debtors d USING (debtor_id)"
            " WHERE NOT EXISTS (SELECT 1 FROM reviews r WHERE r.debtor_id = m.debtor_id"
            " AND r.source_id = m.source_id)"
        ).fetchall()

    def priority(row: tuple[str, str, str, float, float, float | None]) -> float:
        probability, claim, leads = row[3], row[4], row[5]
        value = min(leads, claim) if leads is not None else claim
        return value * (1 - abs(2 * probability - 1))

    return [row[:3] for row in sorted(rows, key=priority, reverse=True)]


def test_the_queue_puts_the_most_valuable_uncertain_pair_first(queue_store: Path) -> None:
    client, _ = logged_in(queue_store, "ian")
    page = client.get("/review").text
    assert queued(page) == expected_order(queue_store)
    assert queued(page) == UNDECIDED  # the order the store's figures give (queue_store.py)
    assert "value × (1 − |2p − 1|)" in page


def test_the_queue_follows_the_store_as_runs_change_it(queue_store: Path) -> None:
    """The priorities are kept in memory per state of the store: a new match, a changed claim
    and a lead gone each reorder the next page the same server gives."""
    client, _ = logged_in(queue_store, "ian")
    assert queued(client.get("/review").text) == UNDECIDED
    with connect(queue_store) as store:
        insert_match(store, "D2", "P5", 0.5)  # a later run's new candidate
    assert queued(client.get("/review").text) == expected_order(queue_store)
    assert ("D2", PSC, "P5") in expected_order(queue_store)
    with connect(queue_store) as store:
        store.con.execute("UPDATE debtors SET outstanding_amount = 100 WHERE debtor_id = 'D1'")
    assert queued(client.get("/review").text)[-1] == ("D1", PSC, "P4")
    assert queued(client.get("/review").text) == expected_order(queue_store)
    with connect(queue_store) as store:
        store.con.execute("UPDATE leads SET gone_at = now()")  # D2's leads gone: its claim counts
    with duckdb.connect(str(queue_store), read_only=True) as con:
        chan = next(row for row in queue_page(con, [], QueueFilter(), 0, 10).rows
                    if row.source_id == "P2")  # fmt: skip
    assert (chan.leads, chan.value, chan.priority) == (0, 880000, pytest.approx(880000 * 0.6))


def test_a_lead_s_value_counts_not_the_claim(queue_store: Path) -> None:
    with duckdb.connect(str(queue_store), read_only=True) as con:
        found = queue_page(con, [], QueueFilter(), 0, 10)
    chan = next(row for row in found.rows if row.source_id == "P2")
    assert chan.leads == 2 and chan.leads_value == 750000
    assert chan.value == 750000 and chan.claim == 880000
    assert chan.priority == pytest.approx(750000 * 0.6)


def test_each_row_is_explained_by_its_strongest_weights(queue_store: Path) -> None:
    client, _ = logged_in(queue_store, "ian")
    row = _row_of(client.get("/review").text, "P5")
    assert re.search(r"\+11\.2</span> person_name: name similarity &gt;= 0\.95", row)
    assert re.search(r"-3\.5</span> birth", row)
    assert "country" not in row  # missing on one side: no evidence either way
    assert 'href="/debtors/D3"' in row and "0.900" in row


def test_filters_by_source_and_probability(queue_store: Path) -> None:
    client, _ = logged_in(queue_store, "ian")
    assert queued(client.get("/review?min_p=0.8").text) == [("D3", PSC, "P5")]
    assert queued(client.get("/review?source=&min_p=").text) == UNDECIDED  # the form, unset
    assert queued(client.get(f"/review?source={PSC}").text) == UNDECIDED
    assert client.get("/review?min_p=2").status_code == 400
    assert queued(client.get("/review?source=elsewhere").text) == []
    assert (
        "Nothing waits for a decision under this filter"
        in client.get("/review?source=elsewhere").text
    )


def test_decided_and_pending_pairs_leave_the_queue(queue_store: Path) -> None:
    client, _ = logged_in(queue_store, "ian")
    first = queued(client.get("/review").text)
    assert ("D1", PSC, "K1") not in first and ("D3", PSC, "R3") not in first  # reviewed
    record_decision(queue_store, "ada", "D3", PSC, "P5", "confirm")  # journalled, not applied
    assert ("D3", PSC, "P5") not in queued(client.get("/review").text)
    assert pending(queue_store)[0].source_id == "P5"
    apply_if_free(queue_store)
    assert ("D3", PSC, "P5") not in queued(client.get("/review").text)
    assert reviews(queue_store)[("D3", PSC, "P5")][0] == "confirm"


def test_unsure_leaves_only_the_queue_of_who_said_it(queue_store: Path) -> None:
    investigator, token = logged_in(queue_store, "ian")
    investigator.post(
        "/decisions",
        data={"csrf_token": token, "debtor_id": "D2", "source": PSC, "source_id": "P2",
              "decision": "unsure", "back": "/review"},
    )  # fmt: skip
    assert pending(queue_store) == []  # applied: only the audit log keeps an unsure
    assert ("D2", PSC, "P2") not in queued(investigator.get("/review").text)
    admin, _ = logged_in(queue_store, "ada")
    assert ("D2", PSC, "P2") in queued(admin.get("/review").text)


def test_a_viewer_is_refused_and_not_shown_the_queue(queue_store: Path) -> None:
    viewer, _ = logged_in(queue_store, "vic")
    assert viewer.get("/review").status_code == 403
    assert 'href="/review"' not in viewer.get("/runs").text
    investigator, _ = logged_in(queue_store, "ian")
    assert 'href="/review"' in investigator.get("/runs").text


def test_a_decision_from_htmx_gets_an_empty_answer_and_a_plain_one_goes_back(
    queue_store: Path,
) -> None:
    client, token = logged_in(queue_store, "ian")
    pair = {"debtor_id": "D1", "source": PSC, "source_id": "P4"}
    form = {"csrf_token": token, **pair, "decision": "reject", "back": "/review?page=1"}
    answered = client.post("/decisions", data=form, headers={"HX-Request": "true"})
    assert answered.status_code == 200 and answered.text == ""
    assert reviews(queue_store)[("D1", PSC, "P4")] == ("reject", None)
    plain = client.post("/decisions", data={**form, "decision": "confirm"}, follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == "/review?page=1"


def test_a_forged_bulk_post_without_the_token_is_refused(queue_store: Path) -> None:
    client, _ = logged_in(queue_store, "ian")
    response = client.post(
        "/decisions/bulk",
        data={"pair": [json.dumps(pair) for pair in UNDECIDED], "decision": "reject"},
    )
    assert response.status_code == 403
    assert pending(queue_store) == [] and not set(UNDECIDED) & set(reviews(queue_store))
    viewer, token = logged_in(queue_store, "vic")
    response = viewer.post(
        "/decisions/bulk",
        data={"csrf_token": token, "pair": json.dumps(UNDECIDED[0]), "decision": "reject"},
    )
    assert response.status_code == 403


def test_bulk_decisions_journal_every_pair_and_apply(queue_store: Path) -> None:
    client, token = logged_in(queue_store, "ian")
    page = client.get("/review").text
    chosen = queued(page)[:2]
    response = client.post(
        "/decisions/bulk",
        data={"csrf_token": token, "pair": [json.dumps(pair) for pair in chosen],
              "decision": "reject", "note": "different people", "back": "/review"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303 and response.headers["location"] == "/review"
    decided = reviews(queue_store)
    assert all(decided[pair] == ("reject", "different people") for pair in chosen)
    with duckdb.connect(str(queue_store), read_only=True) as con:
        audited = con.execute(
            "SELECT details->>'$.source_id' FROM audit_log WHERE action = 'decision'"
            " AND actor = 'ian'"
        ).fetchall()
    assert sorted(i for (i,) in audited) == sorted(pair[2] for pair in chosen)
    assert queued(client.get("/review").text) == [p for p in queued(page) if p not in chosen]


def test_a_bulk_post_with_a_bad_pair_journals_nothing(queue_store: Path) -> None:
    client, token = logged_in(queue_store, "ian")
    response = client.post(
        "/decisions/bulk",
        data={"csrf_token": token, "pair": [json.dumps(UNDECIDED[0]), '["D2", "x"]'],
              "decision": "reject"},
    )  # fmt: skip
    assert response.status_code == 400
    assert pending(queue_store) == [] and UNDECIDED[0] not in reviews(queue_store)


def test_blind_mode_hides_probabilities_and_weights_while_browsing(queue_store: Path) -> None:
    client, _ = logged_in(queue_store, "ian")
    seen = client.get("/review").text
    assert "0.900" in seen and "person_name" in seen
    for page in (client.get("/review?blind=1").text, client.get("/review?page=1").text):
        assert "0.900" not in page and "0.500" not in page and "0.700" not in page
        assert "person_name" not in page and "+11.2" not in page
        assert "Blind mode is on" in page
        assert queued(page) == UNDECIDED  # the same pairs, in the same order
    assert "0.900" in client.get("/review?blind=0").text
    assert "0.900" in client.get("/review").text


def test_a_crawled_name_with_a_script_tag_is_shown_as_text(queue_store: Path) -> None:
    client, _ = logged_in(queue_store, "ian")
    page = client.get("/review").text
    assert HOSTILE_NAME not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;許家印" in _row_of(page, "P4")


def _row_of(page: str, source_id: str) -> str:
    rows = re.findall(r'<tr class="pair">.*?</tr>', page, re.S)
    found = [row for row in rows if f"· {source_id}</div>" in row]
    assert len(found) == 1, f"no single row for {source_id}"
    return found[0]
