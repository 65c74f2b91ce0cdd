"""A match's contributions as the exports word them, the calibration's step among them."""

from __future__ import annotations

from typing import Any

from pipelines.exports.case import MatchExplained
from pipelines.exports.wording import Contribution, contributions, contributions_text

STORED: dict[str, Any] = {
    "company_name": {"level": 3, "bits": 10.18},
    "jurisdiction": {"level": 1, "bits": -0.51},
    "city": {"level": -1, "bits": 0.0},  # missing on one side: left out
    "among its candidates": {"level": "name score 1.00, +0.37 on the next candidate's",
                             "bits": 14.65},
}  # fmt: skip


def _match(stored: Any) -> MatchExplained:
    name = "TAK LOK COMPANY LIMITED"
    return MatchExplained("C1", "hk", "1", name, 0.9995, "", stored, "unreviewed")


def test_the_calibration_step_keeps_its_wording_and_sorts_by_strength() -> None:
    assert contributions(_match(STORED)) == [
        Contribution("among its candidates", "name score 1.00, +0.37 on the next candidate's",
                     14.65),
        Contribution("company_name", 3, 10.18),
        Contribution("jurisdiction", 1, -0.51),
    ]  # fmt: skip


def test_the_one_line_text_words_each_step() -> None:
    assert contributions_text(_match(STORED)) == (
        "among its candidates +14.7 bits (name score 1.00, +0.37 on the next candidate's); "
        "company_name +10.2 bits (level 3); jurisdiction -0.5 bits (level 1)"
    )
