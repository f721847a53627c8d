"""Fixtures for the query tests: small hand-built graphs written to a real SQLite store."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore, open_store


class GraphBuilder:
    """Writes nodes and ties through real store transactions, one call at a time.

    Every tie write goes through ``upsert_relationship``, so the store records the history events
    (with ``changed_at`` and ``session``) exactly as the application would.
    """

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    def _write(self, nodes: Iterable[Node] = (), rels: Iterable[Relationship] = ()) -> None:
        with self.store.transaction(source="test") as tx:
            for node in nodes:
                tx.upsert_node(node)
            for rel in rels:
                tx.upsert_relationship(rel)

    def area(self, area_id: str, code: str, parent: str | None = None) -> str:
        rels = [Relationship("PART_OF", area_id, parent)] if parent else []
        self._write([Node(area_id, "Neighbourhood", {"name": area_id.title(), "code": code})], rels)
        return area_id

    def interest(self, interest_id: str, nl: str, en: str) -> str:
        self._write([Node(interest_id, "Interest", {"name": nl, "name_en": en})])
        return interest_id

    def actor(
        self,
        actor_id: str,
        *areas: str,
        label: str = "Organisation",
        works_on: Mapping[str, int] | None = None,
    ) -> str:
        rels = [Relationship("ACTIVE_IN", actor_id, a) for a in areas]
        rels += [Relationship("WORKS_ON", actor_id, i, {"weight": w})
                 for i, w in (works_on or {}).items()]
        self._write([Node(actor_id, label, {"name": actor_id.upper()})], rels)
        return actor_id

    def orgs(self, *ids: str, area: str | None = None) -> None:
        for actor_id in ids:
            self.actor(actor_id, *([area] if area else []))

    def tie(self, a: str, b: str, rung: int, at: str | None = None, session: str = "",
            **props: Any) -> None:
        values = {"rung": rung, **props}
        if at:
            values["changed_at"] = at
        if session:
            values["session"] = session
        self._write(rels=[Relationship("TIE", a, b, values)])

    def untie(self, a: str, b: str, at: str | None = None, session: str = "") -> None:
        with self.store.transaction(source="test") as tx:
            tx.delete_relationship("TIE", a, b, changed_at=at, session=session)

    def session(self, session_id: str, date: str, held_in: str | None = None, **props: Any) -> str:
        rels = [Relationship("HELD_IN", session_id, held_in)] if held_in else []
        self._write([Node(session_id, "Session", {"name": f"Sessie {date}", "date": date, **props})],
                    rels)
        return session_id

    def agenda_item(self, item_id: str, interest: str, area: str, committed: Iterable[str] = (),
                    status: str = "open") -> str:
        rels = [Relationship("ABOUT", item_id, interest), Relationship("FOR", item_id, area)]
        rels += [Relationship("COMMITS_TO", actor, item_id) for actor in committed]
        self._write([Node(item_id, "AgendaItem", {"name": item_id.title(), "status": status})], rels)
        return item_id

    def snapshot(self) -> Snapshot:
        return Snapshot.from_store(self.store)


@pytest.fixture
def graph(tmp_path: Path) -> Iterator[GraphBuilder]:
    """An empty real SQLite store in a temporary folder, wrapped in a :class:`GraphBuilder`."""
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    yield GraphBuilder(store)
    store.close()
