"""Migration between stores: everything copied, idempotent, and a round trip through Neo4j is lossless."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from graphsvc.access.visibility import Viewer
from graphsvc.actions.history import organisation_history, undo_change
from graphsvc.actions.migrate import migrate
from graphsvc.cli.migrate import migrate_command
from graphsvc.demo.dataset import load_demo
from graphsvc.errors import InvalidInput
from graphsvc.model import Node, Relationship
from graphsvc.store import GraphStore, open_store
from graphsvc.store.base import read_consistent
from tests.neo4j_server import free_port


def dump(store: GraphStore) -> dict[str, list[Any]]:
    """A store's full content with versions and timestamps, and the change log without its
    numbering (the target numbers its entries itself)."""
    data = read_consistent(store)
    return {
        "nodes": [(n.id, n.label, dict(n.props), n.version, n.created_at, n.updated_at)
                  for n in data.nodes],
        "relationships": [(r.ident, dict(r.props), r.version, r.created_at, r.updated_at)
                          for r in data.relationships],
        "tie_events": [e.as_dict() for e in data.tie_events],
        "changes": [{**c.as_dict(), "seq": None, "revision": None}
                    for c in reversed(store.changes(limit=1_000_000))],
    }


def fill(store: GraphStore) -> GraphStore:
    """The demo plus later edits: new versions, a climb, a dropped tie, a deleted organisation."""
    load_demo(store)
    ties = list(store.iter_relationships("TIE"))
    with store.transaction(source="coach:anna") as tx:
        tx.upsert_node(Node("org-extra", "Organisation", {
            "name": "ሕብረት ኤርትራውያን", "languages": ["ti", "nl"], "capacity": {"governance": [2, 3]}}))
        tx.upsert_relationship(Relationship("TIE", "org-extra", ties[0].start,
                                            {"rung": 1, "changed_at": "2026-01-05T10:00:00Z"}))
        tx.upsert_relationship(Relationship("TIE", "org-extra", ties[0].start,
                                            {"rung": 3, "changed_at": "2026-02-05T10:00:00Z"}))
        tx.delete_relationship("TIE", ties[1].start, ties[1].end, changed_at="2026-03-01T00:00:00Z")
        tx.delete_node(ties[2].end)
    return store


@pytest.fixture
def source(tmp_path: Path) -> Any:
    store = fill(open_store(f"sqlite:///{tmp_path / 'source.db'}"))
    yield store
    store.close()


def test_a_copy_holds_everything_and_a_second_run_changes_nothing(source: GraphStore, tmp_path: Path) -> None:
    target = open_store(f"sqlite:///{tmp_path / 'target.db'}")
    first = migrate(source, target, batch=500)
    assert first.nodes_changed == first.nodes > 250 and first.tie_events_added == first.tie_events > 500
    assert first.changes_added == first.changes > first.nodes + first.relationships
    assert dump(target) == dump(source)
    revision = target.revision()
    again = migrate(source, target, batch=500)
    assert again.changed == 0 and target.revision() == revision
    assert dump(target) == dump(source)
    target.close()


def test_a_later_run_adds_only_what_is_new(source: GraphStore, tmp_path: Path) -> None:
    target = open_store(f"sqlite:///{tmp_path / 'target.db'}")
    migrate(source, target)
    tie = next(source.iter_relationships("TIE"))
    with source.transaction() as tx:
        tx.upsert_relationship(Relationship("TIE", tie.start, tie.end, {**tie.props, "rung": 5,
                                                                         "changed_at": "2026-06-01T00:00:00Z"}))
    report = migrate(source, target)
    assert (report.nodes_changed, report.relationships_changed, report.tie_events_added,
            report.changes_added) == (0, 1, 1, 1)
    assert dump(target) == dump(source)
    target.close()


def test_after_a_move_the_history_is_the_same_and_its_latest_change_can_be_undone(
        source: GraphStore, tmp_path: Path) -> None:
    target = open_store(f"sqlite:///{tmp_path / 'target.db'}")
    migrate(source, target)
    page = organisation_history(target, "org-extra", Viewer("admin"))
    assert [e.as_dict() for e in page.entries] == [
        e.as_dict() for e in organisation_history(source, "org-extra", Viewer("admin")).entries]
    assert target.changes_since(0) is None  # the copy itself is not in the log: snapshots re-read
    [made] = undo_change(target, "org-extra", page.entries[0].seq, actor="anna")  # rung 3 → 1
    assert target.get_relationship("TIE", made.start, made.end).props["rung"] == 1
    target.close()


def test_progress_is_reported_per_stage_and_bad_arguments_are_refused(source: GraphStore, tmp_path: Path) -> None:
    target = open_store(f"sqlite:///{tmp_path / 'target.db'}")
    calls: list[tuple[str, int, int]] = []
    migrate(source, target, batch=1000, progress=lambda *call: calls.append(call))
    by_stage: dict[str, list[tuple[int, int]]] = {}
    for stage, done, total in calls:
        by_stage.setdefault(stage, []).append((done, total))
    assert list(by_stage) == ["nodes", "relationships", "tie events", "change log"]
    for seen in by_stage.values():  # from 0 up to the total, one step per batch
        assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1] and len(seen) == 1 + -(-seen[0][1] // 1000)
    with pytest.raises(InvalidInput, match="same store"):
        migrate(source, source)
    with pytest.raises(InvalidInput, match="batch size"):
        migrate(source, target, batch=0)
    target.close()


@pytest.mark.neo4j
def test_a_round_trip_through_neo4j_is_lossless_and_idempotent(
    source: GraphStore, neo4j_store: GraphStore, tmp_path: Path
) -> None:
    first = migrate(source, neo4j_store)
    assert dump(neo4j_store) == dump(source)
    revision = neo4j_store.revision()
    assert migrate(source, neo4j_store).changed == 0 and neo4j_store.revision() == revision
    back = open_store(f"sqlite:///{tmp_path / 'back.db'}")
    try:
        migrate(neo4j_store, back)
        assert dump(back) == dump(source)
        assert len(back.tie_history()) == first.tie_events
    finally:
        back.close()


def test_the_cli_copies_with_a_progress_bar_and_a_summary(source: GraphStore, tmp_path: Path) -> None:
    target_url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(migrate_command, ["--from", source.url, "--to", target_url])
    assert result.exit_code == 0, result.output
    assert "Copied" in result.stdout and "tie events" in result.stderr
    again = CliRunner().invoke(migrate_command, ["--from", source.url, "--to", target_url, "-q"])
    assert "(0 changed)" in again.stdout and "and 0 new of" in again.stdout and again.stderr == ""


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("bolt://127.0.0.1:{port}", "Error: The graph database (Neo4j at 127.0.0.1:{port}) is not reachable."),
        ("mysql://x", "Error: GRAPHSVC_STORE must start with sqlite:/// or neo4j://"),
    ],
)
def test_the_cli_fails_with_one_clean_line(source: GraphStore, target: str, message: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setenv("GRAPHSVC_NEO4J_PASSWORD", "some-password")
    result = CliRunner().invoke(migrate_command, ["--from", source.url, "--to", target.format(port=port), "-q"])
    assert result.exit_code == 1
    assert result.stderr.startswith(message.format(port=port)) and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output and "some-password" not in result.output


def test_the_cli_does_not_create_a_missing_source(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    result = CliRunner().invoke(migrate_command, ["--from", f"sqlite:///{missing}",
                                                  "--to", f"sqlite:///{tmp_path / 't.db'}"])
    assert result.exit_code == 1 and "There is no store at" in result.stderr
    assert not missing.exists()
