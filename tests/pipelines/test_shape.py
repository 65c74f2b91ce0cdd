"""The record shape lives in pipelines/shape.py; everything else that names its fields agrees."""

from __future__ import annotations

import dataclasses

import pytest

from pipelines.columns import load_spec
from pipelines.crawl_items import ITEM_TABLES, staged_schema
from pipelines.shape import SHAPES, checked_sql, duplicate_reason, valid_sql
from pipelines.store import Store
from pipelines.upsert import stored_columns

BOOKKEEPING = {"source", "first_seen", "last_seen", "removed_at", "crawl_id"}


@pytest.mark.parametrize("table", list(SHAPES))
def test_items_staging_and_store_hold_the_shapes_fields(table: str, store: Store) -> None:
    shape = SHAPES[table]  # type: ignore[index]
    item = next(cls for cls, name in ITEM_TABLES.items() if name == table)
    item_fields = [f.name for f in dataclasses.fields(item)]
    assert set(shape.fields) <= set(item_fields)
    assert staged_schema(shape.name).names[: len(shape.fields)] == list(shape.fields)
    columns = [row[0] for row in store.con.execute(f"DESCRIBE {table}").fetchall()]
    assert set(columns) == set(stored_columns(shape.name)) | BOOKKEEPING


def test_the_import_spec_names_the_record_fields() -> None:
    assert set(load_spec("records").columns) == set(SHAPES["records"].fields)


def test_every_check_is_in_the_sql_in_order(store: Store) -> None:
    for table, shape in SHAPES.items():
        sql = checked_sql(table, "x")
        positions = [sql.index(check.condition) for check in shape.checks]
        assert positions == sorted(positions), table
        assert "content_hash" in valid_sql(table, "y") and "payload_hash" in valid_sql(table, "y")
        assert shape.key in duplicate_reason(table)
