"""Several writers change the same tie at once through the API: no update is lost silently.

Every write carries the version its writer last saw (``expected_version``). It either succeeds
with exactly that version bumped by one, or gets a 409 with the ``current_version`` to retry
from. In the end the tie's version is 1 + the number of successful changes, on both stores.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from graphsvc.actions.sessions import open_session
from graphsvc.config import Settings
from graphsvc.model import Relationship
from graphsvc.store import GraphStore
from graphsvc.web import create_app
from tests.small_graph import seed_small

WRITERS = 6
ATTEMPTS = 12  # per writer
DEADLINE_S = 60.0
A, B = "org-kadin", "org-xss"  # no tie between them in the small graph


def rung_after(version: int) -> int:
    """The rung a write from ``version`` sets: always differs from the rung at ``version``."""
    return version % 5 + 1


@pytest.fixture
def concurrent_app(settings: Settings, store: GraphStore) -> Iterator[tuple[Flask, str, str]]:
    seed_small(store)
    with store.transaction(source="test") as tx:  # version 1, set like a write from version 0
        tx.upsert_relationship(Relationship("TIE", A, B, {"rung": rung_after(0)}))
    session = open_session(store, "E", name="Drukke tafel")
    app = create_app(settings, store=store)
    accounts = app.extensions["goudkaart"].accounts
    tokens = [accounts.create_token(accounts.add_user(f"coach{i}", "correct horse battery", "coach").id)
              for i in range(2)]
    yield app, session.id, tokens[0] + " " + tokens[1]


def _writer(app: Flask, url: str, token: str, results: list[dict[str, Any]], start: threading.Barrier,
            stop_at: float) -> None:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    seen = 1
    start.wait()
    for _ in range(ATTEMPTS):
        if time.monotonic() > stop_at:
            break
        response = client.post(url, json={"a": A, "b": B, "rung": rung_after(seen), "expected_version": seen},
                               headers=headers)
        body = response.get_json()
        results.append({"status": response.status_code, "expected": seen, "body": body})
        if response.status_code in (200, 201):
            seen = body["change"]["tie_version"]
        elif response.status_code == 409:
            seen = body["current_version"]
        else:
            break


def test_concurrent_tie_changes_lose_nothing(concurrent_app: tuple[Flask, str, str], store: GraphStore) -> None:
    app, session_id, both_tokens = concurrent_app
    tokens = both_tokens.split()
    url = f"/api/v1/sessions/{session_id}/ties"
    results: list[dict[str, Any]] = []
    start = threading.Barrier(WRITERS)
    stop_at = time.monotonic() + DEADLINE_S
    threads = [threading.Thread(target=_writer, args=(app, url, tokens[i % 2], results, start, stop_at))
               for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE_S + 10)
    assert not any(t.is_alive() for t in threads)

    unexpected = [r for r in results if r["status"] not in (200, 201, 409)]
    assert not unexpected, unexpected[:3]
    successes = [r for r in results if r["status"] in (200, 201)]
    conflicts = [r for r in results if r["status"] == 409]
    for r in successes:
        change = r["body"]["change"]
        assert change["kind"] != "unchanged"
        assert change["tie_version"] == r["expected"] + 1  # exactly the version it expected, bumped
    for r in conflicts:
        assert r["body"]["ok"] is False and isinstance(r["body"]["current_version"], int)
        assert r["body"]["current_version"] != r["expected"]
    # every version from 2 up was produced by exactly one successful write
    assert sorted(r["body"]["change"]["tie_version"] for r in successes) == list(range(2, 2 + len(successes)))
    tie = store.get_relationship("TIE", A, B)
    assert tie.version == 1 + len(successes)
    assert tie.props["rung"] == rung_after(tie.version - 1)
    assert successes and conflicts  # the writers really did collide
