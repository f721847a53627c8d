"""The capacity profile: assessments are kept, the trend and change are right, low scores propose
needs, a confirmed need changes the partner matches, and the profile travels with the graph."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from graphsvc.access.visibility import Viewer
from graphsvc.actions.capacity import record_assessment
from graphsvc.actions.capacity_needs import decide_need
from graphsvc.actions.migrate import migrate
from graphsvc.actions.positioning import positioning_of, update_positioning
from graphsvc.capacity import CAPACITY_SOURCE, capacity_profile, capacity_trend
from graphsvc.cli import cli
from graphsvc.errors import Conflict, InvalidInput, NotFound
from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore, open_store
from importers.exporters import export_store
from queries.capacity import organisation_proposals
from queries.coach_overview import needs_met_by, organisation_overview
from queries.matching import partner_matches
from tests.capacity_graph import FIN, NEW_PARTNER, ORG, RISER, seed_capacity_graph

ALL_LOW = {"governance": 3, "financial_administration": 2, "volunteer_policy": 4, "innovation": 3,
           "positioning": 4}


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    """The capacity test graph in either backend (SQLite; Neo4j when one is available)."""
    seed_capacity_graph(store)
    return store


def profile_of(store: GraphStore, org: str = ORG) -> Any:
    return capacity_profile(store.get_node(org))


def test_a_new_assessment_keeps_the_old_one(graph: GraphStore) -> None:
    first = record_assessment(graph, ORG, {"governance": 2}, notes={"governance": "Bestuur doet alles zelf"},
                              day="2024-01-15", by="coach-ayse")
    second = record_assessment(graph, ORG, {"governance": 3}, day="2024-09-01", by="coach-ayse")
    profile = profile_of(graph)
    assert [a.id for a in profile.assessments] == [first.id, second.id]
    assert profile.assessments[0].notes["governance"] == "Bestuur doet alles zelf"
    assert profile.assessments[0].by == "coach-ayse" and profile.assessments[1].recorded_at
    assert graph.get_node(ORG).name == "Stichting Al Amal West"  # the rest of the node is untouched


def test_trend_and_change_since_previous(graph: GraphStore) -> None:
    record_assessment(graph, ORG, {"governance": 2, "innovation": 4}, day="2024-01-15")
    record_assessment(graph, ORG, {"governance": 4}, notes={"governance": "Nieuw bestuur"}, day="2025-01-15")
    # recorded later, but dated in between: the trend follows the dates
    record_assessment(graph, ORG, {"governance": 3, "innovation": 2}, day="2024-06-15")
    trend = {t.id: t for t in capacity_trend(profile_of(graph))}
    gov, inno, pos = trend["governance"], trend["innovation"], trend["positioning"]
    assert gov.points == (("2024-01-15", 2), ("2024-06-15", 3), ("2025-01-15", 4))
    assert (gov.latest, gov.previous, gov.change, gov.direction, gov.note) == (4, 3, 1, "up", "Nieuw bestuur")
    assert (inno.latest, inno.change, inno.direction) == (2, -2, "down")
    assert (pos.latest, pos.change, pos.direction) == (None, None, "")
    assert list(trend) == ["governance", "financial_administration", "volunteer_policy", "innovation",
                           "positioning"]


def test_a_flat_profile_is_read_as_one_assessment_and_kept(sqlite_store: GraphStore) -> None:
    with sqlite_store.transaction() as tx:
        tx.upsert_node(Node("o1", "Organisation", {"name": "O", "capacity": {"governance": 1, "x": "?"}}))
    record_assessment(sqlite_store, "o1", {"governance": 2}, day="2025-01-01")
    gov = capacity_trend(profile_of(sqlite_store, "o1"))[0]
    assert gov.points == (("", 1), ("2025-01-01", 2)) and gov.change == 1


@pytest.mark.parametrize(("scores", "kwargs", "needle"), [
    ({"governance": 0}, {}, "score for governance"),
    ({"governance": 6}, {}, "from 1 to 5"),
    ({"governance": "veel"}, {}, "whole number"),
    ({"governance": True}, {}, "whole number"),
    ({"risico": 2}, {}, "Unknown dimension(s) risico"),
    ({}, {}, "at least one dimension"),
    ({"governance": 2}, {"day": "13-03-2025"}, "2025-03-13"),
    ({"governance": 2}, {"day": "2999-01-01"}, "future"),
    ({"governance": 2}, {"notes": {"governance": "x" * 2001}}, "longer than 2000"),
])
def test_bad_assessments_are_refused_with_a_clear_message(
        sqlite_store: GraphStore, scores: dict[str, Any], kwargs: dict[str, Any], needle: str) -> None:
    seed_capacity_graph(sqlite_store)
    before = sqlite_store.revision()
    with pytest.raises(InvalidInput, match=None) as info:
        record_assessment(sqlite_store, ORG, scores, **kwargs)
    assert needle in info.value.message
    assert sqlite_store.revision() == before


@pytest.mark.parametrize("target", ["nope", "taal"])
def test_only_organisations_have_a_profile(sqlite_store: GraphStore, target: str) -> None:
    seed_capacity_graph(sqlite_store)
    with pytest.raises(NotFound, match="no organisation"):
        record_assessment(sqlite_store, target, {"governance": 2})


@pytest.mark.parametrize(("score", "proposed"), [(1, True), (2, True), (3, False), (5, False)])
def test_a_low_score_proposes_the_need(sqlite_store: GraphStore, score: int, proposed: bool) -> None:
    seed_capacity_graph(sqlite_store)
    record_assessment(sqlite_store, ORG, {"financial_administration": score})
    proposals = organisation_proposals(Snapshot.from_store(sqlite_store), ORG)
    assert [p.need for p in proposals] == ([FIN] if proposed else [])
    if proposed:
        assert (proposals[0].dimension, proposals[0].score, proposals[0].threshold) == (
            "financial_administration", score, 2)


def test_a_need_the_organisation_already_has_is_not_proposed(sqlite_store: GraphStore) -> None:
    seed_capacity_graph(sqlite_store)
    with sqlite_store.transaction() as tx:
        tx.upsert_relationship(Relationship("NEEDS", ORG, FIN))
    record_assessment(sqlite_store, ORG, {"financial_administration": 1})
    assert organisation_proposals(Snapshot.from_store(sqlite_store), ORG) == ()
    with pytest.raises(Conflict, match="already needs"):
        decide_need(sqlite_store, ORG, FIN, "confirmed", by="coach")


def test_a_confirmed_need_is_a_needs_relationship_with_its_provenance(graph: GraphStore) -> None:
    record_assessment(graph, ORG, ALL_LOW, by="coach-ayse")
    decide_need(graph, ORG, FIN, "confirmed", by="coach-ayse")
    rel = graph.get_relationship("NEEDS", ORG, FIN)
    assert rel.props["source"] == CAPACITY_SOURCE and rel.props["confirmed_by"] == "coach-ayse"
    assert rel.props["confirmed_at"].endswith("Z")
    decisions = profile_of(graph).decisions
    assert [(d.need, d.decision, d.by) for d in decisions] == [(FIN, "confirmed", "coach-ayse")]
    assert organisation_proposals(Snapshot.from_store(graph), ORG) == ()


def test_a_rejection_holds_for_that_assessment_only(graph: GraphStore) -> None:
    record_assessment(graph, ORG, ALL_LOW, day="2025-01-10")
    decide_need(graph, ORG, FIN, "rejected", by="coach-ayse")
    assert organisation_proposals(Snapshot.from_store(graph), ORG) == ()
    with pytest.raises(InvalidInput, match="does not propose"):
        decide_need(graph, ORG, FIN, "confirmed", by="coach-ayse")
    assert not any(r.start == ORG for r in graph.iter_relationships("NEEDS"))
    record_assessment(graph, ORG, {"financial_administration": 1}, day="2025-06-10")
    assert [p.need for p in organisation_proposals(Snapshot.from_store(graph), ORG)] == [FIN]


@pytest.mark.parametrize(("need", "decision", "error"), [
    (FIN, "maybe", InvalidInput), ("bestuur", "confirmed", InvalidInput), (FIN, "risk", InvalidInput),
])
def test_decisions_that_do_not_fit_are_refused(sqlite_store: GraphStore, need: str, decision: str,
                                               error: type[Exception]) -> None:
    seed_capacity_graph(sqlite_store)
    record_assessment(sqlite_store, ORG, ALL_LOW)
    with pytest.raises(error):
        decide_need(sqlite_store, ORG, need, decision)


def test_a_confirmed_need_changes_the_partner_matches(graph: GraphStore) -> None:
    before = partner_matches(Snapshot.from_store(graph), ORG, lang="en")
    assert NEW_PARTNER not in [m.id for m in before]
    riser_before = next(m.score for m in before if m.id == RISER)
    record_assessment(graph, ORG, ALL_LOW, by="coach-ayse")
    decide_need(graph, ORG, FIN, "confirmed", by="coach-ayse")
    snap = Snapshot.from_store(graph)
    after = {m.id: m for m in partner_matches(snap, ORG, lang="en")}
    assert NEW_PARTNER in after
    assert "they offer financial administration, which you are looking for" in after[NEW_PARTNER].reason_en.lower()
    assert after[RISER].score > riser_before
    view = organisation_overview(snap, ORG, lang="en")
    assert [n.need.id for n in view.needs if n.from_capacity] == [FIN]
    assert [n.id for n in needs_met_by(after[NEW_PARTNER], frozenset({FIN}))] == [FIN]


def test_confirming_creates_the_capability_when_the_store_lacks_it(sqlite_store: GraphStore) -> None:
    with sqlite_store.transaction() as tx:
        tx.upsert_node(Node("o1", "Organisation", {"name": "O"}))
    record_assessment(sqlite_store, "o1", {"governance": 1})
    decide_need(sqlite_store, "o1", "bestuur", "confirmed", by="c")
    assert sqlite_store.get_node("bestuur").props["name_en"] == "Governance"


def test_the_profile_survives_a_migration_and_stays_out_of_other_roles_dumps(
        sqlite_store: GraphStore, tmp_path: Path) -> None:
    seed_capacity_graph(sqlite_store)
    record_assessment(sqlite_store, ORG, ALL_LOW, notes={"governance": "GEHEIME-NOTITIE"}, by="c")
    decide_need(sqlite_store, ORG, FIN, "rejected", by="c")
    target = open_store(f"sqlite:///{tmp_path / 'copy.db'}")
    migrate(sqlite_store, target)
    assert profile_of(target) == profile_of(sqlite_store)
    target.close()
    for role, orgs, shown in [("funder", (), False), ("member", ("org-other",), False),
                              ("coach", (ORG,), True), ("admin", (), True)]:
        out = tmp_path / f"{role}.json"
        export_store(sqlite_store, "json", out, Viewer(role, frozenset(orgs)))
        assert ("GEHEIME-NOTITIE" in out.read_text("utf-8")) is shown, role


def test_positioning_is_saved_in_one_go(sqlite_store: GraphStore) -> None:
    seed_capacity_graph(sqlite_store)
    snap = Snapshot.from_store(sqlite_store)
    version = snap.node(ORG).version
    result = update_positioning(sqlite_store, snap, ORG, core_business="  Taalcafé voor moeders ",
                                communities=["comm-jongeren"], areas=["area-kolenkit", "area-f"],
                                by="c", expected_version=version)
    after = positioning_of(Snapshot.from_store(sqlite_store), ORG)
    assert after == result
    assert (after.core_business, after.communities, after.areas) == (
        "Taalcafé voor moeders", ("comm-jongeren",), ("area-f", "area-kolenkit"))
    with pytest.raises(Conflict):
        update_positioning(sqlite_store, Snapshot.from_store(sqlite_store), ORG, core_business="Iets anders",
                           expected_version=version)
    with pytest.raises(InvalidInput, match="no community"):
        update_positioning(sqlite_store, Snapshot.from_store(sqlite_store), ORG, core_business="",
                           communities=["taal"])


def test_cli_prints_history_trend_and_json(sqlite_store: GraphStore, runner: CliRunner) -> None:
    seed_capacity_graph(sqlite_store)
    record_assessment(sqlite_store, ORG, {**ALL_LOW, "governance": 2}, day="2024-02-01")
    record_assessment(sqlite_store, ORG, ALL_LOW, day="2025-02-01")
    result = runner.invoke(cli, ["capacity", ORG, "--lang", "en"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "2 assessment(s), latest on 2025-02-01" in lines[1]
    governance = next(line for line in lines if line.startswith("Governance"))
    assert governance.split()[-3:] == ["2", "3", "+1"]
    assert "Proposed need: Financial administration (score 2)" in result.output
    data = json.loads(runner.invoke(cli, ["capacity", ORG, "--json"]).output)
    assert data["ok"] and len(data["assessments"]) == 2 and data["proposed_needs"][0]["need"] == FIN
    missing = runner.invoke(cli, ["capacity", "nope"])
    assert missing.exit_code == 1 and "no organisation with id 'nope'" in missing.output


def test_demo_profiles_are_valid_and_propose_some_needs() -> None:
    from graphsvc.capacity import proposed_needs
    from graphsvc.demo.capacity import demo_capacity_records
    from graphsvc.demo.dataset import demo_records
    from tests.test_vocab_no_risk import WORDS

    nodes, rels = demo_records()
    with_profile = [n for n in demo_capacity_records(nodes, rels) if "capacity" in n.props]
    needs = {(r.start, r.end) for r in rels if r.type == "NEEDS"}
    proposing = 0
    for node in with_profile:
        profile = capacity_profile(node)
        assert len(profile.assessments) >= 2 and profile.as_prop() == node.props["capacity"]
        assert not WORDS.search(json.dumps(node.props["capacity"], ensure_ascii=False))
        proposals = proposed_needs(profile, {c for o, c in needs if o == node.id})
        proposing += bool(proposals)
    assert len(with_profile) >= 30 and proposing >= 5
