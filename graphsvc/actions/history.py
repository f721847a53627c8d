"""Change history of an organisation, and undo of a change (itself recorded).

Built on the store's change log (:meth:`~graphsvc.store.base.GraphStore.changes`): every create,
update and delete of the organisation's node and of every relationship it is an end of, with
who made it, when, through what (the source), and the old and new value of each field. The
values pass through the visibility filter of :mod:`graphsvc.access.visibility` for whoever asks: a field
the viewer may not see is listed by name only, without its old or new value.

An undo puts back what the change replaced, in one transaction logged as ``undo:<seq>`` by
whoever undid it; it is refused (:class:`UndoRefused`, a Conflict) when the node or relationship
changed after that change, so an undo never overwrites a later decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from graphsvc.access.visibility import PUBLIC, Viewer, visible_props, visible_relationship
from graphsvc.actions.tie_requests import tell_other_sides
from graphsvc.clock import utc_now
from graphsvc.errors import Conflict, Forbidden, NotFound
from graphsvc.model import ORGANISATION, ChangeEvent, Node, Relationship, TieEvent
from graphsvc.store.base import GraphStore, RelIdent, Transaction, current_actor, prop_changes

__all__ = ["FieldChange", "HistoryEntry", "HistoryPage", "UndoRefused", "organisation_history", "history_entries", "undo_change", "may_undo"]

PAGE: Final = 50


@dataclass(frozen=True)
class FieldChange:
    """One field of a change: ``old`` → ``new`` (None when absent). ``hidden``: a field this
    viewer may not see, so neither value is given."""

    field: str
    old: Any = None
    new: Any = None
    hidden: bool = False

    def as_dict(self) -> dict[str, Any]:
        if self.hidden:
            return {"field": self.field, "hidden": True}
        return {"field": self.field, "old": self.old, "new": self.new, "hidden": False}


@dataclass(frozen=True)
class HistoryEntry:
    """One change in an organisation's history, as a viewer may see it.

    ``kind`` is ``node`` (the organisation itself) or ``relationship``; ``label`` the node's
    label or the relationship's type; ``other`` the relationship's other end (``other_name``
    its current name, or its id when it no longer exists); ``outgoing`` whether the
    organisation is the relationship's start.
    """

    seq: int
    at: str
    actor: str
    source: str
    op: str
    kind: str
    label: str
    other: str
    other_name: str
    outgoing: bool
    key: str
    fields: tuple[FieldChange, ...]

    @property
    def hidden_fields(self) -> tuple[str, ...]:
        return tuple(f.field for f in self.fields if f.hidden)

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "actor": self.actor, "source": self.source,
                "op": self.op, "kind": self.kind, "label": self.label, "other": self.other,
                "other_name": self.other_name, "outgoing": self.outgoing, "key": self.key,
                "fields": [f.as_dict() for f in self.fields]}


@dataclass(frozen=True)
class HistoryPage:
    """A page of an organisation's history, newest first; ``next_before`` continues it."""

    organisation_id: str
    organisation_name: str
    entries: list[HistoryEntry]
    next_before: int | None

    def as_dict(self) -> dict[str, Any]:
        return {"organisation": {"id": self.organisation_id, "name": self.organisation_name},
                "changes": [e.as_dict() for e in self.entries], "next_before": self.next_before}


class UndoRefused(Conflict):
    """An undo that would overwrite a later change (or needs something that is gone).

    ``reason``: ``later`` (changed again after it), ``changed`` (it no longer holds what the
    change left) or ``missing`` (an end of the relationship no longer exists).
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


# -- reading ------------------------------------------------------------------------------------
def _ident(change: ChangeEvent) -> RelIdent:
    return (change.label, change.start, change.end, change.key)


def _other(org_id: str, change: ChangeEvent) -> str:
    """A relationship's other end, seen from ``org_id`` ("" for a node change)."""
    return "" if change.is_node else (change.end if change.start == org_id else change.start)


