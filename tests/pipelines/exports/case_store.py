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

from functools import partial
from pathlib import Path

from matching.reviews import record_review
from pipelines.debtors import import_debtors
from pipelines.leads.run import run_leads
from pipelines.leads.walk import WalkLimits
from pipelines.store import connect
from tests.pipelines.exports.store_rows import (
    CCOD,
    CH,
    PSC,
    insert_holding,
    insert_match,
    insert_record,
    insert_title,
)

__all__ = ["CCOD", "CH", "PSC", "build_case_store"]
FORMULA_NAME = '=HYPERLINK("http://x","y")'
FETCHED = "2025-02-01 08:00"  # when the crawl that left these rows ran
NOTE = "same registered office; bank file ref 7731"
DEBTORS_CSV = """债务人编号,名称,类型,欠款金额,币种
D1,安丰投资有限公司,公司,1234567.89,CNY
D2,陈大文,个人,880000.00,CNY
D3,宝伦发展有限公司,公司,3750000.00,CNY
"""


def build_case_store(db: Path) -> None:
    debtors = db.with_name("debtors.csv")
    debtors.write_text(DEBTORS_CSV, encoding="utf-8")
    with connect(db) as store:
        import_debtors(store, debtors)
        record = partial(insert_record, store, first_seen=FETCHED)
        record(PSC, "K1", "ANVEN INVESTMENT LIMITED", "company", "07654321")
        record(PSC, "P2", "CHAN Tai Man", "person", None)
        record(PSC, "R3", "BAO LUN DEVELOPMENT LIMITED", "company", None)
        record(CH, "C1", FORMULA_NAME, "company", "00000001")
        record(CH, "C2", "宏港控股有限公司", "company", "00000002")
        record(CCOD, "X1", "FORMULA HOLDINGS LIMITED", "company", "00000001")
        record(CCOD, "X2", "WANG KONG HOLDINGS LIMITED", "company", "00000002")
        insert_holding(store, PSC, "K1", "C1", last_seen=FETCHED)
        insert_holding(store, PSC, "P2", "C2", last_seen=FETCHED)
        insert_holding(store, CCOD, "X1", "T1", title=True, last_seen=FETCHED)
        insert_holding(store, CCOD, "X2", "T2", title=True, last_seen=FETCHED)
        insert_title(store, "T1", 500000, "1 Example Square, London")
        insert_title(store, "T2", 750000, "2 Example Road, Manchester")
        insert_match(store, "D1", "K1", 0.95)
        insert_match(store, "D2", "P2", 0.7)
        insert_match(store, "D3", "R3", 0.6)
        with store.transaction() as con:
            record_review(con, "D1", PSC, "K1", "confirm", "alice", NOTE)
            record_review(con, "D3", PSC, "R3", "reject", "bob", "different company")
        run_leads(store, WalkLimits())
