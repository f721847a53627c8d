"""The whole graph at one revision as plain rows: what a snapshot is built from, record-free.

A backend that can read its graph inside one read transaction offers ``read_rows(consume)``: it
calls ``consume`` with a :class:`GraphRows` whose row iterables ``consume`` reads in order
(nodes, relationships, tie events) before it returns, and returns what ``consume`` returns (a
backend may call it again, e.g. after a write slipped into a read that could not hold it off). Building a
:class:`~graphsvc.snapshot.Snapshot` from rows skips the :class:`~graphsvc.model.Node` and
:class:`~graphsvc.model.Relationship` records of :class:`~graphsvc.store.base.GraphData`, which
dumps and migration keep using.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple, TypeVar

__all__ = ["GraphRows", "NODE_COLUMNS", "RELATIONSHIP_COLUMNS", "TIE_EVENT_COLUMNS", "T"]

T = TypeVar("T")  # what a consumer of rows makes of them

#: A node row; ``props_json`` is the property map as JSON text, or the map itself when the
#: backend decodes it (Neo4j's native properties).
NODE_COLUMNS = ("id", "label", "props_json", "version", "created_at", "updated_at")
#: A relationship row; ``version`` and ``created_at`` are only read for ties (may be None otherwise).
RELATIONSHIP_COLUMNS = ("type", "start", "end", "key", "props_json", "version", "created_at")
#: A tie history row, in ``seq`` order.
TIE_EVENT_COLUMNS = ("seq", "a", "b", "old_rung", "new_rung", "at", "source", "session", "declared_by")


class GraphRows(NamedTuple):
    """The graph at ``revision`` as rows of the ``*_COLUMNS`` shapes.

    ``ordered``: nodes come ordered by id and relationships by ``(type, start, end, key)`` (code
    point order). A backend that cannot promise that says False and the builder sorts.
    """

    revision: int
    nodes: Iterable[tuple[Any, ...]]
    relationships: Iterable[tuple[Any, ...]]
    tie_events: Iterable[tuple[Any, ...]]
    ordered: bool = True
