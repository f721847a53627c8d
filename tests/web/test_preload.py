"""``graphsvc serve`` builds the snapshot once in the master before forking: the workers answer
from it, share its memory, see each other's writes, and open their own store connections."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from graphsvc.access.accounts import AccountStore
from graphsvc.config import load_settings
from graphsvc.store import GraphStore, open_store
from graphsvc.web import create_app
from tests.conftest import PASSWORD
from tests.neo4j_server import Neo4jServer, free_port
from tests.served_workers import Served, memory, serving
from tests.small_graph import seed_small

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")]


@dataclass
class Prepared:
    env: dict[str, str]
    token: str
    folder: Path

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}


def _prepare(store: GraphStore, env: dict[str, str], folder: Path) -> Prepared:
    accounts = AccountStore(store)
    admin = accounts.add_user("preload-admin", PASSWORD, "admin")
    return Prepared({**env, "GRAPHSVC_SECRET_KEY": "preload-test"}, accounts.create_token(admin.id),
                    folder)


@pytest.fixture(params=["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def small(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Prepared]:
    """The small neighbourhood in a store of each backend, with an admin token."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'graph.db'}"
        store = open_store(url)
        env = {"GRAPHSVC_STORE": url}
    else:
        server: Neo4jServer = request.getfixturevalue("neo4j_server")
        server.clear()
        store = server.store()
        env = {"GRAPHSVC_STORE": server.url, "GRAPHSVC_NEO4J_USER": server.user,
               "GRAPHSVC_NEO4J_PASSWORD": server.password, "GRAPHSVC_NEO4J_DATABASE": server.database}
    try:
        seed_small(store)
        yield _prepare(store, env, tmp_path)
    finally:
        store.close()


def _partners(served: Served, prepared: Prepared, pid: int, actor: str) -> dict[str, int]:
    answer = served.ask(pid, "GET", f"/api/v1/organisations/{actor}", prepared.headers)
    assert answer.status == 200 and answer.pid == pid
    return {tie["id"]: tie["rung"] for tie in answer.json()["ties"]}


def _seen_within(served: Served, prepared: Prepared, pid: int, actor: str, other: str,
                 rung: int) -> float:
    """Seconds until worker ``pid`` shows the tie (fails after one second)."""
    started = time.monotonic()
    while _partners(served, prepared, pid, actor).get(other) != rung:
        assert time.monotonic() - started < 1.0, f"worker {pid} did not see the tie within 1 s"
        time.sleep(0.02)
    return time.monotonic() - started


def _put_tie(served: Served, prepared: Prepared, pid: int, a: str, b: str, rung: int) -> None:
    answer = served.ask(pid, "PUT", f"/api/v1/organisations/{a}/ties/{b}", prepared.headers,
                        f'{{"rung": {rung}}}'.encode())
    assert answer.status == 200, answer.body
    assert answer.pid == pid


def test_a_write_through_one_worker_is_seen_by_the_other_within_a_second(small: Prepared) -> None:
    with serving(small.env, small.folder, workers=2, preload=True) as served:
        first, second = served.workers()
        # the master built the snapshot and closed the store before forking: it holds no
        # database file and no connection (its one socket is the one it listens on)
        held = served.open_files()
        assert not [f for f in held if "graph.db" in f]
        assert len([f for f in held if f.startswith("socket:")]) == 1
        for pid in (first, second):  # both answer from the snapshot the master built
            assert _partners(served, small, pid, "org-amal") == {
                "org-kadin": 3, "inst-buurtteam": 2, "org-xss": 1}
        # each worker writes through its own store connection (none crossed the fork)
        _put_tie(served, small, first, "org-alone", "org-kadin", 2)
        _seen_within(served, small, second, "org-alone", "org-kadin", 2)
        _put_tie(served, small, second, "org-alone", "org-amal", 4)
        _seen_within(served, small, first, "org-alone", "org-amal", 4)
        assert _partners(served, small, first, "org-alone") == _partners(
            served, small, second, "org-alone") == {"org-kadin": 2, "org-amal": 4}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    """A generated graph of 3,000 organisations: a snapshot of ~15 MB per copy."""
    from graphsvc.generate import write_generated

    folder = tmp_path_factory.mktemp("preload")
    url = f"sqlite:///{folder / 'graph.db'}"
    store = open_store(url)
    try:
        write_generated(store, 3000, seed=3)
        return _prepare(store, {"GRAPHSVC_STORE": url}, folder)
    finally:
        store.close()


def _worker_memory(prepared: Prepared, preload: bool, actors: list[str]) -> tuple[int, list[bytes]]:
    """Private kB of both workers together after each answered matches; the answers."""
    with serving(prepared.env, prepared.folder, workers=2, preload=preload) as served:
        answers = []
        for pid in served.workers():
            for actor in actors:
                answer = served.ask(pid, "GET", f"/api/v1/organisations/{actor}/matches",
                                    prepared.headers)
                assert answer.status == 200 and answer.pid == pid
                answers.append(answer.body)
        private = [memory(pid) for pid in served.workers()]
        return sum(m["Private_Clean"] + m["Private_Dirty"] for m in private), answers


