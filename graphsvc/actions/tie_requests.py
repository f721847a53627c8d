"""Ties declared by one side and confirmed by the other, and ties recorded by a coach.

A member proposes a tie from its organisation to another at a rung: a ``TieRequest`` node,
``pending`` until the other side accepts (at that rung or another) or declines it. Accepted, the
tie is written at the accepted rung with provenance ``confirmed``; a claim nobody confirms stays
a request and never becomes a tie. A downgrade or the end of a tie needs no confirmation: it is
written at once and the other side finds a ``notice`` in its inbox. A coach who saw a tie
records it directly, with provenance ``coach``.

Each write is one transaction: the tie and the request change together or not at all, and the
store's change log keeps who did it, when, and old → new, so the organisation's history shows
and undoes it like any other change.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from graphsvc.clock import utc_now
from graphsvc.errors import Conflict, InvalidInput, NotFound
from graphsvc.model import ACTOR_LABELS, TIE_REQUEST, Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store.base import GraphStore, Transaction

__all__ = ["TieRequest", "propose_tie", "accept_request", "decline_request", "record_coach_tie",
           "requests_of", "write_notice", "tell_other_sides", "check_fields", "MAX_NOTE", "STATUSES"]

MAX_NOTE: Final = 1000
#: ``pending`` waits for the other side; ``notice`` is a downgrade or end, written at once.
STATUSES: Final = ("pending", "accepted", "declined", "notice")


@dataclass(frozen=True)
class TieRequest:
    """One proposed tie (or a notice of a downgrade or end) between two actors."""

    id: str
    source: str
    source_name: str
    target: str
    target_name: str
    rung: int
    old_rung: int
    note: str
    status: str
    kind: str
    requested_by: str
    requested_at: str
    decided_by: str
    decided_at: str
    accepted_rung: int
    version: int

    @classmethod
    def of(cls, node: Node, names: dict[str, str]) -> TieRequest:
        p = node.props
        a, b = str(p.get("from", "")), str(p.get("to", ""))
        return cls(node.id, a, names.get(a, a), b, names.get(b, b), int(p.get("rung", 0) or 0),
                   int(p.get("old_rung", 0) or 0), str(p.get("note", "")), str(p.get("status", "")),
                   str(p.get("kind", "propose")), str(p.get("requested_by", "")),
                   str(p.get("requested_at", "")), str(p.get("decided_by", "")),
                   str(p.get("decided_at", "")), int(p.get("accepted_rung", 0) or 0), node.version)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "from": {"id": self.source, "name": self.source_name},
                "to": {"id": self.target, "name": self.target_name}, "rung": self.rung,
                "old_rung": self.old_rung, "note": self.note, "status": self.status,
                "kind": self.kind, "requested_by": self.requested_by,
                "requested_at": self.requested_at, "decided_by": self.decided_by,
                "decided_at": self.decided_at, "accepted_rung": self.accepted_rung or None,
                "version": self.version}


# -- checks --------------------------------------------------------------------------------------
def check_fields(payload: Mapping[str, Any], allowed: tuple[str, ...], what: str) -> None:
    """Refuse a key ``what`` does not take, and an ``expected_version`` that is no whole number,
    each named as a field (``errors``: ``"field: message"``).

    Examples
    --------
    >>> check_fields({"to": "b", "rung": 2, "fraud_flag": 1}, ("to", "rung", "note"), "a tie request")
    Traceback (most recent call last):
    ...
    graphsvc.errors.InvalidInput: Check fraud_flag: is not a field of a tie request; it takes to, rung, note.
    """
    problems = [f"{str(key)[:40]}: is not a field of {what}; it takes {', '.join(allowed)}."
                for key in payload if key not in allowed]
    version = payload.get("expected_version")
    if "expected_version" in allowed and version is not None and (
            isinstance(version, bool) or not isinstance(version, int) or version < 0):
        problems.append("expected_version: a whole number, the version you saw.")
    if problems:
        names = ", ".join(p.split(":", 1)[0] for p in problems)
        raise InvalidInput(f"Check {names}: {problems[0].split(': ', 1)[1]}", errors=problems)


def _actor(store: GraphStore, actor_id: object, what: str) -> Node:
    if not isinstance(actor_id, str) or not actor_id.strip():
        raise InvalidInput(f"'{what}': name an organisation by its id.", errors=[what])
    try:
        node = store.get_node(actor_id)
    except NotFound:
        raise InvalidInput(f"'{what}': there is no organisation with id {actor_id!r}.",
                           errors=[what]) from None
    if node.label not in ACTOR_LABELS:
        raise InvalidInput(f"'{what}': {node.name!r} is a {node.label}; ties join organisations "
                           "and institutions.", errors=[what])
    return node


def _rung(value: object, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= 5:
        raise InvalidInput(f"'rung': a whole number from {low} to 5, not {value!r}.", errors=["rung"])
    return value


def _note(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput("'note': text, please.", errors=["note"])
    if len(value) > MAX_NOTE:
        raise InvalidInput(f"'note': at most {MAX_NOTE} characters.", errors=["note"])
    return value.strip()


def _tie(store: GraphStore, a: str, b: str) -> Relationship | None:
    try:
        return store.get_relationship("TIE", a, b)
    except NotFound:
        return None


def _request(store: GraphStore, request_id: str) -> Node:
    try:
        node = store.get_node(request_id)
    except NotFound:
        node = None
    if node is None or node.label != TIE_REQUEST:
        raise NotFound(f"There is no tie request with id {request_id!r}.")
    return node


def _pending(store: GraphStore, a: str, b: str) -> Node | None:
    for node in store.iter_nodes(TIE_REQUEST):
        p = node.props
        if p.get("status") == "pending" and p.get("from") == a and p.get("to") == b:
            return node
    return None


# -- writes --------------------------------------------------------------------------------------
def _write_tie(tx: Transaction, a: str, b: str, rung: int, current: Relationship | None, *,
               provenance: str, source: str, note: str, declared_by: str, now: str) -> None:
    """Write a tie at ``rung`` (0: end it), keeping what it had; checks nobody changed it."""
    expected = current.version if current else 0
    if rung == 0:
        if current is not None:
            tx.upsert_relationship(current, expected_version=expected, record_history=False)
            tx.delete_relationship("TIE", a, b, changed_at=now, source=source)
        return
    props: dict[str, Any] = dict(current.props) if current else {"since": now[:10]}
    if int(props.get("rung", 0) or 0) != rung:
        props["changed_at"] = now
    props.update(rung=rung, provenance=provenance, source=source, declared_by=declared_by,
                 confirmed_at=now)
    props.pop("session", None)
    if note:
        props["note"] = note
    tx.upsert_relationship(Relationship("TIE", a, b, props), expected_version=expected)


def propose_tie(store: GraphStore, source: str, target: object, rung: object, *, note: object = None,
                by: str = "") -> Node:
    """Propose a tie from ``source`` to ``target`` at ``rung``; return the request node.

    A higher rung than today (or a new tie) waits for the other side (``pending``; a second
    proposal to the same side replaces the first). A lower rung, or 0 to end the tie, is written
    at once and the request is a ``notice`` for the other side.

    Raises InvalidInput naming the field (``to``, ``rung``, ``note``) and Conflict when the other
    side already proposed a tie to this one (accept that instead).

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     _ = tx.upsert_nodes([Node(i, "Organisation", {"name": i.upper()}) for i in ("a", "b")])
    >>> req = propose_tie(store, "a", "b", 2, note="Wij kennen elkaar van de markt")
    >>> req.props["status"], store.get_relationships([("TIE", "a", "b", "")])
    ('pending', {})
    """
    ends = (_actor(store, source, "from"), _actor(store, target, "to"))
    if ends[0].id == ends[1].id:
        raise InvalidInput("'to': a tie needs another organisation, not this one.", errors=["to"])
    wanted, text = _rung(rung, low=0), _note(note)
    current = _tie(store, ends[0].id, ends[1].id)
    old = int(current.props.get("rung", 0)) if current else 0
    if wanted == old:
        raise InvalidInput(f"'rung': the tie is at rung {old} already." if old else
                           "'rung': there is no tie to end.", errors=["rung"])
    if wanted > old and _pending(store, ends[1].id, ends[0].id) is not None:
        raise Conflict(f"{ends[1].name} already proposed a tie to {ends[0].name}; accept or decline "
                       "that request in the inbox.")
    now = utc_now()
    earlier = _pending(store, ends[0].id, ends[1].id) if wanted > old else None
    request_id = earlier.id if earlier else f"tiereq-{uuid.uuid4().hex[:12]}"
    props = {"name": f"{ends[0].name} → {ends[1].name}", "from": ends[0].id, "to": ends[1].id,
             "rung": wanted, "old_rung": old, "note": text, "requested_by": by, "requested_at": now,
             "status": "pending" if wanted > old else "notice",
             "kind": "propose" if wanted > old else ("end" if wanted == 0 else "down")}
    with store.transaction(source=f"tie-request:{request_id}") as tx:
        if wanted < old:
            _write_tie(tx, ends[0].id, ends[1].id, wanted, current, source=f"tie-request:{request_id}",
                       provenance=_kept(current), note="", declared_by="self", now=now)
        tx.upsert_node(Node(request_id, TIE_REQUEST, props),
                       expected_version=earlier.version if earlier else 0)
    return store.get_node(request_id)


def write_notice(tx: Transaction, source: Node, target: Node, old_rung: int, rung: int, *,
                 kind: str, by: str, now: str) -> Node:
    """Tell ``target`` in its inbox that ``source`` moved their tie from ``old_rung`` to ``rung``
    (0: no tie) without asking: a ``notice`` written in the caller's transaction. ``kind`` says
    how (``down``, ``end``, ``undo``)."""
    node = Node(f"tiereq-{uuid.uuid4().hex[:12]}", TIE_REQUEST, {
        "name": f"{source.name} → {target.name}", "from": source.id, "to": target.id, "rung": rung,
        "old_rung": old_rung, "note": "", "requested_by": by, "requested_at": now, "status": "notice",
        "kind": kind})
    tx.upsert_node(node, expected_version=0)
    return node


def tell_other_sides(tx: Transaction, org_id: str, moves: list[tuple[str, str, int, int]], by: str,
                     now: str) -> list[Node]:
    """A notice (kind ``undo``) in the other side's inbox for every tie ``(a, b, old rung, new
    rung)`` that ``org_id``'s undo moved, as a downgrade gets one; written in ``tx``."""
    notices = []
    for start, end, old, new in moves:
        source_id = org_id if org_id in (start, end) else start
        target_id = end if source_id == start else start
        source, target = tx.get_node(source_id), tx.get_node(target_id)
        if source is not None and target is not None:
            notices.append(write_notice(tx, source, target, old, new, kind="undo", by=by, now=now))
    return notices


