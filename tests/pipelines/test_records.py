from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines.errors import InputFileError, RemovalsHeld
from pipelines.records import import_records
from pipelines.store import Store, connect
from tests.conftest import rows_by

HEADER = "source_id,name,kind,alt_names,jurisdiction,incorporation_date,birth_date,extra"
ROWS = [
    "1001,CHUNG WAH AUTO SERVICES LIMITED,company,中華汽車服務有限公司,HK,1972-03-07,,a",
    "1002,HUI Ka Yan,person,许家印;XU Jiayin,,,1958-10,b",
    "1003,EVERGRANDE HOLDINGS LTD,,,BVI,07/03/2010,,c",
]


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def records(store: Store) -> dict[str, dict[str, Any]]:
    return rows_by(store, "SELECT * FROM records", "source_id")


def test_csv_import_maps_columns_and_keeps_raw(store: Store, tmp_path: Path) -> None:
    counts = import_records(store, write(tmp_path / "r.csv", [HEADER, *ROWS]), "vendor")
    assert (counts.loaded, counts.rejected, counts.unused_columns) == (3, 0, ("extra",))
    rows = records(store)
    assert (
        rows["1002"]["alt_names"] == ["许家印", "XU Jiayin"]
        and rows["1002"]["birth_date"] == "1958-10"
    )
    assert rows["1003"]["kind"] == "company"  # inferred from the legal form
    assert str(rows["1003"]["incorporation_date"]) == "2010-03-07"
    assert json.loads(rows["1001"]["raw"])["extra"] == "a"
    assert rows["1001"]["first_seen"] == rows["1001"]["last_seen"]
    assert store.scalar("SELECT origin FROM sources WHERE name = 'vendor'") == "import"


def test_jsonl_and_parquet(store: Store, tmp_path: Path) -> None:
    jsonl = tmp_path / "r.jsonl"
    jsonl.write_text(
        '{"source_id": 7, "name": "WONG Kwok Keung", "kind": "person", "alt_names": ["黄国强"]}\n'
        '{"source_id": "8", "name": "SHAN Liping", "nationality": "Chinese", "pep": true}\n',
        encoding="utf-8",
    )
    counts = import_records(store, jsonl, "json_source")
    assert (counts.loaded, counts.unused_columns) == (2, ("pep",))
    parquet = tmp_path / "r.parquet"
    duckdb.execute(
        "COPY (SELECT 'P1' AS source_id, 'ASIA CITY LIMITED' AS name, ['亞洲城'] AS alt_names,"
        " DATE '1999-01-02' AS incorporation_date) TO '" + str(parquet) + "' (FORMAT parquet)"
    )
    assert import_records(store, parquet, "pq_source").loaded == 1
    rows = records(store)
    assert rows["7"]["alt_names"] == ["黄国强"] and rows["8"]["nationality"] == "Chinese"
    assert (
        rows["P1"]["alt_names"] == ["亞洲城"]
        and str(rows["P1"]["incorporation_date"]) == "1999-01-02"
    )


