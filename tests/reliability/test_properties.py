"""Random bytes and random CSV thrown at the imports: each file loads or is refused with an
error a user can act on, never a traceback; a refused file changes nothing, and a loaded one
accounts for every row it holds (loaded, updated, unchanged or rejected with a reason)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.debtors import import_debtors
from pipelines.errors import OadError
from pipelines.records import import_records
from pipelines.store import Store, connect

RUNS = settings(
    max_examples=int(os.environ.get("OAD_EXAMPLES") or 150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SEED = "source_id,name,kind,birth_date\nS1,CHAN TAI MAN,person,1960-01-02\nS2,ANVEN LIMITED,,\n"
RECORD_COLUMNS = [
    "source_id", "name", "kind", "alt_names", "jurisdiction", "registration_number",
    "incorporation_date", "birth_date", "nationality", "address", "extra",
]  # fmt: skip
# text a registry might hold, and text it should not: quotes, separators, line breaks, a lone
# CR, a NUL, scripts, formula starts, long runs
CELL = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=",;\"'\r\n\t\x00 =+-@安丰投资有限公司ABCdéß0123456789", max_size=20),
    st.sampled_from(["", "1980-02-31", "9999-12-31", "2001-01-01", "company", "person", "HK"]),
    st.text(alphabet="AB", min_size=500, max_size=3000),
)


@pytest.fixture
def seeded(tmp_path: Path) -> Store:
    seed = tmp_path / "seed.csv"
    seed.write_text(SEED, encoding="utf-8")
    store = connect(tmp_path / "s.duckdb")
    import_records(store, seed, "seeded")
    return store


def contents(store: Store) -> tuple[object, ...]:
    """Everything an import may write, summed up: a refused file must leave it equal."""
    return tuple(
        store.con.execute(f"SELECT count(*), sum(hash(COLUMNS(*))) FROM {table}").fetchone()
        for table in ("records", "rejected_rows", "sources", "debtors")
    )


def attempt(store: Store, write: bytes, path: Path, load: str) -> int | None:
    """Import WRITE from PATH; the rows it accounted for, or None when it was refused (and then
    the store is checked unchanged). Anything but OadError fails the test."""
    path.write_bytes(write)
    before = contents(store)
    try:
        if load == "debtors":
            counts = import_debtors(store, path)
        else:
            counts = import_records(store, path, load)
    except OadError as error:
        assert str(error), "an error a user sees says something"
        assert contents(store) == before, f"refused, yet the store changed: {error}"
        return None
    return counts.loaded + counts.updated + counts.unchanged + counts.rejected


@RUNS
@given(data=st.binary(max_size=3000), load=st.sampled_from(["seeded", "fresh", "debtors"]))
def test_random_bytes_load_or_are_refused_cleanly(
    seeded: Store, tmp_path: Path, data: bytes, load: str
) -> None:
    attempt(seeded, data, tmp_path / "random.csv", load)


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, int]:
    """A CSV file written by Python's csv module, and how many rows it reads back as."""
    extra = draw(st.lists(st.sampled_from(RECORD_COLUMNS[2:]), unique=True, max_size=5))
    header = ["source_id", "name", *extra]
    rows = draw(
        st.lists(
            st.one_of(
                st.lists(CELL, min_size=len(header), max_size=len(header)),
                # a row of any width up to one cell too many (drawn without flatmap, whose
                # lazy import under pytest's assertion rewriting can fail mid-test)
                st.lists(CELL, min_size=1, max_size=len(header) + 1),
            ),
            min_size=1,
            max_size=25,
        )
    )
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator=ending)
    writer.writerow(header)
    writer.writerows(rows)
    try:
        data = text.getvalue().encode(encoding)
    except UnicodeEncodeError:
        data = text.getvalue().encode("utf-8")
    return data, rows_read_back(text.getvalue())


def rows_read_back(text: str) -> int:
    """The data rows of a CSV text as Python reads them (a cell of a lone CR, unquoted, makes a
    blank line: no row)."""
    return sum(1 for row in csv.reader(io.StringIO(text, newline="")) if row) - 1


@RUNS
@given(file=csv_files(), cut=st.integers(min_value=0, max_value=2000))
def test_a_csv_cut_anywhere_loads_or_is_refused_cleanly(
    seeded: Store, tmp_path: Path, file: tuple[bytes, int], cut: int
) -> None:
    data, _ = file
    attempt(seeded, data[: min(cut, len(data))], tmp_path / "cut.csv", "seeded")


@st.composite
def damaged_csv_files(draw: st.DrawFn) -> tuple[bytes, int]:
    """A UTF-8 CSV file with bytes that are no UTF-8 text (and NULs) put inside its rows, and
    how many rows it reads back as."""
    text = draw(csv_files())[0].decode("utf-8", errors="replace")
    data = text.encode("utf-8")
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=data.find(b"\n") + 1, max_value=len(data)))
        if b'"' in data[at - 1 : at + 1]:
            continue  # beside a quote the damage would make the quoting itself ambiguous
        bad = draw(st.sampled_from([b"\xff", b"\xe5\xae", b"\x00", b"\xc0"]))
        data = data[:at] + bad + data[at:]
    return data, rows_read_back(data.decode("utf-8", errors="surrogateescape"))


@RUNS
@given(file=st.one_of(csv_files(), damaged_csv_files()), load=st.sampled_from(["seeded", "fresh"]))
def test_random_or_damaged_csv_accounts_for_every_row(
    seeded: Store, tmp_path: Path, file: tuple[bytes, int], load: str
) -> None:
    data, rows = file
    accounted = attempt(seeded, data, tmp_path / "random.csv", load)
    if accounted is not None:
        assert accounted == rows, data[:500]
