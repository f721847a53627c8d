"""Values stored before weights, amounts, years and statuses were checked stay readable.

The rows are changed behind the store's back in its real SQLite file, as an older version
(or a hand edit) could have left them; the snapshot builds and the queries clamp or skip them.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from graphsvc.model import Relationship
from graphsvc.snapshot_cache import SnapshotCache
from graphsvc.store import GraphStore
from queries.clusters import clusters
from queries.funding import funding_flows, organisation_dependency
from queries.match_funds import fitting_funds
from queries.matching import partner_matches


def _poke(db: Path, rel_type: str, start: str, key: str, props: dict[str, Any]) -> None:
    with sqlite3.connect(db) as conn:
        changed = conn.execute("UPDATE relationships SET props = ? WHERE type = ? AND start = ? AND key = ?",
                               (json.dumps(props), rel_type, start, key)).rowcount
    assert changed == 1


def _legacy(store: GraphStore, db: Path) -> None:
    with store.transaction() as tx:
        tx.upsert_relationship(Relationship("WORKS_ON", "org-amal", "taal", {"weight": 1}))
        tx.upsert_relationship(Relationship("PRIORITISES", "fund-a", "eenzaamheid"))
        tx.upsert_relationship(Relationship("FUNDS", "fund-a", "org-amal", {"amount": 5000, "year": 2024}, "G-2"))
        tx.upsert_relationship(Relationship("FUNDS", "fund-a", "org-amal", {"amount": 7000, "year": 2024}, "G-3"))
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE relationships SET props = ? WHERE type = 'WORKS_ON' AND start = 'org-amal'",
                     (json.dumps({"weight": "abc"}),))
    _poke(db, "WORKS_ON", "org-xss", "", {"weight": 7})
    _poke(db, "FUNDS", "fund-a", "G-1", {"amount": "lots", "year": "ooit", "status": "granted"})
    _poke(db, "FUNDS", "fund-a", "G-2", {"amount": 5000, "year": 2024, "status": "afgewezen"})
    _poke(db, "FUNDS", "fund-a", "G-3", {"amount": -7000, "year": 2024, "status": "pending"})


def test_the_snapshot_builds_and_the_queries_clamp(seeded: GraphStore, sqlite_url: str) -> None:
    db = Path(sqlite_url.removeprefix("sqlite:///"))
    _legacy(seeded, db)
    snap = SnapshotCache(seeded).get()
    assert dict(snap.out("WORKS_ON", "org-xss")[0][1]) == {"weight": 7}  # read as stored
    assert partner_matches(snap, "org-amal").actor.id == "org-amal"
    flows = funding_flows(snap, "fund-a")
    # "lots" counts as nothing; the older "afgewezen" (5000) and the pending -7000 are no money
    assert (flows.total, flows.grants, flows.pending_grants, flows.pending_amount) == (0.0, 1, 1, 0.0)
    assert organisation_dependency(snap, "org-amal").total == 0.0
    fit = next(f for f in fitting_funds(snap, "org-amal").funds if f.id == "fund-a")
    assert (fit.already_funds, fit.funded_amount, fit.grants) == (True, 0.0, 1)  # the older "afgewezen" is no grant
    assert clusters(snap).clusters is not None


def test_the_pages_show_them(client: FlaskClient, login: Any, seeded: GraphStore, sqlite_url: str) -> None:
    _legacy(seeded, Path(sqlite_url.removeprefix("sqlite:///")))
    login("admin")
    for path in ("/api/v1/organisations/org-amal", "/api/v1/graph", "/funders", "/api/v1/clusters"):
        assert client.get(path).status_code == 200, path
