"""Domain properties as native Neo4j properties and back: one rule for every label and type.

The rule (also in ``docs/neo4j.md``)
------------------------------------
A property is stored under its own key with Neo4j's own type when Neo4j can hold it:

* text, integers (64 bit), floats, booleans, and lists whose items are all of one of those types
  (an empty list too);
* text that is exactly an ISO date (``2019-05-01``) becomes a ``DATE``; text that is exactly an
  ISO date-time as Goudkaart writes it (``2024-03-01T10:00:00Z``, ``…+01:00``, microseconds as
  six digits) a ``DATETIME`` (``LOCAL DATETIME`` without a zone). Only text that the reverse
  conversion gives back character for character is converted, so a ``DATE`` or ``DATETIME``
  always reads back as the very text that was written (domain properties come from JSON, so
  they hold no date objects of their own; lists keep their text).

Everything else (``null``, maps, lists of maps such as ``contact_persons``, mixed lists, integers
beyond 64 bits) is stored as JSON text under ``<key>_json``, and so is a property whose own key
would be ambiguous: one ending in ``_json`` or one of the record's bookkeeping keys (``id``,
``version``, ``created_at``, ``updated_at`` on nodes; ``key`` and the same three on
relationships). Reading reverses it: every ``*_json`` key is decoded under the key without the
suffix, bookkeeping keys are not properties.

Examples
--------
>>> stored = to_neo4j({"name": "A", "amount": 1500.0, "start": "2024-01-01",
...                    "contacts": [{"name": "B"}]}, NODE_KEYS)
>>> sorted(stored), type(stored["start"]).__name__
(['amount', 'contacts_json', 'name', 'start'], 'date')
>>> from_neo4j(stored, NODE_KEYS) == {"name": "A", "amount": 1500.0, "start": "2024-01-01",
...                                   "contacts": [{"name": "B"}]}
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Final

from neo4j.time import Date, DateTime

from graphsvc.model import Node, Relationship
from graphsvc.store.records import dump_props

__all__ = ["NODE_KEYS", "REL_KEYS", "JSON_SUFFIX", "to_neo4j", "from_neo4j", "to_value", "from_value",
           "stamp_to_neo4j", "stamp_from_neo4j", "node_from", "node_row", "rel_from", "rel_row",
           "stored_node", "stored_rel", "as_sent", "dump_props", "canonical", "merged"]

#: Bookkeeping keys of a node and of a relationship: never domain properties.
NODE_KEYS: Final = frozenset({"id", "version", "created_at", "updated_at"})
REL_KEYS: Final = frozenset({"key", "version", "created_at", "updated_at"})
JSON_SUFFIX: Final = "_json"

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?(Z|[+-]\d{2}:\d{2})?")
_INT64 = (-(2**63), 2**63 - 1)
_SCALARS = (str, int, float, bool)
_TEMPORAL = (Date, DateTime, date)  # datetime is a date


def _iso(value: datetime) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _temporal(text: str) -> date | datetime | None:
    """The DATE or DATETIME a text stands for, when it gives back exactly that text."""
    try:
        if len(text) == 10 and _DATE.fullmatch(text):
            day = date.fromisoformat(text)
            return day if day.isoformat() == text else None
        if _DATETIME.fullmatch(text):
            moment = datetime.fromisoformat(text)
            return moment if _iso(moment) == text else None
    except ValueError:
        return None
    return None


def to_value(value: Any) -> Any:
    """The Neo4j value of one property, or ``...`` (Ellipsis) when it needs the JSON rule."""
    kind = type(value)
    if kind is str:
        if 10 <= len(value) <= 32 and value[:4].isdigit():
            return _temporal(value) or value
        return value
    if kind is bool or kind is float:
        return value
    if kind is int:
        return value if _INT64[0] <= value <= _INT64[1] else ...
    if kind is list:
        if not value:
            return value
        first = type(value[0])
        if first in _SCALARS and all(type(v) is first for v in value):
            if first is int and not all(_INT64[0] <= v <= _INT64[1] for v in value):
                return ...
            return value
    return ...


def to_neo4j(props: Mapping[str, Any], reserved: frozenset[str]) -> dict[str, Any]:
    """The property map to store for domain ``props`` (see the module docstring)."""
    out: dict[str, Any] = {}
    for key, value in props.items():
        stored = ... if key in reserved or key.endswith(JSON_SUFFIX) else to_value(value)
        if stored is ...:
            out[key + JSON_SUFFIX] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        else:
            out[key] = stored
    return out


def from_value(value: Any) -> Any:
    """The domain value of a stored native value (temporal values as their text)."""
    if isinstance(value, DateTime):
        return _iso(value.to_native())
    if isinstance(value, Date):
        return value.iso_format()
    if isinstance(value, datetime):  # as sent, before a round trip through Neo4j
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def from_neo4j(stored: Mapping[str, Any], reserved: frozenset[str]) -> dict[str, Any]:
    """Domain properties from a stored property map (bookkeeping keys left out), in key order
    (as the SQLite store gives them)."""
    out: dict[str, Any] = {}
    decoded = False  # a "*_json" key: "a_json" sorts after "a_b", so re-sort at the end
    for key, value in sorted(stored.items()):
        if value is None or key in reserved:  # None: a key a query asked for that is not stored
            continue
        kind = type(value)
        if kind is str:
            if key.endswith(JSON_SUFFIX):
                out[key[:-5]] = json.loads(value)
                decoded = True
            else:
                out[key] = value
        elif kind is int or kind is float or kind is bool:
            out[key] = value
        elif kind is list:
            if len(value) == 2 and value[1] == 0 and type(value[0]) is str:
                out[key] = _from_text(value[0])  # a temporal value sent as text (neo4j_cypher._text)
            else:
                out[key] = value
        elif isinstance(value, _TEMPORAL):
            out[key] = from_value(value)
        else:
            out[key] = value
    return dict(sorted(out.items())) if decoded else out


def stamp_to_neo4j(stamp: str | None) -> Any:
    """A record timestamp as stored: a DATETIME when its text allows, else the text."""
    if stamp is None:
        return None
    return _temporal(stamp) or stamp


@lru_cache(maxsize=65_536)  # whole-graph reads meet the same timestamps many times
def _from_text(text: str) -> str:
    """The text a DATE or DATETIME was written from, from Neo4j's own text of it (which drops
    zero seconds and trailing zeros of fractions)."""
    return text if len(text) == 10 else _iso(datetime.fromisoformat(text.split("[", 1)[0]))


def stamp_from_neo4j(value: Any) -> Any:
    """A stored record timestamp as text (None stays None)."""
    if type(value) is list:
        return _from_text(value[0])
    return from_value(value) if isinstance(value, _TEMPORAL) else value


def node_from(row: Sequence[Any]) -> Node:
    """A :class:`Node` from ``[label, properties]`` as the store's queries return it."""
    label, stored = row[0], row[1]
    return Node(stored["id"], label, from_neo4j(stored, NODE_KEYS), stored.get("version", 1),
                stamp_from_neo4j(stored.get("created_at")), stamp_from_neo4j(stored.get("updated_at")))


