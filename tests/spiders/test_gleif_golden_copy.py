"""The GLEIF golden-copy CSV gives the same records as the API for the same LEIs."""

from __future__ import annotations

from pathlib import Path

from spiders.localserver import LocalServer
from tests.spiders.helpers import crawl, dump

CANONICAL = (
    "name", "kind", "alt_names", "jurisdiction", "registration_number", "incorporation_date",
    "address",
)  # fmt: skip


def _records(db: Path) -> dict[str, dict[str, object]]:
    return {r["source_id"]: {k: r[k] for k in CANONICAL} for r in dump(db)["records"]}


def test_golden_copy_and_api_give_the_same_records(server: LocalServer, tmp_path: Path) -> None:
    base = server.url("/gleif")
    api, golden = tmp_path / "api.duckdb", tmp_path / "golden.duckdb"
    assert crawl(api, "gleif", base).exit_code == 0
    result = crawl(golden, "gleif", base, "--dataset", "golden_copy")
    assert result.exit_code == 0, result.log[-2000:]
    # every column of the file is either used or knowingly left out
    assert result.row["notes"].get("unused_columns", []) == []

    from_api, from_csv = _records(api), _records(golden)
    assert len(from_csv) == 14 and from_csv == from_api
    chinese = from_csv["836800FXO82WAQQSJI94"]
    assert chinese["name"] == "微软(中国)有限公司"
    assert chinese["registration_number"] == "91110108600040399G"  # the USCC
    synthetic = from_csv["5299000ZHONGHUASYNTH"]
    assert synthetic["alt_names"] == [
        "ZHONGHUA OVERSEAS INVESTMENT HOLDINGS CO., LTD.",
        "ZHONGHUA HAIWAI TOUZI KONGGU YOUXIAN GONGSI",
    ]
    # the file the golden copy API listed, not the fixed latest.csv path
    assert len(server.seen("/gleif/storage/golden-copy-files/")) == 1
    assert not server.seen("/gleif/api/v2/golden-copies/publishes/lei2/latest.csv")


def test_golden_copy_rerun_changes_nothing(server: LocalServer, db_path: Path) -> None:
    base = server.url("/gleif")
    assert crawl(db_path, "gleif", base, "--dataset", "golden_copy").row["new"] == 14
    again = crawl(db_path, "gleif", base, "--dataset", "golden_copy")
    assert again.counts == (14, 0, 0, 14, 0, 0)
