"""Upgrade in place a Neo4j graph written with properties as JSON text to native properties.

Layout 1 (before) kept each node's and relationship's properties as one JSON string
``props_json``, plus a ``label`` property on nodes and ``rung`` on ties. Layout 2 (now) stores
them natively (:mod:`graphsvc.store.neo4j_props`). The store upgrades a layout-1 database when it
first connects, before anything else reads it: nodes, then relationships, in batches of their own
transactions, each batch only touching records that still carry ``props_json``. An upgrade that
stops half-way (a crash, a lost connection) continues where it stopped on the next start. Ids,
versions, ``created_at``/``updated_at``, tie history and the change log stay as they are; the
meta node's ``layout`` says the upgrade is complete.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Generator, Iterator
from typing import Any, Final

import neo4j

from graphsvc.store.neo4j_props import NODE_KEYS, REL_KEYS, stamp_to_neo4j, to_neo4j

__all__ = ["LAYOUT", "BATCH", "upgrade_batches", "upgrade_layout"]

LAYOUT: Final = 2  # 1: properties as JSON text; 2: native properties
BATCH: Final = 5000  # nodes (for relationships: start nodes) per transaction
log = logging.getLogger(__name__)

_OLD_NODES: Final = (
    "MATCH (n:GNode) WHERE n.id > $after WITH n ORDER BY n.id LIMIT $limit "
    "RETURN n.id AS id, n.props_json AS props_json, n.version AS version, "
    "n.created_at AS created_at, n.updated_at AS updated_at"
)
_SET_NODES: Final = (
    "UNWIND $rows AS r MATCH (n:GNode {id: r.props.id}) WHERE n.props_json IS NOT NULL SET n = r.props"
)
_OLD_RELS: Final = (
    "MATCH (a:GNode) WHERE a.id > $after WITH a ORDER BY a.id LIMIT $limit "
    "OPTIONAL MATCH (a)-[r]->(:GNode) WHERE r.props_json IS NOT NULL "
    "RETURN a.id AS start, elementId(r) AS eid, r.key AS key, r.props_json AS props_json, "
    "r.version AS version, r.created_at AS created_at, r.updated_at AS updated_at"
)
_SET_RELS: Final = (
    "UNWIND $rows AS x MATCH ()-[r]->() WHERE elementId(r) = x.eid AND r.props_json IS NOT NULL "
    "SET r = x.props"
)
_DONE: Final = "MATCH (m:GMeta {key: 'graph'}) SET m.layout = $layout"


def _stored(props_json: str | None, reserved: frozenset[str], fields: dict[str, Any]) -> dict[str, Any]:
    out = to_neo4j(json.loads(props_json or "{}"), reserved)
    out.update({k: stamp_to_neo4j(v) if k.endswith("_at") else v for k, v in fields.items()
                if v is not None})
    return out


def _node_batches(driver: neo4j.Driver, database: str, batch: int) -> Iterator[int]:
    after = ""
    while True:
        records, _, _ = driver.execute_query(_OLD_NODES, after=after, limit=batch, database_=database)
        if not records:
            return
        rows = [{"props": _stored(r["props_json"], NODE_KEYS, {
            "id": r["id"], "version": r["version"], "created_at": r["created_at"],
            "updated_at": r["updated_at"]})} for r in records if r["props_json"] is not None]
        if rows:
            driver.execute_query(_SET_NODES, rows=rows, database_=database)
        yield len(rows)
        after = records[-1]["id"]


def _relationship_batches(driver: neo4j.Driver, database: str, batch: int) -> Iterator[int]:
    after = ""
    while True:
        records, _, _ = driver.execute_query(_OLD_RELS, after=after, limit=batch, database_=database)
        if not records:
            return
        rows = [{"eid": r["eid"], "props": _stored(r["props_json"], REL_KEYS, {
            "key": r["key"] or "", "version": r["version"], "created_at": r["created_at"],
            "updated_at": r["updated_at"]})} for r in records if r["eid"] is not None]
        for start in range(0, len(rows), batch):
            driver.execute_query(_SET_RELS, rows=rows[start:start + batch], database_=database)
        yield len(rows)
        after = max(r["start"] for r in records)


def upgrade_batches(driver: neo4j.Driver, database: str, *,
                    batch: int = BATCH) -> Generator[tuple[str, int], None, None]:
    """Upgrade a layout-1 graph in place, one committed batch per step: yields ``("nodes", n)``
    or ``("relationships", n)`` after each. Stopping early (as a crash would) leaves a graph
    the next run completes; records already upgraded are skipped. Driver errors pass through.
    """
    for count in _node_batches(driver, database, batch):
        yield "nodes", count
    for count in _relationship_batches(driver, database, batch):
        yield "relationships", count
    driver.execute_query(_DONE, layout=LAYOUT, database_=database)


def upgrade_layout(driver: neo4j.Driver, database: str, *, batch: int = BATCH) -> dict[str, int]:
    """Run :func:`upgrade_batches` to the end; how many nodes and relationships were rewritten."""
    log.warning("Upgrading the Neo4j graph in database %r to native properties (layout %d).",
                database, LAYOUT)
    done = {"nodes": 0, "relationships": 0}
    for stage, count in upgrade_batches(driver, database, batch=batch):
        done[stage] += count
    log.warning("Upgrade done: %d nodes and %d relationships rewritten.", done["nodes"],
                done["relationships"])
    return done
