"""A small store for the assessment tests, built with the real debtor import, review and leads
build (records, relationships and titles inserted as a crawl would leave them).

D1 安丰投资有限公司 (judgment 2024-03-01, final; default 2024-01-15; owes 10,000,000 CNY,
2,000,000 secured): confirmed match to the PSC ANVEN INVESTMENT LIMITED, which holds company
C1, one entity with the proprietor of title T1 (£500,000, proprietor added 2023-05-01, before
the default). An unreviewed match (p 0.8) to the PSC HUA XIA HOLDINGS LTD (registered in the
British Virgin Islands), PSC of company C2 since 2024-05-01, one entity with the proprietor of
title T2 (£300,000, proprietor added 2024-06-01, after the default).
D2 陈大文 (default 2024-07-01): matched (p 0.9) to the same BVI PSC, so it reaches T2, whose
proprietor was added before D2's default.
D3 宝伦发展有限公司: no claim fields, no leads.
"""

from __future__ import annotations

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

DEBTORS_CSV = """债务人编号,名称,类型,欠款金额,币种,债权类型,判决日期,是否生效,违约日期,担保金额
D1,安丰投资有限公司,公司,10000000.00,CNY,判决,2024-03-01,是,2024-01-15,2000000.00
D2,陈大文,个人,880000.00,CNY,判决,2024-03-01,是,2024-07-01,
D3,宝伦发展有限公司,公司,3750000.00,CNY,,,,,
"""
# what the tests compute by hand from: the titles' prices (GBP) and the rate they use
PRICES = {"T1": 500_000, "T2": 300_000}
GBP_IN_CNY = 9
RATES_YML = f"base: CNY\nrates:\n  GBP: {GBP_IN_CNY}\n"


def build_assess_store(db: Path) -> None:
    debtors = db.with_name("debtors.csv")
    debtors.write_text(DEBTORS_CSV, encoding="utf-8")
    with connect(db) as store:
        import_debtors(store, debtors)
        insert_record(store, PSC, "K1", "ANVEN INVESTMENT LIMITED", "company", "01234567")
        insert_record(store, PSC, "K2", "HUA XIA HOLDINGS LTD", "company", None,
                "BRITISH VIRGIN ISLANDS")  # fmt: skip
        insert_record(store, CH, "C1", "ANVEN PROPERTIES LTD", "company", "00000001")
        insert_record(store, CH, "C2", "HUA XIA LONDON LTD", "company", "00000002")
        insert_record(store, CCOD, "X1", "ANVEN PROPERTIES LIMITED", "company", "00000001")
        insert_record(store, CCOD, "X2", "HUA XIA LONDON LIMITED", "company", "00000002")
        insert_holding(store, PSC, "K1", "C1", "2019-06-01")
        insert_holding(store, PSC, "K2", "C2", "2024-05-01")
        insert_holding(store, CCOD, "X1", "T1", None, title=True)
        insert_holding(store, CCOD, "X2", "T2", None, title=True)
        insert_title(store, "T1", PRICES["T1"], "T1 Example Road, London", "2023-05-01")
        insert_title(store, "T2", PRICES["T2"], "T2 Example Road, London", "2024-06-01")
        insert_match(store, "D1", "K1", 0.95)
        insert_match(store, "D1", "K2", 0.8)
        insert_match(store, "D2", "K2", 0.9)
        with store.transaction() as con:
            record_review(con, "D1", PSC, "K1", "confirm", "alice", "same registered office")
        run_leads(store, WalkLimits())
