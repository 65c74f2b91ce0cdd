"""A fault in one row stays that row's: it is kept in rejected_rows with its line and reason,
and the rest of the file loads. A file that is no table at all writes nothing."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from spiders.localserver import LocalServer, Reply
from tests.reliability.helpers import oad, scalar
from tests.spiders.helpers import FIXTURES, crawl

DEBTORS = "债务人编号,名称,类型,出生日期,欠款金额\n"


def rejected(db: Path) -> list[tuple[int, str | None, str]]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT line, field, reason FROM rejected_rows ORDER BY line")
        return [(int(line), field, str(reason)) for line, field, reason in rows.fetchall()]


def test_debtor_rows_with_a_huge_field_or_amount_are_refused_alone(tmp_path: Path) -> None:
    path, db = tmp_path / "debtors.csv", tmp_path / "s.duckdb"
    path.write_text(
        DEBTORS
        + "D1,张三,个人,1980-01-02,100\n"
        + "D2," + "长" * 2_000_000 + ",个人,,\n"
        + "D3,李四,个人,,1e26\n"
        + "D4,王五,个人,9999-12-31,5\n",
        encoding="utf-8",
    )  # fmt: skip
    done = oad(db, "debtors", "import", str(path))
    assert done.returncode == 0, done.stderr
    assert "2 loaded, 0 updated, 0 unchanged, 2 rejected" in done.stdout
    assert rejected(db) == [
        (3, None, "a cell is larger than 1 MB"),
        (4, "outstanding_amount", "amount too large: '1e26' (at most 18 digits before the point)"),
    ]
    finding = scalar(db, "SELECT findings::VARCHAR FROM debtors WHERE debtor_id = 'D4'")
    assert "birth date 9999-12-31 is out of range" in str(finding)


def test_record_rows_with_bad_bytes_a_nul_or_a_huge_cell_are_refused_alone(
    tmp_path: Path,
) -> None:
    path, db = tmp_path / "records.csv", tmp_path / "s.duckdb"
    good = "".join(f"G{i},深圳恒大{i}有限公司\n" for i in range(30)).encode()
    path.write_bytes(
        b"source_id,name\n" + good + b"B1,BAD \xff\xfe BYTES\n" + b"B2,NUL\x00LTD\n"
        + b"B3," + b"x" * (3 << 20) + b"\n" + b"G99,LAST LTD\n"
    )  # fmt: skip
    done = oad(db, "records", "import", str(path), "--source", "v")
    assert done.returncode == 0, done.stderr
    assert "31 loaded, 0 updated, 0 unchanged, 3 rejected" in done.stdout
    assert rejected(db) == [
        (32, None, "not valid UTF-8 text"),
        (33, None, "a cell holds a NUL character"),
        (34, None, "a cell is larger than 1 MB"),
    ]


def test_a_malformed_json_line_is_refused_alone(tmp_path: Path) -> None:
    path, db = tmp_path / "records.jsonl", tmp_path / "s.duckdb"
    lines = [json.dumps({"source_id": f"J{i}", "name": f"JSON {i} LTD"}) for i in range(3)]
    path.write_text("\n".join([lines[0], '{"source_id": "X", "name": ', lines[1], "[1]", lines[2]]))
    done = oad(db, "records", "import", str(path), "--source", "v")
    assert done.returncode == 0 and "3 loaded" in done.stdout, done.stderr
    assert [(line, reason.split(":")[0]) for line, _, reason in rejected(db)] == [
        (2, "not JSON"),
        (4, "not a JSON object"),
    ]


def test_a_psc_line_without_a_birth_month_is_refused_alone(tmp_path: Path) -> None:
    part = "psc-snapshot-2025-01-01_1of2"
    published = FIXTURES / "gb_companies_house" / f"{part}.zip"
    lines = zipfile.ZipFile(published).read(f"{part}.txt").decode().splitlines()
    broken = json.loads(lines[0])
    broken["data"]["date_of_birth"] = {"year": 1977}
    lines[0] = json.dumps(broken)
    body = io.BytesIO()
    with zipfile.ZipFile(body, "w") as archive:
        archive.writestr(f"{part}.txt", "\n".join(lines) + "\n")
    db = tmp_path / "s.duckdb"
    with LocalServer() as server:
        server.route(f"/{part}.zip", Reply(body=body.getvalue()))
        options = ("--dataset", "psc", "-a", f"files=/{part}.zip")
        result = crawl(db, "gb_companies_house", server.url(), *options)
    assert result.exit_code == 0, result.log[-2000:]
    assert rejected(db) == [(1, "birth_date", "not YYYY-MM or YYYY-MM-DD")]
    assert result.row["new"] > 0


def test_a_reimport_with_one_bad_row_still_counts_the_rest(tmp_path: Path) -> None:
    # A clean UTF-8 file goes to DuckDB's own parser first; a refused row must send it back
    # through the reader, not leave the whole file unloaded.
    path, db = tmp_path / "records.csv", tmp_path / "s.duckdb"
    path.write_text("source_id,name\nA1,ALPHA LTD\n,\n", encoding="utf-8")
    first = oad(db, "records", "import", str(path), "--source", "v")
    assert "1 loaded, 0 updated, 0 unchanged, 1 rejected" in first.stdout, first.stderr
    again = oad(db, "records", "import", str(path), "--source", "v")
    assert again.returncode == 0, again.stderr
    assert "0 loaded, 0 updated, 1 unchanged, 1 rejected" in again.stdout
    assert scalar(db, "SELECT count(*) FROM records WHERE source = 'v'") == 1


def test_a_file_duckdbs_sniffer_refuses_is_read_by_the_reader(tmp_path: Path) -> None:
    path, db = tmp_path / "records.csv", tmp_path / "s.duckdb"
    path.write_bytes(b"source_id,name\r\nA1,ALPHA LTD\n\r\nA2,BETA LTD\r\n")
    done = oad(db, "records", "import", str(path), "--source", "v")
    assert done.returncode == 0, done.stderr
    assert scalar(db, "SELECT count(*) FROM records WHERE source = 'v'") == 2


def test_a_cut_multibyte_character_is_one_rejection_and_no_noise(tmp_path: Path) -> None:
    path, db = tmp_path / "records.csv", tmp_path / "s.duckdb"
    good = "".join(f"G{i},深圳恒大{i}有限公司\n" for i in range(50)).encode()
    # a row with a field too many, whose extra field is a cut character: pyarrow fails
    # decoding it before it can hand the row over as malformed
    path.write_bytes(b"source_id,name\n" + good + b"B1,x,\xe5\xae\nB2,y\n")
    done = oad(db, "records", "import", str(path), "--source", "v")
    assert done.returncode == 0, done.stderr
    assert "51 loaded, 0 updated, 0 unchanged, 1 rejected" in done.stdout
    assert [line for line, _, _ in rejected(db)] == [52]
    assert "Exception ignored" not in done.stderr
