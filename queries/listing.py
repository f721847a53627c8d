"""The list view's rows: every actor the map shows, with the map's filters and islands marked."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from graphsvc.errors import InvalidInput
from graphsvc.snapshot import Snapshot
from graphsvc.text import normalise_name
from queries.islands import islands

__all__ = ["ACTOR_TYPES", "actor_listing"]

#: the actor types the list (and the map) can show
ACTOR_TYPES = ("Organisation", "Institution", "Fund")


def _best_rung(snap: Snapshot, actor: str) -> int:
    return max(snap.ties.get(actor, {}).values(), default=0)


def actor_listing(
    snap: Snapshot,
    *,
    area: str | None = None,
    interest: str | None = None,
    q: str | None = None,
    types: Collection[str] = ACTOR_TYPES,
    min_rung: int = 0,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """Actors of ``types`` with the map's filters, in name order, one page at a time.

    Parameters
    ----------
    snap : Snapshot
        The graph to read.
    area, interest : str, optional
        A Neighbourhood code or id; an Interest id.
    q : str, optional
        A part of the name; case and accents are ignored ("cocuk" finds "Çocuk").
    types : collection of str
        Any of ``Organisation``, ``Institution``, ``Fund``.
    min_rung : int
        0 for every actor; 1–5 for actors with at least one tie at that rung or higher.
    limit, offset : int
        The page: ``limit`` rows (1–1000) from row ``offset``.

    Returns
    -------
    dict
        ``total``, ``limit``, ``offset``, ``islands`` (how many of all matching rows are islands)
        and ``items``: ``id``, ``name``, ``label``, ``kind``, ``areas``, ``ties``, ``best_rung``
        and ``island`` (in ``area`` when one is given).

    Examples
    --------
    >>> from graphsvc.model import Node
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> with store.transaction() as tx:
    ...     _ = tx.upsert_node(Node("o1", "Organisation", {"name": "Anne Çocuk"}))
    >>> page = actor_listing(Snapshot.from_store(store), q="cocuk")
    >>> page["total"], page["items"][0]["island"]
    (1, True)
    """
    unknown = sorted(set(types) - set(ACTOR_TYPES))
    if unknown or not types:
        raise InvalidInput(f"Parameter 'types' must be one or more of {', '.join(ACTOR_TYPES)}.")
    if not 0 <= min_rung <= 5:
        raise InvalidInput("Parameter 'min_rung' must be a whole number from 0 to 5.")
    if not 1 <= limit <= 1000:
        raise InvalidInput("Parameter 'limit' must be a whole number from 1 to 1000.")
    if offset < 0:
        raise InvalidInput("Parameter 'offset' must be 0 or more.")
    pool = snap.actors_in(area) if area else [n for t in types for n in snap.labelled(t)]
    ids = [a for a in pool if snap.label(a) in types]
    if interest:
        snap.node(interest, "Interest")
        workers = set(snap.sources("WORKS_ON", interest))
        ids = [a for a in ids if a in workers]
    if min_rung:
        ids = [a for a in ids if _best_rung(snap, a) >= min_rung]
    if q:
        needle = normalise_name(q)
        ids = [a for a in ids if needle in normalise_name(snap.name(a))]
    island_ids = {i.id for i in islands(snap, area=area)}
    ids.sort(key=lambda a: (normalise_name(snap.name(a)), a))
    items = [
        {
            "id": a,
            "name": snap.name(a),
            "label": snap.label(a),
            "kind": snap.nodes[a].props.get("kind") or snap.nodes[a].props.get("sector")
            or snap.nodes[a].props.get("fund_type"),
            "areas": sorted(snap.name(x) for x in snap.targets("ACTIVE_IN", a)),
            "ties": len(snap.ties.get(a, {})),
            "best_rung": _best_rung(snap, a),
            "island": a in island_ids,
        }
        for a in ids[offset : offset + limit]
    ]
    return {"total": len(ids), "limit": limit, "offset": offset,
            "islands": sum(1 for a in ids if a in island_ids), "items": items}
