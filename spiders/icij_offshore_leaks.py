"""ICIJ Offshore Leaks: entity, officer and intermediary nodes as records; relationships between
them as edges. Address nodes are not companies or persons: their text goes to the address of the
records a `registered_address` edge ties them to only through that edge's raw payload."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow.compute as pc

from pipelines.crawl_items import Note
from spiders.base import SourceSpider
from spiders.tabular import Columns, list_of_present

COMMON = ["sourceID", "valid_until", "note", "countries"]


class IcijOffshoreLeaks(SourceSpider):
    name = "icij_offshore_leaks"

    def parse_columns(self, columns: Columns) -> Iterator[Any]:
        member = columns.file.label.rsplit("#", 1)[-1]
        kind = self.meta.lookups["node_files"].get(member)
        if kind is not None:
            yield self._nodes(columns, kind)
        elif member == "relationships.csv":
            yield from self._edges(columns)
        elif member == "nodes-addresses.csv":
            columns.ignore(*columns.file.header)
            yield Note(f"{member}: {columns.rows} address nodes kept only as edge targets' text")

    def _nodes(self, columns: Columns, kind: str) -> Any:
        name = columns.pop("name")
        columns.ignore(*COMMON, "internal_id", "status", "jurisdiction_description",
                       "company_type", "inactivation_date", "struck_off_date", "dorm_date",
                       "service_provider", "ibcRUC")  # fmt: skip
        others = [columns.pop_optional(c) for c in ("original_name", "former_name")]
        others = [pc.if_else(pc.equal(o, name), None, o) for o in others]
        return self.batch(
            "records",
            columns,
            {
                "source_id": columns.pop("node_id"), "name": name, "kind": kind,
                "alt_names": list_of_present(*others),
                "jurisdiction": pc.coalesce(columns.pop_optional("jurisdiction"),
                                            columns.pop_optional("country_codes")),
                "incorporation_date": columns.pop_optional("incorporation_date"),
                "address": columns.pop_optional("address"),
            },
        )  # fmt: skip

    def _edges(self, columns: Columns) -> Iterator[Any]:
        start, end, kind = (columns.pop(c) for c in ("node_id_start", "node_id_end", "rel_type"))
        columns.ignore("status", "sourceID")
        between_records = pc.not_equal(kind, "registered_address")
        link = columns.pop("link")
        yield self.batch(
            "relationships",
            columns,
            {
                "relationship_id": pc.binary_join_element_wise(start, kind, end, link, "|"),
                "subject_id": start, "object_id": end, "role": pc.coalesce(link, kind),
                "start_date": columns.pop("start_date"), "end_date": columns.pop("end_date"),
            },
            between_records,
        )  # fmt: skip
