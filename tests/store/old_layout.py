"""The Neo4j layout before native properties (layout 1), written with raw Cypher as that code did.

Kept for the upgrade test: every node ``:GNode:<Label>`` with ``id``, ``label``, ``name``,
``props_json`` (canonical JSON), ``version``, ``created_at``, ``updated_at``; every relationship
with ``key``, ``props_json``, ``version``, ``created_at``, ``updated_at`` (and ``rung`` on a
TIE); ``:TieEvent`` and ``:GChange`` nodes; the ``:GMeta`` node of schema 2 without ``layout``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, LiteralString, cast

from neo4j import Driver

from graphsvc.model import ChangeEvent
from graphsvc.store.base import GraphData, stamp_or_none


def _json(props: Mapping[str, Any]) -> str:
    return json.dumps(dict(props), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _run(driver: Driver, database: str, query: str, **params: Any) -> None:
    driver.execute_query(cast(LiteralString, query), params, database_=database)


def write_old_layout(driver: Driver, database: str, data: GraphData, changes: Iterable[ChangeEvent],
                     *, revision: int) -> None:
    """Write ``data`` and ``changes`` into an empty database in the old layout."""
    by_label: dict[str, list[dict[str, Any]]] = {}
    for n in data.nodes:
        by_label.setdefault(n.label, []).append({
            "id": n.id, "label": n.label, "name": n.props["name"], "props_json": _json(n.props),
            "version": n.version, "created_at": n.created_at, "updated_at": n.updated_at})
    for label, rows in by_label.items():
        assert label.isidentifier()
        _run(driver, database, f"UNWIND $rows AS r CREATE (n:GNode:{label}) SET n = r", rows=rows)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for r in data.relationships:
        by_type.setdefault(r.type, []).append({"start": r.start, "end": r.end, "fields": {
            "key": r.key, "props_json": _json(r.props), "version": r.version,
            "created_at": r.created_at, "updated_at": r.updated_at,
            "rung": r.props.get("rung") if r.type == "TIE" else None}})
    for rel_type, rows in by_type.items():
        assert rel_type.isidentifier()
        _run(driver, database, "UNWIND $rows AS r MATCH (a:GNode {id: r.start}) MATCH (b:GNode {id: r.end}) "
             f"CREATE (a)-[x:{rel_type}]->(b) SET x = r.fields", rows=rows)
    events = [{"seq": e.seq, "a": e.a, "b": e.b, "old_rung": e.old_rung, "new_rung": e.new_rung,
               "at": e.at, "source": e.source, "session": e.session, "declared_by": e.declared_by}
              for e in data.tie_events]
    _run(driver, database, "UNWIND $rows AS e CREATE (t:TieEvent) SET t = e", rows=events)
    changes = list(changes)
    log = [{"seq": c.seq, "revision": c.revision, "at": c.at, "actor": c.actor, "source": c.source,
            "op": c.op, "kind": c.kind, "label": c.label, "start": c.start, "end": c.end, "key": c.key,
            "old_json": _json(c.old), "new_json": _json(c.new), "version": c.version,
            "created_at": stamp_or_none(c.created_at, c.at), "updated_at": stamp_or_none(c.updated_at, c.at)}
           for c in changes]
    _run(driver, database, "UNWIND $rows AS c CREATE (x:GChange) SET x = c", rows=log)
    _run(driver, database, "CREATE (:GMeta {key: 'graph', revision: $revision, event_seq: $event_seq, "
         "change_seq: $change_seq, schema_version: 2})", revision=revision,
         event_seq=max((e.seq for e in data.tie_events), default=0),
         change_seq=max((c.seq for c in changes), default=0))
