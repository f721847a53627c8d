"""The demo dataset: its shape, its ladder history, and loading it into a real SQLite store."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import networkx as nx
import pytest

from graphsvc.demo.dataset import demo_records, load_demo
from graphsvc.model import Node
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore, open_store
from graphsvc.vocab import load_vocabulary


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'g.db'}")
    assert load_demo(store) is True
    yield store
    store.close()


@pytest.fixture(scope="module")
def snap(demo_store: GraphStore) -> Snapshot:
    return Snapshot.from_store(demo_store)


def _best_rung(snap: Snapshot, actor: str) -> int:
    return max(snap.ties.get(actor, {}).values(), default=0)


def test_counts_meet_the_minimums(demo_store: GraphStore) -> None:
    nodes = demo_store.counts()["nodes"]
    assert nodes["Organisation"] >= 120
    assert nodes["Institution"] >= 30
    assert nodes["Fund"] >= 12
    assert nodes["Interest"] >= 25
    assert nodes["Community"] >= 15
    assert nodes["Session"] >= 5 and nodes["AgendaItem"] >= 5
    rels = demo_store.counts()["relationships"]
    expected = {"ACTIVE_IN", "WORKS_ON", "SERVES", "OFFERS", "NEEDS", "PRIORITISES", "FUNDS", "TIE",
                "ABOUT", "FOR", "COMMITS_TO", "PART_OF", "ATTENDED", "HELD_IN"}
    assert expected <= set(rels)


def test_every_organisation_is_fully_described(snap: Snapshot) -> None:
    for org in snap.labelled("Organisation"):
        props = snap.node(org).props
        assert {"kind", "legal_form", "founded", "volunteers", "languages", "description",
                "core_business", "contact_persons"} <= set(props), org
        assert 1 <= len(snap.targets("ACTIVE_IN", org)) <= 3
        assert 2 <= len(snap.targets("WORKS_ON", org)) <= 5
        assert snap.targets("SERVES", org)
        assert all(1 <= e.props["weight"] <= 3 for e in snap.out("WORKS_ON", org))


def test_every_rung_is_present(snap: Snapshot) -> None:
    rungs = Counter(int(props["rung"]) for props in snap.tie_props.values())
    assert set(rungs) == {1, 2, 3, 4, 5}
    assert min(rungs.values()) >= 10


def test_at_least_eight_islands_and_the_rest_connected(snap: Snapshot) -> None:
    orgs = snap.labelled("Organisation")
    islands = [o for o in orgs if _best_rung(snap, o) < 2]
    assert len(islands) >= 8
    assert len(islands) < len(orgs) // 5  # islands stand out; most organisations have partners
    strong = nx.Graph((a, b) for a, nb in snap.ties.items() for b, r in nb.items() if r >= 2)
    giant = max(nx.connected_components(strong), key=len)
    assert len(set(orgs) - set(islands) - giant) <= 5


def test_ties_form_clusters_that_community_detection_finds(snap: Snapshot) -> None:
    graph = nx.Graph((a, b) for a, nb in snap.ties.items() for b, r in nb.items() if r >= 2)
    communities = nx.community.louvain_communities(graph, seed=1)
    assert len(communities) >= 5
    assert nx.community.modularity(graph, communities) > 0.4


def test_names_are_written_in_several_scripts(snap: Snapshot) -> None:
    scripts = set()
    for org in snap.labelled("Organisation"):
        for char in snap.name(org):
            if char.isalpha():
                scripts.add(unicodedata.name(char).split()[0])
    assert {"LATIN", "ARABIC", "ETHIOPIC", "TIFINAGH"} <= scripts
    names = " ".join(snap.name(o) for o in snap.labelled("Organisation"))
    assert "ı" in names and "ą" in names  # Turkish and Polish spellings survive the store


def test_area_codes_follow_the_official_pattern(snap: Snapshot) -> None:
    areas = [snap.node(a) for a in snap.labelled("Neighbourhood")]
    districts = {n.props["code"] for n in areas if n.props["level"] == "district"}
    assert districts == {"E", "F"}
    wijken = [n for n in areas if n.props["level"] == "wijk"]
    assert len(wijken) >= 15
    for wijk in wijken:
        code = wijk.props["code"]
        assert re.fullmatch(r"WK0363[EF][A-Z]", code), code
        assert wijk.id == f"area-{code.lower()}"
        assert snap.top_area(wijk.id) == f"area-{code[6].lower()}"
    assert snap.area("WK0363FC").name == "Slotermeer-West"


def test_interests_and_capabilities_come_from_the_vocabulary(snap: Snapshot) -> None:
    vocab = load_vocabulary()
    assert set(snap.labelled("Interest")) == {t.id for t in vocab.interests}
    for term in vocab.capabilities:
        node = snap.node(term.id, "Capability")
        assert (node.props["name"], node.props["name_en"], node.props["group"]) == (term.nl, term.en, term.group)
    gold = {t.id for t in vocab.capabilities if t.group == "gold"}
    assert all(snap.sources("OFFERS", g) for g in gold)


def test_tie_history_shows_climbs(demo_store: GraphStore, snap: Snapshot) -> None:
    by_pair = defaultdict(list)
    for event in demo_store.tie_history():
        by_pair[(event.a, event.b)].append(event)
    climbs = [events for events in by_pair.values() if len(events) >= 2]
    assert len(climbs) >= 50
    for (a, b), events in by_pair.items():
        assert [e.at for e in events] == sorted(e.at for e in events)
        assert all(later.new_rung > earlier.new_rung for earlier, later in pairwise(events))
        assert events[0].old_rung == 0 and events[-1].new_rung == snap.rung(a, b)
        assert all(e.source and e.declared_by for e in events)
    years = {e.at[:4] for e in demo_store.tie_history()}
    assert {"2023", "2024", "2025", "2026"} <= years
    at_sessions = [e for e in demo_store.tie_history() if e.session]
    assert at_sessions and all(snap.node(e.session).label == "Session" for e in at_sessions)


def test_rung_five_means_a_shared_agenda_item(snap: Snapshot) -> None:
    for (a, b), props in snap.tie_props.items():
        if props["rung"] == 5:
            assert snap.targets("COMMITS_TO", a) & snap.targets("COMMITS_TO", b), (a, b)


def test_sessions_and_agenda_items_are_linked(snap: Snapshot) -> None:
    for session in snap.labelled("Session"):
        (area,) = snap.targets("HELD_IN", session)
        assert snap.node(session).props["area"] == area
        assert len(snap.sources("ATTENDED", session)) >= 3
    for item in snap.labelled("AgendaItem"):
        node = snap.node(item)
        assert node.props["status"] in {"proposed", "adopted", "in_progress", "done"}
        assert snap.targets("ABOUT", item) and len(snap.targets("FOR", item)) == 1
        assert len(snap.sources("COMMITS_TO", item)) >= 2


def test_funding_is_positive_and_concentrated(snap: Snapshot) -> None:
    funders: dict[str, set[str]] = defaultdict(set)
    for fund in snap.labelled("Fund"):
        assert snap.targets("PRIORITISES", fund)
        for org, props in snap.out("FUNDS", fund):
            assert props["amount"] > 0 and 2021 <= props["year"] <= 2026
            assert props["status"] in {"completed", "active", "pending"} and props["key"]
            funders[org].add(fund)
    assert sum(len(f) == 1 for f in funders.values()) >= 10  # dependent on a single funder
    assert sum(len(f) >= 2 for f in funders.values()) >= 10
    assert len(funders) < len(snap.labelled("Organisation"))  # and some get nothing at all


def test_everything_personal_is_obviously_fictional(snap: Snapshot) -> None:
    for org in snap.labelled("Organisation"):
        props = snap.node(org).props
        assert all(c["email"].endswith("@example.org") for c in props["contact_persons"])
        assert "kvk" not in props or re.fullmatch(r"99\d{6}", props["kvk"])
    assert all("Fictie" in snap.node(i).props["description"] for i in snap.labelled("Institution"))


def test_records_are_deterministic_and_nodes_come_first() -> None:
    nodes, rels = demo_records()
    assert (nodes, rels) == demo_records()
    assert all(isinstance(n, Node) for n in nodes)
    assert len({n.id for n in nodes}) == len(nodes)
    ties = [r for r in rels if r.type == "TIE"]
    assert rels[-len(ties):] == ties
    assert [t.props["changed_at"] for t in ties] == sorted(t.props["changed_at"] for t in ties)


def test_loading_twice_changes_nothing(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    assert load_demo(store)
    before = (store.revision(), store.counts(), store.tie_history())
    assert load_demo(store, only_if_empty=False) is True
    assert (store.revision(), store.counts(), store.tie_history()) == before
    store.close()


def test_load_respects_a_store_that_holds_data(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    with store.transaction() as tx:
        tx.upsert_node(Node("org-own", "Organisation", {"name": "Eigen data"}))
    revision = store.revision()
    assert load_demo(store) is False
    assert store.revision() == revision
    assert store.counts()["nodes"] == {"Organisation": 1}
    store.close()
