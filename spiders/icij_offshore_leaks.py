"""ICIJ Offshore Leaks: entity, officer and intermediary nodes as records; relationships between
them as edges. Address nodes are neither companies nor persons: a `registered_address` edge gives
its text to the record it starts from (the record's address, when the node has none of its own;
always in the raw payload as `registered_address`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from scrapy.http import Response

from pipelines.crawl_items import Note
from spiders.base import SourceSpider
from spiders.columns import Columns, ColumnUse, list_of_present

COMMON = ["sourceID", "valid_until", "note", "countries"]
ADDRESSES, RELATIONSHIPS = "nodes-addresses.csv", "relationships.csv"
REGISTERED = "registered_address"


class IcijOffshoreLeaks(SourceSpider):
    name = "icij_offshore_leaks"
    # node id -> its registered addresses ("; " between several), from a first pass over the zip
    registered: pa.Table = pa.table(
        {"node": pa.array([], pa.string()), "text": pa.array([], pa.string())}
    )

    def parse_file(self, response: Response) -> Iterator[Any]:
        self.registered = self._registered_addresses(response)
        yield from super().parse_file(response)

    def _registered_addresses(self, response: Response) -> pa.Table:
        """Join address nodes to the `registered_address` edges that point at them."""
        addresses: list[pa.Table] = []
        edges: list[pa.Table] = []
        for table in self.tables(response):
            member = table.label.rsplit("#", 1)[-1]
            if member not in (ADDRESSES, RELATIONSHIPS):
                continue
            use = ColumnUse(table.label, table.header)
            for batch in table.batches:
                columns = Columns(use, batch.cells, batch.lines)
                if member == ADDRESSES:
                    addresses.append(
                        pa.table(
                            {"address": columns.pop("node_id"), "text": columns.pop("address")}
                        )
                    )
                    continue
                links = pa.table(
                    {"node": columns.pop("node_id_start"), "address": columns.pop("node_id_end")}
                )
                edges.append(links.filter(pc.equal(columns.pop("rel_type"), REGISTERED)))
        if not addresses or not edges:
            return self.registered
        joined = pa.concat_tables(edges).join(pa.concat_tables(addresses), "address")
        joined = joined.sort_by([("node", "ascending"), ("text", "ascending")])
        grouped = joined.group_by("node", use_threads=False).aggregate([("text", "list")])
        texts = pc.binary_join(grouped["text_list"], "; ")
        return pa.table({"node": grouped["node"], "text": texts})

    def _registered_for(self, nodes: pa.Array) -> pa.Array:
        at = pc.index_in(nodes, value_set=self.registered["node"])
        return self.registered["text"].combine_chunks().take(at)

    def parse_columns(self, columns: Columns) -> Iterator[Any]:
        member = columns.file.label.rsplit("#", 1)[-1]
        kind = self.meta.lookups["node_files"].get(member)
        if kind is not None:
            yield self._nodes(columns, kind)
        elif member == RELATIONSHIPS:
            yield from self._edges(columns)
        elif member == ADDRESSES:
            columns.ignore(*columns.file.header)
            given = self.registered.num_rows
            yield Note(f"{member}: {columns.rows} address nodes; {given} nodes registered at them")

    def _nodes(self, columns: Columns, kind: str) -> Any:
        name = columns.pop("name")
        columns.ignore(*COMMON, "internal_id", "status", "jurisdiction_description",
                       "company_type", "inactivation_date", "struck_off_date", "dorm_date",
                       "service_provider", "ibcRUC")  # fmt: skip
        others = [columns.pop_optional(c) for c in ("original_name", "former_name")]
        others = [pc.if_else(pc.equal(o, name), None, o) for o in others]
        node = columns.pop("node_id")
        registered = self._registered_for(node)
        keys, arrays = columns.raw()
        return self.batch(
            "records",
            columns,
            {
                "source_id": node, "name": name, "kind": kind,
                "alt_names": list_of_present(*others),
                "jurisdiction": pc.coalesce(columns.pop_optional("jurisdiction"),
                                            columns.pop_optional("country_codes")),
                "incorporation_date": columns.pop_optional("incorporation_date"),
                "address": pc.coalesce(columns.pop_optional("address"), registered),
            },
            raw=([*keys, REGISTERED], [*arrays, registered]),
        )  # fmt: skip

    def _edges(self, columns: Columns) -> Iterator[Any]:
        start, end, kind = (columns.pop(c) for c in ("node_id_start", "node_id_end", "rel_type"))
        columns.ignore("status", "sourceID")
        between_records = pc.not_equal(kind, REGISTERED)  # addresses are on the records
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
