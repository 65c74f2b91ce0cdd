"""The record shape: what a records, relationships or assets row holds, how its published text
is checked (with the message a user sees) and typed into the store, and its hashes.

`oad records import` and the crawls both build their SQL from here, so that a row gets the same
verdict and the same message whichever way it came. Rows arrive as text (alt_names as a list of
text), trimmed, with NULL for an empty cell, and with their raw payload as JSON text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pipelines.columns import load_spec
from pipelines.dates import (
    BIRTH_FORM,
    BIRTH_PATTERN,
    DATE_FORMATS,
    EARLIEST_BIRTH_YEAR,
    EXPECTED,
    date_sql,
    not_a_date_sql,
)
from pipelines.kinds import company_pattern

TableName = Literal["records", "relationships", "assets"]
MAX_FIELD_BYTES = 10_000  # a longer name or address is not one: the row is refused
RECORD_UID_SEPARATOR = "\x1f"
_DATE = date_sql("{0}")
_AMOUNT = "try_cast(regexp_replace({}, '[£,\\s]', '', 'g') AS DECIMAL(18, 2))"
_FOLDED_KIND = "regexp_replace(lower(kind), '[\\s_\\-.]+', '', 'g')"


@dataclass(frozen=True)
class Check:
    """A row is refused for the first check whose CONDITION (trusted SQL over the row's checked
    columns) holds, with FIELD and REASON as its rejection."""

    field: str
    condition: str
    reason: str
    field_sql: str | None = None  # which field, where one check covers several (trusted SQL)


@dataclass(frozen=True)
class TableShape:
    name: TableName
    key: str
    fields: tuple[str, ...]  # the key first, as staged
    typed: Mapping[str, str] = field(default_factory=dict)  # field -> SQL typing its text ({})
    checks: tuple[Check, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """The stored columns besides source and key: the fields, then where and what was read."""
        return (*self.fields[1:], "source_url", "raw")


def _empty(name: str) -> Check:
    return Check(name, f"{name} IS NULL", f"{name} is empty")


def _too_long(names: tuple[str, ...]) -> Check:
    """One check over every text field (cheaper than one a field, on every row); which field
    is too long is worked out only for a row that has one. Alternative names are not looked
    at: their list is dear to make, and the reader refuses a cell over 1 MB in any case."""
    sizes = {name: f"strlen({name})" for name in names if name != "alt_names"}
    which = " ".join(f"WHEN {s} > {MAX_FIELD_BYTES} THEN '{n}'" for n, s in sizes.items())
    return Check(
        "",
        f"greatest({', '.join(sizes.values())}) > {MAX_FIELD_BYTES}",
        f"longer than {MAX_FIELD_BYTES:,} bytes",
        f"CASE {which} END",
    )


def _dated(name: str) -> tuple[Check, Check]:
    """A date as published: one of the accepted formats, and not in the future."""
    return (
        Check(name, not_a_date_sql(name, typed_name(name)), f"not a date (expected {EXPECTED})"),
        Check(name, f"{typed_name(name)} > getvariable('oad_today')", "a date in the future"),
    )


def typed_name(name: str) -> str:
    """The checked relation's column holding NAME in the store's type."""
    return f"{name}__typed"


_RECORD_FIELDS = (
    "source_id", "name", "kind", "alt_names", "jurisdiction", "registration_number",
    "incorporation_date", "birth_date", "nationality", "country_of_residence", "address",
)  # fmt: skip
_RELATIONSHIP_FIELDS = (
    "relationship_id", "subject_source", "subject_id", "object_source", "object_id",
    "object_type", "role", "start_date", "end_date", "share",
)  # fmt: skip
_ASSET_FIELDS = (
    "asset_id", "kind", "tenure", "address", "district", "county", "region", "postcode",
    "price_paid", "date_added",
)  # fmt: skip

SHAPES: dict[TableName, TableShape] = {
    "records": TableShape(
        "records",
        "source_id",
        _RECORD_FIELDS,
        {"incorporation_date": _DATE},
        (
            _empty("source_id"),
            _empty("name"),
            Check("kind", "kind IS NULL", "kind is neither company nor person"),
            _too_long(_RECORD_FIELDS),
            *_dated("incorporation_date"),
            Check(
                "birth_date",
                "birth_date IS NOT NULL AND (NOT regexp_matches(birth_date,"
                " getvariable('oad_birth_pattern')) OR (strlen(birth_date) = 10"
                " AND try_strptime(birth_date, '%Y-%m-%d') IS NULL))",
                BIRTH_FORM,
            ),
            Check(
                "birth_date",
                f"birth_date IS NOT NULL AND (birth_date < '{EARLIEST_BIRTH_YEAR}'"
                " OR birth_date > left(getvariable('oad_today_text'), strlen(birth_date)))",
                f"out of range ({EARLIEST_BIRTH_YEAR} to today)",
            ),
        ),
    ),
    "relationships": TableShape(
        "relationships",
        "relationship_id",
        _RELATIONSHIP_FIELDS,
        {},
        (
            _empty("relationship_id"),
            _empty("subject_id"),
            _empty("object_id"),
            _empty("role"),
            Check("object_type", "object_type NOT IN ('record', 'asset')", "not record or asset"),
            _too_long(_RELATIONSHIP_FIELDS),
        ),
    ),
    "assets": TableShape(
        "assets",
        "asset_id",
        _ASSET_FIELDS,
        {"price_paid": _AMOUNT, "date_added": _DATE},
        (
            _empty("asset_id"),
            _too_long(_ASSET_FIELDS),
            Check(
                "price_paid",
                f"price_paid IS NOT NULL AND {typed_name('price_paid')} IS NULL",
                "not an amount",
            ),
            *_dated("date_added"),
        ),
    ),
}


def duplicate_reason(table: TableName) -> str:
    """Why a later row with a key seen before is refused."""
    return f"duplicate {SHAPES[table].key} with other details; the first row with it was loaded"


def variables() -> dict[str, Any]:
    """The DuckDB variables the shape's SQL reads (set them before running it); today's date
    is one, since DuckDB works out current_date afresh for every row."""
    kinds = load_spec("records").kinds
    today = dt.date.today()
    return {
        "oad_today": today,
        "oad_today_text": today.isoformat(),
        "oad_date_formats": list(DATE_FORMATS),
        "oad_birth_pattern": BIRTH_PATTERN,
        "oad_company_words": company_pattern(),
        "oad_company_kinds": sorted(k for k, v in kinds.items() if v == "company"),
        "oad_person_kinds": sorted(k for k, v in kinds.items() if v == "person"),
    }


def _kind_sql() -> str:
    """A record's kind from its text: a company or person word of the spec (as written, or
    folded like a header), 'unknown' as such; none given, a name with a company word is a
    company's; NULL for a kind that says neither."""
    return (
        "CASE WHEN kind IS NULL THEN CASE WHEN regexp_matches(name,"
        " getvariable('oad_company_words')) THEN 'company' ELSE 'unknown' END"
        # (list_position rather than list_contains, which DuckDB turns into a join that costs
        # the insert its parallel writing)
        " WHEN list_position(getvariable('oad_company_kinds'), lower(kind)) IS NOT NULL"
        " THEN 'company'"
        " WHEN list_position(getvariable('oad_person_kinds'), lower(kind)) IS NOT NULL"
        " THEN 'person'"
        " WHEN lower(kind) = 'unknown' THEN 'unknown'"
        # folded only when not found as written: most files spell their kinds plainly, and the
        # regular expression costs more than the rest
        f" WHEN list_position(getvariable('oad_company_kinds'), {_FOLDED_KIND}) IS NOT NULL"
        " THEN 'company'"
        f" WHEN list_position(getvariable('oad_person_kinds'), {_FOLDED_KIND}) IS NOT NULL"
        " THEN 'person' END"
    )


