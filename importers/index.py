"""What the store already holds, indexed for an import: ids, KvK numbers, names per area, codes."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

import orjson

from graphsvc.model import Node, TieEvent
from graphsvc.store.base import GraphStore
from graphsvc.text import normalise_name
from importers.duplicates import DUPLICATE_LABELS, NameIndex

__all__ = ["StoreIndex", "canonical", "same_props", "event_key"]


def canonical(props: Any) -> str:
    """Properties as the store compares them: sorted, compact JSON."""
    return json.dumps(dict(props), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def same_props(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """``canonical(a) == canonical(b)``, several times faster.

    orjson writes both as sorted JSON. Where it writes other text than :func:`canonical` it
    still tells the same values apart, except that it writes NaN and infinities as ``null``:
    equal texts holding ``null`` are therefore compared by :func:`canonical`, as are values orjson
    does not write (keys that are not text, integers beyond 64 bits).

    Examples
    --------
    >>> same_props({"a": 1, "b": [1.0]}, {"b": [1.0], "a": 1}), same_props({"a": 1}, {"a": 1.0})
    (True, False)
    >>> same_props({"a": None}, {"a": float("nan")}), same_props({}, {})
    (False, True)
    """
    if not a or not b:
        return not a and not b
    try:
        text = orjson.dumps(dict(a), option=orjson.OPT_SORT_KEYS)
        if text != orjson.dumps(dict(b), option=orjson.OPT_SORT_KEYS):
            return False
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return canonical(a) == canonical(b)
    return b"null" not in text or canonical(a) == canonical(b)


def event_key(e: TieEvent) -> tuple[str, str, int, int, str, str, str, str]:
    """A tie event without its sequence number: what makes two events the same change."""
    return (e.a, e.b, e.old_rung, e.new_rung, e.at, e.source, e.session, e.declared_by)


class StoreIndex:
    """Nodes of the store by id, KvK, alias, (label, name) and area code; relationships on demand.

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     _ = tx.upsert_node(Node("o1", "Organisation", {"name": "De Brug", "kvk": "12345678"}))
    >>> index = StoreIndex(store)
    >>> index.by_kvk["12345678"], index.named("Organisation", "de  brug")
    ('o1', ['o1'])
    """

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.revision = store.revision()
        self.empty = store.is_empty()
        self.nodes: dict[str, Node] = {}
        self.by_kvk: dict[str, str] = {}
        self.aliases: dict[str, str] = {}
        self.by_code: dict[str, str] = {}
        self._names: dict[tuple[str, str], list[str]] | None = None  # built on first use
        self._areas_of: dict[str, set[str]] | None = None  # read on first use
        self._rels: dict[tuple[str, str, str, str], Mapping[str, Any]] | None = None
        self._events: Counter[tuple[str, str, int, int, str, str, str, str]] | None = None
        self._similar: NameIndex | None = None
        if not self.empty:
            self._load()

    def _load(self) -> None:
        for node in self.store.iter_nodes():
            self.nodes[node.id] = node
            props = node.props
            if node.label == "Organisation" and props.get("kvk"):
                self.by_kvk.setdefault(str(props["kvk"]), node.id)
            if node.label == "Neighbourhood" and props.get("code"):
                self.by_code.setdefault(str(props["code"]).upper(), node.id)
            for old in props.get("merged_from") or ():
                self.aliases[str(old)] = node.id

    @property
    def areas_of(self) -> dict[str, set[str]]:
        """The areas each stored actor is active in (read on first use: matching by name)."""
        if self._areas_of is None:
            self._areas_of = defaultdict(set)
            if not self.empty:
                for rel in self.store.iter_relationships("ACTIVE_IN"):
                    self._areas_of[rel.start].add(rel.end)
        return self._areas_of

    def named(self, label: str, name: str) -> list[str]:
        """Ids of nodes of this label whose normalised name equals ``name``'s."""
        if self._names is None:  # only imports that match by name need it (not a restore)
            self._names = defaultdict(list)
            for node in self.nodes.values():
                self._names[(node.label, normalise_name(node.name))].append(node.id)
        return list(self._names.get((label, normalise_name(name)), ()))

    def resolve_id(self, node_id: str) -> str | None:
        """The stored id for ``node_id``: itself, or the node it was merged into."""
        if node_id in self.nodes:
            return node_id
        return self.aliases.get(node_id)

    @property
    def rel_props(self) -> dict[tuple[str, str, str, str], Mapping[str, Any]]:
        """The properties of every stored relationship by identity (read on first use).

        Only the properties are kept, and the identities share their strings with the node ids
        and with each other: for a million stored relationships that is half the memory of
        keeping the relationships as read.
        """
        if self._rels is None:
            self._rels = {}
            if not self.empty:
                shared = {node_id: node_id for node_id in self.nodes}
                same = shared.setdefault
                for rel in self.store.iter_relationships():
                    self._rels[(same(rel.type, rel.type), same(rel.start, rel.start),
                                same(rel.end, rel.end), rel.key)] = rel.props
        return self._rels

    @property
    def events(self) -> Counter[tuple[str, str, int, int, str, str, str, str]]:
        """The stored tie history as a multiset of :func:`event_key` (read on first use)."""
        if self._events is None:
            self._events = Counter(
                () if self.empty else (event_key(e) for e in self.store.tie_history()))
        return self._events

    @property
    def similar_names(self) -> NameIndex:
        """Actor names of the store for near-duplicate search (built on first use)."""
        if self._similar is None:
            self._similar = NameIndex()
            for node in self.nodes.values():
                if node.label in DUPLICATE_LABELS:
                    self._similar.add(node.id, node.label, node.name)
        return self._similar