def test_rerun_duplicates_nothing_and_changes_are_updates(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", [HEADER, *ROWS])
    import_records(store, path, "vendor")
    again = import_records(store, path, "vendor")
    assert (again.loaded, again.updated, again.unchanged) == (0, 0, 3)
    assert store.scalar("SELECT count(*) FROM records") == 3
    changed = write(tmp_path / "r2.csv", [HEADER, ROWS[0].replace("HK,", "HONG KONG,"), *ROWS[1:]])
    counts = import_records(store, changed, "vendor")
    assert (counts.loaded, counts.updated, counts.unchanged) == (0, 1, 2)
    row = records(store)["1001"]
    assert row["jurisdiction"] == "HONG KONG" and row["last_seen"] > row["first_seen"]
    # the same source_id under another source is another record
    import_records(store, path, "other_vendor")
    assert store.scalar("SELECT count(*) FROM records") == 6


def test_snapshot_marks_missing_records_removed_and_revives_them(
    store: Store, tmp_path: Path
) -> None:
    full = write(tmp_path / "full.csv", [HEADER, *ROWS])
    import_records(store, full, "vendor", snapshot=True)
    part = write(tmp_path / "p.csv", [HEADER, ROWS[0]])
    # two of three records gone is more than a source loses: held, nothing changed
    with pytest.raises(RemovalsHeld, match="would mark 2 of 3 live records removed"):
        import_records(store, part, "vendor", snapshot=True)
    assert store.scalar("SELECT count(*) FROM records WHERE removed_at IS NOT NULL") == 0
    held = store.con.execute("SELECT status, notes->>'would_remove' FROM crawls ORDER BY 1")
    assert ("held", "2") in held.fetchall()
    partial = import_records(store, part, "vendor", snapshot=True, accept_removals=True)
    assert partial.removed == 2
    removed = store.con.execute(
        "SELECT source_id FROM records WHERE removed_at IS NOT NULL ORDER BY 1"
    ).fetchall()
    assert removed == [("1002",), ("1003",)]
    back = import_records(store, full, "vendor", snapshot=True)
    assert (back.updated, back.removed) == (2, 0)
    assert store.scalar("SELECT count(*) FROM records WHERE removed_at IS NOT NULL") == 0


def test_malformed_rows_rejected_with_their_lines(store: Store, tmp_path: Path) -> None:
    lines = [
        HEADER,
        '2001,"A MULTI\nLINE NAME LIMITED",company,,,,,',  # lines 2-3
        "2002,TOO,MANY,COLUMNS,A,B,C,D,E,F,G",  # line 4: refused by the parser
        "2003,,person,,,,,",  # line 5
        "2004,X,robot,,,,,",  # line 6
        "2005,Y,company,,,not-a-date,,",  # line 7
        "2006,Z,person,,,,1958-13,",  # line 8
        "2001,DUPLICATE,company,,,,,",  # line 9
        "2007,FINE LIMITED,company,,,,,",  # line 10
    ]
    counts = import_records(store, write(tmp_path / "r.csv", lines), "vendor")
    assert (counts.loaded, counts.rejected) == (2, 6)
    rejected = store.con.execute(
        "SELECT line, field, reason FROM rejected_rows ORDER BY line"
    ).fetchall()
    assert [(line, field) for line, field, _ in rejected] == [
        (4, None), (5, "name"), (6, "kind"), (7, "incorporation_date"), (8, "birth_date"),
        (9, "source_id"),
    ]  # fmt: skip
    assert rejected[0][2] == "malformed row: 11 fields where the header has 8"
    assert set(records(store)) == {"2001", "2007"}
    assert records(store)["2001"]["name"] == "A MULTI\nLINE NAME LIMITED"  # the first one
    again = import_records(store, tmp_path / "r.csv", "vendor")
    assert (again.loaded, again.unchanged, again.rejected) == (0, 2, 6)
    leftovers = store.con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary UNION ALL SELECT view_name"
        " FROM duckdb_views() WHERE temporary AND NOT internal UNION ALL SELECT name"
        " FROM duckdb_variables() UNION ALL SELECT sequence_name FROM duckdb_sequences()"
        " WHERE temporary"
    ).fetchall()
    assert leftovers == []  # staging is gone once the import is over


def test_first_load_whose_only_fault_is_one_row_left_out(store: Store, tmp_path: Path) -> None:
    """Nothing refused by the parser and no id twice: the insert's own count of the rows it
    left out is all that sends the load back to list them."""
    lines = [HEADER, *(f"{i},N{i} LIMITED,company,,,,," for i in range(1, 500))]
    lines[300] = "300,,company,,,,,"  # no name, on line 301
    counts = import_records(store, write(tmp_path / "r.csv", lines), "vendor")
    assert (counts.loaded, counts.rejected) == (498, 1)
    assert store.con.execute("SELECT line, field FROM rejected_rows").fetchall() == [(301, "name")]


