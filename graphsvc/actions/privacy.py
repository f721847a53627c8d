"""A contact person's personal data (AVG/GDPR): find, export and erase it.

Contact persons live in the confidential ``contact_persons`` list of Organisation nodes, and in
the old and new values of the change log wherever that list changed. A person is matched by
e-mail address (exactly, ignoring case) or by name (exactly, ignoring case and surrounding
spaces). Erasure removes every matching entry from every organisation and from the change log in
one transaction, so either all of a person's data is gone or none is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphsvc.errors import InvalidInput
from graphsvc.model import ORGANISATION, ChangeEvent, Node
from graphsvc.store.base import GraphStore, Rewrite

__all__ = ["PersonRecord", "find_person", "find_in_history", "export_person", "erase_person"]

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


def _logged_changes(store: GraphStore, page: int = 1000) -> Iterator[ChangeEvent]:
    """Every change-log entry with a contact list in its old or new values, newest first."""
    before = None
    while batch := store.changes(holding=FIELD, before_seq=before, limit=page):
        yield from batch
        before = batch[-1].seq


def _side(values: Mapping[str, Any], key: str) -> list[Any]:
    contacts = values.get(FIELD)
    return [c for c in contacts if _matches(c, key)] if isinstance(contacts, list) else []


def find_in_history(store: GraphStore, person: str) -> list[dict[str, Any]]:
    """What the change log holds about ``person``: per entry, the contact-list entries of theirs
    it had before and after the change."""
    key = _key(person)
    found = []
    for change in _logged_changes(store):
        before, after = _side(change.old, key), _side(change.new, key)
        if before or after:
            found.append({"seq": change.seq, "at": change.at, "actor": change.actor, "op": change.op,
                          "organisation": change.start, "before": before, "after": after})
    return found


def export_person(store: GraphStore, person: str) -> dict[str, Any]:
    """All personal data held about ``person`` (contact lists and change log), as JSON."""
    records = find_person(store, person)
    history = find_in_history(store, person)
    return {"person": person, "count": len(records), "records": [r.as_dict() for r in records],
            "history_count": len(history), "history": history}


def _without(values: Mapping[str, Any], key: str) -> dict[str, Any]:
    if not _side(values, key):
        return dict(values)
    return {**values, FIELD: [c for c in values[FIELD] if not _matches(c, key)]}


def _scrub(key: str) -> Rewrite:
    """For :meth:`~graphsvc.store.base.Transaction.rewrite_changes`: an entry without the person."""
    def rewrite(change: ChangeEvent) -> tuple[dict[str, Any], dict[str, Any]] | None:
        if not (_side(change.old, key) or _side(change.new, key)):
            return None
        return _without(change.old, key), _without(change.new, key)

    return rewrite


def erase_person(store: GraphStore, person: str, *, source: str = "privacy") -> list[PersonRecord]:
    """Remove ``person`` from every contact list and from the change log (where earlier values
    of the lists are kept) in one transaction; return what was removed from the lists."""
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
        # also the entries just logged for these upserts, which still hold the removed values
        tx.rewrite_changes(FIELD, _scrub(key))
    return removed
