"""The SQLite store's relationships and tie history read for a snapshot as blocks of columns.

Fetching a million relationship rows one tuple at a time costs a Python object per cell, and
reading them in key order through the primary key costs a look-up in the table per row for
the properties. Here the read takes two passes, each a block of rows per query whose columns
SQLite hands over as JSON arrays (``json_group_array``, one ``json.loads`` each; rowids as
``group_concat`` text that numpy parses):

1. the table in its own order, for the rows that have properties (anything but ``{}``) and
   the ties: their rowid, property text and, for ties, version and creation time. Texts are
   given to the caller's ``decode`` a block at a time, so only what it makes of them is kept;
2. per type, the primary key index alone (type, start, end, key, and the rowid every index
   entry carries): the rows in key order, so the snapshot builder need not sort them. Each
   row's properties are found by its rowid among those of pass 1 (``{}`` when absent).

Blocks are ranges of rowids or of starts of about ``BLOCK_ROWS`` rows, so memory stays bounded.
The tie history is read the same way, a range of ``seq`` at a time (:func:`tie_event_blocks`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from graphsvc.store.rows import TypeBlock

__all__ = ["type_blocks", "tie_event_blocks", "BLOCK_ROWS"]

#: Rows per block: large enough that the per-query cost vanishes, small enough to bound memory.
BLOCK_ROWS = 65_536
_EMPTY = "{}"  # the property text of a relationship without properties

# the relationship types, by an index seek per type rather than a scan of the whole index
_TYPES = """
WITH RECURSIVE t(x) AS (
    SELECT min(type) FROM relationships
    UNION ALL SELECT (SELECT min(type) FROM relationships WHERE type > x) FROM t WHERE x IS NOT NULL
) SELECT x FROM t WHERE x IS NOT NULL
"""
# Blocks are ranges of a key (rowid, or start within a type): each range's end is found by
# skipping a block's rows in an index, so that the block itself needs no LIMIT (an aggregate
# over a LIMITed subquery costs twice as much as one over the range).
_NEXT_ROWID = "SELECT rowid FROM relationships WHERE rowid > ? ORDER BY rowid LIMIT 1 OFFSET ?"
# pass 1: the rows with properties, and the ties, in table order
_PROPS = """
SELECT count(*), group_concat(rowid), json_group_array(props),
       json_group_array(CASE type WHEN 'TIE' THEN version END),
       json_group_array(CASE type WHEN 'TIE' THEN created_at END)
