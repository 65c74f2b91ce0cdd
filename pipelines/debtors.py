"""Importing the bank's debtor list: validate rows, flag invalid identifiers, upsert by id."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from pipelines.columns import ColumnSpec, HeaderMap, fold_header, load_spec, map_header
from pipelines.crawl_log import (
    ImportCounts,
    file_sha256,
    finish_crawl,
    start_crawl,
    write_rejections,
)
from pipelines.dates import birth_out_of_range, parse_date
from pipelines.identifiers import check_identifier, check_lei
from pipelines.kinds import guess_kind
from pipelines.progress import QUIET, Progress
from pipelines.rejections import Rejected
from pipelines.store import Store, insert_arrow
from pipelines.table_files import read_file
from pipelines.text import clean
from pipelines.values import parse_amount, parse_related_persons, split_list

# The claim behind the debt, in the order of the debtors table's claim columns (migration 012).
CLAIM_FIELDS = (
    "claim_kind", "claim_reference", "claim_forum", "judgment_date", "judgment_final",
    "default_date", "secured_amount",
)  # fmt: skip

# Compared between imports; a difference in any of them is an update.
COMPARED_FIELDS = (
    "name", "kind", "alt_names", "id_number", "id_type", "id_valid", "lei", "birth_date",
    "birth_date_origin", "nationality", "address", "related_persons", "outstanding_amount",
    "currency", "findings", *CLAIM_FIELDS,
)  # fmt: skip


@dataclass
class Debtor:
    debtor_id: str
    name: str
    kind: str
    line: int
    alt_names: list[str] = field(default_factory=list)
    id_number: str | None = None
    id_type: str | None = None
    id_valid: bool | None = None
    lei: str | None = None
    birth_date: dt.date | None = None
    birth_date_origin: str | None = None
    nationality: str | None = None
    address: str | None = None
    related_persons: list[dict[str, str]] = field(default_factory=list)
    outstanding_amount: Decimal | None = None
    currency: str | None = None
    findings: list[str] = field(default_factory=list)
    claim_kind: str | None = None  # 'judgment' or 'award'
    claim_reference: str | None = None
    claim_forum: str | None = None
    judgment_date: dt.date | None = None
    judgment_final: bool | None = None
    default_date: dt.date | None = None
    secured_amount: Decimal | None = None

    def compared(self) -> dict[str, str | None]:
        """Each compared field as text, the form used for hashing and for the change log."""
        out: dict[str, str | None] = {}
        for name in COMPARED_FIELDS:
            value = getattr(self, name)
            if value is None or value == []:
                out[name] = None
            elif isinstance(value, list):
                out[name] = json.dumps(value, ensure_ascii=False, sort_keys=True)
            else:
                out[name] = str(value).lower() if isinstance(value, bool) else str(value)
        return out

    def content_hash(self) -> str:
        # an empty claim field is left out, so that rows of lists without a claim keep the hash
        # they had before the claim columns existed (a re-import is then no change)
        compared = {
            name: text
            for name, text in self.compared().items()
            if text is not None or name not in CLAIM_FIELDS
        }
        text = json.dumps(compared, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


class RowError(ValueError):
    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(reason)
        self.field_name = field_name


def parse_debtor(line: int, cells: list[str], header: HeaderMap, spec: ColumnSpec) -> Debtor:
    """One row to a Debtor; raises RowError naming the field when the row cannot be loaded."""
    value = {
        col: clean(cells[pos]) if pos < len(cells) else "" for col, pos in header.positions.items()
    }
    for required in spec.required:
        if not value.get(required):
            raise RowError(required, f"{required} is empty")
    debtor = Debtor(value["debtor_id"], value["name"], "", line)
    debtor.kind = _kind(value.get("kind", ""), debtor, spec)
    debtor.alt_names = split_list(value.get("alt_names", ""))
    debtor.nationality = value.get("nationality") or None
    debtor.address = value.get("address") or None
    debtor.currency = (value.get("currency") or "").upper() or None
    _parse_optional(debtor, value)
    _parse_claim(debtor, value, spec)
    _check_id_and_birth(debtor, value.get("id_number", ""))
    if value.get("lei"):
        debtor.lei, problem = check_lei(value["lei"])
        if problem:
            debtor.findings.append(problem)
    return debtor


def _kind(text: str, debtor: Debtor, spec: ColumnSpec) -> str:
    if text:
        kind = spec.kinds.get(fold_header(text))
        if kind is None:
            raise RowError("kind", f"kind {text!r} is neither company nor person")
        return kind
    guessed = guess_kind(debtor.name)
    if guessed is None:
        raise RowError("kind", "kind is empty and cannot be inferred from the name")
    debtor.findings.append(f"kind inferred as {guessed} from the name")
    return guessed


def _parse_optional(debtor: Debtor, value: dict[str, str]) -> None:
    try:
        if value.get("birth_date"):
            debtor.birth_date = parse_date(value["birth_date"])
            debtor.birth_date_origin = "file"
    except ValueError as error:
        raise RowError("birth_date", str(error)) from None
    if debtor.birth_date is not None and (problem := birth_out_of_range(debtor.birth_date)):
        debtor.findings.append(problem)
    try:
        if value.get("outstanding_amount"):
            debtor.outstanding_amount = parse_amount(value["outstanding_amount"])
    except ValueError as error:
        raise RowError("outstanding_amount", str(error)) from None
    try:
        debtor.related_persons = parse_related_persons(value.get("related_persons", ""))
    except ValueError as error:
        raise RowError("related_persons", str(error)) from None


def _parse_claim(debtor: Debtor, value: dict[str, str], spec: ColumnSpec) -> None:
    """The claim columns; a value that cannot be read rejects the row, as for other fields."""
    debtor.claim_kind = _vocabulary_value(value, "claim_kind", spec.vocabularies["claim_kinds"],
                                          "neither a judgment nor an award")  # fmt: skip
    debtor.claim_reference = value.get("claim_reference") or None
    debtor.claim_forum = value.get("claim_forum") or None
    for name in ("judgment_date", "default_date"):
        try:
            if value.get(name):
                setattr(debtor, name, parse_date(value[name]))
        except ValueError as error:
            raise RowError(name, f"{name} {value[name]!r}: {error}") from None
    final = _vocabulary_value(value, "judgment_final", spec.vocabularies["yes_no"],
                              "not yes or no (是/否, yes/no, true/false, Y/N)")  # fmt: skip
    debtor.judgment_final = None if final is None else final == "true"
    try:
        if value.get("secured_amount"):
            debtor.secured_amount = parse_amount(value["secured_amount"])
    except ValueError as error:
        raise RowError("secured_amount", str(error)) from None


def _vocabulary_value(
    value: dict[str, str], name: str, vocabulary: dict[str, str], problem: str
) -> str | None:
    text = value.get(name)
    if not text:
        return None
    meaning = vocabulary.get(fold_header(text))
    if meaning is None:
        raise RowError(name, f"{name} {text!r} is {problem}")
    return meaning


def _check_id_and_birth(debtor: Debtor, raw_id: str) -> None:
    if not raw_id:
        return
    check = check_identifier(raw_id, debtor.kind)
    debtor.id_number, debtor.id_type, debtor.id_valid = check.number, check.id_type, check.valid
    if check.problem:
        debtor.findings.append(check.problem)
    if check.birth_date is None or debtor.kind != "person":
        return
    if debtor.birth_date is None:
        debtor.birth_date, debtor.birth_date_origin = check.birth_date, "id_number"
    elif debtor.birth_date != check.birth_date:
        debtor.findings.append(
            f"birth_date {debtor.birth_date} disagrees with the ID number ({check.birth_date})"
        )


def read_debtors(
    path: Path, encoding: str | None, sheet: str | None, progress: Progress = QUIET
) -> tuple[list[Debtor], list[Rejected], tuple[str, ...]]:
    """Parse a whole file; a duplicate debtor_id after the first is rejected."""
    table = read_file(path, encoding=encoding, sheet=sheet, progress=progress)
    spec = load_spec("debtors")
    header = map_header(table.label, table.header, spec)
    debtors: dict[str, Debtor] = {}
    rejections: list[Rejected] = []
    for line, cells in (row for batch in table.batches for row in batch.rows()):
        if not any(cell.strip() for cell in cells):
            continue  # a row of empty cells (spreadsheets export them) holds no debtor
        raw = json.dumps(dict(zip(table.header, cells, strict=False)), ensure_ascii=False)
        try:
            debtor = parse_debtor(line, cells, header, spec)
        except RowError as error:
            rejections.append(Rejected(table.label, line, str(error), error.field_name, raw))
            continue
        first = debtors.get(debtor.debtor_id)
        if first is not None:
            reason = f"duplicate debtor_id {debtor.debtor_id!r} (first at line {first.line})"
            rejections.append(Rejected(table.label, line, reason, "debtor_id", raw))
            continue
        debtors[debtor.debtor_id] = debtor
    rejections = sorted(rejections + table.rejections, key=lambda r: r.line or 0)
    return list(debtors.values()), rejections, header.unused


def import_debtors(
    store: Store,
    path: Path,
    encoding: str | None = None,
    sheet: str | None = None,
    progress: Progress = QUIET,
) -> ImportCounts:
    """Load a debtor file in one transaction; returns what happened to its rows."""
    try:
        debtors, rejections, unused = read_debtors(path, encoding, sheet, progress)
        progress.stage("store the debtors")
        return _store_debtors(store, path, debtors, rejections, unused)
    finally:
        progress.finish()


def _store_debtors(
    store: Store,
    path: Path,
    debtors: list[Debtor],
    rejections: list[Rejected],
    unused: tuple[str, ...],
) -> ImportCounts:
    counts = ImportCounts(rejected=len(rejections), unused_columns=unused)
    with store.transaction() as con:
        crawl_id = start_crawl(con, "debtors_import", str(path), None, file_sha256(path))
        existing = _existing(store)
        fresh, changed = [], []
        for debtor in debtors:
            before = existing.get(debtor.debtor_id)
            if before is None:
                fresh.append(debtor)
            elif before[0] != debtor.content_hash():
                changed.append(debtor)
        counts.loaded, counts.updated = len(fresh), len(changed)
        counts.unchanged = len(debtors) - len(fresh) - len(changed)
        _log_changes(store, crawl_id, changed, existing)
        _upsert(store, crawl_id, str(path), fresh + changed)
        write_rejections(con, crawl_id, rejections)
        finish_crawl(con, crawl_id, counts)
        store.audit("debtors import", {"file": str(path), "crawl_id": crawl_id, **vars(counts)})
    return counts


def _existing(store: Store) -> dict[str, tuple[str, dict[str, str | None]]]:
    """debtor_id -> (content hash, compared fields as text) of the rows in the store."""
    select = ", ".join(_as_text(name) for name in COMPARED_FIELDS)
    rows = store.con.execute(f"SELECT debtor_id, content_hash, {select} FROM debtors").fetchall()
    return {row[0]: (row[1], dict(zip(COMPARED_FIELDS, row[2:], strict=True))) for row in rows}


def _as_text(name: str) -> str:
    if name in ("alt_names", "findings"):
        return f"CASE WHEN len({name}) = 0 THEN NULL ELSE to_json({name})::VARCHAR END"
    if name == "related_persons":
        return f"CASE WHEN {name}::VARCHAR = '[]' THEN NULL ELSE {name}::VARCHAR END"
    return f"{name}::VARCHAR"


def _log_changes(
    store: Store,
    crawl_id: int,
    changed: list[Debtor],
    existing: dict[str, tuple[str, dict[str, str | None]]],
) -> None:
    rows = []
    for debtor in changed:
        before = existing[debtor.debtor_id][1]
        for name, new_value in debtor.compared().items():
            if not _same(name, before[name], new_value):
                rows.append((debtor.debtor_id, name, before[name], new_value))
    if rows:
        store.con.executemany(
            "INSERT INTO debtor_changes VALUES (nextval('change_id_seq'), ?, ?, ?, ?, ?,"
            " current_timestamp)",
            [[debtor_id, crawl_id, name, old, new] for debtor_id, name, old, new in rows],
        )


def _same(name: str, stored: str | None, parsed: str | None) -> bool:
    if stored is None or parsed is None:
        return stored is parsed
    if name in ("alt_names", "findings", "related_persons"):
        return bool(json.loads(stored) == json.loads(parsed))
    return stored == parsed


def _upsert(store: Store, crawl_id: int, file: str, debtors: list[Debtor]) -> None:
    if not debtors:
        return
    staged = pa.table(
        {
            "debtor_id": [d.debtor_id for d in debtors],
            "name": [d.name for d in debtors],
            "kind": [d.kind for d in debtors],
            "alt_names": [d.alt_names for d in debtors],
            "id_number": [d.id_number for d in debtors],
            "id_type": [d.id_type for d in debtors],
            "id_valid": [d.id_valid for d in debtors],
            "lei": [d.lei for d in debtors],
            "birth_date": [d.birth_date for d in debtors],
            "birth_date_origin": [d.birth_date_origin for d in debtors],
            "nationality": [d.nationality for d in debtors],
            "address": [d.address for d in debtors],
            "related_persons": [json.dumps(d.related_persons, ensure_ascii=False) for d in debtors],
            "outstanding_amount": pa.array(
                [d.outstanding_amount for d in debtors], type=pa.decimal128(20, 2)
            ),
            "currency": [d.currency for d in debtors],
            "findings": [d.findings for d in debtors],
            "content_hash": [d.content_hash() for d in debtors],
            "source_line": [d.line for d in debtors],
            "claim_kind": pa.array([d.claim_kind for d in debtors], type=pa.string()),
            "claim_reference": pa.array([d.claim_reference for d in debtors], type=pa.string()),
            "claim_forum": pa.array([d.claim_forum for d in debtors], type=pa.string()),
            "judgment_date": pa.array([d.judgment_date for d in debtors], type=pa.date32()),
            "judgment_final": pa.array([d.judgment_final for d in debtors], type=pa.bool_()),
            "default_date": pa.array([d.default_date for d in debtors], type=pa.date32()),
            "secured_amount": pa.array(
                [d.secured_amount for d in debtors], type=pa.decimal128(20, 2)
            ),
        }
    )
    insert_arrow(
        store.con,
        "staged_debtors",
        staged,
        "INSERT INTO debtors SELECT s.debtor_id, s.name, s.kind, s.alt_names, s.id_number,"
        " s.id_type, s.id_valid, s.lei, s.birth_date, s.birth_date_origin, s.nationality,"
        " s.address,"
        " s.related_persons::JSON, s.outstanding_amount, s.currency, s.findings,"
        " s.content_hash, ?, s.source_line, ?, current_timestamp, current_timestamp,"
        " s.claim_kind, s.claim_reference, s.claim_forum, s.judgment_date, s.judgment_final,"
        " s.default_date, s.secured_amount"
        " FROM staged_debtors s"
        " ON CONFLICT (debtor_id) DO UPDATE SET name = excluded.name, kind = excluded.kind,"
        " alt_names = excluded.alt_names, id_number = excluded.id_number,"
        " id_type = excluded.id_type, id_valid = excluded.id_valid, lei = excluded.lei,"
        " birth_date = excluded.birth_date, birth_date_origin = excluded.birth_date_origin,"
        " nationality = excluded.nationality, address = excluded.address,"
        " related_persons = excluded.related_persons,"
        " outstanding_amount = excluded.outstanding_amount, currency = excluded.currency,"
        " findings = excluded.findings, content_hash = excluded.content_hash,"
        " source_file = excluded.source_file, source_line = excluded.source_line,"
        " crawl_id = excluded.crawl_id, updated_at = excluded.updated_at,"
        " claim_kind = excluded.claim_kind, claim_reference = excluded.claim_reference,"
        " claim_forum = excluded.claim_forum, judgment_date = excluded.judgment_date,"
        " judgment_final = excluded.judgment_final, default_date = excluded.default_date,"
        " secured_amount = excluded.secured_amount",
        [file, crawl_id],
    )
