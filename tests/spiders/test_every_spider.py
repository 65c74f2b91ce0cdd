"""One test over every spider and dataset: metadata valid, only loopback requests, item counts
within the metadata's expectations for the fixtures, store rows equal to the golden dump."""

from __future__ import annotations

from pathlib import Path

import pytest

from spiders.localserver import LocalServer
from spiders.metadata import load_meta, source_names
from spiders.run import spider_class
from tests.spiders.helpers import FIXTURES, check_golden, crawl, dump

CASES = [(source, dataset) for source in source_names() for dataset in load_meta(source).datasets]


def test_every_source_has_a_spider_a_metadata_file_and_fixtures() -> None:
    assert {source for source, _ in CASES} == {
        "gb_land_registry", "gb_companies_house", "gleif", "icij_offshore_leaks",
        "hk_companies_registry", "sg_acra", "records_feed",
    }  # fmt: skip
    for source, _ in CASES:
        assert spider_class(source).name == source
        assert (FIXTURES / source).is_dir(), f"no fixtures for {source}"


@pytest.mark.parametrize(("source", "dataset"), CASES, ids=[f"{s}-{d}" for s, d in CASES])
def test_spider_over_recorded_responses(
    source: str, dataset: str, server: LocalServer, tmp_path: Path
) -> None:
    meta = load_meta(source)
    expected = meta.datasets[dataset].fixture_items
    base_url = server.url(f"/{source}")
    db = tmp_path / "store.duckdb"

    arguments = {"source": "feed"} if meta.datasets[dataset].source_argument else {}
    options = [f"--arg={name}={value}" for name, value in arguments.items()]
    result = crawl(db, source, base_url, "--dataset", dataset, *options)

    assert result.exit_code == 0, result.output + result.log[-3000:]
    assert result.row["status"] == "finished"
    assert result.row["source"] == meta.store_source(dataset, arguments)
    notes = result.row["notes"]
    assert expected.holds(notes["items"]), f"{notes['items']} items, expected {expected}"
    # every request went to the local server, and the server saw every request made
    assert server.requests and all(seen.client == "127.0.0.1" for seen in server.requests)
    assert notes["http_requests"] == len(server.requests)
    check_golden(f"{source}.{dataset}", dump(db, base_url))
