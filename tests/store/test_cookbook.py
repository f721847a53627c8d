"""The Cypher cookbook (docs/neo4j.md): every query, read from the page itself, runs against a real
Neo4j holding the demo and answers as Goudkaart's own query function does on the same graph."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any, LiteralString, cast

import pytest

from graphsvc.demo.dataset import load_demo
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore
from queries.brokers import brokers
from queries.funding import funding_flows
from queries.grants import NOT_GRANTED
from queries.islands import islands
from queries.ladder import ladder_progress
from queries.match_evidence import introducer
from queries.match_funds import fitting_funds
from tests.neo4j_server import Neo4jServer

pytestmark = pytest.mark.neo4j

DOC = Path(__file__).resolve().parents[2] / "docs" / "neo4j.md"
_QUERY = re.compile(r"```cypher\n// cookbook: (\w+)\n(.*?)```", re.S)


def cookbook() -> dict[str, str]:
    return dict(_QUERY.findall(DOC.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def demo(neo4j_server: Neo4jServer) -> Iterator[tuple[GraphStore, Snapshot]]:
    neo4j_server.clear()
    store = neo4j_server.store()
    load_demo(store)
    yield store, Snapshot.from_store(store)
    store.close()


def run(server: Neo4jServer, name: str, **params: Any) -> list[dict[str, Any]]:
    query = cast(LiteralString, cookbook()[name])
    records, _, _ = server.driver().execute_query(query, params, database_=server.database)
    return [dict(r) for r in records]


def _codes(snap: Snapshot, level: str | None = None) -> list[str]:
    return [snap.nodes[a].props["code"] for a in snap.labelled("Neighbourhood")
            if level is None or snap.nodes[a].props.get("level") == level]


def test_the_page_holds_every_recipe_and_the_statuses_of_the_app() -> None:
    assert set(cookbook()) == {"islands", "climbed", "introducers", "brokers", "funding_per_fund",
                               "funding_per_area", "fitting_funds"}
    found = re.search(r":param not_granted => (\[.*\])", DOC.read_text(encoding="utf-8"))
    assert found and set(ast.literal_eval(found.group(1))) == set(NOT_GRANTED)


def test_islands_of_an_area(demo: tuple[GraphStore, Snapshot], neo4j_server: Neo4jServer) -> None:
    _, snap = demo
    seen = 0
    for code in _codes(snap, "district") + _codes(snap, "wijk")[::3]:
        for min_rung in (2, 3):
            rows = run(neo4j_server, "islands", area=code, min_rung=min_rung)
            expected = [(i.id, i.best_rung) for i in islands(snap, code, min_rung)]
            assert [(r["id"], r["best_rung"]) for r in rows] == expected, (code, min_rung)
            seen += len(rows)
    assert seen > 10


def test_ties_that_climbed_since_a_date(demo: tuple[GraphStore, Snapshot], neo4j_server: Neo4jServer) -> None:
    _, snap = demo
    climbs = []
    for day in ("2021-12-31", "2023-06-30", "2024-12-31", "2025-09-30"):
        rows = run(neo4j_server, "climbed", day=day)
        ladder = ladder_progress(snap, None, [("then", day), ("now", "2100-12-31")])
        assert len(rows) == ladder.periods[1].up, day
        assert all(snap.rung(r["a"], r["b"]) == r["rung_now"] > r["rung_then"] for r in rows)
        climbs.append(len(rows))
    assert max(climbs) > 5


def test_who_could_introduce_whom(demo: tuple[GraphStore, Snapshot], neo4j_server: Neo4jServer) -> None:
    _, snap = demo
    total = 0
    for org in snap.actors()[::7]:
        rows = run(neo4j_server, "introducers", org=org)
        strangers = [b for b in snap.actors() if b != org and b not in snap.ties.get(org, {})]
        expected = {b: found for b in strangers if (found := introducer(snap, org, b)) is not None}
        assert {r["id"]: r["introducer_id"] for r in rows} == expected, org
        total += len(rows)
    assert total > 20


def test_brokers(demo: tuple[GraphStore, Snapshot], neo4j_server: Neo4jServer) -> None:
    _, snap = demo
    compared = 0
    for code in _codes(snap, "district"):
        rows = run(neo4j_server, "brokers", area=code, min_rung=2)
        found = brokers(snap, code, limit=10, min_rung=2)
        assert [round(r["betweenness"], 9) for r in rows] == [round(b.betweenness, 9) for b in found]
        if rows:  # the ids, but for a tie at the tenth place
            last = round(rows[-1]["betweenness"], 9)
            assert {r["id"] for r in rows if round(r["betweenness"], 9) > last} == \
                {b.id for b in found if round(b.betweenness, 9) > last}
        compared += len(rows)
    assert compared > 10


def test_funding_per_fund(demo: tuple[GraphStore, Snapshot], neo4j_server: Neo4jServer) -> None:
    _, snap = demo
    rows = run(neo4j_server, "funding_per_fund", not_granted=sorted(NOT_GRANTED))
    assert [r["id"] for r in rows if r["amount"] > 0] and len(rows) == len(snap.labelled("Fund"))
    for row in rows:
        flows = funding_flows(snap, row["id"])
        assert (row["amount"], row["grants"]) == (pytest.approx(flows.total), flows.grants)


def test_funding_per_area(demo: tuple[GraphStore, Snapshot], neo4j_server: Neo4jServer) -> None:
    _, snap = demo
    rows = run(neo4j_server, "funding_per_area", not_granted=sorted(NOT_GRANTED))
    expected: dict[str | None, float] = defaultdict(float)
    grants: dict[str | None, int] = defaultdict(int)
    for flow in funding_flows(snap).to_areas:
        code = snap.nodes[flow.target].props["code"] if flow.target else None
        expected[code] += flow.amount
        grants[code] += flow.grants
    assert {r["district"]: r["amount"] for r in rows} == pytest.approx(dict(expected))
    assert {r["district"]: r["grants"] for r in rows} == dict(grants)
    assert len(rows) >= 2 and all(r["amount"] > 0 for r in rows)  # the demo has two districts


def test_funds_that_fit_an_organisations_themes(demo: tuple[GraphStore, Snapshot],
                                                 neo4j_server: Neo4jServer) -> None:
    _, snap = demo
    fitting = 0
    for org in snap.labelled("Organisation")[::5]:
        rows = run(neo4j_server, "fitting_funds", org=org)
        assert {r["id"] for r in rows} == {f.id for f in fitting_funds(snap, org, limit=100).funds}, org
        fitting += len(rows)
    assert fitting > 10


def test_what_the_issue_asked_of_plain_cypher(demo: tuple[GraphStore, Snapshot], neo4j_server: Neo4jServer) -> None:
    _, snap = demo
    driver = neo4j_server.driver()
    totals = {r["id"]: r["total"] for r in driver.execute_query(
        "MATCH (f:Fund)-[g:FUNDS]->() RETURN f.id AS id, sum(g.amount) AS total").records}
    expected = {f: sum(p["amount"] for _, p in snap.out("FUNDS", f)) for f in snap.labelled("Fund")}
    assert totals == pytest.approx({f: t for f, t in expected.items() if snap.out("FUNDS", f)})
    assert max(totals.values()) > 100_000
    counts = driver.execute_query(
        "MATCH (o:Organisation) WITH count(*) AS orgs, count(o.kind) AS kinds "
        "MATCH (a:Neighbourhood) WITH orgs, kinds, count(*) AS areas, count(a.code) AS codes "
        "MATCH ()-[t:TIE]->() RETURN orgs, kinds, areas, codes, count(t.since) AS since, "
        "count(CASE WHEN t.since IS :: DATE THEN 1 END) AS dates").records[0]
    assert counts["orgs"] == counts["kinds"] > 100 and counts["areas"] == counts["codes"] > 10
    assert counts["since"] == counts["dates"] > 100
