"""What entity resolution knows of each live company record: its jurisdiction code,
registration key and Latin name key, computed from the store's `records`."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from matching.entities.jurisdictions import jurisdiction_code
from matching.entities.names import latin_name_key
from matching.entities.registration import registration_key

# A corporate PSC's country is in its identification, not in `jurisdiction` (Companies House
# publishes it as `identification.country_registered`, free text).
_RECORDS_SQL = """
SELECT source, source_id, name, alt_names,
       coalesce(jurisdiction,
                json_extract_string(raw, '$.identification.country_registered')) AS published,
       registration_number, year(incorporation_date) AS incorporation_year
FROM records r
WHERE removed_at IS NULL AND kind = 'company'{only}
ORDER BY source, source_id
"""
_ONLY = (
    " AND EXISTS (SELECT 1 FROM {table} c WHERE c.source = r.source AND c.source_id = r.source_id)"
)

KEY_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("source_id", pa.string()),
        ("name", pa.string()),
        ("published_jurisdiction", pa.string()),
        ("jurisdiction", pa.string()),
        ("registration_number", pa.string()),
        ("registration_key", pa.string()),
        ("name_key", pa.string()),
        ("name_words", pa.list_(pa.string())),
        ("legal_form", pa.string()),
        ("incorporation_year", pa.int64()),
    ]
)


def record_keys(con: duckdb.DuckDBPyConnection, only: str | None = None) -> pa.Table:
    """One row per live company record (KEY_SCHEMA); keys are None where the record gives none.
    ONLY names a table (a trusted identifier) of (source, source_id): only those records."""
    scope = _ONLY.format(table=only) if only else ""
    rows = con.execute(_RECORDS_SQL.format(only=scope)).fetchall()
    return pa.Table.from_pylist([_keys(*row) for row in rows], schema=KEY_SCHEMA)


def _keys(
    source: str,
    source_id: str,
    name: str,
    alt_names: list[str] | None,
    published: str | None,
    number: str | None,
    incorporation_year: int | None,
) -> dict[str, Any]:
    code = jurisdiction_code(published)
    key = latin_name_key([name, *(alt_names or [])])
    return {
        "source": source,
        "source_id": source_id,
        "name": key.name if key else name,
        "published_jurisdiction": published,
        "jurisdiction": code,
        "registration_number": number,
        "registration_key": registration_key(code, number),
        "name_key": key.text if key else None,
        "name_words": list(dict.fromkeys(key.words)) if key else None,
        "legal_form": (key.legal_form or None) if key else None,
        "incorporation_year": incorporation_year,
    }
