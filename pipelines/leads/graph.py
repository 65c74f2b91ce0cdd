"""A debtor's chains drawn as a graph a person can read: one standalone HTML file (inline SVG, no
script, nothing fetched), the debtor on the left, each hop one column to the right, every label
escaped (names come from crawled records)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from typing import Any

import duckdb

COLUMN, ROW, BOX_W, BOX_H = 260, 70, 210, 44


@dataclass
class _Graph:
    columns: dict[str, int] = field(default_factory=dict)  # node -> column (its first hop)
    labels: dict[str, str] = field(default_factory=dict)
    edges: dict[tuple[str, str], str] = field(default_factory=dict)  # (from, to) -> label

    def add_path(self, debtor: str, path: list[dict[str, Any]], names: dict[str, str]) -> None:
        previous = f"debtors|{debtor}"
        self.columns.setdefault(previous, 0)
        self.labels.setdefault(previous, f"debtor {debtor}")
        for number, hop in enumerate(path, start=1):
            node = f"{hop['to_source']}|{hop['to_id']}"
            self.columns[node] = min(self.columns.get(node, number), number)
            self.labels.setdefault(node, names.get(node) or f"{hop['to_source']} {hop['to_id']}")
            self.edges.setdefault((previous, node), f"{hop['role']} {hop['certainty']:.2f}")
            previous = node


def debtor_graph_html(con: duckdb.DuckDBPyConnection, debtor_id: str) -> str | None:
    """The page, or None when the debtor has no live lead."""
    rows = con.execute(
        "SELECT path::VARCHAR FROM leads WHERE debtor_id = ? AND gone_at IS NULL"
        " ORDER BY confidence DESC LIMIT 200",
        [debtor_id],
    ).fetchall()
    if not rows:
        return None
    paths = [json.loads(row[0]) for row in rows]
    graph = _Graph()
    names = _names(con, paths)
    for path in paths:
        graph.add_path(debtor_id, path, names)
    return _page(debtor_id, graph)


def _names(con: duckdb.DuckDBPyConnection, paths: list[list[dict[str, Any]]]) -> dict[str, str]:
    """Record names and title addresses for the nodes on the paths."""
    keys = {(hop["to_source"], hop["to_id"], hop["to_type"]) for path in paths for hop in path}
    con.execute("CREATE OR REPLACE TEMP TABLE graph_nodes (s VARCHAR, i VARCHAR, t VARCHAR)")
    con.executemany("INSERT INTO graph_nodes VALUES (?, ?, ?)", sorted(keys))
    found = con.execute(
        "SELECT n.s || '|' || n.i, coalesce(r.name, a.address || coalesce(' (title ' || n.i"
        " || ')', '')) FROM graph_nodes n"
        " LEFT JOIN records r ON n.t = 'record' AND r.source = n.s AND r.source_id = n.i"
        " LEFT JOIN assets a ON n.t = 'asset' AND a.source = n.s AND a.asset_id = n.i"
    ).fetchall()
    return {key: name for key, name in found if name}


def _page(debtor_id: str, graph: _Graph) -> str:
    places = _places(graph)
    width = (max(graph.columns.values()) + 1) * COLUMN + 40
    height = (max(row for _, row in places.values()) + 1) * ROW + 40
    lines = [_line(places[a], places[b], label) for (a, b), label in graph.edges.items()]
    boxes = [_box(places[node], graph.labels[node], node) for node in graph.columns]
    title = escape(f"Leads of debtor {debtor_id}")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
        "<style>body{font-family:'Noto Sans CJK SC','Noto Sans',sans-serif;margin:16px}"
        "text{font-size:12px}</style></head><body>"
        f"<h1>{title}</h1><p>Each arrow is one hop: its role and its certainty.</p>"
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}'>"
        "<defs><marker id='arrow' markerWidth='8' markerHeight='8' refX='8' refY='4'"
        " orient='auto'><path d='M0,0 L8,4 L0,8 z' fill='#555'/></marker></defs>"
        + "".join(lines)
        + "".join(boxes)
        + "</svg></body></html>\n"
    )


def _places(graph: _Graph) -> dict[str, tuple[int, int]]:
    rows: dict[int, int] = {}
    places = {}
    for node, column in sorted(graph.columns.items(), key=lambda item: (item[1], item[0])):
        places[node] = (column, rows.get(column, 0))
        rows[column] = rows.get(column, 0) + 1
    return places


def _line(start: tuple[int, int], end: tuple[int, int], label: str) -> str:
    x1, y1 = 20 + start[0] * COLUMN + BOX_W, 20 + start[1] * ROW + BOX_H // 2
    x2, y2 = 20 + end[0] * COLUMN, 20 + end[1] * ROW + BOX_H // 2
    return (
        f"<line x1='{x1}' y1='{y1}' x2='{x2}' y2='{y2}' stroke='#555'"
        " marker-end='url(#arrow)'/>"
        f"<text x='{(x1 + x2) // 2 - 20}' y='{(y1 + y2) // 2 - 4}' fill='#333'>"
        f"{escape(label)}</text>"
    )


def _box(place: tuple[int, int], label: str, node: str) -> str:
    x, y = 20 + place[0] * COLUMN, 20 + place[1] * ROW
    shown = label if len(label) <= 30 else label[:29] + "…"
    return (
        f"<g><title>{escape(node)}</title><rect x='{x}' y='{y}' width='{BOX_W}'"
        f" height='{BOX_H}' rx='6' fill='#eef3fb' stroke='#4a6fa5'/>"
        f"<text x='{x + 8}' y='{y + 26}'>{escape(shown)}</text></g>"
    )
