"""ICIJ Offshore Leaks: entity, officer, intermediary and "other" nodes as records; relationships
between them as edges. The download page names the current zip of CSV files. Address nodes are
neither companies nor persons: a `registered_address` edge gives its text to the record it
starts from (the record's address, when the node has none of its own; always in the raw payload
as `registered_address`), and no edge that touches an address node is a relationship."""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.compute as pc
from scrapy.http import Response, TextResponse

from pipelines.crawl_items import Note
from spiders.base import SourceSpider
from spiders.columns import Columns, ColumnUse, list_of_present
from spiders.listing import ListedFile, size_in_bytes

COMMON = ["sourceID", "valid_until", "note", "countries"]
ADDRESSES, RELATIONSHIPS, OTHERS = "nodes-addresses.csv", "relationships.csv", "nodes-others.csv"
REGISTERED = "registered_address"
# the CSV zip as the download page links it: full-oldb.LATEST.zip now, dated names before
# (full-oldb.20220503.zip, full-oldb-20211202.zip)
LISTED_ZIP = re.compile(r"full-oldb[.-](LATEST|\d{8})\.zip", re.IGNORECASE)
# the empty member that dates the build: GENERATED_ON_20250331.txt
GENERATED_ON = re.compile(r"GENERATED_ON_(\d{4})(\d{2})(\d{2})\.txt", re.IGNORECASE)


