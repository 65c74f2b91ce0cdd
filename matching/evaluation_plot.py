"""`oad evaluate --plot`: the reliability diagram and the precision-recall curve side by side, one
standalone HTML file (inline SVG, no script, nothing fetched), every text escaped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape
from itertools import pairwise
from math import sqrt

from matching.calibration_table import Band, band_cells
from matching.evaluate import CurvePoint, Evaluation, thinned

LEFT, RIGHT, TOP, BOTTOM = 60, 20, 36, 72  # margins around a chart's square of 0..1 by 0..1
SIDE = 380
WIDTH, HEIGHT = LEFT + SIDE + RIGHT, TOP + SIDE + BOTTOM
TICKS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
STYLE = (
    "body{font-family:'Noto Sans','Noto Sans CJK SC',sans-serif;margin:16px;color:#222}"
    ".charts{display:flex;flex-wrap:wrap;gap:24px}"
    "svg text{font-size:12px;fill:#333}svg text.small{font-size:10px;fill:#555}"
    "table{border-collapse:collapse;margin-top:16px}"
    "td,th{border:1px solid #ccc;padding:3px 10px;font-size:13px;text-align:right}"
)


def evaluation_html(result: Evaluation, labels: str, made_at: dt.datetime) -> str:
    """The page for RESULT, read from the labels file LABELS, made at MADE_AT."""
    title = (
        f"Match quality: {result.labelled_debtors} labelled debtors, {result.true_pairs} true pairs"
    )
    made = f"{labels}; made {made_at:%Y-%m-%d %H:%M} UTC"
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h2>{escape(title)}</h2><p>{escape(made)}</p><div class='charts'>"
        f"{reliability_svg(result.calibration)}"
        f"{precision_recall_svg(thinned(result.curve), result)}</div>"
        f"{_table(result.calibration)}</body></html>"
    )


def reliability_svg(bands: Sequence[Band]) -> str:
    """Observed precision against mean probability per band, the diagonal a model whose
    probabilities mean what they say would follow; a point's area and label its pair count.
    Neighbouring bands are joined, a band with no pair breaks the line."""
    most = max((b.pairs for b in bands), default=0) or 1
    spots = [_spot(b) for b in bands]
    joins = "".join(
        _line([a, b], "#4a6fa5") for a, b in pairwise(spots) if a is not None and b is not None
    )
    marks = [
        f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{_radius(b, most):.1f}' fill='#4a6fa5'"
        f" fill-opacity='0.55' stroke='#2c4770'><title>{escape(', '.join(band_cells(b)))}"
        f"</title></circle><text class='small' x='{x + _radius(b, most) + 3:.1f}'"
        f" y='{y - _radius(b, most):.1f}'>{b.pairs}</text>"
        for b, spot in zip(bands, spots, strict=True)
        if spot is not None
        for x, y in [spot]
    ]
    return _chart(
        "Reliability: observed precision per probability band",
        ("mean predicted probability", "observed precision (true pairs / pairs)"),
        "dashed: probability as observed; a point's area and label: its pairs",
        f"<line x1='{_x(0)}' y1='{_y(0)}' x2='{_x(1)}' y2='{_y(1)}' stroke='#999'"
        f" stroke-dasharray='5 4'/>{joins}{''.join(marks)}",
    )


def _spot(band: Band) -> tuple[float, float] | None:
    if band.mean_probability is None or band.observed_precision is None:
        return None
    return _x(band.mean_probability), _y(band.observed_precision)


def _radius(band: Band, most: int) -> float:
    return 3 + 9 * sqrt(band.pairs / most)


def precision_recall_svg(curve: Sequence[CurvePoint], result: Evaluation) -> str:
    """Precision against recall as the threshold falls, the current threshold marked."""
    mark = (
        f"<circle cx='{_x(result.recall):.1f}' cy='{_y(result.precision):.1f}' r='5'"
        " fill='#c62828'/>"
    )
    legend = (
        f"red: p ≥ {result.threshold}, {result.predicted_links} links, "
        f"precision {result.precision:.3f}, recall {result.recall:.3f}"
    )
    line = _line([(_x(p.recall), _y(p.precision)) for p in curve], "#2e7d32")
    return _chart(
        "Precision-recall as the threshold falls", ("recall", "precision"), legend, line + mark
    )


def _chart(title: str, axes: tuple[str, str], legend: str, drawing: str) -> str:
    grid = "".join(
        f"<line x1='{_x(t)}' y1='{_y(0)}' x2='{_x(t)}' y2='{_y(1)}' stroke='#eee'/>"
        f"<line x1='{_x(0)}' y1='{_y(t)}' x2='{_x(1)}' y2='{_y(t)}' stroke='#eee'/>"
        f"<text x='{_x(t)}' y='{_y(0) + 16}' text-anchor='middle'>{t:.1f}</text>"
        f"<text x='{_x(0) - 6}' y='{_y(t) + 4}' text-anchor='end'>{t:.1f}</text>"
        for t in TICKS
    )
    x_axis, y_axis = (escape(a) for a in axes)
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{HEIGHT}'"
        f" role='img' aria-label='{escape(title)}'>"
        f"<text x='{LEFT}' y='20' style='font-weight:bold'>{escape(title)}</text>{grid}"
        f"<rect x='{LEFT}' y='{TOP}' width='{SIDE}' height='{SIDE}' fill='none' stroke='#999'/>"
        f"<text x='{LEFT + SIDE / 2}' y='{TOP + SIDE + 36}' text-anchor='middle'>{x_axis}</text>"
        f"<text class='small' x='{LEFT}' y='{HEIGHT - 10}'>{escape(legend)}</text>"
        f"<text transform='translate(16 {TOP + SIDE / 2}) rotate(-90)' text-anchor='middle'>"
        f"{y_axis}</text>{drawing}</svg>"
    )


def _line(points: Sequence[tuple[float, float]], colour: str) -> str:
    if len(points) < 2:
        return ""
    joined = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return f"<polyline points='{joined}' fill='none' stroke='{colour}' stroke-width='2'/>"


def _table(bands: Sequence[Band]) -> str:
    head = "".join(
        f"<th>{h}</th>" for h in ("band", "pairs", "mean probability", "observed precision")
    )
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in band_cells(b)) + "</tr>"
        for b in bands
    )
    return f"<table class='calibration'><tr>{head}</tr>{rows}</table>"


def _x(value: float) -> float:
    return LEFT + value * SIDE


def _y(value: float) -> float:
    return TOP + (1 - value) * SIDE
