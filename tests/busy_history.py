"""One organisation with a long change history of every kind, for the history page's tests and
benchmark (``benchmarks/bench_history.py``)."""

from __future__ import annotations

from graphsvc.model import Node, Relationship
from graphsvc.store import GraphStore

__all__ = ["ORG", "build_history"]

ORG = "org-main"


def build_history(store: GraphStore, changes: int = 200, org: str = ORG) -> int:
    """Give ``org`` at least ``changes`` logged changes of every kind; return how many it has."""
    with store.transaction(source="bench") as tx:
        tx.upsert_node(Node(org, "Organisation", {"name": "Stichting Hoofdzaak"}))
        tx.upsert_node(Node("gone", "Organisation", {"name": "Verdwenen"}))
        tx.upsert_node(Node("bestuur", "Capability", {"name": "Bestuur"}))
        tx.upsert_relationship(Relationship("TIE", org, "gone", {"rung": 1}))
    n = 0
    while n % 8 or len(store.changes(node_id=org, limit=changes + 1)) < changes:  # ~3 changes per n
        with store.transaction(source="bench", actor=f"coach-{n % 3}") as tx:
            other = f"org-{n:03d}"
            tx.upsert_node(Node(other, "Organisation", {"name": f"Partner {n}"}))
            tx.upsert_relationship(Relationship("TIE", other, org, {"rung": 1 + n % 4}))
            if n % 3 == 0:
                tx.upsert_node(Node(org, "Organisation", {
                    "name": "Stichting Hoofdzaak", "volunteers": n,
                    "capacity": {"governance": n % 5}, "contact_persons": [{"name": f"Persoon {n}"}]}))
            if n % 4 == 0:
                tx.upsert_relationship(Relationship("NEEDS", org, "bestuur", {
                    "source": "capacity", "confirmed_by": f"coach-{n}", "note": f"stap {n}"}))
            if n % 7 == 0:
                tx.upsert_relationship(Relationship("TIE", org, other, {"rung": 5, "note": "samen"}))
            if n % 11 == 0:
                tx.delete_relationship("TIE", org, other)
        n += 1
    with store.transaction(source="bench") as tx:
        tx.delete_node("gone")
    return len(store.changes(node_id=org, limit=10 * changes))
