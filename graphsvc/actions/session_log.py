"""A session's undo stack: its entries, how many changes it has seen, and the change a
write or an undo returns (:class:`TieChange`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from graphsvc.model import Node, Relationship

__all__ = ["TieChange", "UNDO_DEPTH", "change_count", "last_change"]

#: How many of a session's latest changes :func:`~graphsvc.actions.sessions.undo_last` can take back.
UNDO_DEPTH: Final = 20


@dataclass(frozen=True)
class TieChange:
    """One recorded change of a tie at a session (rung 0: no tie).

    ``kind`` is ``new``, ``up``, ``down``, ``confirmed`` (same rung, confirmed again),
    ``unchanged`` (nothing to write) or ``undone``.
    """

    session: str
    a: str
    a_name: str
    b: str
    b_name: str
    old_rung: int
    new_rung: int
    kind: str
    at: str
    tie_version: int
    session_version: int

    def as_dict(self) -> dict[str, Any]:
        return {"session": self.session, "a": self.a, "a_name": self.a_name, "b": self.b,
                "b_name": self.b_name, "old_rung": self.old_rung, "new_rung": self.new_rung,
                "kind": self.kind, "at": self.at, "tie_version": self.tie_version,
                "session_version": self.session_version}


def _kind(old: int, new: int) -> str:
    if old == 0:
        return "new"
    return "confirmed" if old == new else "up" if new > old else "down"


def _entry(tie: Relationship, current: Relationship | None, old_rung: int, now: str,
           by: str) -> dict[str, Any]:
    """One line of the session's change log: enough to put the tie back exactly as it was."""
    return {"a": tie.start, "b": tie.end, "before": dict(current.props) if current else None,
            "old_rung": old_rung, "new_rung": tie.props["rung"],
            "before_version": current.version if current else 0,
            "after_version": (current.version if current else 0) + 1, "at": now, "by": by}


def _log(session: Node) -> list[dict[str, Any]]:
    changes = session.props.get("changes")
    return [dict(c) for c in changes] if isinstance(changes, list) else []


def change_count(session: Node) -> int:
    """How many changes were recorded at the session (undos not counted)."""
    count = session.props.get("change_count")
    if isinstance(count, int) and not isinstance(count, bool):
        return count
    return len(_log(session))  # a session recorded before the count was kept


def _append_log(tx: Any, session: Node, entry: Mapping[str, Any]) -> None:
    props = {**session.props, "changes": [*_log(session), dict(entry)][-UNDO_DEPTH:],
             "change_count": change_count(session) + 1}
    tx.upsert_node(Node(session.id, "Session", props), expected_version=session.version)


def _change(session: Node, ends: tuple[Node, Node], old: int, new: int, kind: str, at: str,
            tie_version: int, session_version: int) -> TieChange:
    first, second = sorted(ends, key=lambda n: n.id)
    return TieChange(session.id, first.id, first.name, second.id, second.name, old, new, kind, at,
                     tie_version, session_version)


def last_change(session: Node) -> dict[str, Any] | None:
    """The session's most recent change that has not been undone (None: nothing to undo)."""
    pending = [c for c in _log(session) if not c.get("undone_at")]
    return pending[-1] if pending else None
