"""Partner matches, referral partners and fitting funds on small hand-built graphs in a real store."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.snapshot import Snapshot
from queries.match_index import matching_index
from queries.matching import MatchWeights, fitting_funds, partner_matches, referral_partners
from queries.results import PARTS, Match
from tests.factories import GraphBuilder
from tests.match_reference import reference_partner_scores

THEME = "eenzaamheid"


def ids(snapshot: Snapshot, actor: str = "a", **kw: Any) -> list[str]:
    return [m.id for m in partner_matches(snapshot, actor, **kw)]


def by_id(snapshot: Snapshot, actor: str = "a", **kw: Any) -> dict[str, Match]:
    return {m.id: m for m in partner_matches(snapshot, actor, **kw)}


def amsterdam() -> GraphBuilder:
    """Two districts; Nieuw-West holds Slotermeer and Geuzenveld, West holds Bos en Lommer."""
    return (
        GraphBuilder()
        .district("nw", "Nieuw-West", code="F")
        .district("west", "West", code="E")
        .area("slotermeer", "Slotermeer", code="WK0363FC", part_of="nw", level="wijk")
        .area("geuzenveld", "Geuzenveld", code="WK0363FB", part_of="nw", level="wijk")
        .area("bos", "Bos en Lommer", code="WK0363EK", part_of="west", level="wijk")
    )


# -- the scoring rules -----------------------------------------------------------------------------
def test_two_way_exchange_ranks_above_one_way_of_the_same_size(tmp_path: Path) -> None:
    snap = (
        GraphBuilder()
        .org("a", needs=["financiele-administratie", "vergaderruimte"],
             offers=["vertrouwenspersonen", "vertaling"])
        .org("m-one-way", offers=["financiele-administratie", "vergaderruimte"])
        .org("z-two-way", offers=["financiele-administratie"], needs=["vertrouwenspersonen"])
        .snapshot(tmp_path)
    )
    matches = by_id(snap)
    assert ids(snap) == ["z-two-way", "m-one-way"]
    assert matches["z-two-way"].parts["reciprocity"] > matches["m-one-way"].parts["reciprocity"]
    assert [c.id for c in matches["z-two-way"].they_offer] == ["financiele-administratie"]
    assert [c.id for c in matches["z-two-way"].we_offer] == ["vertrouwenspersonen"]


def test_a_rare_shared_theme_beats_a_common_one(tmp_path: Path) -> None:
    builder = GraphBuilder().org("a", interests=["radicalisering", "taal"])
    for i in range(6):
        builder.org(f"filler-{i}", interests=["taal"])
    snap = (
        builder.org("b-common", interests=["taal"])
        .org("z-rare", interests=["radicalisering"])
        .snapshot(tmp_path)
    )
    matches = by_id(snap)
    assert ids(snap)[0] == "z-rare"
    assert matches["z-rare"].parts["shared_interests"] > matches["b-common"].parts["shared_interests"]


def test_a_heavier_theme_weight_counts_more(tmp_path: Path) -> None:
    snap = (
        GraphBuilder()
        .org("a", interests={"sport": 1, "wonen": 3})
        .org("b-sport", interests=["sport"])
        .org("z-wonen", interests=["wonen"])
        .snapshot(tmp_path)
    )
    assert ids(snap) == ["z-wonen", "b-sport"]


@pytest.mark.parametrize("rung", [3, 4, 5])
def test_pairs_at_rung_three_or_higher_are_not_suggested(tmp_path: Path, rung: int) -> None:
    snap = (
        GraphBuilder()
        .org("a", interests=[THEME])
        .org("b", interests=[THEME])
        .org("c", interests=[THEME])
        .tie("a", "b", rung=rung)
        .snapshot(tmp_path)
    )
    assert ids(snap) == ["c"]


@pytest.mark.parametrize(
    ("rung", "nl", "en"), [(1, "kennen", "knowing"), (2, "ontmoeten", "meeting")]
)
def test_pairs_at_rung_one_or_two_are_marked_climb_with_the_rung_named(
    tmp_path: Path, rung: int, nl: str, en: str
) -> None:
    snap = GraphBuilder().org("a", interests=[THEME]).org("b", interests=[THEME]).tie(
        "a", "b", rung=rung).snapshot(tmp_path)
    match = partner_matches(snap, "a").matches[0]
    assert (match.id, match.current_rung, match.climb) == ("b", rung, True)
    assert f"klim op de ladder: nu op trede {rung} ({nl})" in match.reason_nl
    assert f"climb the ladder: now at rung {rung} ({en})" in match.reason_en
    assert match.parts["ladder"] > 0


def test_a_pair_without_a_tie_is_not_a_climb(tmp_path: Path) -> None:
    snap = GraphBuilder().org("a", interests=[THEME]).org("b", interests=[THEME]).snapshot(tmp_path)
    match = partner_matches(snap, "a").matches[0]
    assert (match.current_rung, match.climb, match.parts["ladder"]) == (0, False, 0.0)
    assert "ladder" not in match.reason_en


def test_the_introducer_is_the_common_partner_with_the_strongest_weaker_tie(tmp_path: Path) -> None:
    snap = (
        GraphBuilder()
        .org("a", interests=[THEME])
        .org("b", interests=[THEME])
        .org("p-weak", "Buurthuis De Pijp").tie("a", "p-weak", rung=2).tie("b", "p-weak", rung=5)
        .org("q-strong", "Moskee Al Amal").tie("a", "q-strong", rung=4).tie("b", "q-strong", rung=3)
        .org("r-strong", "Vrouwenhuis").tie("a", "r-strong", rung=3).tie("b", "r-strong", rung=4)
        .org("s-one-sided").tie("a", "s-one-sided", rung=5).tie("b", "s-one-sided", rung=1)
        .snapshot(tmp_path)
    )
    match = by_id(snap)["b"]
    assert match.introducer is not None
    # q and r both reach min rung 3; q has the lower id.
    assert (match.introducer.id, match.introducer.name) == ("q-strong", "Moskee Al Amal")
    assert "Moskee Al Amal kan jullie aan elkaar voorstellen" in match.reason_nl
    assert "Moskee Al Amal can introduce you" in match.reason_en
    assert match.parts["ladder"] == pytest.approx(MatchWeights().ladder_introducer)


def test_no_introducer_without_a_common_partner_at_rung_two(tmp_path: Path) -> None:
    snap = (
        GraphBuilder()
        .org("a", interests=[THEME])
        .org("b", interests=[THEME])
        .org("p").tie("a", "p", rung=4).tie("b", "p", rung=1)
        .snapshot(tmp_path)
    )
    match = by_id(snap)["b"]
    assert match.introducer is None
    assert match.parts["ladder"] == 0.0


def test_proximity_orders_same_neighbourhood_then_district_then_elsewhere(tmp_path: Path) -> None:
    snap = (
        amsterdam()
        .org("a", interests=[THEME], areas=["slotermeer"])
        .org("b-elsewhere", interests=[THEME], areas=["bos"])
        .org("m-district", interests=[THEME], areas=["geuzenveld"])
        .org("z-same", interests=[THEME], areas=["slotermeer"])
        .snapshot(tmp_path)
    )
    matches = by_id(snap)
    assert ids(snap) == ["z-same", "m-district", "b-elsewhere"]
    assert [matches[i].parts["proximity"] for i in ids(snap)] == [1.0, 0.5, 0.0]
    assert matches["z-same"].reason_nl == "Beide werken aan eenzaamheid in Slotermeer."
    assert matches["m-district"].reason_nl == "Beide werken aan eenzaamheid in stadsdeel Nieuw-West."
    assert matches["m-district"].reason_en == "Both work on loneliness in the Nieuw-West district."
    assert matches["b-elsewhere"].reason_en == "Both work on loneliness."


def test_a_buurt_counts_as_the_same_neighbourhood_as_its_wijk(tmp_path: Path) -> None:
    snap = (
        amsterdam()
        .area("slotermeer-noord", "Slotermeer-Noord", part_of="slotermeer", level="buurt")
        .org("a", interests=[THEME], areas=["slotermeer-noord"])
        .org("b", interests=[THEME], areas=["slotermeer"])
        .snapshot(tmp_path)
    )
    match = by_id(snap)["b"]
    assert match.parts["proximity"] == 1.0
    assert [area.name for area in match.shared_areas] == ["Slotermeer"]


def test_bridging_rewards_a_candidate_serving_another_community(tmp_path: Path) -> None:
    snap = (
        GraphBuilder()
        .community("turks", "Turkse gemeenschap", "Turkish community")
        .community("eritrees", "Eritrese gemeenschap", "Eritrean community")
        .org("a", interests=[THEME], serves=["turks"])
        .org("b-same-group", interests=[THEME], serves=["turks"])
        .org("z-other-group", interests=[THEME], serves=["eritrees"])
        .snapshot(tmp_path)
    )
    matches = by_id(snap)
    assert ids(snap) == ["z-other-group", "b-same-group"]
    assert (matches["z-other-group"].parts["bridging"], matches["b-same-group"].parts["bridging"]) == (1.0, 0.0)
    assert [c.id for c in matches["z-other-group"].communities_bridged] == ["eritrees"]
    assert "zij bereiken ook de Eritrese gemeenschap" in matches["z-other-group"].reason_nl
    assert "they also reach the Eritrean community" in matches["z-other-group"].reason_en


def test_bridging_needs_a_shared_theme(tmp_path: Path) -> None:
    snap = (
        GraphBuilder()
        .org("a", needs=["vertaling"], serves=["turks"])
        .org("b", offers=["vertaling"], serves=["eritrees"])
        .snapshot(tmp_path)
    )
    match = by_id(snap)["b"]
    assert (match.parts["bridging"], match.communities_bridged) == (0.0, ())


def test_equal_candidates_are_ordered_by_id_and_calls_repeat(tmp_path: Path) -> None:
    builder = GraphBuilder().org("a", interests=[THEME])
    for org in ["d", "b", "e", "c"]:
        builder.org(org, interests=[THEME])
    snap = builder.snapshot(tmp_path)
    assert ids(snap) == ["b", "c", "d", "e"]
    assert ids(snap, limit=2) == ["b", "c"]
    assert [m.as_dict() for m in partner_matches(snap, "a")] == [
        m.as_dict() for m in partner_matches(snap, "a")
    ]


def test_reasons_name_the_actual_theme_area_and_capabilities(tmp_path: Path) -> None:
    snap = (
        amsterdam()
        .org("a", interests=["jeugdwerkloosheid"], areas=["slotermeer"],
             needs=["financiele-administratie"], offers=["vertrouwenspersonen"])
        .org("b", interests=["jeugdwerkloosheid"], areas=["slotermeer"],
             offers=["financiele-administratie"], needs=["vertrouwenspersonen"])
        .snapshot(tmp_path)
    )
    match = partner_matches(snap, "a").matches[0]
    assert match.reason_nl == (
        "Beide werken aan jeugdwerkloosheid in Slotermeer; zij bieden financiële administratie, "
        "wat jullie zoeken; jullie bieden sleutelpersonen en vertrouwenspersonen, wat zij zoeken."
    )
    assert match.reason_en == (
        "Both work on youth unemployment in Slotermeer; they offer financial administration, "
        "which you are looking for; you offer key figures and confidants, which they are looking for."
    )


def test_a_match_carries_all_parts_a_bounded_score_and_json(tmp_path: Path) -> None:
    snap = (
        amsterdam()
        .org("a", interests=[THEME, "taal"], areas=["slotermeer"], needs=["vertaling"], serves=["x"])
        .org("b", interests=[THEME], areas=["slotermeer"], offers=["vertaling"], serves=["y"])
        .tie("a", "b", rung=2)
        .snapshot(tmp_path)
    )
    result = partner_matches(snap, "a", lang="en")
    match = result.matches[0]
    assert tuple(match.parts) == PARTS
    assert all(0.0 <= v <= 1.0 for v in match.parts.values())
    assert 0.0 < match.score <= 1.0
    assert match.score == pytest.approx(MatchWeights().combine(match.parts))
    data = json.loads(json.dumps(result.as_dict()))
    assert data["actor"]["id"] == "a" and data["lang"] == "en"
    assert data["matches"][0]["shared_interests"][0]["name_en"] == "Loneliness"
    assert result.lang == "en" and match.reason("en") == match.reason_en


@pytest.mark.parametrize(("orgs", "limit"), [(60, 25), (400, 1), (400, 3)])
def test_the_vectorised_ranking_equals_the_per_pair_reference(
    tmp_path: Path, orgs: int, limit: int
) -> None:
    # With 400 organisations and a small limit the fast path prunes by score bounds.
    snap = random_graph(random.Random(7), orgs=orgs).snapshot(tmp_path)
    for actor in ["org-00", "org-07", "org-21", "org-42", "inst-3"]:
        fast = partner_matches(snap, actor, limit=limit).matches
        slow = reference_partner_scores(snap, actor, limit=limit)
        assert [m.id for m in fast] == [s[0] for s in slow]
        for match, (_, score, parts) in zip(fast, slow, strict=True):
            assert match.score == pytest.approx(score)
            assert dict(match.parts) == pytest.approx(parts)


def test_the_index_is_built_once_per_snapshot(tmp_path: Path) -> None:
    snap = GraphBuilder().org("a", interests=[THEME]).org("b", interests=[THEME]).snapshot(tmp_path)
    partner_matches(snap, "a")
    index = matching_index(snap)
    partner_matches(snap, "b")
    assert matching_index(snap) is index


# -- bad input and empty answers ---------------------------------------------------------------------
@pytest.mark.parametrize("actor", ["nobody", THEME])
def test_an_unknown_actor_is_not_found(tmp_path: Path, actor: str) -> None:
    snap = GraphBuilder().org("a", interests=[THEME]).snapshot(tmp_path)
    with pytest.raises(NotFound, match=f"There is no organisation with id '{actor}'"):
        partner_matches(snap, actor)


@pytest.mark.parametrize("limit", [0, 101, -3, 2.5, "5", True, None])
def test_a_limit_outside_one_to_hundred_is_invalid(tmp_path: Path, limit: object) -> None:
    snap = GraphBuilder().org("a", interests=[THEME]).snapshot(tmp_path)
    with pytest.raises(InvalidInput, match="'limit'"):
        partner_matches(snap, "a", limit=limit)  # type: ignore[arg-type]


@pytest.mark.parametrize(("param", "value"), [("kinds", {"Fund"}), ("lang", "de")])
def test_unknown_kinds_or_language_are_invalid(tmp_path: Path, param: str, value: object) -> None:
    snap = GraphBuilder().org("a", interests=[THEME]).snapshot(tmp_path)
    with pytest.raises(InvalidInput, match=f"'{param}'"):
        partner_matches(snap, "a", **{param: value})  # type: ignore[arg-type]


def test_an_actor_with_nothing_recorded_gets_an_empty_list_with_a_reason(tmp_path: Path) -> None:
    snap = GraphBuilder().org("a", areas=["x"]).org("b", interests=[THEME]).snapshot(tmp_path)
    result = partner_matches(snap, "a")
    assert result.matches == () and not result
    assert result.reason_en == "Add interests, offers or needs to get matches."
    assert result.reason_nl == "Voeg belangen, aanbod of behoeften toe om matches te krijgen."


def test_an_actor_without_candidates_gets_a_reason(tmp_path: Path) -> None:
    snap = GraphBuilder().org("a", interests=[THEME]).org("b", interests=["sport"]).snapshot(tmp_path)
    result = partner_matches(snap, "a")
    assert result.matches == ()
    assert "No other organisation shares an interest" in result.reason_en


# -- filters -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("area", "expected"),
    [("slotermeer", ["m-slotermeer"]), ("WK0363FC", ["m-slotermeer"]),
     ("F", ["b-geuzenveld", "m-slotermeer"]), ("west", ["z-bos"])],
)
def test_the_area_filter_keeps_actors_active_in_the_area(
    tmp_path: Path, area: str, expected: list[str]
) -> None:
    snap = (
        amsterdam()
        .org("a", interests=[THEME], areas=["slotermeer"])
        .org("b-geuzenveld", interests=[THEME], areas=["geuzenveld"])
        .org("m-slotermeer", interests=[THEME], areas=["slotermeer"])
        .org("z-bos", interests=[THEME], areas=["bos"])
        .snapshot(tmp_path)
    )
    assert sorted(ids(snap, area=area)) == expected


def test_an_unknown_area_is_not_found(tmp_path: Path) -> None:
    snap = amsterdam().org("a", interests=[THEME]).snapshot(tmp_path)
    with pytest.raises(NotFound, match="There is no area with code 'WK9999'"):
        partner_matches(snap, "a", area="WK9999")


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [({"Institution"}, ["ggd"]), ({"Organisation"}, ["b"]), ("institution", ["ggd"]),
     (None, ["b", "ggd"])],
)
def test_the_kinds_filter_restricts_candidate_labels(
    tmp_path: Path, kinds: object, expected: list[str]
) -> None:
    snap = (
        GraphBuilder()
        .org("a", interests=[THEME])
        .org("b", interests=[THEME])
        .institution("ggd", "GGD", sector="health", interests=[THEME])
        .snapshot(tmp_path)
    )
    assert sorted(ids(snap, kinds=kinds)) == expected


# -- referral partners and funds -------------------------------------------------------------------
def test_referral_partners_are_nearby_institutions_on_the_same_themes(tmp_path: Path) -> None:
    snap = (
        amsterdam()
        .org("a", interests=[THEME, "mantelzorg"], areas=["slotermeer"], offers=["vroegsignalering"])
        .institution("b-district", "Wijkteam Nieuw-West", priorities=[THEME], areas=["nw"])
        .institution("c-here", "Buurtteam Slotermeer", interests=["mantelzorg"], areas=["slotermeer"],
                     needs=["vroegsignalering"])
        .institution("d-far", "Wijkteam West", interests=[THEME], areas=["west"])
        .institution("e-other-theme", "Sportloket", interests=["sport"], areas=["slotermeer"])
        .org("f-org", interests=[THEME], areas=["slotermeer"])
        .tie("a", "b-district", rung=3)
        .snapshot(tmp_path)
    )
    result = referral_partners(snap, "a")
    assert [p.id for p in result.partners] == ["c-here", "b-district"]
    here, district = result.partners
    assert here.reason_nl == ("Werkt ook aan mantelzorg in Slotermeer; zoekt vroegsignalering, "
                              "die jullie bieden.")
    assert district.reason_en == ("Also works on loneliness in the Nieuw-West district; "
                                  "now at rung 3 (aligning).")
    assert district.current_rung == 3 and district.sector == "welfare"


def test_referral_partners_need_interests(tmp_path: Path) -> None:
    snap = GraphBuilder().org("a", offers=["vertaling"]).snapshot(tmp_path)
    result = referral_partners(snap, "a")
    assert result.partners == () and "Add interests" in result.reason_en


def test_fitting_funds_rank_direct_priorities_and_note_existing_funding(tmp_path: Path) -> None:
    snap = (
        GraphBuilder()
        .org("a", interests=["jeugdwerkloosheid", "taal"])
        .fund("f-parent", "Werkfonds", priorities=["werk-en-inkomen"])
        .fund("g-direct", "Taalfonds", priorities=["taal", "jeugdwerkloosheid"])
        .fund("h-other", "Sportfonds", priorities=["sport"])
        .grant("g-direct", "a", 10000, year=2023)
        .grant("g-direct", "a", 5000, year=2024)
        .grant("g-direct", "a", 99000, year=2025, status="rejected")
        .snapshot(tmp_path)
    )
    result = fitting_funds(snap, "a")
    assert [f.id for f in result.funds] == ["g-direct", "f-parent"]
    direct, parent = result.funds
    assert (direct.already_funds, direct.funded_amount, direct.grants, direct.years) == (
        True, 15000.0, 2, (2023, 2024))
    assert direct.score == pytest.approx(1.0)
    assert direct.reason_nl.endswith("steunt jullie al (€ 15.000 in 2 toekenningen).")
    assert direct.reason_en.endswith("already funds you (€15,000 in 2 grants).")
    assert (parent.already_funds, parent.funded_amount) == (False, 0.0)
    assert [t.id for t in parent.themes] == ["jeugdwerkloosheid"]
    assert parent.reason_nl == ("Werkfonds geeft voorrang aan werk en inkomen, passend bij jullie "
                                "werk aan jeugdwerkloosheid.")


def test_fitting_funds_need_interests(tmp_path: Path) -> None:
    snap = GraphBuilder().org("a").fund("f", priorities=[THEME]).snapshot(tmp_path)
    assert fitting_funds(snap, "a").reason_nl == "Voeg belangen toe om passende fondsen te vinden."


@pytest.mark.parametrize("query", [referral_partners, fitting_funds])
def test_referral_and_fund_queries_check_their_input(tmp_path: Path, query: object) -> None:
    snap = GraphBuilder().org("a", interests=[THEME]).snapshot(tmp_path)
    with pytest.raises(NotFound):
        query(snap, "nobody")  # type: ignore[operator]
    with pytest.raises(InvalidInput, match="'limit'"):
        query(snap, "a", limit=0)  # type: ignore[operator]


# -- a random graph for the cross-check ------------------------------------------------------------
def random_graph(rng: random.Random, orgs: int) -> GraphBuilder:
    """A seeded graph with areas, themes, capabilities, communities and ties of all rungs."""
    themes = ["eenzaamheid", "taal", "sport", "wonen", "jeugd", "armoede-en-schulden", "mantelzorg"]
    caps = ["vertaling", "vergaderruimte", "vrijwilligers", "financiele-administratie", "bestuur"]
    builder = amsterdam()
    actors = [f"org-{i:02d}" for i in range(orgs)] + [f"inst-{i}" for i in range(6)]
    for actor in actors:
        kw = dict(
            interests={t: rng.randint(1, 3) for t in rng.sample(themes, rng.randint(0, 3))},
            offers=rng.sample(caps, rng.randint(0, 2)),
            needs=rng.sample(caps, rng.randint(0, 2)),
            areas=rng.sample(["slotermeer", "geuzenveld", "bos", "nw"], rng.randint(0, 2)),
            serves=rng.sample(["turks", "marokkaans", "vrouwen", "jongeren"], rng.randint(0, 2)),
        )
        if actor.startswith("inst"):
            builder.institution(actor, **kw)  # type: ignore[arg-type]
        else:
            builder.org(actor, **kw)  # type: ignore[arg-type]
    for _ in range(orgs * 2):
        a, b = rng.sample(actors, 2)
        builder.tie(a, b, rung=rng.randint(1, 5))
    return builder