def _kept(current: Relationship | None) -> str:
    from graphsvc.provenance import tie_provenance

    return tie_provenance(current.props) if current else "confirmed"


def _decide(store: GraphStore, request_id: str, expected_version: int | None) -> Node:
    node = _request(store, request_id)
    if node.props.get("status") != "pending":
        raise Conflict(f"This request was {node.props.get('status')} already.",
                       current_version=node.version)
    if expected_version is not None and expected_version != node.version:
        raise Conflict("This request changed since you saw it; reload and try again.",
                       current_version=node.version)
    return node


def accept_request(store: GraphStore, request_id: str, *, rung: object = None, by: str = "",
                   expected_version: int | None = None) -> Node:
    """Accept a pending request (at its rung, or at ``rung``): the tie is written with provenance
    ``confirmed`` in the same transaction. Raises Conflict when it was decided already, or when
    the tie's rung changed since the proposal."""
    node = _decide(store, request_id, expected_version)
    accepted = int(node.props["rung"]) if rung is None else _rung(rung)
    a, b = str(node.props["from"]), str(node.props["to"])
    _actor(store, a, "from")
    _actor(store, b, "to")
    current = _tie(store, a, b)
    now_rung = int(current.props.get("rung", 0)) if current else 0
    if now_rung != int(node.props.get("old_rung", 0) or 0):
        # e.g. a meeting raised the tie meanwhile: accepting must not silently undo that
        raise Conflict(f"The tie changed since this proposal (it is at rung {now_rung} now); decline "
                       "it, or propose a new rung.", current_version=node.version)
    now = utc_now()
    with store.transaction(source=f"tie-request:{request_id}") as tx:
        _write_tie(tx, a, b, accepted, current, provenance="confirmed",
                   source=f"tie-request:{request_id}", note=str(node.props.get("note") or ""),
                   declared_by="both", now=now)
        tx.upsert_node(Node(node.id, TIE_REQUEST, {**node.props, "status": "accepted",
                                                   "accepted_rung": accepted, "decided_by": by,
                                                   "decided_at": now}),
                       expected_version=node.version)
    return store.get_node(request_id)