class _Now:
    """What a page of entries needs from the graph as it is now, read in two queries whatever
    the number of changes: the relationships changed (their other properties decide what is
    visible) and the nodes at their other ends (their names), with ``also`` beside them."""

    def __init__(self, store: GraphStore, org_id: str, changes: list[ChangeEvent],
                 also: tuple[str, ...] = ()) -> None:
        self.relationships = store.get_relationships(_ident(c) for c in changes if not c.is_node)
        self.nodes = store.get_nodes([*also, *(_other(org_id, c) for c in changes if not c.is_node)])

    def context(self, change: ChangeEvent) -> Mapping[str, Any]:
        rel = None if change.is_node else self.relationships.get(_ident(change))
        return {} if rel is None else rel.props

    def name(self, node_id: str) -> str:
        node = self.nodes.get(node_id)
        return node_id if node is None else node.name


def _hidden_keys(change: ChangeEvent, props: Mapping[str, Any], viewer: Viewer) -> set[str]:
    """The keys of ``props`` (the record as it was or became) that the one filter holds back."""
    if change.is_node:
        shown = visible_props(Node(change.start, change.label, props), viewer)
    else:
        rel = Relationship(change.label, change.start, change.end, props, change.key)
        shown = dict(visible_relationship(rel, viewer).props)
    return set(props) - set(shown)


def _entry(org_id: str, change: ChangeEvent, viewer: Viewer, now: _Now) -> HistoryEntry:
    context = now.context(change)  # what a relationship's other properties say decides what is visible
    hidden = (_hidden_keys(change, {**context, **change.old}, viewer)
              | _hidden_keys(change, {**context, **change.new}, viewer))
    fields = tuple(
        FieldChange(k, hidden=True) if k in hidden else FieldChange(k, change.old.get(k), change.new.get(k))
        for k in sorted({*change.old, *change.new})
    )
    other = _other(org_id, change)
    return HistoryEntry(change.seq, change.at, change.actor, change.source, change.op, change.kind,
                        change.label, other, now.name(other) if other else "",
                        not change.is_node and change.start == org_id, change.key, fields)


def history_entries(store: GraphStore, org_id: str, changes: list[ChangeEvent],
                    viewer: Viewer = PUBLIC) -> list[HistoryEntry]:
    """The changes as ``viewer`` may see them, from ``org_id``'s side (two store queries)."""
    now = _Now(store, org_id, changes)
    return [_entry(org_id, c, viewer, now) for c in changes]


def _deleted_name(store: GraphStore, org_id: str) -> str:
    """The name of an organisation not found: as the log last knew it when it was deleted."""
    try:
        return store.get_node(org_id).name  # created again meanwhile
    except NotFound:
        gone = next((c for c in store.changes(node_id=org_id, limit=PAGE)
                     if c.is_node and c.op == "delete"), None)
        if gone is None:
            raise
        return str(gone.old.get("name", org_id))


def organisation_history(store: GraphStore, org_id: str, viewer: Viewer = PUBLIC, *,
                         before: int | None = None, limit: int = PAGE) -> HistoryPage:
    """The changes to an organisation and its relationships, newest first.

    ``before`` (a seq) continues from where the previous page ended. A deleted organisation
    still has its history (so that the deletion can be undone); NotFound when there is neither.
    Three store queries a page, however many changes it holds (five for a deleted organisation).
    """
    changes = store.changes(node_id=org_id, before_seq=before, limit=limit + 1)
    shown = changes[:limit]
    now = _Now(store, org_id, shown, also=(org_id,))
    name = now.nodes[org_id].name if org_id in now.nodes else _deleted_name(store, org_id)
    entries = [_entry(org_id, c, viewer, now) for c in shown]
    more = len(changes) > limit
    return HistoryPage(org_id, name, entries, entries[-1].seq if more and entries else None)


def _change_of(store: GraphStore, org_id: str, seq: int) -> ChangeEvent:
    # a number beyond any log (and beyond what a store's integers hold) is simply not there
    found = store.changes(node_id=org_id, before_seq=seq + 1, limit=1) if 1 <= seq < 2**53 else []
    if not found or found[0].seq != seq:
        raise NotFound(f"There is no change {seq} in this organisation's history.")
    return found[0]


def _later(store: GraphStore, change: ChangeEvent, page: int = 500) -> list[ChangeEvent]:
    """Every logged change after ``change`` to its node or to a relationship of that node."""
    out: list[ChangeEvent] = []
    before = None
    while True:
        batch = store.changes(node_id=change.start, before_seq=before, limit=page)
        newer = [e for e in batch if e.seq > change.seq]
        out += newer
        if len(newer) < page:
            return out
        before = newer[-1].seq


