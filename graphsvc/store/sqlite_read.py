"""The SQLite store's relationships read for a snapshot as columns, one type at a time.

Fetching a million relationship rows one tuple at a time costs a Python object per cell. Here
SQLite walks the primary key (type, start, end, key) a block of rows at a time and hands each
column of the block over as one JSON array (``json_group_array``), which one ``json.loads``
turns into a list: the rows come per type in key order, so the snapshot builder need not sort
them. Only ties read their version and creation time. Blocks are read with a key-set condition
(the last row's key), so memory stays bounded whatever the size of a type.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

from graphsvc.store.rows import TypeBlock

__all__ = ["type_blocks", "BLOCK_ROWS"]

#: Rows per block: large enough that the per-query cost vanishes, small enough to bound memory.
BLOCK_ROWS = 65_536

# the relationship types, by an index seek per type rather than a scan of the whole index
_TYPES = """
WITH RECURSIVE t(x) AS (
    SELECT min(type) FROM relationships
    UNION ALL SELECT (SELECT min(type) FROM relationships WHERE type > x) FROM t WHERE x IS NOT NULL
) SELECT x FROM t WHERE x IS NOT NULL
"""


_COLUMNS = 'count(*), json_group_array(start), json_group_array("end"), json_group_array(key), json_group_array(props)'
_TIE_COLUMNS = ", json_group_array(version), json_group_array(created_at)"
_FROM = " FROM (SELECT * FROM relationships WHERE type = ?"
_AFTER = ' AND (start, "end", key) > (?, ?, ?)'
_ORDER = ' ORDER BY start, "end", key LIMIT ?)'
# per (tie, after a block): fixed statements, no value is ever put into their text
_BLOCK_SQL = {(tie, after): "SELECT " + _COLUMNS + (_TIE_COLUMNS if tie else "") + _FROM + (_AFTER if after else "")
              + _ORDER for tie in (False, True) for after in (False, True)}


def type_blocks(conn: sqlite3.Connection, block_rows: int = BLOCK_ROWS) -> Iterator[TypeBlock]:
    """Every relationship as :class:`TypeBlock` columns: types in order, each type's rows by
    (start, end, key), at most ``block_rows`` a block. Runs on ``conn`` inside the caller's
    read transaction.
    """
    for rel_type in [row[0] for row in conn.execute(_TYPES)]:
        tie = rel_type == "TIE"
        after: tuple[str, ...] = ()
        while True:
            row = conn.execute(_BLOCK_SQL[tie, bool(after)], (rel_type, *after, block_rows)).fetchone()
            if not row[0]:
                break
            starts, ends, keys, props = (json.loads(text) for text in row[1:5])
            versions, created = (json.loads(row[5]), json.loads(row[6])) if tie else (None, None)
            yield TypeBlock(rel_type, starts, ends, keys, props, versions, created)
            if row[0] < block_rows:
                break
            after = (starts[-1], ends[-1], keys[-1])
