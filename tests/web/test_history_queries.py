"""A history page asks the store a fixed number of queries, however many changes it shows: on
Neo4j each query is a network round trip, so one per change made the page slow there."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask

from graphsvc.access.visibility import Viewer
from graphsvc.actions.history import organisation_history
from graphsvc.config import Settings
from graphsvc.store import GraphStore
from graphsvc.web import create_app
from tests.busy_history import ORG, build_history
from tests.query_count import counted_queries

MAX_QUERIES = 4  # a page reads the change log, the relationships changed and the nodes named: 3
# accounts live in the store too: the token's user, the audit entry (counted apart, also fixed)
_ACCOUNTS = re.compile(r"GApiToken|GAccount|GAudit|GWebSession|GCounter|GMark|account_")
MAX_ACCOUNT_QUERIES = 3


@pytest.fixture
def busy(store: GraphStore) -> GraphStore:
    """An organisation with over 120 changes of every kind (see tests/busy_history.py)."""
    assert build_history(store, 120) >= 120
    return store


@pytest.fixture
def history_app(settings: Settings, busy: GraphStore) -> Iterator[tuple[Flask, dict[str, str]]]:
    app = create_app(settings, store=busy)
    accounts = app.extensions["goudkaart"].accounts
    tokens = {role: accounts.create_token(accounts.add_user(f"h-{role}", "correct horse battery", role,
                                                            [ORG] if role != "admin" else []).id)
              for role in ("admin", "member")}
    yield app, tokens


PAGES = [f"/organisations/{ORG}/history", f"/api/v1/organisations/{ORG}/history",
         f"/api/v1/organisations/{ORG}/history?limit=500", f"/organisations/{ORG}/history?before=100&limit=80"]


def test_a_history_page_makes_a_few_queries_however_many_changes(
        history_app: tuple[Flask, dict[str, str]], busy: GraphStore) -> None:
    app, tokens = history_app
    client = app.test_client()
    for role, path in ((role, path) for role in tokens for path in PAGES):  # one busy store: slow to build
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        with counted_queries(busy) as queries:
            response = client.get(path, headers=headers)
        assert response.status_code == 200
        if path.startswith("/api/"):
            assert len(response.get_json()["changes"]) >= 50
        else:
            assert response.get_data(as_text=True).count("<tr data-seq=") >= 50
        graph = [q for q in queries.statements if not _ACCOUNTS.search(q)]
        assert 1 <= len(graph) <= MAX_QUERIES, (role, path, *graph)  # 0: not counted
        assert len(queries) - len(graph) <= MAX_ACCOUNT_QUERIES, (role, path, *queries.statements)


def test_a_deleted_organisations_history_makes_a_few_queries_too(busy: GraphStore) -> None:
    with busy.transaction(source="test") as tx:
        tx.delete_node(ORG)
    with counted_queries(busy) as queries:
        page = organisation_history(busy, ORG, Viewer("admin"), limit=100)
    assert page.organisation_name == "Stichting Hoofdzaak" and len(page.entries) == 100
    assert page.entries[0].op == "delete" and page.entries[-1].other_name.startswith("Partner ")
    assert 1 <= len(queries) <= MAX_QUERIES + 2, "\n".join(queries.statements)
