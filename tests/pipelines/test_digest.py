"""The digest of a leads run: new and changed leads above the threshold and gone ones, per
debtor, in Markdown a lawyer can read (crawled names escaped) and a CSV no spreadsheet runs."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path

import pytest

from pipelines.digest import write_digest
from pipelines.errors import OadError
from pipelines.markdown import markdown_text
from pipelines.store import Store

CH, LR = "gb_companies_house", "gb_land_registry_ccod"
CHANGES = [{"hop": 1, "to": "C1", "fields": {"certainty": {"was": 1.0, "now": 0.5}}}]


def lead_id(label: str) -> str:
    return hashlib.md5(label.encode()).hexdigest()


def add_debtor(store: Store, debtor_id: str, name: str) -> None:
    store.con.execute(
        "INSERT INTO debtors (debtor_id, name, kind, content_hash, source_file, source_line,"
        " crawl_id, imported_at, updated_at) VALUES (?, ?, 'person', 'h', 'debtors.csv', 2, 1,"
        " now(), now())",
        [debtor_id, name],
    )


def add_record(store: Store, source_id: str, name: str) -> None:
    store.con.execute(
        "INSERT INTO records (source, source_id, name, kind, content_hash, first_seen, last_seen,"
        " crawl_id) VALUES (?, ?, ?, 'company', 1, now(), now(), 1)",
        [CH, source_id, name],
    )


def add_lead(
    store: Store, label: str, debtor_id: str, target: tuple[str, str, str], status: str,
    confidence: float, run_id: int = 7, via: str | None = None, changes: object = None,
) -> None:  # fmt: skip
    source, key, kind = target
    store.con.execute(
        "INSERT INTO leads VALUES (?, ?, ?, ?, ?, ?, 2, '[]', ?, ?, ?, 'GB', DATE '2024-05-01',"
        " 1, ?, ?, now(), now(), ?, ?)",
        [lead_id(label), debtor_id, source, key, kind, via, confidence, min(confidence * 1.1, 1),
         500000 if kind == "asset" else None, status,
         None if changes is None else json.dumps(changes),
         "2024-06-01" if status == "gone" else None, run_id],
    )  # fmt: skip


@pytest.fixture
def leads_store(store: Store) -> Store:
    """Two debtors' leads at leads run 7, and an older one at run 6."""
    for run_id in (6, 7):
        store.con.execute(
            "INSERT INTO runs (run_id, kind, started_at, status) VALUES (?, 'leads', now(),"
            " 'finished')",
            [run_id],
        )
    add_debtor(store, "D1", "许家印")
    add_debtor(store, "D2", "HUI Ka Yan")
    store.con.execute(
        "INSERT INTO assets (source, asset_id, kind, address, content_hash, first_seen, last_seen,"
        " crawl_id) VALUES (?, 'T1', 'property', '1 High St | <b>Flat</b> *2*', 1, now(),"
        " now(), 1)",
        [LR],
    )
    names = {"C1": '=HYPERLINK("x")', "C2": "Pearl_Bay [Holdings] `Ltd`", "C3": "Gone Trading",
             "C8": "Faint Ltd", "C9": "Quiet Holdings", "C0": "Old News Ltd"}  # fmt: skip
    for source_id, name in names.items():
        add_record(store, source_id, name)
    add_lead(store, "new title", "D1", (LR, "T1", "asset"), "new", 0.9)
    add_lead(store, "changed", "D1", (CH, "C1", "record"), "changed", 0.6, changes=CHANGES)
    add_lead(store, "unchanged", "D1", (CH, "C9", "record"), "unchanged", 0.95)
    add_lead(store, "below", "D1", (CH, "C8", "record"), "new", 0.1)
    add_lead(store, "older run", "D1", (CH, "C0", "record"), "new", 0.9, run_id=6)
    add_lead(store, "via related", "D2", (CH, "C2", "record"), "new", 0.7, via="张三")
    add_lead(store, "gone", "D2", (CH, "C3", "record"), "gone", 0.05)
    return store


def short(label: str) -> str:
    return lead_id(label)[:12]


def test_digest_lists_new_changed_and_gone_per_debtor(leads_store: Store, tmp_path: Path) -> None:
    digest = write_digest(leads_store.con, 7, 0.5, tmp_path / "out", "2024-06-01T0930")
    assert digest.md_path == tmp_path / "out" / "digest-2024-06-01T0930.md"
    md = digest.md_path.read_text(encoding="utf-8")
    d1, d2 = md.split("## 许家印 (D1)")[1].split("## HUI Ka Yan (D2)")
    assert short("new title") in d1 and short("changed") in d1
    assert "£500,000" in d1 and "0.900" in d1
    assert "hop 2 (to C1): certainty 1.00 → 0.50" in d1
    for absent in ("unchanged", "below", "older run"):
        assert short(absent) not in md, absent
    assert short("via related") in d2 and "张三" in d2 and short("changed") not in d2
    gone_section = d2.split("### Gone: no longer found (1)")[1]
    assert short("gone") in gone_section and "Gone Trading (company C3)" in gone_section
    assert "3 new, 1 changed" not in md and "2 new, 1 changed, 1 gone across 2 debtor(s)" in md
    assert digest.counts.new == 2 and digest.counts.changed == 1 and digest.counts.gone == 1