def test_workers_share_the_preloaded_snapshot_and_answer_as_one_process(generated: Prepared) -> None:
    settings = load_settings(environ={}, store=generated.env["GRAPHSVC_STORE"], testing=True,
                             secret_key="preload-test")
    app = create_app(settings)
    store = open_store(settings.store)
    actors = sorted(n.id for n in store.iter_nodes("Organisation"))[::500]
    store.close()
    with app.test_client() as client:
        expected = [client.get(f"/api/v1/organisations/{a}/matches", headers=generated.headers).data
                    for a in actors]
    alone, alone_answers = _worker_memory(generated, False, actors)
    shared, shared_answers = _worker_memory(generated, True, actors)
    assert shared_answers == alone_answers == expected * 2
    # each worker without preload holds its own snapshot and indexes; with it, they are shared
    assert shared < 0.7 * alone, (shared, alone)


def test_preload_on_an_empty_store_serves_and_takes_writes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    store = open_store(url)
    prepared = _prepare(store, {"GRAPHSVC_STORE": url}, tmp_path)
    store.close()
    with serving(prepared.env, tmp_path, workers=2, preload=True) as served:
        first, second = served.workers()
        listing = served.ask(first, "GET", "/api/v1/organisations", prepared.headers)
        assert listing.status == 200 and listing.json()["total"] == 0
        made = served.ask(first, "POST", "/api/v1/organisations", prepared.headers,
                          b'{"name": "Nieuw Begin"}')
        assert made.status in (200, 201), made.body
        started = time.monotonic()
        while True:
            listing = served.ask(second, "GET", "/api/v1/organisations", prepared.headers)
            if listing.json()["total"] == 1:
                break
            assert time.monotonic() - started < 1.0
            time.sleep(0.02)
        assert listing.json()["items"][0]["name"] == "Nieuw Begin"


def test_preload_with_neo4j_down_starts_and_answers_503(tmp_path: Path) -> None:
    env = {"GRAPHSVC_STORE": f"bolt://127.0.0.1:{free_port()}", "GRAPHSVC_NEO4J_PASSWORD": "nobody-there",
           "GRAPHSVC_SECRET_KEY": "preload-test"}
    with serving(env, tmp_path, workers=2, preload=True) as served:
        for path in ("/healthz", "/api/v1/organisations"):
            answer = served.request("GET", path)
            assert answer.status == 503
            body = answer.json()
            assert body["ok"] is False and body["status"] == 503 and "Traceback" not in body["error"]
        log = served.log.read_text()
    assert "was not built before the workers started" in log and "Traceback" not in log


def _uss_mb(pid: int) -> float:
    found = memory(pid)
    return (found["Private_Clean"] + found["Private_Dirty"]) / 1024


def _burst(served: Served, prepared: Prepared, actors: list[str]) -> list[tuple[float, float]]:
    """Each worker's private MB when warm and after matches for every one of ``actors`` and a few
    tie changes."""
    warm = {}
    for pid in served.workers():
        answer = served.ask(pid, "GET", f"/api/v1/organisations/{actors[0]}/matches", prepared.headers)
        assert answer.status == 200 and answer.pid == pid
        warm[pid] = _uss_mb(pid)
    for pid in served.workers():
        for i, actor in enumerate(actors):
            if i % 50 == 25:  # a tie change now and then: the index takes it as an overlay
                _put_tie(served, prepared, pid, actor, actors[i - 1], 1 + i % 3)
            answer = served.ask(pid, "GET", f"/api/v1/organisations/{actor}/matches", prepared.headers)
            assert answer.status == 200 and answer.pid == pid and answer.json()["matches"]
    return [(warm[pid], _uss_mb(pid)) for pid in served.workers()]


def test_a_burst_of_matches_leaves_each_preloaded_worker_far_below_its_own_copy(
        generated: Prepared) -> None:
    store = open_store(generated.env["GRAPHSVC_STORE"])
    actors = sorted(n.id for n in store.iter_nodes("Organisation"))[::15]  # 200 of them
    store.close()
    with serving(generated.env, generated.folder, workers=2, preload=False) as served:
        alone = _burst(served, generated, actors)
    with serving(generated.env, generated.folder, workers=2, preload=True) as served:
        shared = _burst(served, generated, actors)
    own_copy = min(after for _, after in alone)  # a worker holding its own snapshot and indexes
    for warm, after in shared:
        # measured at 3,000 organisations: ~34 MB warm and ~44 MB after, against ~92 MB alone
        assert after < 0.6 * own_copy, (shared, alone)
        # what the burst made private is a small part of a copy of its own (the matching index
        # is read from shared arrays: tests/queries/test_match_shared.py follows its pages)
        assert after - warm < 0.25 * own_copy, (shared, alone)
