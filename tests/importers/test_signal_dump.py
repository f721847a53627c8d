"""Early signals in the full JSON dump: with their notes for admins, absent for everyone else,
and restored as they were on both stores."""

from __future__ import annotations

import json
from pathlib import Path

from graphsvc.access.visibility import Viewer
from graphsvc.actions.signals import record_signal
from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore, open_store
from importers.exporters import export_store
from importers.files import import_file
from queries.signals import organisation_signals, recent_months


def _seed(store: GraphStore) -> str:
    with store.transaction(source="test") as tx:
        tx.upsert_node(Node("w", "Neighbourhood", {"name": "West", "code": "E"}))
        tx.upsert_node(Node("taal", "Interest", {"name": "Taal"}))
        tx.upsert_node(Node("o1", "Organisation", {"name": "Buurtvrouwen"}))
        tx.upsert_relationship(Relationship("ACTIVE_IN", "o1", "w"))
    return record_signal(store, Snapshot.from_store(store), "o1", {
        "theme": "taal", "areas": ["E"], "people": "20-49", "period": recent_months(1)[1],
        "trend": "growing", "note": "vertrouwelijke notitie"})


def _dump(store: GraphStore, path: Path, role: str) -> dict[str, list[dict[str, object]]]:
    export_store(store, "json", path, Viewer(role))
    sections: dict[str, list[dict[str, object]]] = {"nodes": [], "relationships": []}
    text = path.read_text("utf-8")
    for line in text.splitlines():
        line = line.strip().rstrip(",")
        if line.startswith("{\"id\""):
            sections["nodes"].append(json.loads(line))
        elif line.startswith("{\"type\""):
            sections["relationships"].append(json.loads(line))
    assert sections["nodes"], text[:300]
    return sections


def test_admins_dump_signals_with_notes_others_without_any_signal(store: GraphStore, tmp_path: Path) -> None:
    sid = _seed(store)
    admin = _dump(store, tmp_path / "admin.json", "admin")
    [signal] = [n for n in admin["nodes"] if n["label"] == "Signal"]
    assert signal["id"] == sid and signal["props"]["note"] == "vertrouwelijke notitie"  # type: ignore[index]
    assert {r["type"] for r in admin["relationships"]} >= {"SIGNALLED_BY", "SIGNAL_OF", "SIGNAL_IN"}
    for role in ("funder", "coach", "member"):
        other = (tmp_path / f"{role}.json")
        export_store(store, "json", other, Viewer(role, frozenset({"o1"})))
        text = other.read_text("utf-8")
        assert sid not in text and "vertrouwelijke" not in text and "SIGNALLED_BY" not in text

    fresh = open_store(f"sqlite:///{tmp_path / 'restored.db'}")
    import_file(fresh, tmp_path / "admin.json")
    [restored] = organisation_signals(Snapshot.from_store(fresh), "o1")
    assert (restored.id, restored.theme, restored.areas, restored.people, restored.note) == (
        sid, "taal", ("w",), "20-49", "vertrouwelijke notitie")
    fresh.close()
