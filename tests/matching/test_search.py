"""Search across scripts, romanisations, company-name forms, typos and identifiers, over the
sample debtors and register records plus a public figure's published names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from matching.features import refresh_features
from matching.search import SEARCH_NAMES, Hit, search
from matching.search_index import refresh_search_index
from pipelines.debtors import import_debtors
from pipelines.records import import_records
from pipelines.store import Store, connect
from tests.conftest import REPO

SAMPLE = REPO / "data" / "sample"
XU = ("debtor", "debtors", "P900")  # 许家印, as the press publishes his name
HUI = ("record", "officers", "hk-p1")  # HUI KA YAN, his name as Hong Kong registers print it
KNITTERS = ("record", "hk_companies_registry", "26991")  # MAN LUNG KNITTERS LIMITED
MICROSOFT_CN = ("debtor", "debtors", "D016")  # 微软(中国)有限公司, USCC 91110108600040399G
MICROSOFT_LEI = ("record", "gleif", "836800FXO82WAQQSJI94")
TITLE = ("asset", "hm_land_registry", "NGL123456")


def load(store: Store, folder: Path) -> None:
    (folder / "debtors.csv").write_text("debtor_id,name,kind\nP900,许家印,person\n", "utf-8")
    (folder / "officers.csv").write_text(
        "source_id,name,kind\nhk-p1,HUI KA YAN,person\n", encoding="utf-8"
    )
    import_debtors(store, SAMPLE / "debtors.csv")
    import_debtors(store, folder / "debtors.csv")
    import_records(store, SAMPLE / "records" / "hk_companies_registry.csv", "hk_companies_registry")
    import_records(store, SAMPLE / "records" / "gleif.jsonl", "gleif")
    import_records(store, folder / "officers.csv", "officers")
    store.con.execute(
        "INSERT INTO assets (source, asset_id, kind, address, content_hash, first_seen,"
        " last_seen, crawl_id) VALUES ('hm_land_registry', 'NGL123456', 'property',"
        " '1 Example Street, London', 1, current_timestamp, current_timestamp, 0)"
    )
    refresh_features(store)


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory) -> Store:
    folder = tmp_path_factory.mktemp("search")
    store = connect(folder / "search.duckdb")
    load(store, folder)
    return store


def where(hits: list[Hit], wanted: tuple[str, str, str]) -> int | None:
    """The rank (0 first) of WANTED among HITS, None if it is not there."""
    found = [i for i, hit in enumerate(hits) if (hit.kind, hit.source, hit.id) == wanted]
    return found[0] if found else None


@pytest.mark.parametrize(
    ("query", "wanted", "within"),
    [
        ("许家印", XU, 1),  # simplified, as the bank holds it
        ("許家印", XU, 1),  # traditional
        ("xu jiayin", XU, 1),  # pinyin
        ("Xǔ Jiāyìn", XU, 1),  # pinyin with tone marks
        ("xujiayin", XU, 1),  # pinyin run together
        ("XU Jia Yin", XU, 1),  # register style, given name split
        ("Hui Ka Yan", XU, 2),  # Cantonese, as Hong Kong registers print it
        ("许家印", HUI, 2),  # and the other way round
        ("Xu Jiayn", XU, 1),  # a letter missing
        ("Hui Ka Yam", XU, 2),  # a letter wrong
        ("MAN LUNG KNITTERS LIMITED", KNITTERS, 1),
        ("knitters, man lung ltd.", KNITTERS, 1),  # word order, case, punctuation, legal form
        ("Man Lung Kniters", KNITTERS, 1),  # a typo
        ("D016", MICROSOFT_CN, 1),  # debtor id
        ("91110108600040399G", MICROSOFT_CN, 2),  # USCC
        ("9111 0108 6000 4039 9G", MICROSOFT_CN, 2),  # USCC as typed with spaces
        ("836800FXO82WAQQSJI94", MICROSOFT_LEI, 1),  # LEI
        ("26991", KNITTERS, 1),  # company number
        ("NGL 123456", TITLE, 1),  # title number
    ],
)
def test_search_finds(searched: Store, query: str, wanted: tuple[str, str, str], within: int):
    hits = search(searched.con, query, limit=10)
    rank = where(hits, wanted)
    assert rank is not None and rank < within, [(h.id, h.score, h.why) for h in hits]
    with SEARCH_NAMES.of(searched.con).cursor() as kept:  # as a server reads the names
        assert search(searched.con, query, 10, names_from=kept) == hits


def test_a_namesake_ranks_below(searched: Store):
    hits = search(searched.con, "xu jiayin")
    assert where(hits, XU) == 0
    xu_jiahao = where(hits, ("debtor", "debtors", "D020"))  # 许家豪: same surname, close name
    assert xu_jiahao is None or hits[xu_jiahao].score < hits[0].score


def test_a_hit_says_why(searched: Store):
    hit = search(searched.con, "Hui Ka Yan")[where(search(searched.con, "Hui Ka Yan"), XU) or 0]
    assert hit.names == ("许家印",)
    assert hit.matched_key == "p:hui kayan"
    assert "hui kayan" in hit.why and "100% alike" in hit.why
    by_id = search(searched.con, "D016")[0]
    assert by_id.matched_key == "id:D016" and by_id.score == 1.0


def test_unrelated_or_empty_queries_find_nothing(searched: Store):
    assert search(searched.con, "") == []
    assert search(searched.con, "Zyxwvut Qqqq") == []


def test_the_index_follows_changes_incrementally(tmp_path: Path):
    with connect(tmp_path / "store.duckdb") as store:
        load(store, tmp_path)
        keys = store.scalar("SELECT count(*) FROM search_keys")
        with store.transaction() as con:
            again = refresh_search_index(con)
        assert (again.indexed, again.removed) == (0, 0)
        assert store.scalar("SELECT count(*) FROM search_keys") == keys
        assert search(store.con, "Hui Ka Yan")
        with SEARCH_NAMES.of(store.con).cursor() as kept:
            assert search(store.con, "Hui Ka Yan", names_from=kept)[0].names == ("HUI KA YAN",)

        renamed = tmp_path / "renamed.csv"
        renamed.write_text("source_id,name,kind\nhk-p1,CHAN TAI MAN,person\n", encoding="utf-8")
        import_records(store, renamed, "officers")
        refresh_features(store)
        with store.transaction() as con:
            settled = refresh_search_index(con)
        assert settled.indexed == 0  # refresh_features has already indexed the change
        assert where(search(store.con, "Hui Ka Yan"), HUI) is None
        assert where(search(store.con, "Chan Tai Man"), HUI) == 0
        with SEARCH_NAMES.of(store.con).cursor() as kept:  # kept before: made again
            assert search(store.con, "Chan Tai Man", names_from=kept)[0].names == ("CHAN TAI MAN",)
        stale = store.scalar(
            "SELECT count(*) FROM search_keys WHERE entity_id = 'hk-p1' AND key = 'p:hui kayan'"
        )
        assert stale == 0


def test_the_index_counts_what_it_rewrites(tmp_path: Path):
    with connect(tmp_path / "store.duckdb") as store:
        load(store, tmp_path)
        entities = store.scalar("SELECT count(*) FROM search_indexed")
        with store.transaction() as con:
            counts = refresh_search_index(con, full=True)
        assert counts.rewritten and counts.indexed == entities == counts.removed
        duplicated = store.scalar(
            "SELECT count(*) FROM (SELECT key, side, source, entity_id FROM search_keys"
            " GROUP BY ALL HAVING count(*) > 1)"
        )
        assert duplicated == 0


def test_oad_search_prints_hits_with_why(oad: Callable[..., Result], store: Store, tmp_path: Path):
    load(store, tmp_path)
    store.close()
    printed = oad("search", "Hui Ka Yan", "--limit", "3").output
    assert "debtor debtors P900  许家印" in printed
    assert "found by the full name in one spelling (hui kayan)" in printed
    ranked = [line for line in printed.splitlines() if line[:4].strip().rstrip(".").isdigit()]
    assert 1 <= len(ranked) <= 3
    rebuilt = oad("search", "--rebuild-index").output
    assert "search index written" in rebuilt
    assert "nothing found" in oad("search", "Zyxwvut Qqqq").output
