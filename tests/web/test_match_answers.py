"""The match API across a meeting's writes: answers kept from before a tie change (the API's
answer cache carries those a tie change cannot alter) must equal answers computed afresh."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from graphsvc.demo import load_demo
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore
from graphsvc.web.coach import JSON_CACHE
from queries.match_index import affected_by_ties
from queries.matching import partner_matches
from tests.conftest import csrf_token_from


def _matches(client: FlaskClient, org: str) -> dict[str, object]:
    response = client.get(f"/api/v1/organisations/{org}/matches?limit=5")
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


def test_answers_after_tie_writes_equal_fresh_ones(app: Flask, sqlite_store: GraphStore,
                                                   login: Callable[..., FlaskClient]) -> None:
    load_demo(sqlite_store)
    client = login("admin")
    headers = {"X-CSRFToken": csrf_token_from(client.get("/meeting").get_data(as_text=True))}
    services = app.extensions["goudkaart"]
    snap = services.snapshot()
    orgs = snap.labelled("Organisation")
    area = next(a for a in snap.labelled("Neighbourhood") if snap.nodes[a].props.get("level") == "wijk")
    opened = client.post("/api/v1/sessions", json={"area": snap.nodes[area].props["code"]}, headers=headers)
    assert opened.status_code == 201, opened.get_json()
    session = opened.get_json()["session"]["id"]
    pairs = [(orgs[0], orgs[1]), (orgs[1], orgs[2]), (orgs[0], orgs[1]), (orgs[3], orgs[5])]
    for i, (a, b) in enumerate(pairs):
        for org in orgs:
            _matches(client, org)  # every answer cached at this revision
        before = services.snapshot()
        wrote = client.post(f"/api/v1/sessions/{session}/ties", headers=headers,
                            json={"a": a, "b": b, "rung": 1 + i % 3, "declared_by": "coach"})
        assert wrote.status_code in (200, 201), wrote.get_json()
        after = services.snapshot()
        assert after.revision > before.revision
        carried = after._derived.get(JSON_CACHE, {})
        stale = affected_by_ties(after, [(a, b)])
        assert {k[1] for k in carried} == set(orgs) - stale  # the rest kept, the affected dropped
        fresh = Snapshot.from_store(sqlite_store)
        for org in orgs:
            expected = json.loads(json.dumps(partner_matches(fresh, org, limit=5).as_dict()))
            assert _matches(client, org) == {"ok": True, **expected}, org
