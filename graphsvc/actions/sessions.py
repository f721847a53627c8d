"""Ladder sessions, the write side: open and close a meeting, record ties and rung changes, undo.

A ``Session`` node is one neighbourhood meeting (docs/design.md §2, §4). While it is **open**, ties and
rung changes are recorded against it: each write is one transaction with source
``session:<id>``, the tie carries ``session``, ``declared_by``, ``confirmed_at``, ``changed_at``
and ``source``, and the store appends the rung change to the tie history with the session id,
which is what :func:`queries.sessions.session_diff` reads as "what moved tonight".

The session keeps an undo stack (``changes`` on the node: each tie as it was before the change
and the version the change left it at), so :func:`undo_last` can put a tie back exactly as it
was. An undo is itself a rung change at the session and lands in the tie history too; a second
undo takes back the change before that. An undo is refused when someone changed the tie in the
meantime, because putting the old value back would silently overwrite their work.

The stack holds the last :data:`UNDO_DEPTH` changes, and ``change_count`` counts them all: every
write rewrites the session node, and its old and new values go to the store's change log, so a
stack that grew with the meeting made each write (and each worker's snapshot update) slower
than the one before. Nothing is lost by the bound: every change stays in the tie history and in
the store's change log, where the organisation's history page can undo it.

Refused, with a plain message and nothing written: a tie between an actor and itself, a rung
outside 1–5, an unknown area, session or actor, and any write to a closed session. A client that
sends the version it saw (``expected_version``) gets :class:`graphsvc.errors.Conflict` with the
current version when the record changed since.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Final

from graphsvc.actions.session_log import (
    UNDO_DEPTH,
    TieChange,
    _append_log,
    _change,
    _entry,
    _kind,
    _log,
    change_count,
    last_change,
)
from graphsvc.clock import utc_now
from graphsvc.errors import Conflict, InvalidInput, NotFound
from graphsvc.model import ACTOR_LABELS, Node, Relationship, TieEvent, tie_pair
from graphsvc.store.base import GraphStore

__all__ = [
    "DECLARED_BY",
    "TieChange",
    "area_node",
    "is_open",
    "open_sessions",
    "open_session",
    "close_session",
    "record_tie",
    "undo_last",
    "last_change",
    "change_count",
    "set_public_meeting_map",
    "UNDO_DEPTH",
]

#: Who declared a tie: one side, both sides, or a coach who saw it.
DECLARED_BY: Final = ("self", "both", "coach")
MAX_NAME = 200
MAX_NOTE = 1000


# -- lookups -----------------------------------------------------------------------------------
def area_node(store: GraphStore, code_or_id: str) -> Node:
    """A Neighbourhood by id or official code (case-insensitive); raises NotFound."""
    text = str(code_or_id or "").strip()
    try:
        node = store.get_node(text)
        if node.label == "Neighbourhood":
            return node
    except NotFound:
        pass
    for node in store.iter_nodes("Neighbourhood"):
        if text and str(node.props.get("code", "")).upper() == text.upper():
            return node
    raise NotFound(f"There is no area with code {text!r}.")


def _session(store: GraphStore, session_id: str) -> Node:
    try:
        node = store.get_node(session_id)
    except NotFound:
        node = None
    if node is None or node.label != "Session":
        raise NotFound(f"There is no session with id {session_id!r}.")
    return node


def _actor(store: GraphStore, actor_id: str) -> Node:
    try:
        node = store.get_node(actor_id)
    except NotFound:
        raise NotFound(f"There is no organisation or institution with id {actor_id!r}.") from None
    if node.label not in ACTOR_LABELS:
        raise InvalidInput(f"{node.name!r} is a {node.label}; ties join organisations and "
                           "institutions only.")
    return node


def is_open(session: Node) -> bool:
    """True while ties may be recorded at the session (sessions without a status are history)."""
    return session.props.get("status") == "open"


def _require_open(session: Node) -> None:
    if not is_open(session):
        raise Conflict(f"The session {session.name!r} is closed; open a new session to record "
                       "ties.", current_version=session.version)


def _check_version(node: Node, expected: int | None) -> None:
    if expected is not None and node.version != expected:
        raise Conflict(f"{node.name!r} was changed by someone else; reload and try again.",
                       current_version=node.version)


def open_sessions(store: GraphStore, area_id: str | None = None) -> list[Node]:
    """The open sessions (of one area id), newest first."""
    found = [n for n in store.iter_nodes("Session")
             if is_open(n) and (area_id is None or n.props.get("area") == area_id)]
    return sorted(found, key=lambda n: (str(n.props.get("opened_at", "")), n.id), reverse=True)


# -- open and close ------------------------------------------------------------------------------
def _day(value: str | date | None) -> str:
    if value is None or value == "":
        return date.today().isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise InvalidInput(f"The date must look like 2025-03-13, not {str(value)[:40]!r}.") from None


def _text(value: object, what: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"The {what} must be text.")
    if len(value) > limit:
        raise InvalidInput(f"The {what} is longer than {limit} characters.")
    return value.strip()


def open_session(store: GraphStore, area: str, *, name: str = "", day: str | date | None = None,
                 participants: Iterable[str] = (), opened_by: str = "") -> Node:
    """Open a meeting in an area; ties recorded at it carry its id.

    Raises NotFound for an unknown area or participant, InvalidInput for a bad date or name,
    and Conflict when the area already has an open session (close that one first).

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     _ = tx.upsert_node(Node("w", "Neighbourhood", {"name": "West", "code": "E"}))
    >>> s = open_session(store, "E", name="Wijktafel", day="2025-03-13")
    >>> s.props["status"], s.props["area"]
    ('open', 'w')
    """
    if not isinstance(area, str) or not area.strip():
        raise InvalidInput("Name the area of the meeting ('area': a code such as E or WK0363FC).")
    node = area_node(store, area)
    day_text = _day(day)
    title = _text(name, "session name", MAX_NAME) or f"{node.name} {day_text}"
    people = [_actor(store, p) for p in dict.fromkeys(participants)]
    already = open_sessions(store, node.id)
    if already:
        raise Conflict(f"The area already has an open session, {already[0].name!r}; close it first.")
    session_id = f"sess-{day_text}-{uuid.uuid4().hex[:8]}"
    now = utc_now()
    props = {"name": title, "date": day_text, "area": node.id, "area_code": node.props.get("code", ""),
             "status": "open", "opened_at": now, "opened_by": opened_by, "changes": [],
             "change_count": 0}
    with store.transaction(source=f"session:{session_id}") as tx:
        tx.upsert_node(Node(session_id, "Session", props))
        tx.upsert_relationship(Relationship("HELD_IN", session_id, node.id))
        for person in people:
            tx.upsert_relationship(Relationship("ATTENDED", person.id, session_id))
    return store.get_node(session_id)


def close_session(store: GraphStore, session_id: str, *, expected_version: int | None = None,
                  closed_by: str = "") -> Node:
    """Close an open session; later writes to it are refused (Conflict)."""
    session = _session(store, session_id)
    _require_open(session)
    _check_version(session, expected_version)
    props = {**session.props, "status": "closed", "closed_at": utc_now(), "closed_by": closed_by}
    with store.transaction(source=f"session:{session_id}") as tx:
        tx.upsert_node(Node(session_id, "Session", props), expected_version=session.version)
    return store.get_node(session_id)


# -- record ------------------------------------------------------------------------------------
def _current_tie(store: GraphStore, a: str, b: str) -> Relationship | None:
    try:
        return store.get_relationship("TIE", a, b)
    except NotFound:
        return None


def _check_tie_input(a: str, b: str, rung: object, declared_by: str) -> int:
    if not isinstance(a, str) or not isinstance(b, str) or not a or not b:
        raise InvalidInput("Name two actors: 'a' and 'b' are both needed.")
    if a == b:
        raise InvalidInput("A tie needs two different actors, not the same one twice.")
    if isinstance(rung, bool) or not isinstance(rung, int) or not 1 <= rung <= 5:
        raise InvalidInput(f"The rung must be a whole number from 1 to 5, not {rung!r}.")
    if declared_by not in DECLARED_BY:
        raise InvalidInput(f"declared_by must be one of {', '.join(DECLARED_BY)}, not {declared_by!r}.")
    return rung


def _new_props(session_id: str, current: Relationship | None, rung: int, declared_by: str,
               note: str | None, now: str) -> dict[str, Any]:
    props: dict[str, Any] = dict(current.props) if current else {"since": now[:10]}
    old = int(props.get("rung", 0) or 0)
    props.update(rung=rung, session=session_id, declared_by=declared_by, confirmed_at=now,
                 source=f"session:{session_id}")
    if old != rung:
        props["changed_at"] = now  # the history event time: only a rung change moves it
    if note:
        props["note"] = note
    return props


def record_tie(store: GraphStore, session_id: str, a: str, b: str, rung: int, *,
               declared_by: str = "both", note: str | None = None,
               expected_version: int | None = None, recorded_by: str = "") -> TieChange:
    """Record a tie, or a change of its rung, at an open session (one transaction).

    ``expected_version`` is the tie version the client saw (0: no tie yet); when the tie changed
    since, Conflict is raised with the current version. Both actors are marked as having
    attended the session.

    Raises
    ------
    InvalidInput
        The same actor twice, a rung outside 1–5, a bad ``declared_by`` or note.
    NotFound
        An unknown session or actor.
    Conflict
        A closed session, or a tie that changed since ``expected_version``.
    """
    rung = _check_tie_input(a, b, rung, declared_by)
    note = _text(note, "note", MAX_NOTE) or None
    session = _session(store, session_id)
    _require_open(session)
    ends = (_actor(store, a), _actor(store, b))
    current = _current_tie(store, a, b)
    before = current.version if current else 0
    if expected_version is not None and expected_version != before:
        raise Conflict("This tie was changed by someone else; reload and try again.",
                       current_version=before)
    now = utc_now()
    props = _new_props(session_id, current, rung, declared_by, note, now)
    old_rung = int(current.props.get("rung", 0)) if current else 0
    tie = Relationship("TIE", a, b, props)
    with store.transaction(source=f"session:{session_id}") as tx:
        live = _live_session(tx.get_node(session_id), session_id)
        if not tx.upsert_relationship(tie, expected_version=before):
            return _change(live, ends, old_rung, rung, "unchanged", now, before, live.version)
        for actor in ends:
            tx.upsert_relationship(Relationship("ATTENDED", actor.id, session_id))
        _append_log(tx, live, _entry(tie, current, old_rung, now, recorded_by))
    return _change(live, ends, old_rung, rung, _kind(old_rung, rung), now, before + 1,
                   live.version + 1)


def _live_session(node: Node | None, session_id: str) -> Node:
    """The session as the transaction sees it: it may have closed since it was first read."""
    if node is None or node.label != "Session":
        raise NotFound(f"There is no session with id {session_id!r}.")
    _require_open(node)
    return node


# -- undo --------------------------------------------------------------------------------------
def undo_last(store: GraphStore, session_id: str, *, expected_version: int | None = None,
              undone_by: str = "") -> TieChange:
    """Take back the session's last change that was not undone yet, recording the undo too.

    ``expected_version`` is the session version the client saw. Raises NotFound for an unknown
    session, Conflict for a closed session, nothing left to undo, or a tie changed since.
    """
    session = _session(store, session_id)
    _require_open(session)
    _check_version(session, expected_version)
    entry = last_change(session)
    if entry is None:
        if change_count(session) > len(_log(session)):
            raise Conflict(f"There is nothing left to undo here: a meeting can take back its last "
                           f"{UNDO_DEPTH} changes. Older ones can be undone from an organisation's "
                           "history page.", current_version=session.version)
        raise Conflict("There is nothing to undo in this session.", current_version=session.version)
    a, b = tie_pair(str(entry["a"]), str(entry["b"]))
    ends = (_actor(store, a), _actor(store, b))
    current = _current_tie(store, a, b)
    if current is None or not _still_as_left(store, current, entry, session_id):
        raise Conflict(f"The tie between {ends[0].name} and {ends[1].name} was changed after "
                       "this; it was not undone.", current_version=session.version)
    now = utc_now()
    with store.transaction(source=f"session:{session_id}") as tx:
        live = _live_session(tx.get_node(session_id), session_id)
        _check_version(live, session.version)
        tie_version = _restore(tx, current, entry, session_id, now)
        log = _log(live)
        pending = [i for i, c in enumerate(log) if not c.get("undone_at")]
        log[pending[-1]].update(undone_at=now, undone_by=undone_by)
        before_version = int(entry.get("before_version", int(entry["after_version"]) - 1))
        _follow_undo(log, pending[:-1], (a, b), before_version, tie_version)
        tx.upsert_node(Node(session_id, "Session", {**live.props, "changes": log}),
                       expected_version=live.version)
    return _change(live, ends, int(entry["new_rung"]), int(entry["old_rung"]), "undone", now,
                   tie_version, live.version + 1)


def _as_left(current: Relationship, entry: Mapping[str, Any], session_id: str) -> bool:
    """Whether the tie still holds what this session's change wrote, judged by its content.

    Versions restart at 1 when a graph moves to another store (``graphsvc migrate``); the
    content (this session, confirmed at the change's time, at its rung) moves with it.
    """
    props = current.props
    return (props.get("session") == session_id and props.get("confirmed_at") == entry.get("at")
            and props.get("rung") == entry.get("new_rung"))


def _still_as_left(store: GraphStore, current: Relationship, entry: Mapping[str, Any],
                   session_id: str) -> bool:
    """Whether nobody changed the tie after this session's change: it holds what the change wrote,
    and the newest entry of the change log about it is this session's (both move with a
    ``migrate``, unlike versions). Without a log entry, the version decides."""
    if not _as_left(current, entry, session_id):
        return False
    pair = {current.start, current.end}
    for change in store.changes(node_id=current.start, limit=500):
        if not change.is_node and change.label == "TIE" and {change.start, change.end} == pair:
            return change.source == f"session:{session_id}"
    return bool(current.version == entry["after_version"])


def _follow_undo(log: list[dict[str, Any]], pending: list[int], pair: tuple[str, str],
                 before_version: int, tie_version: int) -> None:
    """After an undo put a tie back as the session's previous change of it left it (at
    ``before_version``), let that change expect the version the undo made, so a second undo
    can take it back too."""
    for i in reversed(pending):
        change = log[i]
        if tie_pair(str(change["a"]), str(change["b"])) == pair:
            if tie_version and change.get("after_version") == before_version:
                change["after_version"] = tie_version
            return


def _restore(tx: Any, current: Relationship, entry: Mapping[str, Any], session_id: str,
             now: str) -> int:
    """Put the tie back as it was before ``entry``; return its version afterwards (0: gone)."""
    # an unchanged upsert with the expected version is an atomic "nobody changed it" check
    tx.upsert_relationship(current, expected_version=current.version, record_history=False)
    source = f"session:{session_id}"
    before = entry.get("before")
    if before is None:
        tx.delete_relationship("TIE", current.start, current.end, changed_at=now, source=source,
                               session=session_id)
        return 0
    tx.upsert_relationship(Relationship("TIE", current.start, current.end, dict(before)),
                           record_history=False)
    old, new = int(entry["new_rung"]), int(entry["old_rung"])
    if old != new:
        tx.add_tie_events([TieEvent(current.start, current.end, old, new, now, source, session_id,
                                    str(before.get("declared_by", "")))])
    return current.version + 1


# -- area flag ---------------------------------------------------------------------------------
def set_public_meeting_map(store: GraphStore, area: str, enabled: bool, *,
                           expected_version: int | None = None) -> Node:
    """Let the public view an area's meeting map (or stop it); an admin's decision."""
    if not isinstance(enabled, bool):
        raise InvalidInput("'enabled' must be true or false.")
    node = area_node(store, area)
    _check_version(node, expected_version)
    props = {**node.props, "public_meeting_map": enabled}
    with store.transaction(source="admin:public-meeting-map") as tx:
        tx.upsert_node(Node(node.id, node.label, props), expected_version=node.version)
    return store.get_node(node.id)
