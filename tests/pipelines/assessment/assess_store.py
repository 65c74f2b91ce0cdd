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
from pipelines.store import Store, connect

PSC, CH, CCOD = "gb_companies_house_psc", "gb_companies_house", "gb_land_registry_ccod"
DEBTORS_CSV = """债务人编号,名称,类型,欠款金额,币种,债权类型,判决日期,是否生效,违约日期,担保金额
D1,安丰投资有限公司,公司,10000000.00,CNY,判决,2024-03-01,是,2024-01-15,2000000.00
D2,陈大文,个人,880000.00,CNY,判决,2024-03-01,是,2024-07-01,
D3,宝伦发展有限公司,公司,3750000.00,CNY,,,,,
"""
# what the tests compute by hand from: the titles' prices (GBP) and the rate they use
PRICES = {"T1": 500_000, "T2": 300_000}
GBP_IN_CNY = 9
RATES_YML = f"base: CNY\nrates:\n  GBP: {GBP_IN_CNY}\n"


def _record(
    store: Store, source: str, key: str, name: str, kind: str, number: str | None,
    jurisdiction: str = "GB",
) -> None:  # fmt: skip
    store.con.execute(
        "INSERT INTO records (source, source_id, name, kind, jurisdiction, registration_number,"
        " source_url, content_hash, first_seen, last_seen, crawl_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, hash(?), now(), now(), 1)",
        [source, key, name, kind, jurisdiction, number, f"https://example.org/{source}/{key}",
         key],
    )  # fmt: skip


def _holds(store: Store, source: str, holder: str, held: str, since: str | None,
           title: bool = False) -> None:  # fmt: skip
    store.con.execute(
        "INSERT INTO relationships (source, relationship_id, subject_source, subject_id,"
        " object_source, object_id, object_type, role, start_date, share, source_url,"
        " content_hash, first_seen, last_seen, crawl_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, hash(?), now(), now(), 1)",
        [source, f"{holder}>{held}", source, holder, CCOD if title else CH, held,
         "asset" if title else "record", "proprietor" if title else "psc", since,
         None if title else "75-100%", f"https://example.org/{source}/{holder}/{held}",
         holder + held],
    )  # fmt: skip


def _title(store: Store, key: str, added: str) -> None:
    store.con.execute(
        "INSERT INTO assets (source, asset_id, kind, tenure, address, price_paid, date_added,"
        " source_url, content_hash, first_seen, last_seen, crawl_id)"
        " VALUES (?, ?, 'property', 'Freehold', ?, ?, ?::DATE, ?, hash(?), now(), now(), 1)",
        [CCOD, key, f"{key} Example Road, London", PRICES[key], added,
         f"https://example.org/ccod/{key}", key],
    )  # fmt: skip


def _match(store: Store, debtor_id: str, key: str, probability: float) -> None:
    store.con.execute(
        "INSERT INTO matches (debtor_id, source, source_id, match_probability, reason, run_id,"
        " created_at) VALUES (?, ?, ?, ?, 'name agrees', 1, TIMESTAMP '2025-01-01')",
        [debtor_id, PSC, key, probability],
    )


def build_assess_store(db: Path) -> None:
    debtors = db.with_name("debtors.csv")
    debtors.write_text(DEBTORS_CSV, encoding="utf-8")
    with connect(db) as store:
        import_debtors(store, debtors)
        _record(store, PSC, "K1", "ANVEN INVESTMENT LIMITED", "company", "01234567")
        _record(store, PSC, "K2", "HUA XIA HOLDINGS LTD", "company", None,
                "BRITISH VIRGIN ISLANDS")  # fmt: skip
        _record(store, CH, "C1", "ANVEN PROPERTIES LTD", "company", "00000001")
        _record(store, CH, "C2", "HUA XIA LONDON LTD", "company", "00000002")
        _record(store, CCOD, "X1", "ANVEN PROPERTIES LIMITED", "company", "00000001")
        _record(store, CCOD, "X2", "HUA XIA LONDON LIMITED", "company", "00000002")
        _holds(store, PSC, "K1", "C1", "2019-06-01")
        _holds(store, PSC, "K2", "C2", "2024-05-01")
        _holds(store, CCOD, "X1", "T1", None, title=True)
        _holds(store, CCOD, "X2", "T2", None, title=True)
        _title(store, "T1", "2023-05-01")
        _title(store, "T2", "2024-06-01")
        _match(store, "D1", "K1", 0.95)
        _match(store, "D1", "K2", 0.8)
        _match(store, "D2", "K2", 0.9)
        with store.transaction() as con:
            record_review(con, "D1", PSC, "K1", "confirm", "alice", "same registered office")
        run_leads(store, WalkLimits())
