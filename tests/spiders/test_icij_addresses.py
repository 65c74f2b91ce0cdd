"""ICIJ address nodes reach the records that a `registered_address` edge starts from."""

from __future__ import annotations

import json
from pathlib import Path

from spiders.localserver import LocalServer
from tests.spiders.helpers import crawl, dump


def test_registered_addresses_are_attached_to_records(server: LocalServer, db_path: Path) -> None:
    result = crawl(db_path, "icij_offshore_leaks", server.url("/icij_offshore_leaks"))
    assert result.exit_code == 0, result.log[-2000:]
    rows = dump(db_path)
    records = {r["source_id"]: r for r in rows["records"]}
    # address nodes are not records, and their edges are not relationships
    assert set(records) == {"10000001", "10000002", "11000001", "12000001", "12000002"}
    assert all(r["role"] != "registered address" for r in rows["relationships"])
    # an officer with no address of its own gets both of its registered addresses
    assert records["12000001"]["address"] == (
        "NO. 18 JINQIAO ROAD, SUZHOU INDUSTRIAL PARK, JIANGSU; "
        "ROOM 1201, 88 CENTURY AVENUE, PUDONG, SHANGHAI"
    )
    assert records["10000002"]["address"].startswith("PORTCULLIS TRUSTNET CHAMBERS")
    # an entity's own address stays; the linked one is kept in the raw payload
    own = records["10000001"]
    assert own["address"] == "FLAT A, 12/F, 8 HENNESSY ROAD, WAN CHAI, HONG KONG"
    raw = json.loads(own["raw"])
    assert raw["registered_address"] == "8/F, 38 GLOUCESTER ROAD, WAN CHAI, HONG KONG"
    assert "registered_address" not in json.loads(records["11000001"]["raw"])  # none linked
    notes = " ".join(result.row["notes"]["notes"])
    assert "5 address nodes; 5 nodes registered at them" in notes
