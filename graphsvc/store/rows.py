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

from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple, TypeVar

__all__ = ["GraphRows", "NODE_COLUMNS", "RELATIONSHIP_COLUMNS", "TIE_EVENT_COLUMNS", "T", "TypeBlock",
           "RelationshipBlocks", "ColumnBlocks"]

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


class TypeBlock(NamedTuple):
    """Consecutive relationship rows of one type as columns (lists of equal length).

    ``props`` are the property maps as the consumer's ``decode`` made them from their JSON
    texts (see :meth:`RelationshipBlocks.blocks`); ``versions`` and ``created`` are given for
    ties only (None for other types).
    """

    type: str
    starts: list[str]
    ends: list[str]
    keys: list[str]
    props: list[Any]
    versions: list[int] | None
    created: list[str | None] | None


def _texts(texts: list[str]) -> list[Any]:
    return list(texts)


class RelationshipBlocks(Iterable[tuple[Any, ...]]):
    """Relationship rows read as :class:`TypeBlock` columns by a backend that can (SQLite).

    Iterating gives ``RELATIONSHIP_COLUMNS`` rows like any other backend's; a consumer that
    knows blocks reads :meth:`blocks` instead and skips a tuple per row. Read it once.

    >>> rows = RelationshipBlocks(lambda decode: iter([TypeBlock("TIE", ["a"], ["b"], [""], decode(["{}"]), [1], ["t"])]))
    >>> list(rows)
    [('TIE', 'a', 'b', '', '{}', 1, 't')]
    """

    def __init__(self, blocks: Callable[[Callable[[list[str]], list[Any]]], Iterator[TypeBlock]]) -> None:
        self._blocks = blocks

    def blocks(self, decode: Callable[[list[str]], list[Any]] = _texts) -> Iterator[TypeBlock]:
        """The blocks, in order; ``decode`` makes one value of each of many JSON texts at a
        time (a backend may call it before the blocks it serves, and keeps only its values)."""
        return self._blocks(decode)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for b in self._blocks(_texts):
            n = len(b.starts)
            versions = b.versions if b.versions is not None else [None] * n
            created = b.created if b.created is not None else [None] * n
            yield from zip([b.type] * n, b.starts, b.ends, b.keys, b.props, versions, created, strict=True)


class ColumnBlocks(Iterable[tuple[Any, ...]]):
    """Rows read as blocks of columns (a tuple of equal-length lists per block) by a backend
    that can: iterating gives the rows, :meth:`column_blocks` the blocks. Read it once.

    >>> list(ColumnBlocks(lambda: iter([([1, 2], ["a", "b"])])))
    [(1, 'a'), (2, 'b')]
    """

    def __init__(self, blocks: Callable[[], Iterator[tuple[list[Any], ...]]]) -> None:
        self._blocks = blocks

    def column_blocks(self) -> Iterator[tuple[list[Any], ...]]:
        """The blocks, in order."""
        return self._blocks()

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for columns in self._blocks():
            yield from zip(*columns, strict=True)