# -- undo ---------------------------------------------------------------------------------------
def _holds(props: Mapping[str, Any], values: Mapping[str, Any], keys: set[str]) -> bool:
    """True when ``props`` has, for each of ``keys``, exactly the value in ``values`` (or lacks it)."""
    have = {k: props[k] for k in keys if k in props}
    want = {k: values[k] for k in keys if k in values}
    return prop_changes(have, want) == ({}, {})


def _rel(store: GraphStore, change: ChangeEvent) -> Relationship | None:
    try:
        return store.get_relationship(change.label, change.start, change.end, change.key)
    except NotFound:
        return None


#: A tie the undo moved: its two ends, the rung before and after (0: no tie).
TieMove = tuple[str, str, int, int]


def _rung(rel: Relationship | None) -> int:
    return int((rel.props if rel else {}).get("rung", 0) or 0)


def _write_rel(tx: Transaction, rel: Relationship, before: Relationship | None, now: str,
               source: str, expected_version: int, moves: list[TieMove]) -> None:
    """Write a relationship as the undo restores it; a TIE's rung move goes into the tie history
    at the time of the undo (the restored properties keep their own ``changed_at``) and into
    ``moves``."""
    tx.upsert_relationship(rel, expected_version=expected_version, record_history=rel.type != "TIE")
    if rel.type == "TIE":
        old, new = _rung(before), _rung(rel)
        if old != new:
            tx.add_tie_events([TieEvent(rel.start, rel.end, old, new, now, source, "",
                                        str(rel.props.get("declared_by", "")))])
            moves.append((rel.start, rel.end, old, new))


def _undo_relationship(tx: Transaction, store: GraphStore, change: ChangeEvent, now: str,
                       source: str, moves: list[TieMove]) -> None:
    current = _rel(store, change)
    keys = {*change.old, *change.new}
    if change.op == "delete":
        if current is not None:
            raise UndoRefused("later", "The relationship exists again; undo the later change first.")
        for end in (change.start, change.end):
            if tx.get_node(end) is None:
                raise UndoRefused("missing", f"{end!r} no longer exists; undo its deletion first.")
        rel = Relationship(change.label, change.start, change.end, change.old, change.key)
        _write_rel(tx, rel, None, now, source, 0, moves)
        return
    if current is not None and change.op == "create":
        keys |= set(current.props)  # deleting it must lose nothing added since
    if current is None or not _holds(current.props, change.new, keys):
        raise UndoRefused("changed", "The relationship no longer is as this change left it; it was "
                                     "not undone.")
    if change.op == "create":
        tx.delete_relationship(change.label, change.start, change.end, change.key, changed_at=now,
                               source=source)
        if change.label == "TIE" and _rung(current):
            moves.append((change.start, change.end, _rung(current), 0))
        return
    props = {k: v for k, v in current.props.items() if k not in change.new}
    rel = Relationship(change.label, change.start, change.end, {**props, **change.old}, change.key)
    _write_rel(tx, rel, current, now, source, current.version, moves)


def _cascade(store: GraphStore, change: ChangeEvent, page: int = 500) -> list[ChangeEvent]:
    """The relationship deletes logged with a node delete: just before it, in the same revision."""
    rels: list[ChangeEvent] = []
    while True:
        batch = store.changes(node_id=change.start, before_seq=change.seq - len(rels), limit=page)
        for e in batch:
            if e.revision != change.revision or e.is_node or e.op != "delete" or e.seq != change.seq - len(rels) - 1:
                return rels
            rels.append(e)
        if len(batch) < page:
            return rels


def _undo_node(tx: Transaction, store: GraphStore, change: ChangeEvent, later: list[ChangeEvent],
               now: str, source: str, moves: list[TieMove]) -> None:
    current = tx.get_node(change.start)
    if change.op == "delete":
        if current is not None:
            raise UndoRefused("later", "It exists again; undo the later change first.")
        tx.upsert_node(Node(change.start, change.label, change.old), expected_version=0)
        # its relationships, where the other end still exists and nothing changed them since
        # (a later change to one of them touches this node, so it is in ``later``)
        touched = {e.target for e in later}
        for rel in reversed(_cascade(store, change)):
            other = rel.end if rel.start == change.start else rel.start
            if rel.target not in touched and tx.get_node(other) is not None:
                _write_rel(tx, Relationship(rel.label, rel.start, rel.end, rel.old, rel.key), None,
                           now, source, 0, moves)
        return
    keys = {*change.old, *change.new}
    if current is not None and change.op == "create":
        keys |= set(current.props)  # deleting it must lose nothing added since
    if current is None or not _holds(current.props, change.new, keys):
        raise UndoRefused("changed", "It no longer is as this change left it; it was not undone.")
    if change.op == "create":
        tx.delete_node(change.start)
        return
    props = {k: v for k, v in current.props.items() if k not in change.new}
    tx.upsert_node(Node(change.start, change.label, {**props, **change.old}),
                   expected_version=current.version)