def test_rows_are_written_unordered_only_inside_the_insert(store: Store, tmp_path: Path) -> None:
    def ordered() -> bool:
        return bool(store.scalar("SELECT current_setting('preserve_insertion_order')"))

    import_records(store, write(tmp_path / "r.csv", [HEADER, *ROWS]), "vendor")
    assert ordered()
    # an insert that fails part of the way: the setting is restored after the rollback
    store.con.execute("DELETE FROM records")
    store.con.execute("ALTER TABLE records ALTER COLUMN removed_at SET NOT NULL")
    with pytest.raises(duckdb.ConstraintException, match="NOT NULL constraint"):
        import_records(store, write(tmp_path / "s.csv", [HEADER, *ROWS]), "other")
    assert ordered()
    assert store.scalar("SELECT count(*) FROM records") == 0


@pytest.mark.parametrize("encoding", ["gb18030", "latin-1"])
def test_legacy_encodings(store: Store, tmp_path: Path, encoding: str) -> None:
    name = "深圳恒大科技有限公司" if encoding == "gb18030" else "Müller Société GmbH"
    path = write(tmp_path / "r.csv", ["source_id,name", f"1,{name}", "2,Plain Ltd"], encoding)
    import_records(store, path, "vendor")
    assert records(store)["1"]["name"] == name


