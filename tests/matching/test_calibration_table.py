"""The calibration table's bands and the precision-recall curve, on pairs made by hand."""

from __future__ import annotations

from matching.calibration_table import DECILE_EDGES, band_cells, calibration_table
from matching.evaluate import CurvePoint, precision_recall_curve, thinned


def _pair(n: int) -> tuple[str, str, str]:
    return ("D1", "reg", str(n))


SCORED = [(_pair(1), 0.1), (_pair(2), 0.15), (_pair(3), 1.0), (_pair(4), 0.95), (_pair(5), 0.0)]
TRUTH = {_pair(1), _pair(3)}


def test_a_pair_at_an_edge_counts_in_the_band_above_and_one_at_1_in_the_last() -> None:
    bands = calibration_table(SCORED, TRUTH)
    assert len(bands) == 10 and [b.low for b in bands] == list(DECILE_EDGES[:-1])
    assert [b.pairs for b in bands] == [1, 2, 0, 0, 0, 0, 0, 0, 0, 2]
    second, last = bands[1], bands[-1]
    assert second.label == "[0.1, 0.2)" and last.label == "[0.9, 1.0]"
    assert second.mean_probability == 0.125 and second.observed_precision == 0.5
    assert last.mean_probability == 0.975 and last.observed_precision == 0.5
    assert bands[0].observed_precision == 0.0


def test_an_empty_band_has_no_mean_and_is_shown_with_dashes() -> None:
    empty = calibration_table(SCORED, TRUTH)[4]
    assert (empty.pairs, empty.mean_probability, empty.observed_precision) == (0, None, None)
    assert band_cells(empty) == ("[0.4, 0.5)", "0", "-", "-")
    assert all(b.pairs == 0 for b in calibration_table([], TRUTH))


def test_uneven_bands_end_closed_at_their_top_edge() -> None:
    bands = calibration_table(SCORED, TRUTH, (0.0, 0.1, 0.99, 1.0))
    assert [(b.label, b.pairs) for b in bands] == [
        ("[0.0, 0.1)", 1), ("[0.1, 0.99)", 3), ("[0.99, 1.0]", 1),
    ]  # fmt: skip


def test_the_curve_has_a_point_at_every_distinct_probability_ties_together() -> None:
    probability = {_pair(1): 0.9, _pair(2): 0.9, _pair(3): 0.5, _pair(4): 0.2}
    curve = precision_recall_curve(probability, {_pair(1), _pair(4), _pair(9)})
    assert curve == [
        CurvePoint(0.9, 2, 0.5, 1 / 3), CurvePoint(0.5, 3, 1 / 3, 1 / 3),
        CurvePoint(0.2, 4, 0.5, 2 / 3),
    ]  # fmt: skip


def test_a_long_curve_is_thinned_keeping_its_ends() -> None:
    curve = [CurvePoint(1 - n / 1000, n, 1.0, n / 1000) for n in range(1, 1001)]
    kept = thinned(curve, at_most=200)
    assert len(kept) == 200 and kept[0] == curve[0] and kept[-1] == curve[-1]
    assert len(set(kept)) == 200
    assert thinned(curve[:5]) == curve[:5]
