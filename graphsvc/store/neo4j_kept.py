"""Kept derived data in Neo4j (see :mod:`graphsvc.store.kept`): one ``GKept`` node per
``(kind, key)``, unconnected and without ``GNode``, so no snapshot, export or migration of the
graph reads it; its value is a byte array, with a SHA-256 ``digest`` for the compare-and-set."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, Final

from neo4j import RoutingControl
from neo4j import exceptions as nx

if TYPE_CHECKING:
    from typing import LiteralString

    from graphsvc.store.neo4j import Neo4jStore

__all__ = ["get_kept", "put_kept"]

SCHEMA: Final = "CREATE CONSTRAINT goudkaart_kept IF NOT EXISTS FOR (k:GKept) REQUIRE k.name IS UNIQUE"
GET: Final = "MATCH (k:GKept {name: $name}) RETURN k.value AS value"
# MERGE on the unique name: of two racing creators one creates, the other waits and matches
CREATE: Final = (
    "MERGE (k:GKept {name: $name}) "
    "ON CREATE SET k.kind = $kind, k.key = $key, k.value = $value, k.digest = $digest, k.made = true "
    "WITH k, k.made IS NOT NULL AS made REMOVE k.made RETURN made"
)
# the SET takes the node's write lock before the digest is compared: the second writer waits,
# then sees the first one's digest and changes nothing
REPLACE: Final = (
    "MATCH (k:GKept {name: $name}) SET k.locked = true REMOVE k.locked "
    "WITH k WHERE k.digest = $expected SET k.value = $value, k.digest = $digest "
    "RETURN count(k) = 1 AS made"
)
_READY = "_goudkaart_kept_ready"


def _name(kind: str, key: str) -> str:
    return f"{kind}\n{key}"


def _digest(value: bytes) -> str:
    return hashlib.sha256(value).hexdigest()


def _run(store: Neo4jStore, query: LiteralString, write: bool, **params: Any) -> list[Any]:
    driver = store._ready_driver()
    try:
        if not getattr(store, _READY, False):
            driver.execute_query(SCHEMA, database_=store.database)
            setattr(store, _READY, True)
        return driver.execute_query(
            query, params, database_=store.database,
            routing_=RoutingControl.WRITE if write else RoutingControl.READ,
            result_transformer_=lambda result: [r[0] for r in result],
        )
    except (nx.Neo4jError, nx.DriverError, OSError) as exc:
        raise store._translate(exc) from None


def get_kept(store: Neo4jStore, kind: str, key: str) -> bytes | None:
    rows = _run(store, GET, False, name=_name(kind, key))
    return bytes(rows[0]) if rows and rows[0] is not None else None


def put_kept(store: Neo4jStore, kind: str, key: str, value: bytes, expected: bytes | None) -> bool:
    if expected is None:
        rows = _run(store, CREATE, True, name=_name(kind, key), kind=kind, key=key,
                    value=bytearray(value), digest=_digest(value))
    else:
        rows = _run(store, REPLACE, True, name=_name(kind, key), value=bytearray(value),
                    digest=_digest(value), expected=_digest(expected))
    return bool(rows and rows[0])
