"""Checks and naming shared by the matching questions: parameters, the actor, nodes as evidence."""

from __future__ import annotations

from collections.abc import Iterable

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.model import ACTOR_LABELS, Node
from graphsvc.snapshot import Snapshot
from graphsvc.vocab import Vocabulary
from queries.results import Named

__all__ = [
    "MAX_LIMIT",
    "check_limit",
    "check_lang",
    "check_kinds",
    "actor_node",
    "named",
    "named_all",
    "most_specific_areas",
]

MAX_LIMIT = 100
_KIND_ALIASES = {
    "organisation": "Organisation", "organisations": "Organisation",
    "organization": "Organisation", "organizations": "Organisation",
    "institution": "Institution", "institutions": "Institution",
}


def check_limit(limit: object) -> int:
    """The limit as an int, or InvalidInput naming the parameter ``limit``.

    Examples
    --------
    >>> check_limit(5)
    5
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(
            f"Parameter 'limit' must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}.",
            errors=["limit"],
        )
    return limit


def check_lang(lang: object) -> str:
    """'nl' (also for None) or 'en'; anything else is InvalidInput naming ``lang``."""
    if lang is None:
        return "nl"
    if lang not in ("nl", "en"):
        raise InvalidInput(f"Parameter 'lang' must be 'nl' or 'en', not {lang!r}.", errors=["lang"])
    return str(lang)


def check_kinds(kinds: str | Iterable[str] | None) -> tuple[str, ...]:
    """Candidate labels from ``kinds`` (case-insensitive, singular or plural); () means all.

    Examples
    --------
    >>> check_kinds("institution"), check_kinds(None)
    (('Institution',), ())
    """
    if kinds is None:
        return ()
    raw = [kinds] if isinstance(kinds, str) else list(kinds)
    labels = set()
    for kind in raw:
        label = _KIND_ALIASES.get(str(kind).strip().lower())
        if label is None:
            raise InvalidInput(
                f"Parameter 'kinds' may hold Organisation and Institution, not {kind!r}.",
                errors=["kinds"],
            )
        labels.add(label)
    return tuple(sorted(labels))


def actor_node(snapshot: Snapshot, actor_id: str) -> Node:
    """The organisation or institution with this id, or NotFound ('There is no organisation …')."""
    node = snapshot.nodes.get(actor_id)
    if node is None or node.label not in ACTOR_LABELS:
        raise NotFound(f"There is no organisation with id {actor_id!r}.")
    return node


def named(snapshot: Snapshot, node_id: str, vocab: Vocabulary | None = None) -> Named:
    """A node as evidence; the English name from ``name_en``, else the vocabulary, else none."""
    nodes = snapshot.nodes  # read without making the node (evidence names dozens per match)
    label = nodes.label(node_id)
    if label is None:
        return Named(node_id, node_id)
    name_en = str(nodes.prop(node_id, "name_en", "") or "")
    if not name_en and vocab is not None and label in ("Interest", "Capability"):
        terms = vocab.interests if label == "Interest" else vocab.capabilities
        name_en = next((t.en for t in terms if t.id == node_id), "")
    return Named(node_id, nodes.name(node_id), name_en, label)


def named_all(snapshot: Snapshot, ids: Iterable[str], vocab: Vocabulary | None = None) -> tuple[Named, ...]:
    """Nodes as evidence, sorted by Dutch name then id (a stable order for lists)."""
    return tuple(sorted((named(snapshot, i, vocab) for i in ids), key=lambda n: (n.name.lower(), n.id)))


def most_specific_areas(snapshot: Snapshot, areas: Iterable[str]) -> list[str]:
    """The areas that do not contain another area of the set (buurt before wijk before district)."""
    wanted = set(areas)
    covered: set[str] = set()
    for area in wanted:
        todo = [p for p, _ in snapshot.out("PART_OF", area)]
        while todo:
            parent = todo.pop()
            if parent not in covered:
                covered.add(parent)
                todo.extend(p for p, _ in snapshot.out("PART_OF", parent))
    return sorted(wanted - covered)
