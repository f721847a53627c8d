"""Small hand-made graphs for tests, written to a real store and read back as a Snapshot.

Describe the actors and what they work on; themes, capabilities, areas and communities that are
referenced but not declared are created on the fly (vocabulary terms get their Dutch and English
names and their parent theme)::

    snap = (
        GraphBuilder()
        .district("nw", "Nieuw-West", code="F")
        .area("slotermeer", "Slotermeer", code="WK0363FC", part_of="nw")
        .org("a", interests=["eenzaamheid"], needs=["financiele-administratie"], areas=["slotermeer"])
        .org("b", interests=[("eenzaamheid", 3)], offers=["financiele-administratie"])
        .tie("a", "b", rung=2)
        .snapshot(tmp_path)
    )
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Self

from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore, open_store
from graphsvc.store.base import GraphData
from graphsvc.vocab import Term, load_vocabulary

__all__ = ["GraphBuilder", "Themes"]

#: Themes as ids, ``(id, weight)`` pairs or a mapping id → weight (``WORKS_ON.weight`` 1–3).
Themes = Iterable[str | tuple[str, int]] | Mapping[str, int]

# The label an undeclared end of each relationship type is created with.
_AUTO_END = {
    "WORKS_ON": "Interest",
    "PRIORITISES": "Interest",
    "OFFERS": "Capability",
    "NEEDS": "Capability",
    "ACTIVE_IN": "Neighbourhood",
    "SERVES": "Community",
}
_db_numbers = itertools.count(1)


class GraphBuilder:
    """A fluent builder of small graphs; every method returns the builder."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.relationships: list[Relationship] = []
        vocab = load_vocabulary()
        self._terms: dict[str, dict[str, Term]] = {
            "Interest": {t.id: t for t in vocab.interests},
            "Capability": {t.id: t for t in vocab.capabilities},
        }

    # -- nodes ---------------------------------------------------------------------------------
    def node(self, node_id: str, label: str, name: str | None = None, **props: Any) -> Self:
        """Declare any node (replacing an earlier declaration of the same id)."""
        self.nodes[node_id] = Node(node_id, label, {"name": name or node_id, **props})
        return self

    def org(
        self,
        org_id: str,
        name: str | None = None,
        *,
        interests: Themes = (),
        offers: Iterable[str] = (),
        needs: Iterable[str] = (),
        areas: Iterable[str] = (),
        serves: Iterable[str] = (),
        **props: Any,
    ) -> Self:
        """An Organisation with its themes, capabilities, areas and communities served."""
        self.node(org_id, "Organisation", name, **props)
        return self._actor_links(org_id, interests, offers, needs, areas, serves)

    def institution(
        self,
        inst_id: str,
        name: str | None = None,
        *,
        sector: str = "welfare",
        interests: Themes = (),
        priorities: Iterable[str] = (),
        offers: Iterable[str] = (),
        needs: Iterable[str] = (),
        areas: Iterable[str] = (),
        serves: Iterable[str] = (),
        **props: Any,
    ) -> Self:
        """An Institution; ``priorities`` become PRIORITISES, ``interests`` WORKS_ON."""
        self.node(inst_id, "Institution", name, sector=sector, **props)
        for interest in priorities:
            self.relate("PRIORITISES", inst_id, interest)
        return self._actor_links(inst_id, interests, offers, needs, areas, serves)

    def fund(
        self, fund_id: str, name: str | None = None, *, fund_type: str = "private-fund",
        priorities: Iterable[str] = (), **props: Any,
    ) -> Self:
        """A Fund and the themes it PRIORITISES."""
        self.node(fund_id, "Fund", name, fund_type=fund_type, **props)
        for interest in priorities:
            self.relate("PRIORITISES", fund_id, interest)
        return self

    def area(
        self, area_id: str, name: str | None = None, *, code: str | None = None,
        part_of: str | None = None, level: str | None = None,
    ) -> Self:
        """A Neighbourhood, optionally PART_OF a larger area."""
        props: dict[str, Any] = {"code": code or area_id.upper()}
        if level:
            props["level"] = level
        self.node(area_id, "Neighbourhood", name, **props)
        if part_of:
            self.relate("PART_OF", area_id, part_of)
        return self

    def district(self, area_id: str, name: str | None = None, *, code: str | None = None) -> Self:
        """A district (stadsdeel): a Neighbourhood with level 'district'."""
        return self.area(area_id, name, code=code, level="district")

    def interest(self, interest_id: str, name: str | None = None, name_en: str | None = None,
                 *, parent: str | None = None) -> Self:
        """An Interest (theme), optionally PART_OF a parent theme."""
        self.node(interest_id, "Interest", name, name_en=name_en or name or interest_id)
        if parent:
            self.relate("PART_OF", interest_id, parent)
        return self

    def community(self, community_id: str, name: str | None = None, name_en: str | None = None) -> Self:
        """A Community (target group) an actor may serve."""
        return self.node(community_id, "Community", name, name_en=name_en or name or community_id)

    # -- relationships -------------------------------------------------------------------------
    def relate(self, rel_type: str, start: str, end: str, key: str = "", **props: Any) -> Self:
        """Any relationship; undeclared ends of known types are created when the graph is built."""
        self.relationships.append(Relationship(rel_type, start, end, props, key))
        return self

    def tie(self, a: str, b: str, rung: int = 2, **props: Any) -> Self:
        """A TIE between two actors at a rung of the binding ladder."""
        return self.relate("TIE", a, b, rung=rung, **props)

    def grant(
        self, fund: str, org: str, amount: float | None = None, *, year: int | None = None,
        status: str | None = None, key: str | None = None, **props: Any,
    ) -> Self:
        """A FUNDS relationship (one grant; ``key`` defaults to a running grant id)."""
        extra = {k: v for k, v in {"amount": amount, "year": year, "status": status}.items()
                 if v is not None}
        grant_id = key or f"grant-{len(self.relationships) + 1}"
        self.relationships.append(Relationship("FUNDS", fund, org, {**extra, **props}, grant_id))
        return self

    def _actor_links(
        self, actor: str, interests: Themes, offers: Iterable[str], needs: Iterable[str],
        areas: Iterable[str], serves: Iterable[str],
    ) -> Self:
        items = interests.items() if isinstance(interests, Mapping) else interests
        for item in items:
            theme, weight = (item, None) if isinstance(item, str) else item
            props = {"weight": weight} if weight else {}
            self.relationships.append(Relationship("WORKS_ON", actor, theme, props))
        for rel_type, ends in (("OFFERS", offers), ("NEEDS", needs), ("ACTIVE_IN", areas),
                               ("SERVES", serves)):
            for end in ends:
                self.relate(rel_type, actor, end)
        return self

    # -- output --------------------------------------------------------------------------------
    def data(self, revision: int = 0) -> GraphData:
        """Nodes (declared and created on the fly) and relationships, without any store."""
        nodes = dict(self.nodes)
        rels = list(self.relationships)
        for rel in self.relationships:
            label = _AUTO_END.get(rel.type)
            if label and rel.end not in nodes:
                self._auto_node(nodes, rels, rel.end, label)
        return GraphData(revision, list(nodes.values()), rels, [])

    def _auto_node(self, nodes: dict[str, Node], rels: list[Relationship], node_id: str, label: str) -> None:
        term = self._terms.get(label, {}).get(node_id)
        if term is None:
            extra = {"code": node_id.upper()} if label == "Neighbourhood" else {"name_en": node_id}
            nodes[node_id] = Node(node_id, label, {"name": node_id, **extra})
            return
        props = {"name": term.nl, "name_en": term.en, **({"group": term.group} if term.group else {})}
        nodes[node_id] = Node(node_id, label, props)
        has_parent = any(r.type == "PART_OF" and r.start == node_id for r in rels)
        if term.parent and not has_parent:
            rels.append(Relationship("PART_OF", node_id, term.parent))
            if term.parent not in nodes:
                self._auto_node(nodes, rels, term.parent, label)

    def write(self, store: GraphStore, *, source: str = "tests") -> GraphStore:
        """Write the graph to ``store`` in one transaction; return the store."""
        data = self.data()
        with store.transaction(source=source) as tx:
            for node in data.nodes:
                tx.upsert_node(node)
            for rel in data.relationships:
                tx.upsert_relationship(rel)
        return store

    def store(self, path: Path) -> GraphStore:
        """A real SQLite store holding the graph; ``path`` is a folder (a fresh file inside) or a file."""
        file = path / f"graph-{next(_db_numbers)}.db" if path.is_dir() else path
        return self.write(open_store(f"sqlite:///{file}"))

    def snapshot(self, path: Path | None = None) -> Snapshot:
        """The graph as a Snapshot read back from a real SQLite store at ``path``.

        Without ``path`` the snapshot is built in memory, skipping the store (for quick checks).
        """
        if path is None:
            return Snapshot(self.data())
        store = self.store(path)
        try:
            return Snapshot.from_store(store)
        finally:
            store.close()
