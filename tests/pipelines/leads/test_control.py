"""Natures of control: every band, every variant, and what is not known."""

from __future__ import annotations

import pytest

from pipelines.leads.control import Control, nature_table, parse_natures

BANDS = {"25-to-50": (25.0, 50.0), "50-to-75": (50.0, 75.0), "75-to-100": (75.0, 100.0)}


@pytest.mark.parametrize("band", sorted(BANDS))
@pytest.mark.parametrize(
    ("via", "trust", "firm"),
    [("", False, False), ("-as-trust", True, False), ("-as-firm", False, True)],
)
def test_company_share_and_vote_bands(band: str, via: str, trust: bool, firm: bool) -> None:
    low, high = BANDS[band]
    shares = parse_natures([f"ownership-of-shares-{band}-percent{via}"])
    assert shares == Control(
        share_min=low, share_max=high, as_trust=trust, as_firm=firm, entity_type="company"
    )
    votes = parse_natures([f"voting-rights-{band}-percent{via}"])
    assert votes == Control(
        votes_min=low, votes_max=high, as_trust=trust, as_firm=firm, entity_type="company"
    )


@pytest.mark.parametrize("band", sorted(BANDS))
@pytest.mark.parametrize("via", ["", "-as-trust", "-as-firm"])
def test_llp_and_partnership_bands(band: str, via: str) -> None:
    low, high = BANDS[band]
    llp = parse_natures(
        [f"right-to-share-surplus-assets-{band}-percent{via}-limited-liability-partnership"]
    )
    assert (llp.share_min, llp.share_max, llp.entity_type) == (low, high, "llp")
    votes = parse_natures([f"voting-rights-{band}-percent{via}-limited-liability-partnership"])
    assert (votes.votes_min, votes.votes_max, votes.entity_type) == (low, high, "llp")
    partnership = parse_natures([f"part-right-to-share-surplus-assets-{band}-percent{via}"])
    assert (partnership.share_min, partnership.share_max) == (low, high)
    assert partnership.entity_type == "partnership"
    assert llp.as_trust == votes.as_trust == partnership.as_trust == (via == "-as-trust")


@pytest.mark.parametrize(
    ("via", "trust", "firm"),
    [("", False, False), ("-as-trust", True, False), ("-as-firm", False, True),
     ("-as-control-over-trust", True, False), ("-as-control-over-firm", False, True)],
)  # fmt: skip
def test_overseas_entity_natures(via: str, trust: bool, firm: bool) -> None:
    shares = parse_natures(
        [f"ownership-of-shares-more-than-25-percent{via}-registered-overseas-entity"]
    )
    assert (shares.share_min, shares.share_max, shares.entity_type) == (25.0, 100.0, "roe")
    votes = parse_natures([f"voting-rights-more-than-25-percent{via}-registered-overseas-entity"])
    assert (votes.votes_min, votes.votes_max) == (25.0, 100.0)
    appoints = parse_natures(
        [f"right-to-appoint-and-remove-directors{via}-registered-overseas-entity"]
    )
    influence = parse_natures([f"significant-influence-or-control{via}-registered-overseas-entity"])
    assert appoints.appoints_directors and influence.significant_influence
    for control in (shares, votes, appoints, influence):
        assert (control.as_trust, control.as_firm, control.unknown) == (trust, firm, [])


@pytest.mark.parametrize(
    ("nature", "appoints", "influence", "entity"),
    [
        ("right-to-appoint-and-remove-directors", True, False, "company"),
        ("right-to-appoint-and-remove-directors-as-trust", True, False, "company"),
        ("right-to-appoint-and-remove-members-limited-liability-partnership", True, False, "llp"),
        ("right-to-appoint-and-remove-person-as-firm", True, False, "partnership"),
        ("significant-influence-or-control", False, True, "company"),
        ("significant-influence-or-control-as-firm", False, True, "company"),
        ("significant-influence-or-control-limited-liability-partnership", False, True, "llp"),
    ],
)
def test_appointing_and_influence(
    nature: str, appoints: bool, influence: bool, entity: str
) -> None:
    control = parse_natures([nature])
    assert (control.appoints_directors, control.significant_influence) == (appoints, influence)
    assert control.entity_type == entity
    assert control.share_min is control.votes_min is None


@pytest.mark.parametrize("place", ["england-wales", "scotland", "northern-ireland"])
def test_registered_owner_as_nominee(place: str) -> None:
    control = parse_natures(
        [f"registered-owner-as-nominee-person-{place}-registered-overseas-entity"]
    )
    assert (control.nominee_for, control.entity_type) == (place, "roe")


def test_several_natures_combine() -> None:
    control = parse_natures(
        ["ownership-of-shares-75-to-100-percent", "voting-rights-75-to-100-percent",
         "right-to-appoint-and-remove-directors"]
    )  # fmt: skip
    assert (control.share_min, control.share_max) == (75.0, 100.0)
    assert (control.votes_min, control.votes_max) == (75.0, 100.0)
    assert control.appoints_directors and not control.significant_influence
    # two share bands (held directly and through a trust): the hull of both
    hull = parse_natures(
        ["ownership-of-shares-25-to-50-percent", "ownership-of-shares-50-to-75-percent-as-trust"]
    )
    assert (hull.share_min, hull.share_max, hull.as_trust) == (25.0, 75.0, True)


def test_unknown_natures_are_named_and_the_rest_read() -> None:
    control = parse_natures(["ownership-of-shares-50-to-75-percent", "part-ownership-of-moon"])
    assert control.unknown == ["part-ownership-of-moon"]
    assert (control.share_min, control.share_max) == (50.0, 75.0)
    assert parse_natures([]) == Control()
    assert parse_natures(["Ownership-Of-Shares-25-To-50-Percent"]).unknown == [
        "Ownership-Of-Shares-25-To-50-Percent"
    ]


def test_the_table_is_whole() -> None:
    table = nature_table()
    assert len(table) == 86
    for nature, control in table.items():
        assert control.entity_type in ("company", "llp", "partnership", "roe"), nature
        assert nature.endswith("-registered-overseas-entity") == (control.entity_type == "roe")
        assert nature.endswith("-limited-liability-partnership") == (control.entity_type == "llp")
        assert ("-as-trust" in nature or "over-trust" in nature) == control.as_trust, nature
        assert ("-as-firm" in nature or "over-firm" in nature) == control.as_firm, nature
