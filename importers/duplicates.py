"""Near-duplicate actors: same KvK number, the same name, or names that differ by a typo.

Names are compared after :func:`graphsvc.text.normalise_name` and after dropping legal-form
words ("Stichting", "Vereniging"), so "Stichting Al Amal" and "Al-Amal" meet. Candidates are
found through shared name words, so a store of 100k organisations is never compared pairwise.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from difflib import SequenceMatcher
from typing import Final

from graphsvc.model import Node
from graphsvc.text import normalise_name
from importers.report import NearDuplicate

__all__ = ["name_key", "similarity", "NameIndex", "near_duplicates", "DUPLICATE_LABELS"]

DUPLICATE_LABELS: Final = frozenset({"Organisation", "Institution", "Fund"})
SIMILAR: Final = 0.88
_FILLER: Final = frozenset({
    "stichting", "st", "vereniging", "ver", "vzw", "bv", "nv", "foundation", "association",
    "de", "het", "the", "van", "voor", "en", "and", "of", "t",
})
_WORD = re.compile(r"[^\W_]+")
_MAX_BLOCK = 400  # a word shared by more names than this does not make them candidates


def name_key(name: str) -> str:
    """The part of a name that identifies an actor: normalised, legal-form words dropped.

    Examples
    --------
    >>> name_key("Stichting  Al-Amal West")
    'al amal west'
    >>> name_key("Vereniging De Brug") == name_key("de brug")
    True
    """
    words = [w for w in _WORD.findall(normalise_name(name)) if w not in _FILLER]
    return " ".join(words)


def similarity(a: str, b: str) -> float:
    """How alike two names are, 0–1, after :func:`name_key`.

    Examples
    --------
    >>> round(similarity("Stichting Buurtvaders", "Buurtvaders"), 2)
    1.0
    >>> similarity("Buurtvaders", "Moedercentrum") < 0.5
    True
    """
    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return 0.0
    return SequenceMatcher(None, ka, kb).ratio()


class NameIndex:
    """Names of actors, findable by shared words; answers "who looks like this name?"."""

    def __init__(self) -> None:
        self._names: dict[str, tuple[str, str]] = {}  # id -> (label, key)
        self._by_word: dict[tuple[str, str], list[str]] = defaultdict(list)

    def add(self, node_id: str, label: str, name: str) -> None:
        key = name_key(name)
        self._names[node_id] = (label, key)
        for word in set(key.split()):
            self._by_word[(label, word)].append(node_id)

    def similar(self, label: str, name: str, *, exclude: str = "",
                threshold: float = SIMILAR) -> list[tuple[str, float]]:
        """Ids of the same label whose names reach ``threshold``, best first."""
        key = name_key(name)
        seen: set[str] = {exclude}
        found: list[tuple[str, float]] = []
        for word in set(key.split()):
            block = self._by_word.get((label, word), [])
            if len(block) > _MAX_BLOCK:
                continue
            for other in block:
                if other in seen:
                    continue
                seen.add(other)
                score = SequenceMatcher(None, key, self._names[other][1]).ratio()
                if score >= threshold:
                    found.append((other, score))
        return sorted(found, key=lambda pair: (-pair[1], pair[0]))


def _pair(a: Node, b: Node, nl: str, en: str, score: float) -> NearDuplicate:
    first, second = (a, b) if a.id <= b.id else (b, a)
    return NearDuplicate(first.id, second.id, first.name, second.name, a.label, nl, en, score)


def near_duplicates(nodes: Iterable[Node], *, threshold: float = SIMILAR) -> list[NearDuplicate]:
    """Pairs of organisations, institutions or funds that may be one actor, strongest first.

    Examples
    --------
    >>> ns = [Node("a", "Organisation", {"name": "Stichting De Brug", "kvk": "12345678"}),
    ...       Node("b", "Organisation", {"name": "De Brug", "kvk": "12345678"}),
    ...       Node("c", "Organisation", {"name": "Buurtvaders Oost"})]
    >>> [(d.a, d.b, d.reason_en) for d in near_duplicates(ns)]
    [('a', 'b', 'same KvK number 12345678')]
    """
    actors = {n.id: n for n in nodes if n.label in DUPLICATE_LABELS}
    pairs: dict[tuple[str, str], NearDuplicate] = {}
    by_kvk: dict[str, list[Node]] = defaultdict(list)
    for node in actors.values():
        kvk = str(node.props.get("kvk") or "")
        if kvk:
            by_kvk[kvk].append(node)
    for kvk, group in by_kvk.items():
        for other in group[1:]:
            d = _pair(group[0], other, f"zelfde KvK-nummer {kvk}", f"same KvK number {kvk}", 1.0)
            pairs[(d.a, d.b)] = d
    index = NameIndex()
    for node in actors.values():
        index.add(node.id, node.label, node.name)
    for node in actors.values():
        for other_id, score in index.similar(node.label, node.name, exclude=node.id,
                                             threshold=threshold):
            other = actors[other_id]
            key = (min(node.id, other_id), max(node.id, other_id))
            if key not in pairs:
                pairs[key] = _similar_pair(node, other, score)
    return sorted(pairs.values(), key=lambda d: (-d.score, d.a, d.b))


def _similar_pair(a: Node, b: Node, score: float) -> NearDuplicate:
    if name_key(a.name) == name_key(b.name):
        return _pair(a, b, "zelfde naam", "same name", score)
    pct = f"{score:.0%}"
    return _pair(a, b, f"namen lijken voor {pct} op elkaar", f"names {pct} alike", score)
