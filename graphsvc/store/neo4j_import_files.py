"""The input files of Neo4j's offline importer (``neo4j-admin database import full``) for a whole graph.

An online ``graphsvc migrate`` into an empty Neo4j writes every record through a transaction; at
100k organisations (~3M records with the history and the change log) the server spends minutes of
CPU on them. Neo4j's offline importer writes the store files of a new database directly. This
module writes what it reads: CSV files with typed headers that hold exactly what an online
migrate writes (see :mod:`graphsvc.store.neo4j_cypher` for the layout):

* domain nodes with ``:GNode`` and their label, ``id``, ``version``, ``created_at``,
  ``updated_at`` and their properties by the rule of :mod:`graphsvc.store.neo4j_props` (dates
  and date-times as ``date`` / ``datetime`` / ``localdatetime`` columns, lists as arrays);
* relationships with ``key``, ``version`` and the same stamps and properties;
* the tie history (``:TieEvent``), the change log (``:GChange``, revision 0 as a migrate writes
  it) and the meta node (``:GMeta``: revision, sequence numbers, schema version, layout);
* ``import.args``: the importer's options and files, for ``neo4j-admin database import full
  neo4j @import.args`` run in that folder.

A CSV column has one type, so records are written into one file per distinct set of property
types (a label rarely has more than a few). What CSV cannot hold exactly (an empty list, a list
of texts with an empty text or the array delimiter in it, a float that is not finite, a key that
is not a plain name) is left out of the files and kept as JSON text on the meta node
(``import_leftovers_json``); the store sets it when it first connects
(:func:`apply_leftovers`), along with the schema.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

import neo4j

from graphsvc.errors import InvalidInput
from graphsvc.model import REL_TYPES, ChangeEvent
from graphsvc.store.base import SCHEMA_VERSION, GraphStore, read_consistent, stamp_or_none
from graphsvc.store.neo4j_bulk import sent_node, sent_rel
from graphsvc.store.neo4j_cypher import per_name
from graphsvc.store.neo4j_props import _temporal, dump_props
from graphsvc.store.neo4j_upgrade import LAYOUT

__all__ = ["ARGS_FILE", "ARRAY_DELIMITER", "LEFTOVERS_KEY", "ImportFiles", "write_import_files", "apply_leftovers"]

ARGS_FILE: Final = "import.args"
#: Splits the items of a list inside one CSV field: a control character no text of ours holds
#: (lists holding it are left over); ``\u0007`` in the options file.
ARRAY_DELIMITER: Final = "\x07"
LEFTOVERS_KEY: Final = "import_leftovers_json"
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TEMPORAL_TYPE: Final = {"d": "date", "t": "datetime", "l": "localdatetime"}
_SCALAR_TYPE: Final = {str: "string", bool: "boolean", int: "long", float: "double"}
_OPTIONS: Final = (
    "--id-type=string", "--array-delimiter=\\u0007", "--multiline-fields=true",
    "--ignore-empty-strings=false", "--trim-strings=false", "--skip-bad-relationships=false",
    "--skip-duplicate-nodes=false", "--high-parallel-io=on",
)


def _text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _cell(value: Any) -> tuple[str, str] | None:
    """``(column type, CSV text)`` of one property value, or None when CSV cannot hold it."""
    kind = type(value)
    if kind is str:
        return "string", _text(value)
    if kind is bool:
        return "boolean", "true" if value else "false"
    if kind is int:
        return "long", str(value)
    if kind is float:
        return ("double", repr(value)) if math.isfinite(value) else None
    if kind is list and value:
        first = type(value[0])
        if first is str:
            if any(not v or ARRAY_DELIMITER in v for v in value):
                return None
            return "string[]", _text(ARRAY_DELIMITER.join(value))
        items = [_cell(v) for v in value]
        if any(c is None for c in items) or first not in _SCALAR_TYPE:
            return None
        return _SCALAR_TYPE[first] + "[]", ARRAY_DELIMITER.join(c[1] for c in items if c)
    return None


@dataclass
class ImportFiles:
    """What :func:`write_import_files` wrote: counts per kind, the files, the left-over values."""

    folder: Path
    counts: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    leftovers: int = 0


class _Files:
    """One CSV file per (labels, columns); rows are written as they come."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.open: dict[tuple[str, str, tuple[str, ...]], tuple[str, IO[str]]] = {}
        self.args: list[str] = []

    def row(self, option: str, labels: str, fixed: Sequence[tuple[str, str]],
            cells: Sequence[tuple[str, str, str]]) -> None:
        """One record: ``fixed`` (header, text) columns first, then ``cells`` (key, type, text)."""
        header = tuple(h for h, _ in fixed) + tuple(f"{k}:{t}" for k, t, _ in cells)
        self.line(option, labels, header, ",".join([t for _, t in fixed] + [t for _, _, t in cells]))

    def line(self, option: str, labels: str, header: tuple[str, ...], line: str) -> None:
        """One record's CSV line under ``header`` (the file for that header is made at first use)."""
        entry = self.open.get((option, labels, header))
        if entry is None:
            name = f"{option}-{labels.replace(':', '-')}-{len(self.open) + 1}.csv"
            handle = open(self.folder / name, "w", encoding="utf-8", newline="")
            handle.write(",".join(header) + "\n")
            self.args.append(f"--{option}={labels}={name}")
            entry = self.open[(option, labels, header)] = (name, handle)
        entry[1].write(line + "\n")

    def close(self) -> list[str]:
        for _, handle in self.open.values():
            handle.close()
        return [name for name, _ in self.open.values()]


