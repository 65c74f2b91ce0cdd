"""A user's mistake, or a hostile name in the data, gets one clear line and a non-zero exit:
never a traceback, never a wrong verdict, never a changed file that was not ours."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from cli.output import printable
from pipelines.errors import disk_full
from pipelines.written import text_file
from tests.conftest import REPO
from tests.reliability.helpers import oad, scalar

SAMPLE = REPO / "data" / "sample"
HOSTILE = 'source_id,name,kind,jurisdiction\nX1,"ANVEN INVESTMENT\x1b[2J\rLIMITED",company,HK\n'
PAIR = ("D001", "hk_companies_registry", "389793")


@pytest.fixture(scope="module")
def matched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the sample debtors and Hong Kong records, a record whose name carries a
    terminal escape sequence and a carriage return, and a match run over them."""
    folder = tmp_path_factory.mktemp("matched")
    db, hostile = folder / "s.duckdb", folder / "hostile.csv"
    hostile.write_text(HOSTILE, encoding="utf-8")
    records = str(SAMPLE / "records" / "hk_companies_registry.csv")
    for args in (
        ("debtors", "import", str(SAMPLE / "debtors.csv")),
        ("records", "import", records, "--source", "hk_companies_registry"),
        ("records", "import", str(hostile), "--source", "hostile"),
        ("match",),
    ):
        done = oad(db, "-q", *args)
        assert done.returncode == 0, done.stderr
    return db


def one_line_error(done: object, code: int = 1) -> str:
    """The command's error, checked to be a single 'Error:' line with exit status CODE."""
    assert getattr(done, "returncode") == code, getattr(done, "stderr")  # noqa: B009
    stderr: str = getattr(done, "stderr")  # noqa: B009
    assert "Traceback" not in stderr and "Error: " in stderr, stderr
    return stderr.strip().splitlines()[-1]


def test_confirm_and_reject_together_is_a_usage_error(matched: Path) -> None:
    done = oad(matched, "matches", "review", *PAIR, "--confirm", "--reject")
    assert "say --confirm or --reject, one of them" in one_line_error(done, 2)
    assert scalar(matched, "SELECT count(*) FROM reviews") == 0
    assert oad(matched, "matches", "review", *PAIR, "--confirm").returncode == 0
    assert scalar(matched, "SELECT max(decision) FROM reviews") == "confirm"


def test_control_characters_in_crawled_names_are_shown_not_obeyed(matched: Path) -> None:
    shown = oad(matched, "matches", "show", "D001", "--top", "50")
    assert shown.returncode == 0, shown.stderr
    assert "ANVEN INVESTMENT\\x1b[2J\\x0dLIMITED  [hostile X1]" in shown.stdout
    assert "\x1b" not in shown.stdout and "\r" not in shown.stdout


def test_a_file_name_that_is_not_utf8_is_named_in_the_error(tmp_path: Path) -> None:
    name = os.fsdecode(b"\xff\xfe.csv")
    (tmp_path / name).write_text("x\n", encoding="utf-8")
    done = oad(tmp_path / "s.duckdb", "records", "import", str(tmp_path / name), "--source", "s")
    line = one_line_error(done)
    assert "\\xff\\xfe.csv, line 1: required column(s) missing: source_id, name" in line


def test_an_export_into_a_missing_folder_or_a_full_disk_says_so(
    matched: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "no such folder" / "out.csv"
    line = one_line_error(oad(matched, "matches", "export", str(missing)))
    assert line == f"Error: {missing}: No such file or directory"
    if Path("/dev/full").exists():
        line = one_line_error(oad(matched, "matches", "export", "/dev/full"))
        assert line == "Error: /dev/full: No space left on device"


def test_a_file_that_fails_to_write_is_not_left_half_written(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    with pytest.raises(OSError) as raised, text_file(out) as handle:
        handle.write("debtor_id\n")
        raise OSError(28, "No space left on device")
    assert raised.value.filename == str(out) and not out.exists()


@pytest.mark.parametrize(
    ("message", "full"),
    [
        ("IO Error: Could not write file: No space left on device", True),
        ("Out of Memory Error: could not allocate block", False),
        ("The disk is full", True),
    ],
)
def test_duckdbs_and_the_systems_full_disk_messages_are_recognised(
    message: str, full: bool
) -> None:
    assert disk_full(Exception(message)) is full


def test_a_truncated_store_is_refused_in_one_line(matched: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "cut.duckdb"
    truncated.write_bytes(matched.read_bytes()[:100_000])
    line = one_line_error(oad(truncated, "status"))
    assert f"{truncated}: not a store oad can open" in line


def test_a_duckdb_file_that_is_no_oad_store_is_left_untouched(tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE prices (item TEXT, price DOUBLE)")
    before = other.read_bytes()
    line = one_line_error(oad(other, "debtors", "import", str(SAMPLE / "debtors.csv")))
    assert "not an oad store" in line and "refusing to change it" in line
    assert other.read_bytes() == before


def test_a_file_that_is_no_duckdb_file_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.duckdb"
    text.write_text("these are my notes\n")
    line = one_line_error(oad(text, "status"))
    assert str(text) in line
    assert text.read_text() == "these are my notes\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"debtor_id,source,source_id,is_match\n", "no labelled pair in the file"),
        (
            b"debtor_id,source,source_id,is_match\nD001,hk_companies_registry,389793,1\n\xff\xfe\n",
            "line 3",
        ),
        (
            b"debtor_id,source,source_id,is_match\nD001,hk_companies_registry,389793,1\n"
            b"D001,hk_companies_registry,389793,0\n",
            "line 3, field 'is_match': labelled both ways: line 2 says the opposite",
        ),
    ],
    ids=["header only", "not utf-8", "conflicting"],
)
def test_bad_label_files_are_named_with_their_line(
    matched: Path, tmp_path: Path, content: bytes, expected: str
) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_bytes(content)
    line = one_line_error(oad(matched, "evaluate", str(labels)))
    assert f"{labels}" in line and expected in line


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("--dataset", "nope"),
            "hk_companies_registry has no dataset 'nope' (datasets: new_companies)",
        ),
        (("-s", "FOO"), "expected NAME=VALUE, got 'FOO'"),
        (("-s", "DOWNLOAD_DELAY=abc"), "setting DOWNLOAD_DELAY='abc': must be a number"),
        (("-s", "ROBOTSTXT_OBEY=maybe"), "setting ROBOTSTXT_OBEY='maybe': must be true or false"),
        (("--base-url", "ftp://example.org/x"), "not an http(s) URL: 'ftp://example.org/x'"),
        (("-a", "oops"), "expected NAME=VALUE, got 'oops'"),
    ],
)
def test_bad_crawl_options_are_refused_before_anything_starts(
    tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    db = tmp_path / "s.duckdb"
    base = () if "--base-url" in args else ("--base-url", "http://127.0.0.1:9/unused")
    line = one_line_error(oad(db, "crawl", "hk_companies_registry", *base, *args))
    assert line == f"Error: {expected}"
    assert not db.exists() or scalar(db, "SELECT count(*) FROM crawls") == 0


def test_printable_escapes_controls_and_undecodable_bytes_only() -> None:
    assert printable("安丰 LIMITED\tA\n") == "安丰 LIMITED\tA\n"
    assert printable("a\x1b[2Jb\rc\x9b\x7f") == "a\\x1b[2Jb\\x0dc\\x9b\\x7f"
    assert printable(os.fsdecode(b"\xff.csv")) == "\\xff.csv"
