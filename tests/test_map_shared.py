"""One map layout per area for every worker and app server on a store (issue 15: "the same
picture after a reload, in another worker and in the offline file"), on both stores.

Each "worker" is its own app on its own store object; the layouts this process keeps are
forgotten before a worker answers (:func:`reset_layouts`), as a separate process has none. The
offline file is written by ``graphsvc export`` in a process of its own.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from graphsvc.config import load_settings
from graphsvc.demo.dataset import load_demo
from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore
from graphsvc.store.kept import KeptData
from graphsvc.web import create_app
from tests.conftest import BACKENDS, ROOT
from tests.store.test_kept import twin
from visualisations.map_layout import LAYOUT_KIND, area_positions, decode_layout, reset_layouts

Places = dict[str, tuple[float, float]]


@pytest.fixture(params=BACKENDS)
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """An empty store of each backend (Neo4j: emptied), on which workers open their own objects."""
    if request.param == "sqlite":
        from graphsvc.store import open_store

        store = open_store(f"sqlite:///{tmp_path / 'graph.db'}")
    else:
        request.getfixturevalue("neo4j_server").clear()
        store = request.getfixturevalue("neo4j_server").store()
    yield store
    store.close()


def _settings(store: GraphStore) -> dict[str, Any]:
    extra = {"neo4j_user": store.user, "neo4j_password": store._password} \
        if hasattr(store, "_password") else {}
    # freshness 0: every request asks the store's revision, so two workers may be compared right
    # after a write; the freshness bound itself is tested in tests/web/test_freshness.py
    return load_settings(environ={}, store=store.url, testing=True, secret_key="k", freshness=0,
                         **extra)


class Worker:
    """An app server of its own (own store object, own snapshots) on the shared store."""

    def __init__(self, store: GraphStore) -> None:
        self.store = twin(store)
        self.app: Flask = create_app(_settings(store), store=self.store)

    def places(self, area: str = "F") -> Places:
        reset_layouts()  # nothing kept in this process: as a worker process of its own
        body = self.app.test_client().get(f"/api/v1/graph?area={area}").get_json()
        assert body["positioned"] is True, body
        return {n["id"]: (n["x"], n["y"]) for n in body["nodes"]}


def _add_organisation(store: GraphStore, org: str, partners: list[str], area: str) -> None:
    with store.transaction(source="test") as tx:
        tx.upsert_node(Node(org, "Organisation", {"name": f"Nieuw {org}"}))
        tx.upsert_relationship(Relationship("ACTIVE_IN", org, area))
        for p in partners:
            tx.upsert_relationship(Relationship("TIE", org, p, {"rung": 2}))


def _offline_places(store: GraphStore, out: Path) -> Places:
    env = {**os.environ, "GRAPHSVC_STORE": store.url}
    if hasattr(store, "_password"):
        env |= {"GRAPHSVC_NEO4J_USER": store.user, "GRAPHSVC_NEO4J_PASSWORD": store._password}
    subprocess.run([sys.executable, "-m", "graphsvc", "export", "--format", "html", "--area", "F",
                    "--out", str(out)], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    html = out.read_text(encoding="utf-8")
    raw = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S)
    assert raw is not None
    return {n["id"]: (n["x"], n["y"]) for n in json.loads(raw.group(1))["nodes"]}


def test_every_worker_shows_one_picture_through_a_meeting(shared: GraphStore, tmp_path: Path) -> None:
    load_demo(shared)
    a, b = Worker(shared), Worker(shared)
    try:
        before = a.places()
        snap = Snapshot.from_store(shared)
        wijk = next(w for w in snap.areas_within(snap.area("F").id) if snap.actors_in(w))
        members = sorted(snap.actors_in(wijk))
        _add_organisation(shared, "org-new-1", members[:2], wijk)
        seen_by_b = b.places()  # b never saw the area before the change
        assert seen_by_b == a.places()
        assert {k: v for k, v in seen_by_b.items() if k in before} == before  # nobody moved
        # the meeting records ties and a rung change, then another new organisation
        orgs = sorted(o for o in before if snap.nodes[o].label == "Organisation")
        with shared.transaction(source="test") as tx:
            for x, y in zip(orgs[::2], orgs[1::2], strict=False):
                tx.upsert_relationship(Relationship("TIE", x, y, {"rung": 4}))
        _add_organisation(shared, "org-new-2", members[2:4], wijk)
        late = b.places()
        assert late == a.places()
        assert {k: v for k, v in late.items() if k in seen_by_b} == seen_by_b
        fresh = Worker(shared)  # an app server started after all this
        try:
            assert fresh.places() == late
        finally:
            fresh.store.close()
        assert _offline_places(shared, tmp_path / "F.html") == late
    finally:
        a.store.close()
        b.store.close()


class Gate(KeptData):
    """The shared store as a worker sees it, holding its first write until the other worker's
    is ready too: both then compare-and-set at once on the real store."""

    def __init__(self, store: GraphStore, barrier: threading.Barrier) -> None:
        self.store, self.barrier, self.waited = store, barrier, False

    def get_kept(self, kind: str, key: str) -> bytes | None:
        return self.store.get_kept(kind, key)

    def put_kept(self, kind: str, key: str, value: bytes, *, expected: bytes | None) -> bool:
        if not self.waited:
            self.waited = True
            self.barrier.wait()
        return self.store.put_kept(kind, key, value, expected=expected)


def test_two_workers_placing_new_nodes_at_once_end_with_one_layout(shared: GraphStore) -> None:
    with shared.transaction(source="test") as tx:
        tx.upsert_node(Node("area", "Neighbourhood", {"name": "Wijk", "code": "WK0363ZZ", "level": "wijk"}))
        for i in range(12):
            tx.upsert_node(Node(f"o{i:02d}", "Organisation", {"name": f"Organisatie {i}"}))
            tx.upsert_relationship(Relationship("ACTIVE_IN", f"o{i:02d}", "area"))
        for i in range(11):
            tx.upsert_relationship(Relationship("TIE", f"o{i:02d}", f"o{i + 1:02d}", {"rung": 2}))
    first = area_positions(Snapshot.from_store(shared), "area", shared)
    _add_organisation(shared, "n1", ["o03", "o04"], "area")
    older = Snapshot.from_store(shared)  # one worker reads the store here ...
    _add_organisation(shared, "n2", ["o03", "n1"], "area")
    newer = Snapshot.from_store(shared)  # ... the other one commit later
    reset_layouts()
    barrier = threading.Barrier(2, timeout=60)
    got: dict[str, Places] = {}
    workers = [(older, twin(shared)), (newer, twin(shared))]

    def work(name: str, snap: Snapshot, store: GraphStore) -> None:
        got[name] = area_positions(snap, "area", Gate(store, barrier))

    threads = [threading.Thread(target=work, args=(n, s, st)) for n, (s, st) in zip(("older", "newer"), workers, strict=True)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        for _, st in workers:
            st.close()
    raw = shared.get_kept(LAYOUT_KIND, "area")
    assert raw is not None
    kept = decode_layout(raw)
    assert kept is not None and kept.revision == newer.revision
    assert got["newer"] == kept.pos  # the layout the store keeps is the newest worker's ...
    assert got["older"] == {k: v for k, v in kept.pos.items() if k != "n2"}  # ... and both agree
    assert {k: v for k, v in kept.pos.items() if k in first} == first