def _cells(plain: Mapping[str, Any], temporal: Iterable[Sequence[str]], skip: str,
           left: dict[str, Any]) -> list[tuple[str, str, str]]:
    out = []
    for key, value in plain.items():
        cell = _cell(value) if key != skip and _KEY.fullmatch(key) else None
        if cell is None:
            if key != skip:
                left[key] = value
            continue
        out.append((key, cell[0], cell[1]))
    for key, text, kind in temporal:
        if _KEY.fullmatch(key):
            out.append((key, _TEMPORAL_TYPE[kind], text))
        else:  # a name CSV cannot carry: set as the online path would (a text made into a value)
            left[key] = {"temporal": [text, kind]}
    out.sort()
    return out


def _plain_cells(row: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """Tie events and log entries: stored as sent (``SET x = row``: None is no property)."""
    out = []
    for key, value in sorted(row.items()):
        if value is None:
            continue
        cell = _cell(value)
        if cell is None:
            raise ValueError(f"{key}={value!r} cannot be written to an import file")
        out.append((key, cell[0], cell[1]))
    return out


_EVENT_COLUMNS: Final = (("seq", "long"), ("a", "string"), ("b", "string"), ("old_rung", "long"),
                         ("new_rung", "long"), ("at", "string"), ("source", "string"),
                         ("session", "string"), ("declared_by", "string"))
_CHANGE_COLUMNS: Final = (("seq", "long"), ("revision", "long"), ("at", "string"), ("actor", "string"),
                          ("source", "string"), ("op", "string"), ("kind", "string"), ("label", "string"),
                          ("start", "string"), ("end", "string"), ("key", "string"), ("old_json", "string"),
                          ("new_json", "string"), ("version", "long"), ("created_at", "string"),
                          ("updated_at", "string"))
_HEADERS: dict[tuple[Any, ...], tuple[str, ...]] = {}


def _fixed(files: _Files, labels: str, columns: tuple[tuple[str, str], ...], values: Sequence[Any]) -> None:
    """A row of known columns (None: no property), without the general path's per-value work;
    a value of another type than its column's takes the general path."""
    texts: list[str] = []
    present = []
    for (_, kind), value in zip(columns, values, strict=True):
        if value is None:
            present.append(False)
            continue
        if kind == "string" and type(value) is str:
            texts.append('"' + value.replace('"', '""') + '"')
        elif kind == "long" and type(value) is int:
            texts.append(str(value))
        else:
            files.row("nodes", labels, [], _plain_cells(dict(zip([c for c, _ in columns], values, strict=True))))
            return
        present.append(True)
    mask = (labels, *present)
    header = _HEADERS.get(mask)
    if header is None:
        header = _HEADERS[mask] = tuple(f"{c}:{k}" for (c, k), p in zip(columns, present, strict=True) if p)
    files.line("nodes", labels, header, ",".join(texts))


def _change_row(seq: int, e: ChangeEvent) -> dict[str, Any]:
    """A log entry as :meth:`graphsvc.store.neo4j_tx.Neo4jTransaction.add_changes` stores it."""
    return {"seq": seq, "revision": 0, "at": e.at, "actor": e.actor, "source": e.source, "op": e.op,
            "kind": e.kind, "label": e.label, "start": e.start, "end": e.end, "key": e.key,
            "old_json": dump_props(e.old), "new_json": dump_props(e.new), "version": e.version,
            "created_at": stamp_or_none(e.created_at, e.at), "updated_at": stamp_or_none(e.updated_at, e.at)}


def _whole_log(store: GraphStore, up_to: int, page: int = 10_000) -> list[ChangeEvent]:
    newest_first: list[ChangeEvent] = []
    while batch := store.changes(before_seq=newest_first[-1].seq if newest_first else None, limit=page):
        newest_first += batch
    return [e for e in reversed(newest_first) if e.revision <= up_to]


def write_import_files(source: GraphStore, folder: Path, *, now: str) -> ImportFiles:
    """Write the importer's files for the whole graph of ``source`` into ``folder`` (new or empty).

    ``now`` stands in for a record's missing timestamps, as a migrate's transaction time does.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise InvalidInput(f"{folder} is not empty; the import files need a new or empty folder. / "
                           f"{folder} is niet leeg; de importbestanden horen in een nieuwe of lege map.")
    data = read_consistent(source)
    log = _whole_log(source, data.revision)
    files, result = _Files(folder), ImportFiles(folder)
    left_nodes: list[dict[str, Any]] = []
    left_rels: list[dict[str, Any]] = []
    try:
        for node in data.nodes:
            created = node.created_at or now
            plain, temporal = sent_node(node, created, node.updated_at or created)
            left: dict[str, Any] = {}
            files.row("nodes", f"GNode:{node.label}", [("id:ID", _text(node.id))],
                      _cells(plain, temporal, "id", left))
            if left:
                left_nodes.append({"id": node.id, "props": left})
        for rel in data.relationships:
            plain, temporal = sent_rel(rel, rel.created_at or now, rel.updated_at or rel.created_at or now)
            left = {}
            files.row("relationships", rel.type, [(":START_ID", _text(rel.start)), (":END_ID", _text(rel.end))],
                      _cells(plain, temporal, "", left))
            if left:
                left_rels.append({"type": rel.type, "start": rel.start, "end": rel.end, "key": rel.key,
                                  "props": left})
        for seq, ev in enumerate(data.tie_events, 1):
            _fixed(files, "TieEvent", _EVENT_COLUMNS, (seq, ev.a, ev.b, ev.old_rung, ev.new_rung, ev.at,
                                                       ev.source, ev.session, ev.declared_by))
        for seq, change in enumerate(log, 1):
            _fixed(files, "GChange", _CHANGE_COLUMNS, list(_change_row(seq, change).values()))
        meta = {"key": "graph", "revision": 1, "event_seq": len(data.tie_events), "change_seq": len(log),
                "schema_version": SCHEMA_VERSION, "layout": LAYOUT}
        if left_nodes or left_rels:
            meta[LEFTOVERS_KEY] = json.dumps({"nodes": left_nodes, "relationships": left_rels},
                                             ensure_ascii=False)
        files.row("nodes", "GMeta", [], _plain_cells(meta))
    finally:
        result.files = files.close()
    (folder / ARGS_FILE).write_text("\n".join([*_OPTIONS, *files.args]) + "\n", encoding="utf-8")
    result.counts = {"nodes": len(data.nodes), "relationships": len(data.relationships),
                     "tie events": len(data.tie_events), "change-log entries": len(log)}
    result.leftovers = len(left_nodes) + len(left_rels)
    return result


_LEFTOVERS: Final = (
    "MATCH (m:GMeta {key: 'graph'}) WHERE m." + LEFTOVERS_KEY + " IS NOT NULL RETURN m." + LEFTOVERS_KEY + " AS j"
)
_SET_NODES: Final = "UNWIND $rows AS r MATCH (n:GNode {id: r.id}) SET n += r.props"
_SET_RELS: Final = per_name(
    REL_TYPES, "UNWIND $rows AS r MATCH (:GNode {id: r.start})-[x:NAME {key: r.key}]->(:GNode {id: r.end}) "
    "SET x += r.props")
_DONE: Final = "MATCH (m:GMeta {key: 'graph'}) REMOVE m." + LEFTOVERS_KEY


def _values(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _temporal(v["temporal"][0]) if isinstance(v, dict) else v for k, v in props.items()}


def apply_leftovers(driver: neo4j.Driver, database: str) -> int:
    """Set what the import files could not hold (see the module docstring); 0 when nothing waits.
    Called by the store as it connects, after the schema is made."""
    records, _, _ = driver.execute_query(_LEFTOVERS, database_=database)
    if not records:
        return 0
    left = json.loads(records[0]["j"])
    nodes = [{"id": n["id"], "props": _values(n["props"])} for n in left["nodes"]]
    for start in range(0, len(nodes), 5000):
        driver.execute_query(_SET_NODES, rows=nodes[start:start + 5000], database_=database)
    for rel in left["relationships"]:
        driver.execute_query(_SET_RELS[rel["type"]], rows=[{**rel, "props": _values(rel["props"])}],
                             database_=database)
    driver.execute_query(_DONE, database_=database)
    return len(nodes) + len(left["relationships"])
