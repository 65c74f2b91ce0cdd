"""A table in oad's canonical record shape (the columns of data/columns/records.yml, matched by
their aliases) as the staged text fields of records, with each row's raw payload. Used by
`oad records import` for a user's file and by crawls of canonical files published at a URL,
so that the same file reads the same either way."""

from __future__ import annotations

from pipelines.columns import HeaderMap
from pipelines.payloads import payload_sql
from pipelines.shape import SHAPES


def canonical_text_sql(
    header: HeaderMap, cells: list[str], relation: str, keys_variable: str, source_url: str
) -> str:
    """A trusted SELECT over RELATION, whose text columns CELLS (trusted names) hold a file's
    cells in header order and whose `line` says where each row starts: line, source_url (the
    trusted SQL expression SOURCE_URL), the record fields, and `raw`, the row's non-empty cells
    as JSON under the names in the VARCHAR[] variable KEYS_VARIABLE."""
    fields = {name: _cell(header, cells, name) for name in SHAPES["records"].fields}
    fields["alt_names"] = _alt_names(fields["alt_names"])
    select = ", ".join(f"{sql} AS {name}" for name, sql in fields.items())
    raw = payload_sql(keys_variable, cells)
    return f"SELECT line, {source_url} AS source_url, {select}, {raw} AS raw FROM {relation}"


def _cell(header: HeaderMap, cells: list[str], name: str) -> str:
    """A trusted SQL expression for one record field: the cell its column is in, trimmed."""
    position = header.positions.get(name)
    return "NULL::VARCHAR" if position is None else f"nullif(trim({cells[position]}), '')"


def _alt_names(text: str) -> str:
    """Alternative names from their text: a JSON list, or names separated by ; or ；."""
    return (
        f"CASE WHEN {text} IS NULL THEN []::VARCHAR[]"
        f" WHEN starts_with({text}, '[') THEN"
        f" coalesce(try_cast(try_cast({text} AS JSON) AS VARCHAR[]), [{text}])"
        f" ELSE list_filter(list_transform(regexp_split_to_array({text}, '[;；]'),"
        " lambda x: trim(x)), lambda x: x <> '') END"
    )
