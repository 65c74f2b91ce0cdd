"""The same rows by either path: `oad records import` of a file, and a crawl of the same file over
HTTP (the records_feed spider), give the same verdict and message for every bad row, and the same
records with the same hashes for the good ones. Imported, then crawled, nothing is changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
from click.testing import CliRunner, Result

from cli.main import cli
from pipelines.dates import EXPECTED
from spiders.localserver import LocalServer

HEADER = b"source_id,name,kind,alt_names,jurisdiction,incorporation_date,birth_date,vendor_note"
GOOD = [
    "G1,LION CITY HOLDINGS PTE. LTD.,,獅城控股有限公司,SG,2019-04-02,,",
    "G2,HUI Ka Yan,person,許家印;XU Jiayin,,,1958-10,",
    'G3,"WING ON\nTRADING LIMITED",company,"[""永安貿易""]",HK,31/12/1999,,two lines',
    "G4,EVER FORTUNE INVESTMENTS LIMITED,Organisation,,VG,23-MAR-2006,,",
]
# each bad row, and the field and reason both paths must give for it
BAD: list[tuple[bytes, str | None, str]] = [
    (b",NO ID LIMITED,company,,HK,,,", "source_id", "source_id is empty"),
    (b"B1,,company,,HK,,,", "name", "name is empty"),
    (b"B2,A LTD,robot,,,,,", "kind", "kind is neither company nor person"),
    (b"B3,A LTD,company,,,31/02/2020,,", "incorporation_date", f"not a date (expected {EXPECTED})"),
    (b"B4,A LTD,company,,,2031-01-01,,", "incorporation_date", "a date in the future"),
    (b"B5,CHAN Tai Man,person,,,,1980-02-31,", "birth_date", "not YYYY-MM or YYYY-MM-DD"),
    (b"B6,CHAN Tai Man,person,,,,9999-12-31,", "birth_date", "out of range (1850 to today)"),
    (b"B7," + b"N" * 10_001 + b",company,,,,,", "name", "longer than 10,000 bytes"),
    (
        b"G1,LION CITY HOLDINGS,company,,SG,,,",
        "source_id",
        "duplicate source_id with other details; the first row with it was loaded",
    ),
    (b"B8,TOO,MANY,FIELDS,,,,,,", None, "malformed row: 10 fields where the header has 8"),
    (b"B9,NUL\x00LTD,company,,,,,", None, "a cell holds a NUL character"),
    (b"B10,BAD \xff\xfe BYTES LTD,company,,,,,", None, "not valid UTF-8 text"),
]


def write_file(path: Path) -> dict[int, tuple[str | None, str]]:
    """The file, good rows first; returns each bad row's line and what it must be refused for."""
    lines = [HEADER, *(row.encode() for row in GOOD)]
    expected = {}
    line = 1 + len(GOOD) + sum(row.count("\n") for row in GOOD)
    for row, field, reason in BAD:
        line += 1
        lines.append(row)
        expected[line] = (field, reason)
    path.write_bytes(b"\n".join(lines) + b"\n")
    return expected


def oad(db: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def crawl(db: Path, folder: Path, source: str) -> Result:
    with LocalServer(folder) as server:
        return oad(
            db, "crawl", "records_feed", "--base-url", server.url(), "-a", f"source={source}",
            "-a", "paths=/records.csv", "-s", "DOWNLOAD_DELAY=0",
        )  # fmt: skip


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


RECORDS = (
    "SELECT source_id, name, kind, alt_names, jurisdiction, incorporation_date, birth_date,"
    " raw::VARCHAR, content_hash, payload_hash FROM records ORDER BY source_id"
)


def test_both_paths_give_every_row_the_same_verdict(tmp_path: Path) -> None:
    expected = write_file(tmp_path / "records.csv")
    imported, crawled = tmp_path / "imported.duckdb", tmp_path / "crawled.duckdb"
    oad(imported, "records", "import", str(tmp_path / "records.csv"), "--source", "vendor")
    crawl(crawled, tmp_path, "vendor")
    verdicts: list[dict[int, tuple[str | None, str]]] = []
    for db in (imported, crawled):
        found = rows(db, "SELECT line, field, reason FROM rejected_rows ORDER BY line")
        verdicts.append({line: (field, reason) for line, field, reason in found})
    assert verdicts[0] == expected
    assert verdicts[1] == expected
    # the good rows, typed and hashed alike
    assert [r[0] for r in rows(imported, RECORDS)] == ["G1", "G2", "G3", "G4"]
    assert rows(imported, RECORDS) == rows(crawled, RECORDS)


def test_rows_imported_then_crawled_are_unchanged(tmp_path: Path) -> None:
    write_file(tmp_path / "records.csv")
    db = tmp_path / "store.duckdb"
    oad(db, "records", "import", str(tmp_path / "records.csv"), "--source", "vendor")
    before = rows(db, RECORDS)
    out = crawl(db, tmp_path, "vendor").output
    assert "0 new, 0 changed, 4 unchanged" in out, out
    assert rows(db, RECORDS) == before
    # and the other way round: a crawl, then an import of the same file
    crawl(db, tmp_path, "other")
    out = oad(db, "records", "import", str(tmp_path / "records.csv"), "--source", "other").output
    assert "0 loaded, 0 updated, 4 unchanged" in out, out


def test_a_clean_file_reads_alike_by_duckdb_and_by_the_reader(tmp_path: Path) -> None:
    """A clean UTF-8 file is parsed by DuckDB itself on an import's first pass, and by the one
    reader on a crawl: the same rows, to the byte of their payloads."""
    rows = [*GOOD, 'G5,"QUOTED, WITH COMMA LTD",company,"",,,,""', "G6,PLAIN LTD,company,,,,,x y"]
    (tmp_path / "records.csv").write_bytes(b"\n".join([HEADER, *(r.encode() for r in rows)]))
    db = tmp_path / "store.duckdb"
    oad(db, "records", "import", str(tmp_path / "records.csv"), "--source", "vendor")
    before = rows_of(db)
    out = crawl(db, tmp_path, "vendor").output
    assert "0 new, 0 changed, 6 unchanged" in out and "another channel" not in out, out
    assert rows_of(db) == before


def rows_of(db: Path) -> list[tuple[Any, ...]]:
    return rows(db, RECORDS)
