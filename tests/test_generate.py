"""The synthetic generator: determinism, scale ratios, structure, and writing to a store or a dump."""

from __future__ import annotations

import json
import re
import tracemalloc
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from graphsvc.errors import InvalidInput
from graphsvc.generate import (
    generate,
    graph_data,
    iter_generated,
    write_dump,
    write_generated,
    write_json,
)
from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store import open_store
from graphsvc.vocab import load_vocabulary


@pytest.fixture(scope="module")
def big() -> Snapshot:
    return Snapshot(graph_data(iter_generated(2000, seed=1)))


def _strong_graph(snap: Snapshot) -> nx.Graph:
    return nx.Graph((a, b) for a, nb in snap.ties.items() for b, r in nb.items() if r >= 2)


def test_same_seed_same_graph_other_seed_other_graph() -> None:
    first = list(iter_generated(300, seed=5))
    assert first == list(iter_generated(300, seed=5))
    assert generate(300, seed=5) == generate(300, seed=5)
    other = list(iter_generated(300, seed=6))
    assert other != first
    assert {r.start for r in first if isinstance(r, Relationship)} != set()


def test_nodes_come_first_and_generate_holds_the_final_state() -> None:
    records = list(iter_generated(300, seed=2))
    kinds = [isinstance(r, Node) for r in records]
    assert kinds == sorted(kinds, reverse=True)  # every node before every relationship
    nodes, rels = generate(300, seed=2)
    assert len({r.ident for r in rels}) == len(rels)
    steps = [r for r in records if isinstance(r, Relationship) and r.type == "TIE"]
    assert len(steps) > sum(r.type == "TIE" for r in rels)  # some ties climbed


def test_scale_ratios_at_two_thousand(big: Snapshot) -> None:
    count = Counter(n.label for n in big.nodes.values())
    assert count["Organisation"] == 2000
    assert count["Institution"] == 500
    assert count["Fund"] == 200
    assert count["Interest"] == len(load_vocabulary().interests)
    assert 8 <= big.relationship_count / 2000 <= 13
    islands = [o for o in big.labelled("Organisation") if max(big.ties.get(o, {}).values(), default=0) < 2]
    assert 0.03 <= len(islands) / 2000 <= 0.08
    rungs = Counter(r for nb in big.ties.values() for r in nb.values())
    assert set(rungs) == {1, 2, 3, 4, 5}


def test_small_graphs_keep_a_minimum_of_funds() -> None:
    nodes, _ = generate(30, seed=1)
    assert sum(n.label == "Fund" for n in nodes) == 12


def test_theme_popularity_is_skewed(big: Snapshot) -> None:
    per_theme = sorted((len(big.sources("WORKS_ON", t)) for t in big.labelled("Interest")), reverse=True)
    assert per_theme[0] > 10 * max(per_theme[-5], 1)


def test_planted_clusters_give_community_structure(big: Snapshot) -> None:
    graph = _strong_graph(big)
    communities = nx.community.louvain_communities(graph, seed=1)
    assert len(communities) >= 10
    assert nx.community.modularity(graph, communities) > 0.6


def test_funds_concentrate_and_some_organisations_depend_on_one(big: Snapshot) -> None:
    funders: Counter[str] = Counter()
    for fund in big.labelled("Fund"):
        for org, props in big.out("FUNDS", fund):
            assert props["amount"] > 0 and 2021 <= props["year"] <= 2026
            funders[org] += 1
    assert sum(n == 1 for n in funders.values()) > 0.25 * 2000
    grants = sorted((len(big.out("FUNDS", f)) for f in big.labelled("Fund")), reverse=True)
    assert sum(grants[:20]) > 0.2 * sum(grants)  # the top 10% of funds give over 20% of grants


@pytest.mark.parametrize(("orgs", "districts"), [(200, {"E", "F"}), (5000, {"E", "F"}), (20_000, None)])
def test_area_codes_follow_the_pattern_at_any_size(orgs: int, districts: set[str] | None) -> None:
    areas: list[Node] = []
    part_of: set[str] = set()
    for record in iter_generated(orgs, seed=3):  # areas and their PART_OF come first: stop early
        if isinstance(record, Node):
            areas += [record] if record.label == "Neighbourhood" else []
        elif record.type == "PART_OF":
            part_of.add(record.start)
        else:
            break
    patterns = {"district": r"[AEFKMNST]", "wijk": r"WK0363[AEFKMNST][A-Z]", "buurt": r"BU0363[A-Z]{2}\d\d"}
    for area in areas:
        assert re.fullmatch(patterns[area.props["level"]], area.props["code"]), area
        assert area.props["level"] == "district" or area.id in part_of
    assert len({a.props["code"] for a in areas}) == len(areas)
    levels = Counter(a.props["level"] for a in areas)
    assert levels["buurt"] >= orgs // 30 and levels["wijk"] >= 3
    found = {a.props["code"] for a in areas if a.props["level"] == "district"}
    if districts is not None:
        assert found == districts
    else:  # West and Nieuw-West are full: invented wijken in other districts, in the same pattern
        assert levels["wijk"] > 48 and len(found) > 2