class IcijOffshoreLeaks(SourceSpider):
    name = "icij_offshore_leaks"
    # node id -> its registered addresses ("; " between several), from a first pass over the zip
    registered: pa.Table = pa.table(
        {"node": pa.array([], pa.string()), "text": pa.array([], pa.string())}
    )
    address_nodes: pa.Array = pa.array([], pa.string())  # every address node's id
    # edges left out because an end is an address node, by rel_type (registered_address ones
    # are on the records instead)
    address_edges: Counter[str]

    # discovery ------------------------------------------------------------------------------

    def listed_files(self, response: Response) -> list[ListedFile]:
        """The CSV zip the download page links (the Neo4j dump and other links are not it):
        full-oldb.LATEST.zip, or the newest dated one if the page names no LATEST."""
        if not isinstance(response, TextResponse):
            raise ValueError(f"{response.url} is not an HTML page")
        found: dict[str, ListedFile] = {}
        for anchor in response.css("a[href]"):
            url = response.urljoin(anchor.attrib["href"]).split("#", 1)[0]
            name = urlsplit(url).path.rsplit("/", 1)[-1]
            if LISTED_ZIP.fullmatch(name) and url not in found:
                text = " ".join([*anchor.css("::text").getall(), anchor.attrib.get("title", "")])
                found[url] = ListedFile(name, url, size_in_bytes(text))
        return _current(found.values())

    # the zip --------------------------------------------------------------------------------

    def wanted_member(self, name: str) -> bool:
        """The CSV members only: the GENERATED_ON_YYYYMMDD.txt member dates the build and
        holds no table."""
        return name.lower().endswith(".csv")

    def parse_file(self, response: Response) -> Iterator[Any]:
        yield _generated_on(response)
        self.address_edges = Counter()
        self.address_nodes, self.registered = self._registered_addresses(response)
        yield from super().parse_file(response)
        yield Note(
            f"{ADDRESSES}: {len(self.address_nodes)} address nodes;"
            f" {self.registered.num_rows} nodes registered at them"
        )
        if self.address_edges:
            counted = ", ".join(f"{n} {kind}" for kind, n in sorted(self.address_edges.items()))
            yield Note(
                f"{RELATIONSHIPS}: edges to or from address nodes, not relationships: {counted}"
            )

    def _registered_addresses(self, response: Response) -> tuple[pa.Array, pa.Table]:
        """Every address node, and the address nodes joined to the `registered_address`
        edges that point at them."""
        addresses: list[pa.Table] = []
        edges: list[pa.Table] = []
        for table in self.tables(response):
            member = _member(table.label)
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
        if not addresses:
            return pa.array([], pa.string()), self.registered
        nodes = pa.concat_tables(addresses)
        ids = nodes["address"].combine_chunks()
        if not edges:
            return ids, self.registered
        joined = pa.concat_tables(edges).join(nodes, "address")
        joined = joined.sort_by([("node", "ascending"), ("text", "ascending")])
        grouped = joined.group_by("node", use_threads=False).aggregate([("text", "list")])
        texts = pc.binary_join(grouped["text_list"], "; ")
        return ids, pa.table({"node": grouped["node"], "text": texts})

    def _registered_for(self, nodes: pa.Array) -> pa.Array:
        at = pc.index_in(nodes, value_set=self.registered["node"])
        return self.registered["text"].combine_chunks().take(at)

    def parse_columns(self, columns: Columns) -> Iterator[Any]:
        member = _member(columns.file.label)
        kind = self.meta.lookups["node_files"].get(member)
        if member == OTHERS:
            kinds, unmatched = self._other_kinds(columns.pop_optional("type"))
            if unmatched:
                listed = ", ".join(unmatched)
                yield Note(f"{member}: types not in other_types, kind from the name: {listed}")
            yield self._nodes(columns, kinds)
        elif kind is not None:
            yield self._nodes(columns, kind)
        elif member == RELATIONSHIPS:
            yield from self._edges(columns)
        elif member == ADDRESSES:
            columns.ignore(*columns.file.header)  # read by the first pass

    def _other_kinds(self, types: pa.Array) -> tuple[pa.Array, list[str]]:
        """Each other node's kind from its `type`, a legal form (mostly empty): the lookup's kind
        for the forms it names; none for the rest, so that the name decides as for any record
        that comes without a kind (a company word, such as FOUNDATION or TRUST, makes it a
        company's). And the types the lookup does not name."""
        known = self.meta.lookups["other_types"]
        upper = pc.utf8_upper(types)
        at = pc.index_in(upper, value_set=pa.array(list(known), pa.string()))
        kinds = pa.array(list(known.values()), pa.string()).take(at)
        unmatched = pc.unique(upper.filter(pc.and_(pc.is_null(at), pc.is_valid(upper))))
        return kinds, sorted(unmatched.to_pylist())

    def _nodes(self, columns: Columns, kind: str | pa.Array) -> Any:
        name = columns.pop("name")
        columns.ignore(*COMMON, "internal_id", "status", "jurisdiction_description",
                       "company_type", "inactivation_date", "struck_off_date", "dorm_date",
                       "closed_date", "service_provider", "ibcRUC")  # fmt: skip
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
        to_address = pc.or_kleene(
            pc.is_in(start, value_set=self.address_nodes),
            pc.is_in(end, value_set=self.address_nodes),
        )
        # addresses are on the records; a registered_address edge from a node not in the
        # files points at an address too
        between_records = pc.and_(pc.invert(to_address), pc.not_equal(kind, REGISTERED))
        left_out = pc.and_(to_address, pc.not_equal(kind, REGISTERED))
        for entry in pc.value_counts(kind.filter(left_out)).to_pylist():
            self.address_edges[str(entry["values"])] += int(entry["counts"])
        link = columns.pop("link")
        yield self.batch(
            "relationships",
            columns,
            {
                # a missing link still gives an edge its own key
                "relationship_id": pc.binary_join_element_wise(
                    start, kind, end, link, "|", null_handling="replace"
                ),
                "subject_id": start, "object_id": end, "role": pc.coalesce(link, kind),
                "start_date": columns.pop("start_date"), "end_date": columns.pop("end_date"),
            },
            between_records,
        )  # fmt: skip


def _member(label: str) -> str:
    """A zip member's file name, from a table's label (URL#member), folders left out."""
    return label.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _current(listed: Iterable[ListedFile]) -> list[ListedFile]:
    """The one zip to read: the LATEST one, else the newest by the date in its name (two
    would hold the same nodes twice)."""
    ranked = sorted(listed, key=lambda f: _stamp(f.name), reverse=True)
    return ranked[:1]


def _stamp(name: str) -> str:
    found = LISTED_ZIP.fullmatch(name)
    stamp = found.group(1).upper() if found else ""
    return "99999999" if stamp == "LATEST" else stamp


def _generated_on(response: Response) -> Note:
    """When ICIJ built the zip, from its GENERATED_ON_YYYYMMDD.txt member's name."""
    file = urlsplit(response.url).path.rsplit("/", 1)[-1]
    try:
        names = zipfile.ZipFile(io.BytesIO(response.body)).namelist()
    except zipfile.BadZipFile:
        names = []  # the reader rejects the file with its own reason
    for name in names:
        found = GENERATED_ON.fullmatch(name.rsplit("/", 1)[-1])
        if found:
            return Note(f"{file}: generated on {'-'.join(found.groups())} ({name})")
    return Note(f"{file}: no GENERATED_ON_YYYYMMDD.txt member; the build date is not known")