def checked_sql(table: TableName, relation: str) -> str:
    """A trusted SELECT over RELATION (staged text fields, raw, source_url, line, ...): every
    column, the kind resolved, each typed field beside its text, and `problem`, the first
    failed check as {'field', 'reason'} (NULL for a good row)."""
    shape = SHAPES[table]
    replaced = f" REPLACE ({_kind_sql()} AS kind)" if table == "records" else ""
    typed = "".join(
        f", {sql.format(name)} AS {typed_name(name)}" for name, sql in shape.typed.items()
    )
    checks = " ".join(
        f"WHEN {c.condition} THEN {{'field': {c.field_sql or _literal(c.field)},"
        f" 'reason': {_literal(c.reason)}}}"
        for c in shape.checks
    )
    return (
        f"SELECT *, CASE {checks} END AS problem FROM (SELECT *{replaced}{typed} FROM {relation})"
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def valid_sql(table: TableName, relation: str) -> str:
    """A trusted SELECT of a checked RELATION's rows as the store keeps them: key, columns in
    the store's types, content hash (of the fields, so the same facts hash alike whichever way
    they came) and payload hash (of the raw payload as published)."""
    shape = SHAPES[table]
    values = [typed_name(n) if n in shape.typed else n for n in shape.fields]
    columns = [f"{v} AS {n}" if v != n else n for v, n in zip(values, shape.fields, strict=True)]
    return (
        f"SELECT {', '.join(columns)}, source_url, raw,"
        f" {content_hash_sql(values)} AS content_hash,"
        f" {payload_hash_sql('raw')} AS payload_hash FROM {relation}"
    )


def content_hash_sql(values: list[str]) -> str:
    return f"hash({', '.join(values)})"


def payload_hash_sql(raw: str) -> str:
    return f"hash({raw}::VARCHAR)"


def record_uid_sql(source: str, source_id: str) -> str:
    """A trusted SQL expression: a record's one-column key from its source and source id
    (trusted column expressions)."""
    return f"{source} || chr({ord(RECORD_UID_SEPARATOR)}) || {source_id}"
