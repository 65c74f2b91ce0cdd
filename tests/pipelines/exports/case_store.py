"""A small store with leads for the export tests, built with the real debtor import, review and
leads build (records, relationships and titles inserted as a crawl would leave them).

D1 安丰投资有限公司 (confirmed, with a note): matched to the corporate PSC ANVEN INVESTMENT
LIMITED, which holds a company whose crawled name is a spreadsheet formula; that company is one
entity with a Land Registry proprietor of title T1 (£500,000).
D2 陈大文 (unreviewed, p 0.7): matched to CHAN Tai Man, who holds 宏港控股有限公司, one entity
with the proprietor of title T2 (£750,000).
D3 宝伦发展有限公司: no leads; one rejected candidate.
"""

from __future__ import annotations

from pathlib import Path

from matching.reviews import record_review
from pipelines.debtors import import_debtors
from pipelines.leads.run import run_leads
from pipelines.leads.walk import WalkLimits
from pipelines.store import Store, connect

PSC, CH, CCOD = "gb_companies_house_psc", "gb_companies_house", "gb_land_registry_ccod"
FORMULA_NAME = '=HYPERLINK("http://x","y")'
NOTE = "same registered office; bank file ref 7731"
DEBTORS_CSV = """债务人编号,名称,类型,欠款金额,币种
D1,安丰投资有限公司,公司,1234567.89,CNY
D2,陈大文,个人,880000.00,CNY
D3,宝伦发展有限公司,公司,3750000.00,CNY
"""


def _record(store: Store, source: str, key: str, name: str, kind: str, number: str | None) -> None:
    store.con.execute(
        "INSERT INTO records (source, source_id, name, kind, jurisdiction, registration_number,"
        " source_url, content_hash, first_seen, last_seen, crawl_id)"
        " VALUES (?, ?, ?, ?, 'GB', ?, ?, hash(?), TIMESTAMP '2025-02-01 08:00', now(), 1)",
        [source, key, name, kind, number, f"https://example.org/{source}/{key}", key],
    )


def _holds(store: Store, source: str, holder: str, held: str, title: bool = False) -> None:
    store.con.execute(
        "INSERT INTO relationships (source, relationship_id, subject_source, subject_id,"
        " object_source, object_id, object_type, role, share, source_url, content_hash,"
        " first_seen, last_seen, crawl_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, hash(?),"
        " now(), TIMESTAMP '2025-02-01 08:00', 1)",
        [source, f"{holder}>{held}", source, holder, CCOD if title else CH, held,
         "asset" if title else "record", "proprietor" if title else "psc",
         None if title else "75-100%", f"https://example.org/{source}/{holder}/{held}",
         holder + held],
    )  # fmt: skip


def _title(store: Store, key: str, price: int, address: str) -> None:
    store.con.execute(
        "INSERT INTO assets (source, asset_id, kind, tenure, address, price_paid, source_url,"
        " content_hash, first_seen, last_seen, crawl_id)"
        " VALUES (?, ?, 'property', 'Freehold', ?, ?, ?, hash(?), now(), now(), 1)",
        [CCOD, key, address, price, f"https://example.org/ccod/{key}", key],
    )


def _match(store: Store, debtor_id: str, key: str, probability: float) -> None:
    store.con.execute(
        "INSERT INTO matches (debtor_id, source, source_id, match_probability, reason, run_id,"
        " created_at) VALUES (?, ?, ?, ?, 'name agrees', 1, TIMESTAMP '2025-01-01')",
        [debtor_id, PSC, key, probability],
    )


def build_case_store(db: Path) -> None:
    debtors = db.with_name("debtors.csv")
    debtors.write_text(DEBTORS_CSV, encoding="utf-8")
    with connect(db) as store:
        import_debtors(store, debtors)
        _record(store, PSC, "K1", "ANVEN INVESTMENT LIMITED", "company", "07654321")
        _record(store, PSC, "P2", "CHAN Tai Man", "person", None)
        _record(store, PSC, "R3", "BAO LUN DEVELOPMENT LIMITED", "company", None)
        _record(store, CH, "C1", FORMULA_NAME, "company", "00000001")
        _record(store, CH, "C2", "宏港控股有限公司", "company", "00000002")
        _record(store, CCOD, "X1", "FORMULA HOLDINGS LIMITED", "company", "00000001")
        _record(store, CCOD, "X2", "WANG KONG HOLDINGS LIMITED", "company", "00000002")
        _holds(store, PSC, "K1", "C1")
        _holds(store, PSC, "P2", "C2")
        _holds(store, CCOD, "X1", "T1", title=True)
        _holds(store, CCOD, "X2", "T2", title=True)
        _title(store, "T1", 500000, "1 Example Square, London")
        _title(store, "T2", 750000, "2 Example Road, Manchester")
        _match(store, "D1", "K1", 0.95)
        _match(store, "D2", "P2", 0.7)
        _match(store, "D3", "R3", 0.6)
        with store.transaction() as con:
            record_review(con, "D1", PSC, "K1", "confirm", "alice", NOTE)
            record_review(con, "D3", PSC, "R3", "reject", "bob", "different company")
        run_leads(store, WalkLimits())
