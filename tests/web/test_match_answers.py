"""API answers across a meeting's writes: answers kept from before a tie change (the answer
cache carries those that read neither end of the changed tie) must equal answers computed
afresh, revision included."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from graphsvc.demo.dataset import load_demo
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore
from graphsvc.web.answers import JSON_CACHE
from queries.match_index import match_inputs
from queries.matching import partner_matches
from tests.conftest import csrf_token_from
from visualisations.network_map import MapFilters, map_inputs, map_payload


def _get(client: FlaskClient, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, url
    return dict(json.loads(response.get_data(as_text=True)))


def _fresh(data: dict[str, Any]) -> dict[str, Any]:
    return {"ok": True, **json.loads(json.dumps(data))}


def test_answers_after_tie_writes_equal_fresh_ones(app: Flask, sqlite_store: GraphStore,
                                                   login: Callable[..., FlaskClient]) -> None:
    load_demo(sqlite_store)
    client = login("admin")
    headers = {"X-CSRFToken": csrf_token_from(client.get("/meeting").get_data(as_text=True))}
    services = app.extensions["goudkaart"]
    snap = services.snapshot()
    orgs = snap.labelled("Organisation")
    wijken = [snap.nodes[a].props["code"] for a in snap.labelled("Neighbourhood")
              if snap.nodes[a].props.get("level") == "wijk"]
    opened = client.post("/api/v1/sessions", json={"area": wijken[0]}, headers=headers)
    assert opened.status_code == 201, opened.get_json()
    session = opened.get_json()["session"]["id"]
    # ties inside one area (its map changes), and one between two other organisations
    local = [o for o in snap.actors_in(snap.area(wijken[0]).id) if o in orgs]
    away = [o for o in orgs if o not in local]
    pairs = [(local[0], local[1]), (local[1], local[2]), (local[0], local[1]), (away[0], away[1])]
    kept = 0
    for i, (a, b) in enumerate(pairs):
        for org in orgs:
            _get(client, f"/api/v1/organisations/{org}/matches?limit=5")
        for code in wijken:
            _get(client, f"/api/v1/graph?area={code}")
        before = services.snapshot()
        cached = before._derived[JSON_CACHE]
        wrote = client.post(f"/api/v1/sessions/{session}/ties", headers=headers,
                            json={"a": a, "b": b, "rung": 1 + i % 3, "declared_by": "coach"})
        assert wrote.status_code in (200, 201), wrote.get_json()
        after = services.snapshot()
        assert after.revision > before.revision
        # kept: exactly the answers that read neither end of the tie
        reads = {key: (match_inputs(before, key[1]) if key[0] == "matches"
                       else map_inputs(map_payload(before, key[1]))) for key in cached}
        assert set(after._derived.get(JSON_CACHE, {})) == {
            k for k, inputs in reads.items() if inputs is not None and inputs.isdisjoint((a, b))}
        kept += len(after._derived.get(JSON_CACHE, {}))
        fresh = Snapshot.from_store(sqlite_store)
        for org in orgs:
            assert _get(client, f"/api/v1/organisations/{org}/matches?limit=5") == _fresh(
                partner_matches(fresh, org, limit=5).as_dict()), org
        for code in wijken:
            answer = _get(client, f"/api/v1/graph?area={code}")
            assert answer["revision"] == fresh.revision
            assert answer == _fresh(map_payload(fresh, MapFilters(area=code))), code
    assert kept > 0  # the carry path ran
