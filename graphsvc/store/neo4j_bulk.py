"""Records as a bulk create sends them to Neo4j, made in one pass over their properties.

What :func:`graphsvc.store.neo4j_props.as_sent` gives for :func:`~graphsvc.store.neo4j_props.stored_rel`
and :func:`~graphsvc.store.neo4j_props.stored_node`, without turning a date's text into a Python
date and back: the check whether a text is a date is made once per distinct text (a graph holds
few distinct dates and timestamps), so a million relationships cost a third of the time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from graphsvc.model import Node, Relationship
from graphsvc.store.neo4j_props import JSON_SUFFIX, NODE_KEYS, REL_KEYS, _temporal, to_value

__all__ = ["sent_node", "sent_rel", "Sent"]

Sent = tuple[dict[str, Any], list[list[str]]]


@lru_cache(maxsize=65_536)
def _kind(text: str) -> str:
    """``d`` (DATE), ``t`` (DATETIME), ``l`` (LOCAL DATETIME) for a text stored as one (see
    :func:`graphsvc.store.neo4j_props.to_value`), ``""`` for text that stays text."""
    value = _temporal(text)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return "l" if value.tzinfo is None else "t"
    return "d"


def _sent(props: Mapping[str, Any], reserved: frozenset[str], fixed: dict[str, Any],
          updated_at: str, created_at: str) -> Sent:
    plain: dict[str, Any] = {}
    temporal: list[list[str]] = []
    for key, value in props.items():
        if key in reserved or key.endswith(JSON_SUFFIX):
            stored: Any = ...
        elif type(value) is str:
            kind = _kind(value) if 10 <= len(value) <= 32 and value[:4].isdigit() else ""
            if kind:
                temporal.append([key, value, kind])
                continue
            stored = value
        else:
            stored = to_value(value)
        if stored is ...:
            plain[key + JSON_SUFFIX] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        else:
            plain[key] = stored
    plain.update(fixed)
    for key, stamp in (("updated_at", updated_at), ("created_at", created_at)):
        kind = _kind(stamp)
        if kind:
            temporal.append([key, stamp, kind])
        else:
            plain[key] = stamp
    return plain, temporal


def sent_rel(rel: Relationship, created_at: str, updated_at: str) -> Sent:
    """``as_sent(stored_rel(rel, rel.version, created_at, updated_at))``, faster.

    >>> sent_rel(Relationship("TIE", "a", "b", {"rung": 2, "since": "2024-01-02"}), "2024-03-01T10:00:00Z",
    ...          "2024-03-01T10:00:00Z")  # doctest: +NORMALIZE_WHITESPACE
    ({'rung': 2, 'key': '', 'version': 0},
     [['since', '2024-01-02', 'd'], ['updated_at', '2024-03-01T10:00:00Z', 't'],
      ['created_at', '2024-03-01T10:00:00Z', 't']])
    """
    return _sent(rel.props, REL_KEYS, {"key": rel.key, "version": rel.version}, updated_at, created_at)


def sent_node(node: Node, created_at: str, updated_at: str) -> Sent:
    """``as_sent(stored_node(node, node.version, created_at, updated_at))``, faster."""
    return _sent(node.props, NODE_KEYS, {"id": node.id, "version": node.version}, updated_at, created_at)