def test_hostile_header_and_values_are_only_data(store: Store, tmp_path: Path) -> None:
    lines = [
        'source_id,name,"x""); DROP TABLE records; --"',
        "1,'; DELETE FROM records; --,=HYPERLINK(1)",
    ]
    counts = import_records(store, write(tmp_path / "r.csv", lines), "vendor")
    assert counts.loaded == 1
    raw = json.loads(records(store)["1"]["raw"])
    assert raw['x"); DROP TABLE records; --'] == "=HYPERLINK(1)"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("r.csv", b"name,kind\nX,company\n", "required column(s) missing: source_id"),
        ("r.parquet", b"not parquet at all", "not a Parquet file"),
        ("r.jsonl", b"[1, 2]\n", "no JSON object in the file"),
        ("r.csv", b"\x00\x01\x02\x03binary", "binary data"),
        ("r.csv", b"", "empty file: no header row"),
    ],
)
def test_unreadable_file_writes_nothing(
    store: Store, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_records(store, path, "vendor")
    for table in ("records", "crawls", "rejected_rows", "sources"):
        assert store.scalar(f"SELECT count(*) FROM {table}") == 0
    assert store.scalar("SELECT count(*) FROM duckdb_variables()") == 0


def test_first_row_of_a_repeated_source_id_wins_in_a_large_file(
    store: Store, tmp_path: Path
) -> None:
    """Large enough to be loaded in parallel, where stored order need not be the file's."""
    lines = ["source_id,name", *(f"{i},FIRST {i}" for i in range(300_000))]
    lines += [f"{i},LATER {i}" for i in range(0, 300_000, 1999)]
    counts = import_records(store, write(tmp_path / "r.csv", lines), "vendor")
    assert (counts.loaded, counts.rejected) == (300_000, 151)
    later = store.scalar("SELECT count(*) FROM records WHERE name LIKE 'LATER%'")
    assert later == 0
    assert store.scalar("SELECT min(line) FROM rejected_rows") == 300_002


def test_empty_cells_are_left_out_of_the_payload(store: Store, tmp_path: Path) -> None:
    lines = [HEADER, '1001,CHUNG WAH LIMITED,company,"",HK,,,a', "1002,HUI Ka Yan,person,,,,,"]
    import_records(store, write(tmp_path / "r.csv", lines), "vendor")
    rows = records(store)
    assert json.loads(rows["1001"]["raw"]) == {
        "source_id": "1001", "name": "CHUNG WAH LIMITED", "kind": "company",
        "jurisdiction": "HK", "extra": "a",
    }  # fmt: skip
    assert json.loads(rows["1002"]["raw"]) == {
        "source_id": "1002",
        "name": "HUI Ka Yan",
        "kind": "person",
    }
    # a cell of spaces is not empty: it is kept as published
    import_records(store, write(tmp_path / "s.csv", ["source_id,name,note", "1,A, "]), "other")
    assert json.loads(rows_by(store, "SELECT * FROM records", "source")["other"]["raw"]) == {
        "source_id": "1",
        "name": "A",
        "note": " ",
    }


def test_an_empty_cell_filled_in_is_a_change(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", [HEADER, *ROWS])
    import_records(store, path, "vendor")
    before = records(store)["1002"]["content_hash"]
    # only the unused column `extra` of 1002 changes, from empty to filled and back
    emptied = write(tmp_path / "e.csv", [HEADER, ROWS[0], ROWS[1][: -len(",b")] + ",", ROWS[2]])
    counts = import_records(store, emptied, "vendor")
    assert (counts.loaded, counts.updated, counts.unchanged) == (0, 1, 2)
    assert "extra" not in json.loads(records(store)["1002"]["raw"])
    counts = import_records(store, path, "vendor")
    assert (counts.loaded, counts.updated, counts.unchanged) == (0, 1, 2)
    row = records(store)["1002"]
    assert json.loads(row["raw"])["extra"] == "b" and row["content_hash"] == before


def test_first_load_with_rows_across_lines_and_a_refused_row(store: Store, tmp_path: Path) -> None:
    """A row across lines and a refused row: the refused row is listed once, on its line."""
    path = tmp_path / "r.csv"
    lines = [HEADER, '1,"TWO\r\nLINES LIMITED",company,,,,,', "2,A,B,C,D,E,F,G,H,I"]
    lines.append("3,C LTD,,,,,,")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    counts = import_records(store, path, "vendor")
    assert (counts.loaded, counts.rejected) == (2, 1)
    assert store.con.execute("SELECT line, field FROM rejected_rows").fetchall() == [(4, None)]
    assert records(store)["1"]["name"] == "TWO\r\nLINES LIMITED"
    again = import_records(store, path, "vendor")
    assert (again.loaded, again.unchanged, again.rejected) == (0, 2, 1)


def test_kinds_are_matched_as_written_or_folded_like_headers(store: Store, tmp_path: Path) -> None:
    lines = [
        "source_id,name,kind",
        "1,A,Legal-Entity",
        "2,B,INDIVIDUAL",
        "3,C,Officer ",
        "4,D HOLDINGS LIMITED,",
        "5,Wong Ka Yan,",
        "6,E,sole trader",
    ]
    counts = import_records(store, write(tmp_path / "r.csv", lines), "vendor")
    assert (counts.loaded, counts.rejected) == (5, 1)
    kinds = {key: row["kind"] for key, row in records(store).items()}
    assert kinds == {"1": "company", "2": "person", "3": "person", "4": "company", "5": "unknown"}
    assert store.scalar("SELECT line FROM rejected_rows WHERE field = 'kind'") == 7


def test_repeated_ids_in_a_first_jsonl_load(store: Store, tmp_path: Path) -> None:
    objects = [{"source_id": "1", "name": "FIRST"}, {"source_id": "2", "name": "B"}]
    objects += [{"source_id": "1", "name": "LATER"}, {"source_id": "3"}]
    path = write(tmp_path / "r.jsonl", [json.dumps(item) for item in objects])
    counts = import_records(store, path, "vendor")
    assert (counts.loaded, counts.rejected) == (2, 2)
    assert {k: r["name"] for k, r in records(store).items()} == {"1": "FIRST", "2": "B"}
    lines = store.con.execute("SELECT line, field FROM rejected_rows ORDER BY line").fetchall()
    assert lines == [(3, "source_id"), (4, "name")]


def stored_hashes(store: Store) -> dict[str, str]:
    return {key: row["content_hash"] for key, row in records(store).items()}


def test_records_hashed_before_migration_005_are_unchanged_after_it(db_path: Path) -> None:
    """A store from before 005 holds hashes of the payload alone and no payload hashes; opened
    for writing, it is rehashed, and the same file imported again changes nothing."""
    path = write(db_path.parent / "r.csv", [HEADER, *ROWS])
    with connect(db_path) as store:
        import_records(store, path, "vendor")
        hashed = stored_hashes(store)
        for table in ("records", "relationships", "assets"):
            store.con.execute(f"ALTER TABLE {table} DROP COLUMN payload_hash")
            store.con.execute(f"ALTER TABLE {table} ALTER content_hash SET DATA TYPE VARCHAR")
        store.con.execute("ALTER TABLE crawls DROP COLUMN dataset")
        store.con.execute("UPDATE records SET content_hash = md5(raw::VARCHAR)")
        store.con.execute("DELETE FROM schema_migrations WHERE number = 5")
    with connect(db_path) as store:
        assert stored_hashes(store) == hashed
        again = import_records(store, path, "vendor")
        assert (again.loaded, again.updated, again.unchanged) == (0, 0, 3)


def test_migration_004_keeps_every_record_and_the_column_order(db_path: Path) -> None:
    path = write(db_path.parent / "r.csv", [HEADER, *ROWS])
    with connect(db_path) as store:
        import_records(store, path, "vendor")
        before = store.con.execute("SELECT * FROM records ORDER BY source_id")
        columns, rows = [d[0] for d in before.description], before.fetchall()
        # back to the table as it was before 004, default compression everywhere (and before
        # 005, which adds a column)
        store.con.execute("CREATE TABLE plain AS SELECT * EXCLUDE (payload_hash) FROM records")
        store.con.execute("DROP TABLE records")
        store.con.execute("ALTER TABLE plain RENAME TO records")
        for table in ("relationships", "assets"):
            store.con.execute(f"ALTER TABLE {table} DROP COLUMN payload_hash")
        store.con.execute("ALTER TABLE crawls DROP COLUMN dataset")
        store.con.execute("DELETE FROM schema_migrations WHERE number IN (4, 5)")
    with connect(db_path) as store:
        after = store.con.execute("SELECT * FROM records ORDER BY source_id")
        assert [d[0] for d in after.description] == columns
        assert after.fetchall() == rows
        store.con.execute("CHECKPOINT")
        compressions = dict(
            store.con.execute(
                "SELECT DISTINCT column_name, compression FROM pragma_storage_info('records')"
                " WHERE column_name IN ('name', 'kind') AND segment_type = 'VARCHAR'"
            ).fetchall()
        )
        assert compressions["name"] == "ZSTD" and compressions["kind"] != "ZSTD"


def test_records_are_rehashed_when_duckdbs_hash_differs(db_path: Path, tmp_path: Path) -> None:
    """Stored hashes made by another DuckDB's hash() (its probe differs) are made again, from
    the stored fields and payloads, imported and crawled rows alike."""
    path = write(tmp_path / "r.csv", [HEADER, *ROWS])
    with connect(db_path) as store:
        import_records(store, path, "vendor")
        hashed = stored_hashes(store)
        store.con.execute("UPDATE records SET content_hash = 1, payload_hash = 1")
        store.con.execute("UPDATE hash_probe SET probe = probe + 1")
    with connect(db_path) as store:
        assert stored_hashes(store) == hashed
        assert store.scalar("SELECT count(*) FROM records WHERE payload_hash = 1") == 0
        again = import_records(store, path, "vendor")
        assert (again.loaded, again.updated, again.unchanged) == (0, 0, 3)