def node_row(row: Sequence[Any]) -> tuple[Any, ...]:
    """A snapshot row ``(id, label, props, version, created_at, updated_at)`` from ``[label,
    properties]`` (``props`` decoded; see :mod:`graphsvc.store.rows`)."""
    label, stored = row[0], row[1]
    return (stored["id"], label, from_neo4j(stored, NODE_KEYS), stored.get("version", 1),
            stamp_from_neo4j(stored.get("created_at")), stamp_from_neo4j(stored.get("updated_at")))


def rel_from(row: Sequence[Any]) -> Relationship:
    """A :class:`Relationship` from ``[type, start, end, properties]``."""
    rel_type, start, end, stored = row[0], row[1], row[2], row[3]
    return Relationship(rel_type, start, end, from_neo4j(stored, REL_KEYS), stored.get("key", ""),
                        stored.get("version", 1), stamp_from_neo4j(stored.get("created_at")),
                        stamp_from_neo4j(stored.get("updated_at")))


def rel_row(row: Sequence[Any]) -> tuple[Any, ...]:
    """A snapshot row ``(type, start, end, key, props, version, created_at)`` from ``[type,
    start, end, properties]`` (version and created_at may be left out of the map but for ties)."""
    rel_type, start, end, stored = row[0], row[1], row[2], row[3]
    return (rel_type, start, end, stored.get("key", ""), from_neo4j(stored, REL_KEYS),
            stored.get("version"), stamp_from_neo4j(stored.get("created_at")))


def stored_node(node: Node, version: int, created_at: str | None, updated_at: str) -> dict[str, Any]:
    """The whole property map a node is stored as (``created_at`` None: keep the stored one)."""
    out = to_neo4j(node.props, NODE_KEYS)
    out.update(id=node.id, version=version, updated_at=stamp_to_neo4j(updated_at))
    if created_at is not None:
        out["created_at"] = stamp_to_neo4j(created_at)
    return out


def stored_rel(rel: Relationship, version: int, created_at: str | None, updated_at: str) -> dict[str, Any]:
    """The whole property map a relationship is stored as (as :func:`stored_node`)."""
    out = to_neo4j(rel.props, REL_KEYS)
    out.update(key=rel.key, version=version, updated_at=stamp_to_neo4j(updated_at))
    if created_at is not None:
        out["created_at"] = stamp_to_neo4j(created_at)
    return out


def as_sent(stored: Mapping[str, Any]) -> tuple[dict[str, Any], list[list[str]]]:
    """A stored property map as a bulk write sends it: the map without its dates and date-times,
    and those as ``[key, text, kind]`` (``d`` DATE, ``t`` DATETIME, ``l`` LOCAL DATETIME) for
    Cypher to make with ``date()``, ``datetime()`` and ``localdatetime()``.

    The driver turns a Python date-time into Neo4j's in Python, which cost a bulk load
    ~0.1 ms per value, more than everything else it sends.

    >>> as_sent({"name": "A", "since": date(2024, 1, 2)})
    ({'name': 'A'}, [['since', '2024-01-02', 'd']])
    """
    plain: dict[str, Any] = {}
    temporal: list[list[str]] = []
    for key, value in stored.items():
        if isinstance(value, datetime):
            temporal.append([key, _iso(value), "l" if value.tzinfo is None else "t"])
        elif isinstance(value, date):
            temporal.append([key, value.isoformat(), "d"])
        else:
            plain[key] = value
    return plain, temporal


def canonical(stored: Mapping[str, Any], reserved: frozenset[str]) -> str:
    """The canonical JSON text of a stored property map's domain properties."""
    return dump_props(from_neo4j(stored, reserved))


def merged(pending: dict[str, Any] | None, row: dict[str, Any]) -> dict[str, Any]:
    """A planned row after an earlier one for the same record in this transaction: the new map,
    keeping the first row's ``created_at`` (a create then an update is still a create)."""
    if pending is not None and "created_at" in pending["props"] and "created_at" not in row["props"]:
        row["props"]["created_at"] = pending["props"]["created_at"]
    return row