def test_invalid_sizes_are_refused() -> None:
    for bad in (0, -5, 2.5, True):
        with pytest.raises(InvalidInput):
            iter_generated(bad)  # type: ignore[arg-type]


def test_writing_to_a_store_matches_the_records(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    changed = write_generated(store, 300, seed=4, batch=700)
    expected = graph_data(iter_generated(300, seed=4))
    counts = store.counts()
    assert sum(counts["nodes"].values()) == len(expected.nodes)
    assert sum(counts["relationships"].values()) == len(expected.relationships)
    assert changed == len(expected.nodes) + sum(1 for r in iter_generated(300, seed=4) if isinstance(r, Relationship))
    history = [(e.a, e.b, e.old_rung, e.new_rung, e.at) for e in store.tie_history()]
    assert history == [(e.a, e.b, e.old_rung, e.new_rung, e.at) for e in expected.tie_events]
    revision = store.revision()
    assert write_generated(store, 300, seed=4, batch=700) == 0
    assert store.revision() == revision and len(store.tie_history()) == len(history)
    store.close()


def test_the_dump_file_matches_what_a_store_records(tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    counts = write_json(path, 250, seed=9)
    dump = json.loads(path.read_text(encoding="utf-8"))
    assert list(dump) == ["format", "version", "nodes", "relationships", "tie_events"]
    assert (dump["format"], dump["version"]) == ("goudkaart-dump", 1)
    assert counts == {k: len(dump[k]) for k in ("nodes", "relationships", "tie_events")}
    assert set(dump["nodes"][0]) == {"id", "label", "props"}
    assert set(dump["relationships"][0]) == {"type", "start", "end", "key", "props"}
    assert set(dump["tie_events"][0]) == {"a", "b", "old_rung", "new_rung", "at", "source", "session",
                                          "declared_by"}
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    write_generated(store, 250, seed=9)
    assert dump["tie_events"] == [e.as_dict() for e in store.tie_history()]
    stored = {(r.type, r.start, r.end, r.key): dict(r.props) for r in store.iter_relationships()}
    assert {(r["type"], r["start"], r["end"], r["key"]): r["props"] for r in dump["relationships"]} == stored
    assert {n["id"]: n["props"] for n in dump["nodes"]} == {n.id: dict(n.props) for n in store.iter_nodes()}
    store.close()


def test_a_tie_that_comes_back_later_is_written_once_in_its_first_place(tmp_path: Path) -> None:
    a, b, c = (Node(i, "Organisation", {"name": i.upper()}) for i in ("a", "b", "c"))
    records: list[Node | Relationship] = [a, b, c,
               Relationship("TIE", "a", "b", {"rung": 1, "changed_at": "2024-01-01"}),
               Relationship("TIE", "b", "c", {"rung": 2, "changed_at": "2024-02-01"}),
               Relationship("SERVES", "a", "c"),
               Relationship("TIE", "a", "b", {"rung": 3, "changed_at": "2024-03-01"})]
    path = tmp_path / "t.json"
    assert write_dump(path, records) == {"nodes": 3, "relationships": 3, "tie_events": 3}
    dump = json.loads(path.read_text(encoding="utf-8"))
    assert [(r["type"], r["start"], r["end"], r["props"].get("rung")) for r in dump["relationships"]] == [
        ("SERVES", "a", "c", None), ("TIE", "a", "b", 3), ("TIE", "b", "c", 2)]
    assert [(e["a"], e["b"], e["old_rung"], e["new_rung"]) for e in dump["tie_events"]] == [
        ("a", "b", 0, 1), ("b", "c", 0, 2), ("a", "b", 1, 3)]
    expected = graph_data(records)
    assert [e.as_dict() for e in expected.tie_events] == dump["tie_events"]


def test_the_dump_writer_streams_in_flat_memory(tmp_path: Path) -> None:
    # the writer once held every tie and event until the end: 15 MB at 8,000 organisations
    tracemalloc.start()
    try:
        write_json(tmp_path / "g.json", 8000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * 2**20


def test_progress_is_reported_while_writing(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    write_generated(store, 300, seed=2, batch=500, progress=lambda *call: calls.append(call))
    counts = store.counts()
    store.close()
    nodes = [c for c in calls if c[0] == "nodes"]
    rels = [c for c in calls if c[0] == "relationships"]
    assert nodes[-1][1] == nodes[-1][2] == sum(counts["nodes"].values())
    assert [c[1] for c in rels] == sorted(c[1] for c in rels) and rels[-1][2] == 0
    assert rels[-1][1] == sum(1 for r in iter_generated(300, seed=2) if isinstance(r, Relationship))
    sections: list[tuple[str, int, int]] = []
    written = write_json(tmp_path / "g.json", 2000, progress=lambda *call: sections.append(call))
    assert ("nodes", 10_000, 0) not in sections and ("relationships", 10_000, 0) in sections
    assert max(c[1] for c in sections if c[0] == "relationships") <= written["relationships"]