# relationships an organisation declares about itself; a grant (FUNDS) is the fund's, never its own
_OWN_RELATIONSHIPS: Final = frozenset({"ACTIVE_IN", "WORKS_ON", "SERVES", "OFFERS", "NEEDS", "COMMITS_TO",
                                       "ATTENDED"})


def may_undo(viewer: Viewer, org_id: str, org_label: str, change: ChangeEvent) -> bool:
    """Whether ``viewer`` may undo ``change`` in ``org_id``'s history: the right to make it now.

    Admins may undo anything. A member (or the coach) of an organisation may undo changes to the
    organisation's own properties, to what it declares about itself (themes, areas, communities,
    capabilities) and to its ties; never a grant (``FUNDS``), a fund, another organisation or an
    institution.
    """
    if viewer.role == "admin":
        return True
    if viewer.role not in ("member", "coach") or org_id not in viewer.organisations:
        return False
    if org_label != ORGANISATION:
        return False
    if change.is_node:
        return change.label == ORGANISATION and change.start == org_id
    if change.label == "TIE":
        return org_id in (change.start, change.end)
    return change.label in _OWN_RELATIONSHIPS and change.start == org_id


def _check_may_undo(store: GraphStore, viewer: Viewer, org_id: str, change: ChangeEvent) -> None:
    try:
        label = store.get_node(org_id).label
    except NotFound:  # deleted: what it was, as its own change says
        label = change.label if change.is_node and change.start == org_id else ""
    if not may_undo(viewer, org_id, label, change):
        raise Forbidden("You may not undo this change: it is not your organisation's own to make.")


def undo_change(store: GraphStore, org_id: str, seq: int, *, actor: str | None = None,
                viewer: Viewer | None = None, notices: list[Node] | None = None) -> list[ChangeEvent]:
    """Undo change ``seq`` of ``org_id``'s history; return the changes the undo made.

    An update gets its fields' old values back, a create is deleted, a delete re-created with
    its old properties (a node with the relationships deleted with it, where their other end
    still exists and nothing changed them since). Refused with :class:`UndoRefused` when the
    node or relationship changed after ``seq``; NotFound when ``seq`` is not in the history;
    Forbidden when a ``viewer`` is given who may not make that change (:func:`may_undo`).

    A tie whose rung the undo moves is the other side's too: it finds a notice in its inbox
    (a ``TieRequest`` of kind ``undo``, written in the same transaction), which is also appended
    to ``notices`` so that the caller can mail its contact persons.
    """
    change = _change_of(store, org_id, seq)
    if viewer is not None:
        _check_may_undo(store, viewer, org_id, change)
    source = f"undo:{seq}"
    now = utc_now()
    with store.transaction(source=source, actor=actor) as tx:
        # the writer lock is held from here on: what the store says now stays true until commit
        later = _later(store, change)
        if change.is_node and change.op == "create":
            # the relationships made with it go with it; anything made later must be undone first
            blocking = [e for e in later if e.revision != change.revision or e.is_node]
        else:
            blocking = [e for e in later if e.target == change.target]
        if blocking:
            raise UndoRefused("later", "It was changed again after this; undo the later change first.")
        moves: list[TieMove] = []
        if change.is_node:
            _undo_node(tx, store, change, later, now, source, moves)
        else:
            _undo_relationship(tx, store, change, now, source, moves)
        told = tell_other_sides(tx, org_id, moves, actor or current_actor(source), now)
    if notices is not None:
        notices += told
    made = store.changes(node_id=change.start, limit=PAGE)
    revision = next((e.revision for e in made if e.source == source), None)
    return [e for e in made if e.source == source and e.revision == revision]