def test_crawled_names_cannot_break_the_markdown(leads_store: Store, tmp_path: Path) -> None:
    md = write_digest(leads_store.con, 7, 0.5, tmp_path, "s").md_path.read_text(encoding="utf-8")
    assert r"1 High St \| &lt;b&gt;Flat&lt;/b&gt; \*2\* (title T1)" in md
    assert r"Pearl\_Bay \[Holdings\] \`Ltd\`" in md
    assert "<b>" not in md
    for table in re.findall(r"(?:^\|.*\n)+", md, flags=re.MULTILINE):
        columns = {len(re.findall(r"(?<!\\)\|", line)) for line in table.splitlines()}
        assert len(columns) == 1, f"a row with a column too many or too few:\n{table}"


def test_csv_has_a_row_per_lead_and_no_formula(leads_store: Store, tmp_path: Path) -> None:
    digest = write_digest(leads_store.con, 7, 0.5, tmp_path, "s")
    with digest.csv_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["debtor_id"], row["status"], row["lead_id"]) for row in rows] == [
        ("D1", "new", lead_id("new title")),
        ("D1", "changed", lead_id("changed")),
        ("D2", "new", lead_id("via related")),
        ("D2", "gone", lead_id("gone")),
    ]
    changed = rows[1]
    assert changed["target_name"] == '\'=HYPERLINK("x")'
    assert changed["what_changed"] == "hop 2 (to C1): certainty 1.00 → 0.50"
    assert rows[0]["value"] == "500000.00" and rows[0]["debtor_name"] == "许家印"


def test_payload_is_json_with_totals_and_lists(leads_store: Store, tmp_path: Path) -> None:
    payload = write_digest(leads_store.con, 7, 0.5, tmp_path, "s").payload
    again = json.loads(json.dumps(payload))
    assert again["run_id"] == 7 and again["generated_at"]
    assert again["totals"] == {"new": 2, "changed": 1, "gone": 1, "debtors": 2}
    d1, d2 = again["debtors"]
    assert [lead["lead_id"] for lead in d1["new"]] == [lead_id("new title")]
    assert d1["changed"][0]["changes"] == CHANGES and d1["gone"] == []
    assert d2["name"] == "HUI Ka Yan" and d2["gone"][0]["target_name"] == "Gone Trading"


def test_an_empty_digest_still_writes_both_files(leads_store: Store, tmp_path: Path) -> None:
    leads_store.con.execute(
        "INSERT INTO runs (run_id, kind, started_at, status) VALUES (8, 'leads', now(), 'finished')"
    )
    digest = write_digest(leads_store.con, 8, 0.5, tmp_path, "empty")
    assert "Nothing new" in digest.md_path.read_text(encoding="utf-8")
    lines = digest.csv_path.read_text(encoding="utf-8").splitlines()
    assert lines == [lines[0]] and lines[0].startswith("debtor_id,debtor_name,status,lead_id")
    assert digest.payload["debtors"] == [] and digest.counts.debtors == 0


def test_a_rerun_replaces_the_files_and_leaves_no_temporary(
    leads_store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "digests"
    write_digest(leads_store.con, 7, 0.5, folder, "s")
    leads_store.con.execute("UPDATE leads SET status = 'unchanged' WHERE status = 'changed'")
    digest = write_digest(leads_store.con, 7, 0.5, folder, "s")
    assert sorted(path.name for path in folder.iterdir()) == ["digest-s.csv", "digest-s.md"]
    assert short("changed") not in digest.md_path.read_text(encoding="utf-8")
    assert len(digest.csv_path.read_text(encoding="utf-8").splitlines()) == 1 + 3


@pytest.mark.parametrize(
    ("run_id", "stamp", "message"),
    [
        (7, "../elsewhere", "digest stamp '../elsewhere'"),
        (99, "s", "there is no run 99"),
        (1, "s", "run 1 is a match run, not a leads run"),
    ],
)
def test_bad_arguments_are_refused_by_name(
    leads_store: Store, tmp_path: Path, run_id: int, stamp: str, message: str
) -> None:
    leads_store.con.execute(
        "INSERT INTO runs (run_id, kind, started_at, status) VALUES (1, 'match', now(), 'finished')"
    )
    with pytest.raises(OadError, match=re.escape(message)):
        write_digest(leads_store.con, run_id, 0.5, tmp_path, stamp)
    assert not any(path.name.startswith("digest") for path in tmp_path.iterdir())


def test_markdown_text_escapes_syntax_html_and_line_breaks() -> None:
    assert markdown_text("a|b *c* _d_ [e](f) `g` <h> & #i\nj\x1bk") == (
        r"a\|b \*c\* \_d\_ \[e\](f) \`g\` &lt;h&gt; &amp; \#i j k"
    )
    assert markdown_text(None) == "" and markdown_text("") == ""
