"""A store for the review queue's tests: the export tests' case store (D1 confirmed, D3's
candidate rejected, D2 → CHAN Tai Man undecided with two leads worth £750,000 through him) and
more undecided matches: one to a crawled name carrying a script tag, and one explained by a
model's weights.

Their priorities, value × (1 − |2p − 1|):
  D1 → P4 (the script name), p 0.5: no lead, claim 1,234,567.89, × 1.0
  D3 → P5 (WANG Wei), p 0.9: no lead, claim 3,750,000, × 0.2
  D2 → P2 (CHAN Tai Man), p 0.7: leads 750,000 (under the claim of 880,000), × 0.6
"""

from __future__ import annotations

import json
from pathlib import Path

from matching.settings import settings
from pipelines.store import connect
from tests.pipelines.exports.case_store import PSC, build_case_store
from tests.pipelines.exports.store_rows import insert_match, insert_record
from tests.web.conftest import HOSTILE_NAME, add_users

MODEL_VERSION = "queue-test-model"
# the weights behind D3 → P5, as a run stores them: comparison -> bits and level
P5_CONTRIBUTIONS = {
    "person_name": {"bits": 11.25, "level": 7},
    "birth": {"bits": -3.5, "level": 1},
    "country": {"bits": 0.0, "level": -1},
}
UNDECIDED = [("D1", PSC, "P4"), ("D3", PSC, "P5"), ("D2", PSC, "P2")]


def build_queue_store(store_path: Path) -> None:
    build_case_store(store_path)
    add_users(store_path)
    with connect(store_path) as store:
        insert_record(store, PSC, "P4", HOSTILE_NAME, "person", None)
        insert_record(store, PSC, "P5", "WANG Wei", "person", None)
        insert_match(store, "D1", "P4", 0.5)
        insert_match(store, "D3", "P5", 0.9)
        model = settings(1e-5).create_settings_dict(sql_dialect_str="duckdb")
        store.con.execute(
            "INSERT INTO models VALUES (?, now(), ?, '{}')", [MODEL_VERSION, json.dumps(model)]
        )
        store.con.execute(
            "UPDATE matches SET contributions = ?, model_version = ?"
            " WHERE debtor_id = 'D3' AND source_id = 'P5'",
            [json.dumps(P5_CONTRIBUTIONS), MODEL_VERSION],
        )
