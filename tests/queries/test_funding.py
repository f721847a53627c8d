"""Funding lenses: Herfindahl, dependency, flows and the gap matrix against hand-computed values."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.snapshot import Snapshot
from queries.funding import (
    dependency_on_largest_funder,
    funding_flows,
    funding_gaps,
    herfindahl,
    organisation_dependency,
)
from queries.grants import Period, grant_years, parse_period
from tests.factories import GraphBuilder


@pytest.fixture
def money(tmp_path: Path) -> Snapshot:
    """Three funds, three organisations; amounts chosen so every answer can be worked out by hand.

    * o1: fund A 6000 + 2000 (two grants), fund B 2000  → total 10000, A = 80 %, HHI 0.68
    * o2: fund B 5000, fund C 5000                      → total 10000, 50 %, HHI 0.5
    * o3: fund C 3000 in 2019 only                      → out of the 2023-2025 period
    * o4: no money at all
    """
    return (
        GraphBuilder()
        .district("west", "West", code="E").area("w1", "Wijk Een", code="E1", part_of="west")
        .district("nw", "Nieuw-West", code="F").area("w2", "Wijk Twee", code="F2", part_of="nw")
        .fund("fa", "Fonds A", priorities=["taal"]).fund("fb", "Fonds B").fund("fc", "Fonds C")
        .org("o1", "Eerste", interests=[("taal", 3), ("opvoeding", 1)], areas=["w1"])
        .org("o2", "Tweede", interests=["taal"], areas=["w1", "w2"])
        .org("o3", "Derde", interests=["sport"], areas=["w2"])
        .org("o4", "Vierde", areas=["w2"])
        .grant("fa", "o1", 6000, year=2024).grant("fa", "o1", 2000, year=2025)
        .grant("fb", "o1", 2000, start="2023-09-01", end="2024-06-30")
        .grant("fb", "o2", 5000, year=2024).grant("fc", "o2", 5000, year=2023)
        .grant("fc", "o3", 3000, year=2019)
        .snapshot(tmp_path)
    )


@pytest.mark.parametrize(("amounts", "expected"), [
    ([80, 20], 0.68), ([50, 50], 0.5), ([1], 1.0), ([25, 25, 25, 25], 0.25), ([], 0.0), ([0, -5], 0.0),
    ([6000, 2000, 2000], 0.44),  # shares .6 .2 .2: .36 + .04 + .04
])
def test_herfindahl_matches_hand_computation(amounts: list[float], expected: float) -> None:
    assert herfindahl(amounts) == pytest.approx(expected)


def test_dependency_per_organisation_matches_hand_computation(money: Snapshot) -> None:
    o1 = organisation_dependency(money, "o1")
    assert (o1.total, o1.largest and o1.largest.fund, o1.share) == (10000, "fa", pytest.approx(0.8))
    assert o1.herfindahl == pytest.approx(0.68)
    assert o1.largest is not None and o1.largest.grants == 2
    assert o1.reason_nl == "80 % van het geld komt van Fonds A (2 fondsen in totaal)."
    assert o1.reason_en == "80% of the money comes from Fonds A (2 funds in all)."
    o4 = organisation_dependency(money, "o4")
    assert (o4.total, o4.share, o4.largest, o4.reason_en) == (0, 0.0, None, "No recorded funding.")


def test_dependency_list_is_sorted_and_filtered_by_period(money: Snapshot) -> None:
    everyone = dependency_on_largest_funder(money)
    assert [(d.organisation, d.share) for d in everyone] == [("o3", 1.0), ("o1", 0.8), ("o2", 0.5)]
    recent = dependency_on_largest_funder(money, period="2023-2025")
    assert [d.organisation for d in recent] == ["o1", "o2"]  # o3's only grant is from 2019
    only_2025 = organisation_dependency(money, "o1", period="2025")
    assert (only_2025.total, only_2025.share) == (2000, 1.0)
    assert [d.organisation for d in dependency_on_largest_funder(money, min_share=0.75)] == ["o3", "o1"]


@pytest.mark.parametrize("bad", ["2024-2020", "last year", "20245"])
def test_malformed_period_is_a_clear_error(money: Snapshot, bad: str) -> None:
    with pytest.raises(InvalidInput, match="period"):
        dependency_on_largest_funder(money, period=bad)


def test_grant_years_and_period_parsing() -> None:
    assert parse_period("2023 - 2025") == Period(2023, 2025)
    assert grant_years({"start": "2023-09-01"}) == (2023, 2023)
    assert Period(2024, 2024).overlaps(2023, 2025) and not Period(2024, 2024).overlaps(None, None)


def test_unknown_organisation_or_fund_is_not_found(money: Snapshot) -> None:
    with pytest.raises(NotFound, match="organisation"):
        organisation_dependency(money, "fa")
    with pytest.raises(NotFound, match="fund"):
        funding_flows(money, "o1")
    with pytest.raises(NotFound, match="fund"):
        funding_gaps(money, "nope")


def test_flows_split_money_over_areas_and_themes(money: Snapshot) -> None:
    flows = funding_flows(money, period="2023-2025")
    assert (flows.total, flows.grants) == (20000, 5)
    by_area = {(f.fund, f.target): f.amount for f in flows.to_areas}
    # o2 works in both districts: fund B's 5000 and fund C's 5000 split in halves
    assert by_area == {("fa", "west"): 8000, ("fb", "west"): 4500, ("fb", "nw"): 2500,
                       ("fc", "west"): 2500, ("fc", "nw"): 2500}
    by_theme = {(f.fund, f.target): f.amount for f in flows.to_themes}
    # o1's money splits 3:1 over taal and opvoeding (WORKS_ON weights)
    assert by_theme[("fa", "taal")] == 6000 and by_theme[("fa", "opvoeding")] == 2000
    assert sum(f.amount for f in flows.to_themes) == pytest.approx(flows.total)
    one = funding_flows(money, "fa")
    assert {f.fund for f in one.to_areas} == {"fa"} and one.total == 8000


def test_gap_matrix_finds_a_planted_gap(tmp_path: Path) -> None:
    """Fund F prioritises low literacy; Slotermeer has eight organisations and none works on it.

    In Osdorp three of six do (no gap) and another fund already funds one of them (overlap).
    """
    b = (GraphBuilder()
         .district("nw", "Nieuw-West", code="F")
         .area("slotermeer", "Slotermeer", code="FC", part_of="nw")
         .area("osdorp", "Osdorp", code="FK", part_of="nw")
         .area("buurt", "Een buurt in Osdorp", code="FK01", part_of="osdorp")
         .fund("ff", "Fonds F", priorities=["laaggeletterdheid"]).fund("fg", "Fonds G"))
    for i in range(8):
        b.org(f"s{i}", f"Slotermeer {i}", interests=["sport"], areas=["slotermeer"])
    for i in range(6):
        b.org(f"k{i}", f"Osdorp {i}", interests=["laaggeletterdheid"] if i < 3 else ["taal"], areas=["buurt"])
    snap = b.grant("fg", "k0", 1000, year=2024).snapshot(tmp_path)
    matrix = funding_gaps(snap, "ff")
    assert [a for a, _ in matrix.areas] == ["osdorp", "slotermeer"]  # buurten count at wijk level
    assert [(c.theme, c.area) for c in matrix.gaps] == [("laaggeletterdheid", "slotermeer")]
    gap = matrix.cell("laaggeletterdheid", "slotermeer")
    assert (gap.organisations, gap.area_organisations, gap.expected) == (0, 8, pytest.approx(8 * 3 / 14))
    assert "0 van de 8 organisaties" in gap.reason_nl
    osdorp = matrix.cell("laaggeletterdheid", "osdorp")
    assert not osdorp.gap and osdorp.overlap and [f.fund for f in osdorp.other_funders] == ["fg"]
    district = funding_gaps(snap, "ff", level="district")
    assert [(c.area, c.organisations, c.gap) for c in district.cells] == [("nw", 3, False)]


def test_gap_matrix_counts_sub_themes_and_checks_its_options(tmp_path: Path) -> None:
    b = GraphBuilder().district("nw", "Nieuw-West", code="F").fund("ff", "F", priorities=["zorg-en-gezondheid"])
    for i in range(5):
        b.org(f"o{i}", interests=["mantelzorg"] if i == 0 else ["sport"], areas=["nw"])
    snap = b.snapshot(tmp_path)
    cell = funding_gaps(snap, "ff").cells[0]
    assert (cell.theme, cell.organisations, cell.gap) == ("zorg-en-gezondheid", 1, True)  # 1 < few=2
    assert not funding_gaps(snap, "ff", few=1).cells[0].gap
    with pytest.raises(InvalidInput, match="level"):
        funding_gaps(snap, "ff", level="buurt")