def decline_request(store: GraphStore, request_id: str, *, by: str = "",
                    expected_version: int | None = None) -> Node:
    """Decline a pending request: no tie is written."""
    node = _decide(store, request_id, expected_version)
    with store.transaction(source=f"tie-request:{request_id}") as tx:
        tx.upsert_node(Node(node.id, TIE_REQUEST, {**node.props, "status": "declined",
                                                   "decided_by": by, "decided_at": utc_now()}),
                       expected_version=node.version)
    return store.get_node(request_id)


def record_coach_tie(store: GraphStore, a: str, b: object, rung: object, *, note: object = None,
                     expected_version: int | None = None) -> Relationship | None:
    """A coach records a tie seen between two actors (rung 0 ends it): provenance ``coach``.

    ``expected_version`` is the tie version the coach saw (0: none); Conflict when it changed.
    """
    ends = (_actor(store, a, "from"), _actor(store, b, "to"))
    if ends[0].id == ends[1].id:
        raise InvalidInput("'to': a tie needs another organisation, not this one.", errors=["to"])
    wanted, text = _rung(rung, low=0), _note(note)
    current = _tie(store, ends[0].id, ends[1].id)
    seen = current.version if current else 0
    if expected_version is not None and expected_version != seen:
        raise Conflict("This tie was changed by someone else; reload and try again.",
                       current_version=seen)
    with store.transaction(source="coach") as tx:
        _write_tie(tx, ends[0].id, ends[1].id, wanted, current, provenance="coach", source="coach",
                   note=text, declared_by="coach", now=utc_now())
    return _tie(store, ends[0].id, ends[1].id)


# -- reads ---------------------------------------------------------------------------------------
def requests_of(snapshot: Snapshot, actor_id: str) -> dict[str, list[TieRequest]]:
    """The actor's requests: ``incoming`` (pending, to it), ``outgoing`` (pending, from it),
    ``notices`` (downgrades and ends by the other side) and ``decided`` (the rest), newest first."""
    found: dict[str, list[TieRequest]] = {"incoming": [], "outgoing": [], "notices": [], "decided": []}
    for request_id in snapshot.labelled(TIE_REQUEST):
        node = snapshot.nodes[request_id]
        a, b = node.props.get("from"), node.props.get("to")
        if actor_id not in (a, b):
            continue
        names = {str(x): snapshot.name(str(x)) if x in snapshot.nodes else str(x) for x in (a, b)}
        request = TieRequest.of(node, names)
        if request.status == "pending":
            found["incoming" if b == actor_id else "outgoing"].append(request)
        elif request.status == "notice" and b == actor_id:
            found["notices"].append(request)
        else:
            found["decided"].append(request)
    for items in found.values():
        items.sort(key=lambda r: (r.decided_at or r.requested_at, r.id), reverse=True)
    return found
