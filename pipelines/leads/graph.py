"""A debtor's chains drawn as a graph a person can read: one standalone HTML file (inline SVG, no
script, nothing fetched), the debtor on the left, each hop one column to the right, every label
escaped (names come from crawled records)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from itertools import pairwise
from typing import Any

import duckdb

COLUMN, ROW, BOX_W, BOX_H = 330, 78, 210, 50  # the gap between boxes holds an edge's label
FILL = {"debtor": "#eeeeee", "record": "#eef3fb", "asset": "#eaf6ea"}
STROKE = {"debtor": "#666666", "record": "#4a6fa5", "asset": "#3c8d3c"}


@dataclass(frozen=True)
class _Node:
    name: str  # a record's name, a title's address, the debtor's name
    detail: str  # where it is from: source and id
    kind: str  # 'debtor', 'record' or 'asset'


@dataclass
class _Graph:
    columns: dict[str, int] = field(default_factory=dict)  # node -> column (its first hop)
    nodes: dict[str, _Node] = field(default_factory=dict)
    edges: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # role, certainty

    def add_path(self, debtor: _Node, path: list[dict[str, Any]], names: dict[str, str]) -> None:
        previous = f"debtors|{debtor.detail}"
        self.columns.setdefault(previous, 0)
        self.nodes.setdefault(previous, debtor)
        for number, hop in enumerate(path, start=1):
            node = f"{hop['to_source']}|{hop['to_id']}"
            self.columns[node] = min(self.columns.get(node, number), number)
            kind = "asset" if hop["to_type"] == "asset" else "record"
            detail = f"{hop['to_source']} {hop['to_id']}"
            self.nodes.setdefault(node, _Node(names.get(node) or detail, detail, kind))
            role = "same company" if hop["via"] == "same_entity" else hop["role"]
            if str(hop.get("reason") or "").endswith("; ceased"):
                role += " (ceased)"
            self.edges.setdefault((previous, node), (role, f"{hop['certainty']:.2f}"))
            previous = node


def debtor_graph_html(con: duckdb.DuckDBPyConnection, debtor_id: str) -> str | None:
    """The page, or None when the debtor has no live lead."""
    rows = con.execute(
        "SELECT l.path::VARCHAR, l.confidence, l.weakest, l.value, l.via_related, d.name"
        " FROM leads l LEFT JOIN debtors d USING (debtor_id)"
        " WHERE l.debtor_id = ? AND l.gone_at IS NULL"
        " ORDER BY l.confidence * coalesce(l.value, 1) DESC, l.confidence DESC, l.lead_id"
        " LIMIT 200",
        [debtor_id],
    ).fetchall()
    if not rows:
        return None
    paths = [json.loads(row[0]) for row in rows]
    names = _names(con, paths)
    debtor = _Node(rows[0][5] or debtor_id, debtor_id, "debtor")
    graph = _Graph()
    for path in paths:
        graph.add_path(debtor, path, names)
    chains = [_chain_row(path, row[1:5], graph) for path, row in zip(paths, rows, strict=True)]
    return _page(debtor, graph, chains)


def _names(con: duckdb.DuckDBPyConnection, paths: list[list[dict[str, Any]]]) -> dict[str, str]:
    """Record names and title addresses (with their price paid) for the nodes on the paths."""
    keys = {(hop["to_source"], hop["to_id"], hop["to_type"]) for path in paths for hop in path}
    con.execute("CREATE OR REPLACE TEMP TABLE graph_nodes (s VARCHAR, i VARCHAR, t VARCHAR)")
    con.executemany("INSERT INTO graph_nodes VALUES (?, ?, ?)", sorted(keys))
    found = con.execute(
        "SELECT n.s || '|' || n.i, coalesce(r.name, a.address"
        " || coalesce(', £' || format('{:,}', a.price_paid::BIGINT), ''))"
        " FROM graph_nodes n"
        " LEFT JOIN records r ON n.t = 'record' AND r.source = n.s AND r.source_id = n.i"
        " LEFT JOIN assets a ON n.t = 'asset' AND a.source = n.s AND a.asset_id = n.i"
    ).fetchall()
    return {key: name for key, name in found if name}


def _chain_row(path: list[dict[str, Any]], figures: tuple[Any, ...], graph: _Graph) -> str:
    """One lead as a table row: confidence, weakest hop, value, and its chain in words."""
    confidence, weakest, value, via_related = figures
    steps = [
        f"—{escape(graph.edges[(a, b)][0])} {graph.edges[(a, b)][1]}→ {escape(graph.nodes[b].name)}"
        for a, b in _pairs(path, graph)
    ]
    price = f"£{value:,.0f}" if value is not None else ""
    via = f" (via {escape(via_related)})" if via_related else ""
    return (
        f"<tr><td>{confidence:.3f}</td><td>{weakest:.2f}</td><td>{price}</td>"
        f"<td>{' '.join(steps)}{via}</td></tr>"
    )


def _pairs(path: list[dict[str, Any]], graph: _Graph) -> list[tuple[str, str]]:
    debtor = next(node for node, column in graph.columns.items() if column == 0)
    nodes = [debtor] + [f"{hop['to_source']}|{hop['to_id']}" for hop in path]
    return list(pairwise(nodes))


def _page(debtor: _Node, graph: _Graph, chains: list[str]) -> str:
    places = _places(graph)
    width = (max(graph.columns.values()) + 1) * COLUMN + 40
    height = (max(row for _, row in places.values()) + 1) * ROW + 40
    lines = [_line(places[a], places[b], label) for (a, b), label in graph.edges.items()]
    boxes = [_box(places[key], node, key) for key, node in graph.nodes.items()]
    named = f" {debtor.name}" if debtor.name != debtor.detail else ""
    title = escape(f"Leads of debtor {debtor.detail}{named}")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
        "<style>body{font-family:'Noto Sans CJK SC','Noto Sans',sans-serif;margin:16px}"
        "text{font-size:12px}text.detail{font-size:10px;fill:#666}"
        "table{border-collapse:collapse;margin-top:16px}"
        "td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px;text-align:left}</style>"
        f"</head><body><h1>{title}</h1>"
        "<p>Each arrow is one hop, with its role and its certainty; a lead's confidence is the"
        " product of its hops. Blue: a register's record; green: a property title.</p>"
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}'>"
        "<defs><marker id='arrow' markerWidth='8' markerHeight='8' refX='8' refY='4'"
        " orient='auto'><path d='M0,0 L8,4 L0,8 z' fill='#555'/></marker></defs>"
        + "".join(lines)
        + "".join(boxes)
        + "</svg><table><tr><th>confidence</th><th>weakest hop</th><th>value</th>"
        "<th>chain</th></tr>" + "".join(chains) + "</table></body></html>\n"
    )


def _places(graph: _Graph) -> dict[str, tuple[int, int]]:
    rows: dict[int, int] = {}
    places = {}
    for node, column in sorted(graph.columns.items(), key=lambda item: (item[1], item[0])):
        places[node] = (column, rows.get(column, 0))
        rows[column] = rows.get(column, 0) + 1
    return places


def _line(start: tuple[int, int], end: tuple[int, int], label: tuple[str, str]) -> str:
    x1, y1 = 20 + start[0] * COLUMN + BOX_W, 20 + start[1] * ROW + BOX_H // 2
    x2, y2 = 20 + end[0] * COLUMN, 20 + end[1] * ROW + BOX_H // 2
    middle_x, middle_y = (x1 + x2) // 2, (y1 + y2) // 2
    role, certainty = label
    return (
        f"<line x1='{x1}' y1='{y1}' x2='{x2}' y2='{y2}' stroke='#555'"
        " marker-end='url(#arrow)'/>"
        f"<text x='{middle_x}' y='{middle_y - 5}' text-anchor='middle' fill='#333'>"
        f"{escape(_short(role, 18))}</text>"
        f"<text x='{middle_x}' y='{middle_y + 14}' text-anchor='middle' fill='#333'>"
        f"{certainty}</text>"
    )


def _box(place: tuple[int, int], node: _Node, key: str) -> str:
    x, y = 20 + place[0] * COLUMN, 20 + place[1] * ROW
    detail = (
        f"<text class='detail' x='{x + 8}' y='{y + 38}'>{escape(_short(node.detail, 36))}</text>"
        if node.detail != node.name
        else ""
    )
    return (
        f"<g><title>{escape(node.name)} ({escape(key)})</title><rect x='{x}' y='{y}'"
        f" width='{BOX_W}' height='{BOX_H}' rx='6' fill='{FILL[node.kind]}'"
        f" stroke='{STROKE[node.kind]}'/>"
        f"<text x='{x + 8}' y='{y + 20}'>{escape(_short(node.name, 28))}</text>{detail}</g>"
    )


def _short(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"
