"""Rows as a crawl leaves them, for the small stores the export and assessment tests build:
records, holdings (a PSC entry or a title's proprietor), titles and matches. A time left out is
the time of the insert."""

from __future__ import annotations

from pipelines.store import Store

PSC, CH, CCOD = "gb_companies_house_psc", "gb_companies_house", "gb_land_registry_ccod"


def insert_record(
    store: Store, source: str, key: str, name: str, kind: str, number: str | None,
    jurisdiction: str = "GB", first_seen: str | None = None,
) -> None:  # fmt: skip
    store.con.execute(
        "INSERT INTO records (source, source_id, name, kind, jurisdiction, registration_number,"
        " source_url, content_hash, first_seen, last_seen, crawl_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, hash(?), coalesce(?::TIMESTAMP, now()), now(), 1)",
        [source, key, name, kind, jurisdiction, number, f"https://example.org/{source}/{key}",
         key, first_seen],
    )  # fmt: skip


def insert_holding(
    store: Store, source: str, holder: str, held: str, since: str | None = None,
    title: bool = False, last_seen: str | None = None,
) -> None:  # fmt: skip
    """HOLDER (a PSC) holds company HELD in Companies House, or (TITLE) is the proprietor of
    title HELD at the Land Registry, since SINCE."""
    store.con.execute(
        "INSERT INTO relationships (source, relationship_id, subject_source, subject_id,"
        " object_source, object_id, object_type, role, start_date, share, source_url,"
        " content_hash, first_seen, last_seen, crawl_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, hash(?), now(),"
        " coalesce(?::TIMESTAMP, now()), 1)",
        [source, f"{holder}>{held}", source, holder, CCOD if title else CH, held,
         "asset" if title else "record", "proprietor" if title else "psc", since,
         None if title else "75-100%", f"https://example.org/{source}/{holder}/{held}",
         holder + held, last_seen],
    )  # fmt: skip


def insert_title(
    store: Store, key: str, price: int, address: str, added: str | None = None
) -> None:
    store.con.execute(
        "INSERT INTO assets (source, asset_id, kind, tenure, address, price_paid, date_added,"
        " source_url, content_hash, first_seen, last_seen, crawl_id)"
        " VALUES (?, ?, 'property', 'Freehold', ?, ?, ?::DATE, ?, hash(?), now(), now(), 1)",
        [CCOD, key, address, price, added, f"https://example.org/ccod/{key}", key],
    )


def insert_match(store: Store, debtor_id: str, key: str, probability: float) -> None:
    """DEBTOR_ID matched to the PSC record KEY, as a linkage run would have stored it."""
    store.con.execute(
        "INSERT INTO matches (debtor_id, source, source_id, match_probability, reason, run_id,"
        " created_at) VALUES (?, ?, ?, ?, 'name agrees', 1, TIMESTAMP '2025-01-01')",
        [debtor_id, PSC, key, probability],
    )