FROM relationships WHERE rowid > ? AND rowid <= ? AND (props <> ? OR type = 'TIE')
"""
_NEXT_START = "SELECT start FROM relationships WHERE type = ? AND start >= ? ORDER BY start LIMIT 1 OFFSET ?"
_AFTER_START = "SELECT min(start) FROM relationships WHERE type = ? AND start > ?"
# pass 2: one type's rows with a start in [?, ?), in key order, from the primary key index alone
_KEYS = ('SELECT count(*), json_group_array(start), json_group_array("end"), json_group_array(key), '
         "group_concat(rowid) FROM relationships WHERE type = ? AND start >= ?")
_KEYS_SQL = {True: _KEYS + " AND start < ?", False: _KEYS}


_NEXT_SEQ = "SELECT seq FROM tie_events WHERE seq > ? ORDER BY seq LIMIT 1 OFFSET ?"
# the tie history in seq order (seq is the rowid: a range of it is read in order)
_EVENTS = ("SELECT count(*), json_group_array(seq), json_group_array(a), json_group_array(b), "
           "json_group_array(old_rung), json_group_array(new_rung), json_group_array(at), json_group_array(source), "
           "json_group_array(session), json_group_array(declared_by) FROM tie_events WHERE seq > ? AND seq <= ?")


def _rowid_ranges(conn: sqlite3.Connection, block_rows: int, sql: str = _NEXT_ROWID) -> Iterator[tuple[int, int]]:
    """Ranges (after, up to) of rowids holding ``block_rows`` rows each (the last fewer)."""
    after = -(2**63)
    while True:
        row = conn.execute(sql, (after, block_rows - 1)).fetchone()
        upto = row[0] if row else 2**63 - 1
        yield after, upto
        if row is None:
            return
        after = upto


def _start_ranges(conn: sqlite3.Connection, rel_type: str, block_rows: int) -> Iterator[tuple[str, ...]]:
    """Ranges [from, to) of starts holding about ``block_rows`` rows of one type each (more where
    one start has more); the last one has no end."""
    low = ""  # the least string: every start is at or above it
    while True:
        row = conn.execute(_NEXT_START, (rel_type, low, block_rows)).fetchone()
        if row is None:
            yield (low,)
            return
        high = row[0]
        if high == low:  # one start with more rows than a block: its rows are one block
            high = conn.execute(_AFTER_START, (rel_type, low)).fetchone()[0]
            if high is None:
                yield (low,)
                return
        yield low, high
        low = high


def _integers(text: str) -> npt.NDArray[np.int64]:
    """A ``group_concat`` of integers as an array, parsed in C (no Python int per value)."""
    return np.fromstring(text, dtype=np.int64, sep=",")


class _PropRows:
    """Pass 1: per rowid (ascending), what ``decode`` made of the properties; version and
    creation time of the ties."""

    def __init__(self, conn: sqlite3.Connection, decode: Callable[[list[str]], list[Any]], block_rows: int) -> None:
        rowids: list[npt.NDArray[np.int64]] = []
        self.props: list[Any] = []
        self.versions: list[Any] = []
        self.created: list[Any] = []
        stamps: dict[Any, Any] = {}
        same = stamps.setdefault
        for after, upto in _rowid_ranges(conn, block_rows):
            n, ids, texts, versions, created = conn.execute(_PROPS, (after, upto, _EMPTY)).fetchone()
            if n:
                rowids.append(_integers(ids))
                self.props += decode(json.loads(texts))
                self.versions += json.loads(versions)
                self.created += [same(c, c) for c in json.loads(created)]  # one object per time
        self.rowids = np.concatenate(rowids) if rowids else np.zeros(0, np.int64)
        self.empty = decode([_EMPTY])[0]
        self.props.append(self.empty)  # the empty properties last
        self.table = np.fromiter(self.props, dtype=object, count=len(self.props))
        self.props = []

    def at(self, rowids: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
        """The position of each rowid among pass 1's, or the last position (past them) if absent."""
        where = np.searchsorted(self.rowids, rowids)
        inside = where < len(self.rowids)
        found = np.zeros(len(rowids), dtype=bool)
        found[inside] = self.rowids[where[inside]] == rowids[inside]
        return np.where(found, where, len(self.rowids))


def type_blocks(conn: sqlite3.Connection, decode: Callable[[list[str]], list[Any]],
                block_rows: int | None = None) -> Iterator[TypeBlock]:
    """Every relationship as :class:`TypeBlock` columns: types in order, each type's rows by
    (start, end, key), at most ``block_rows`` a block; ``props`` are what ``decode`` makes of
    the property texts (it is called with many texts at a time and returns one value each).
    Runs on ``conn`` inside the caller's read transaction.
    """
    block_rows = block_rows or BLOCK_ROWS
    found = _PropRows(conn, decode, block_rows)
    for rel_type in [row[0] for row in conn.execute(_TYPES)]:
        for bounds in _start_ranges(conn, rel_type, block_rows):
            row = conn.execute(_KEYS_SQL[len(bounds) > 1], (rel_type, *bounds)).fetchone()
            if not row[0]:
                continue
            starts, ends, keys = (json.loads(text) for text in row[1:4])
            at = found.at(_integers(row[4]))
            versions = created = None
            if rel_type == "TIE":  # every tie is among pass 1's rows
                picked = at.tolist()
                versions = [found.versions[i] for i in picked]
                created = [found.created[i] for i in picked]
            yield TypeBlock(rel_type, starts, ends, keys, found.table[at].tolist(), versions, created)


def tie_event_blocks(conn: sqlite3.Connection, block_rows: int | None = None) -> Iterator[tuple[list[Any], ...]]:
    """The tie history in ``seq`` order as blocks of columns (``TIE_EVENT_COLUMNS``), at most
    ``block_rows`` (default ``BLOCK_ROWS``) events a block, inside the caller's read transaction."""
    for after, upto in _rowid_ranges(conn, block_rows or BLOCK_ROWS, _NEXT_SEQ):
        row = conn.execute(_EVENTS, (after, upto)).fetchone()
        if row[0]:
            yield tuple(json.loads(text) for text in row[1:])
