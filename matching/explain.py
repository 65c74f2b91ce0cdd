"""Why a pair scored as it did: ranked candidates in text, and one pair as a waterfall chart."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import duckdb

from matching.model_levels import level_labels
from matching.models_store import latest_model
from matching.name_features import agreed_parts
from matching.ranking import RANKED
from matching.splink_model import prior_bits
from pipelines.errors import OadError


@dataclass(frozen=True)
class Step:
    comparison: str
    level: str
    bits: float


@dataclass(frozen=True)
class Candidate:
    rank: int
    source: str
    source_id: str
    record_name: str | None
    probability: float
    weight: float | None
    reason: str | None
    steps: list[Step]
    agreed: tuple[str, ...] = ()  # the parts of the names that agreed


def candidates(con: duckdb.DuckDBPyConnection, debtor_id: str, limit: int = 10) -> list[Candidate]:
    if not con.execute("SELECT 1 FROM debtors WHERE debtor_id = ?", [debtor_id]).fetchall():
        raise OadError(f"no debtor {debtor_id!r}")
    rows = con.execute(
        f"SELECT m.rank, m.source, m.source_id, m.record_name, m.match_probability,"
        f" m.match_weight, m.reason, m.contributions, m.model_version"
        # ranks are within a debtor: its matches are ranked alone, not the whole table's
        f" FROM ({RANKED} WHERE m.debtor_id = $debtor) m"
        f" WHERE m.rank <= $limit ORDER BY m.rank",
        {"debtor": debtor_id, "limit": limit},
    ).fetchall()
    names = _names(con, debtor_id, [(row[1], row[2]) for row in rows])
    kind, debtor_names = names.get(("debtor", "debtors", debtor_id), (None, None))
    labels = model_labels(con, {row[8] for row in rows if row[8]})
    found = []
    for rank, src, sid, name, prob, weight, reason, contrib, version in rows:
        record_names = names.get(("record", src, sid), (None, None))[1]
        agreed = (
            tuple(agreed_parts(kind, debtor_names, record_names))
            if kind and debtor_names and record_names
            else ()
        )
        steps = steps_of(contrib, labels.get(version))
        found.append(Candidate(rank, src, sid, name, prob, weight, reason, steps, agreed))
    return found


def _names(
    con: duckdb.DuckDBPyConnection, debtor_id: str, records: list[tuple[str, str]]
) -> dict[tuple[str, str, str], tuple[str | None, list[str] | None]]:
    """(side, source, id) -> (kind, names) of the debtor and its RECORDS, by an IN list of
    ids: a join with `features` read every row's names (tens of milliseconds a page)."""
    ids = sorted({debtor_id} | {source_id for _, source_id in records})
    placeholders = ", ".join(f"$i{n}" for n in range(len(ids)))
    found = con.execute(
        f"SELECT side, source, entity_id, kind, names FROM features"
        f" WHERE entity_id IN ({placeholders})",
        {f"i{n}": entity_id for n, entity_id in enumerate(ids)},
    ).fetchall()
    return {(side, source, entity_id): (kind, names) for side, source, entity_id, kind, names
            in found}  # fmt: skip


def model_labels(
    con: duckdb.DuckDBPyConnection, versions: Iterable[str] | None = None
) -> dict[str, tuple[float, dict[str, dict[int, str]]]]:
    """Each model's prior and level names, by version: of VERSIONS only, when given (each model
    read is a parse of its JSON)."""
    if versions is None:
        versions = [str(v) for (v,) in con.execute("SELECT version FROM models").fetchall()]
    out = {}
    for version in set(versions):
        model = latest_model(con, version)
        if model is not None:
            out[version] = (prior_bits(model.model), level_labels(model.model))
    return out


def stored_level(said: object) -> int | str:
    """A stored contribution's level: a model comparison's is its number; a later step (the
    calibration, `matching/calibration.py`) says its own in words."""
    return said if isinstance(said, str) else int(said)  # type: ignore[call-overload]


def steps_of(
    contributions: str | None, labels: tuple[float, dict[str, dict[int, str]]] | None
) -> list[Step]:
    if not contributions or labels is None:
        return []
    prior, names = labels
    steps = [Step("prior", "two random records", prior)]
    for comparison, value in json.loads(contributions).items():
        said = stored_level(value["level"])
        level = said if isinstance(said, str) else names.get(comparison, {}).get(said, str(said))
        steps.append(Step(comparison, level, float(value["bits"])))
    return steps


def render_text(debtor: dict[str, Any], found: list[Candidate]) -> str:
    lines = [f"{debtor['debtor_id']}  {debtor['name']}  ({debtor['kind']})"]
    if not found:
        lines.append("  no candidates: run `oad match` first, or nothing abroad matched")
    for c in found:
        weight = "" if c.weight is None else f", weight {c.weight:+.1f} bits"
        lines.append(
            f"{c.rank:>3}. {c.probability:.3f}  {c.record_name}  [{c.source} {c.source_id}]{weight}"
        )
        if c.reason:
            lines.append(f"       {c.reason}")
        if c.agreed:
            lines.append(f"       names agree on: {', '.join(c.agreed)}")
        agreed = [
            s for s in c.steps if s.comparison != "prior" and s.level != "missing on one side"
        ]
        for step in agreed:
            lines.append(f"       {step.bits:+6.2f}  {step.comparison}: {step.level}")
    return "\n".join(lines)


def waterfall_html(title: str, subtitle: str, steps: list[Step], probability: float) -> str:
    """A self-contained HTML waterfall of match weight; every text from data is escaped."""
    width, row, left = 720, 28, 260
    total = sum(s.bits for s in steps)
    span = max(sum(abs(s.bits) for s in steps), 1.0)
    scale = (width - left - 40) / (2 * span)
    middle = left + (width - left) / 2
    bars, running = [], 0.0
    for index, step in enumerate(steps):
        start, running = running, running + step.bits
        x0, x1 = sorted((middle + start * scale, middle + running * scale))
        colour = "#2e7d32" if step.bits >= 0 else "#c62828"
        y = 40 + index * row
        label = html.escape(f"{step.comparison}: {step.level}")
        bars.append(
            f'<text x="8" y="{y + 17}" font-size="12">{label}</text>'
            f'<rect x="{x0:.1f}" y="{y + 4}" width="{max(x1 - x0, 1):.1f}" height="{row - 8}"'
            f' fill="{colour}"/><text x="{x1 + 4:.1f}" y="{y + 17}" font-size="11">'
            f"{step.bits:+.2f}</text>"
        )
    height = 60 + len(steps) * row
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body style='font-family:sans-serif'>"
        f"<h2>{html.escape(title)}</h2><p>{html.escape(subtitle)}</p>"
        f"<p>Match weight {total:+.2f} bits; probability {probability:.4f}</p>"
        f'<svg width="{width}" height="{height}" role="img">'
        f'<line x1="{middle}" y1="30" x2="{middle}" y2="{height - 10}" stroke="#999"/>'
        + "".join(bars)
        + "</svg></body></html>"
    )
