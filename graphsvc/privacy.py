"""A contact person's personal data (AVG/GDPR): find, export and erase it.

Contact persons live in the confidential ``contact_persons`` list of Organisation nodes. A
person is matched by e-mail address (exactly, ignoring case) or by name (exactly, ignoring case
and surrounding spaces). Erasure removes every matching entry from every organisation in one
transaction, so either all of a person's data is gone or none is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphsvc.errors import InvalidInput
from graphsvc.model import ORGANISATION, Node
from graphsvc.store.base import GraphStore

__all__ = ["PersonRecord", "find_person", "export_person", "erase_person"]

FIELD = "contact_persons"


@dataclass(frozen=True)
class PersonRecord:
    """One entry for the person in one organisation's contact list."""

    organisation_id: str
    organisation_name: str
    contact: Mapping[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"organisation": {"id": self.organisation_id, "name": self.organisation_name},
                "contact": dict(self.contact)}


def _key(person: str) -> str:
    key = " ".join(person.split()).casefold()
    if len(key) < 3:
        raise InvalidInput("Name the person by full name or e-mail address (3 characters or more).")
    return key


def _matches(contact: Any, key: str) -> bool:
    if not isinstance(contact, Mapping):
        return False
    email = str(contact.get("email") or "").strip().casefold()
    name = " ".join(str(contact.get("name") or "").split()).casefold()
    return key in (email, name)


def _contacts(node: Node) -> list[Any]:
    value = node.props.get(FIELD)
    return list(value) if isinstance(value, list) else []


def find_person(store: GraphStore, person: str) -> list[PersonRecord]:
    """Every contact-list entry that matches ``person`` (name or e-mail)."""
    key = _key(person)
    return [PersonRecord(node.id, str(node.props.get("name", node.id)), dict(contact))
            for node in store.iter_nodes(ORGANISATION)
            for contact in _contacts(node) if _matches(contact, key)]


def export_person(store: GraphStore, person: str) -> dict[str, Any]:
    """All personal data held about ``person``, ready to hand over as JSON."""
    records = find_person(store, person)
    return {"person": person, "count": len(records), "records": [r.as_dict() for r in records]}


def erase_person(store: GraphStore, person: str, *, source: str = "privacy") -> list[PersonRecord]:
    """Remove ``person`` from every contact list in one transaction; return what was removed."""
    key = _key(person)
    removed: list[PersonRecord] = []
    candidates = [n.id for n in store.iter_nodes(ORGANISATION)
                  if any(_matches(c, key) for c in _contacts(n))]
    with store.transaction(source=source) as tx:
        for node_id in candidates:
            node = tx.get_node(node_id)  # re-read inside the transaction: no lost update
            if node is None:
                continue
            contacts = _contacts(node)
            kept = [c for c in contacts if not _matches(c, key)]
            if len(kept) == len(contacts):
                continue
            removed += [PersonRecord(node.id, str(node.props.get("name", node.id)), dict(c))
                        for c in contacts if _matches(c, key)]
            tx.upsert_node(Node(node.id, node.label, {**node.props, FIELD: kept}))
    return removed
