"""Grants alone make no clusters: the query, ``graphsvc clusters`` and the funders page say why."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from flask.testing import FlaskClient

from graphsvc.cli import cli
from graphsvc.model import Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore
from importers.files import import_file
from queries.clusters import clusters
from queries.clusters_why import why_no_clusters

DATA = Path(__file__).resolve().parents[1] / "data"
FILES = [DATA / "360giving_funder_north.json", DATA / "360giving_funder_south.json"]


def _grants_only(store: GraphStore) -> GraphStore:
    for path in FILES:
        import_file(store, path)
    return store


def test_grants_only_explain_that_nothing_links_recipients(store: GraphStore) -> None:
    snap = Snapshot.from_store(_grants_only(store))
    report = clusters(snap)
    why = why_no_clusters(snap, report)
    assert not report.clusters and why is not None
    assert (why.reason, why.organisations, why.ties, why.shared_themes, why.grants) == ("nothing_links", 3, 0, 0, 6)
    assert "Grants link a fund to its recipients, not recipients to each other" in why.text("en")
    assert "themes per recipient" in why.text("en") and "thema's per ontvanger" in why.text("nl")


def test_a_map_with_clusters_gives_no_explanation(store: GraphStore) -> None:
    _grants_only(store)
    orgs = sorted(n.id for n in store.iter_nodes("Organisation"))
    with store.transaction() as tx:
        tx.upsert_relationship(Relationship("TIE", orgs[0], orgs[1], {"rung": 5}))
        tx.upsert_relationship(Relationship("TIE", orgs[1], orgs[2], {"rung": 5}))
        tx.upsert_relationship(Relationship("TIE", orgs[0], orgs[2], {"rung": 5}))
    snap = Snapshot.from_store(store)
    report = clusters(snap)
    assert report.clusters and why_no_clusters(snap, report) is None


def test_the_clusters_command_says_why(runner: CliRunner, sqlite_store: GraphStore) -> None:
    _grants_only(sqlite_store)
    text = runner.invoke(cli, ["clusters", "--lang", "en"])
    assert text.exit_code == 0, text.output
    assert "0 clusters of 3 organisations" in text.output and "No clusters: there are 3 organisations, 0 ties" in text.output
    data = json.loads(runner.invoke(cli, ["clusters", "--json"]).output)
    assert data["why_none"]["reason"] == "nothing_links" and data["why_none"]["grants"] == 6


def test_the_funders_page_says_why_in_dutch_and_english(sqlite_store: GraphStore,
                                                       login: Callable[..., FlaskClient]) -> None:
    _grants_only(sqlite_store)
    client = login("funder")
    english = client.get("/funders?lang=en").get_data(as_text=True)
    assert "Why there are no clusters" in english and "grants alone make no clusters" in english
    assert "Grants: 6" in english
    dutch = client.get("/funders?lang=nl").get_data(as_text=True)
    assert 'id="why-no-clusters"' in dutch and "Why there are no clusters" not in dutch


def test_numbers_are_written_the_dutch_way_in_dutch() -> None:
    from queries.clusters_why import NoClusters

    why = NoClusters(organisations=1234, ties=0, shared_themes=0, grants=56789, reason="too_few_links")
    assert "1.234 organisaties" in why.text("nl") and "56.789 toekenningen" in why.text("nl")
    assert "1,234 organisations" in why.text("en")
