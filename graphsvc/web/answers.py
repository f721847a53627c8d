"""JSON answers cached with the snapshot, and carried over the writes that cannot change them.

The same question at the same revision is answered once. A meeting recording ties makes a new
revision every few seconds, and most answers do not read the ties it changes: each cached answer
names the actors whose ties it read (``depends``), and after a change set of ties only
(:func:`graphsvc.snapshot_carry.tie_changes`) the answers that read neither end of a changed tie are
carried to the new snapshot. Any other change, or an answer that reads everything
(``depends=None``), is computed again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from flask import current_app

from graphsvc.snapshot import Snapshot
from graphsvc.snapshot_carry import carries_over

__all__ = ["JSON_CACHE", "MAX_ANSWERS", "cached_json"]

JSON_CACHE = "api-json-cache"
#: Bounded: a crawler must not grow the cache without end.
MAX_ANSWERS = 10_000

Build = Callable[[], tuple[dict[str, Any], frozenset[str] | None]]


@dataclass(frozen=True)
class _Answer:
    body: str  # the answer as JSON, without "ok" and "revision"
    depends: frozenset[str] | None
    stamped: bool  # the answer carries the snapshot's revision


def cached_json(snap: Snapshot, key: tuple[Hashable, ...], build: Build) -> Any:
    """The JSON response ``{"ok": true, **answer}`` for ``key`` at ``snap``'s revision.

    ``build`` gives the answer and the actors whose ties it read (None: it may read any). An
    answer with a ``revision`` gets the revision of the snapshot it is served from.
    """
    cache: dict[tuple[Hashable, ...], _Answer] = snap.derived(JSON_CACHE, lambda s: {})
    answer = cache.get(key)
    if answer is None:
        data, depends = build()
        rest = {k: v for k, v in data.items() if k not in ("ok", "revision")}
        answer = _Answer(current_app.json.dumps(rest), depends, "revision" in data)
        if len(cache) >= MAX_ANSWERS:
            cache.clear()
        cache[key] = answer
    head = f'{{"ok": true, "revision": {snap.revision}' if answer.stamped else '{"ok": true'
    body = head + ("}" if answer.body == "{}" else ", " + answer.body[1:])
    return current_app.response_class(body, mimetype="application/json")


@carries_over(JSON_CACHE)
def _carry_answers(cache: dict[tuple[Hashable, ...], _Answer], new: Snapshot,
                   ends: frozenset[str]) -> dict[tuple[Hashable, ...], _Answer]:
    """The answers that read neither end of any changed tie."""
    answers = cache.copy()  # one C-level copy: readers of the old snapshot may still add to it
    return {k: a for k, a in answers.items() if a.depends is not None and a.depends.isdisjoint(ends)}
