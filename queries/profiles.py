"""Profiles and lists of actors: what the profile page, the API and the CLI show about one actor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphsvc.access.visibility import PUBLIC, Viewer, visible_node
from graphsvc.errors import InvalidInput
from graphsvc.model import tie_pair
from graphsvc.provenance import tie_provenance
from graphsvc.snapshot import Snapshot
from graphsvc.text import normalise_name
from queries.grants import counts_as_funding

__all__ = ["actor_profile", "organisation_list", "area_list"]



def _named(snap: Snapshot, ids: set[str] | list[str], lang: str) -> list[dict[str, str]]:
    out = []
    for i in sorted(ids):
        node = snap.nodes.get(i)
        if node is None:
            continue
        name = node.props.get("name_en", node.name) if lang == "en" else node.name
        entry = {"id": i, "name": str(name)}
        if "code" in node.props:
            entry["code"] = str(node.props["code"])
        out.append(entry)
    return out


def _grant_status(props: Mapping[str, Any]) -> dict[str, Any]:
    # every grant is listed, applications too; a reader must see which ones are money received
    return {"status": props.get("status"), "counts_as_funding": counts_as_funding(props)}


def actor_profile(snap: Snapshot, actor_id: str, viewer: Viewer = PUBLIC,
                  lang: str = "nl") -> dict[str, Any]:
    """One actor with its areas, themes, communities, offers, needs, ties and funding.

    ``funding`` (grants received) and ``grants`` (grants given, for a fund) list every grant,
    applications too, each with its ``status`` and whether it ``counts_as_funding``
    (:func:`queries.grants.counts_as_funding`).

    Confidential fields are removed for viewers who may not see them.

    Examples
    --------
    >>> from graphsvc.store.base import GraphData
    >>> from graphsvc.model import Node
    >>> snap = Snapshot(GraphData(1, [Node("o1", "Organisation", {"name": "A"})], [], []))
    >>> actor_profile(snap, "o1")["ties"]
    []
    """
    node = snap.node(actor_id)
    ties = [
        {"id": other, "name": snap.name(other), "label": snap.label(other), "rung": rung,
         "provenance": tie_provenance(snap.tie_props.get(tie_pair(actor_id, other), {}))}
        for other, rung in sorted(snap.ties.get(actor_id, {}).items(), key=lambda t: (-t[1], t[0]))
    ]
    funding = [
        {"fund": fund, "fund_name": snap.name(fund), "amount": props.get("amount"),
         "year": props.get("year"), "grant_id": props.get("key", ""), "title": props.get("title", ""),
         **_grant_status(props)}
        for fund, props in sorted(snap.into("FUNDS", actor_id), key=lambda e: (e[0], str(e[1].get("key"))))
    ]
    funded = [
        {"organisation": org, "name": snap.name(org), "amount": props.get("amount"),
         "year": props.get("year"), **_grant_status(props)}
        for org, props in sorted(snap.out("FUNDS", actor_id), key=lambda e: e[0])
    ]
    return {
        "node": visible_node(node, viewer),
        "areas": _named(snap, snap.targets("ACTIVE_IN", actor_id), lang),
        "interests": _named(snap, snap.targets("WORKS_ON", actor_id), lang),
        "communities": _named(snap, snap.targets("SERVES", actor_id), lang),
        "offers": _named(snap, snap.targets("OFFERS", actor_id), lang),
        "needs": _named(snap, snap.targets("NEEDS", actor_id), lang),
        "priorities": _named(snap, snap.targets("PRIORITISES", actor_id), lang),
        "ties": ties,
        "funding": funding,
        "grants": funded,
    }


def organisation_list(
    snap: Snapshot,
    *,
    area: str | None = None,
    interest: str | None = None,
    q: str | None = None,
    label: str = "Organisation",
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """Actors filtered by area, interest and a name search, in name order, one page at a time."""
    if not 1 <= limit <= 1000:
        raise InvalidInput("Parameter 'limit' must be a whole number from 1 to 1000.")
    if offset < 0:
        raise InvalidInput("Parameter 'offset' must be 0 or more.")
    ids = [a for a in snap.actors_in(area) if snap.label(a) == label]
    if interest:
        snap.node(interest, "Interest")
        workers = snap.sources("WORKS_ON", interest)
        ids = [a for a in ids if a in workers]
    if q:
        needle = normalise_name(q)
        ids = [a for a in ids if needle in normalise_name(snap.name(a))]
    ids.sort(key=lambda a: (normalise_name(snap.name(a)), a))
    page = ids[offset : offset + limit]
    items = [
        {
            "id": a,
            "name": snap.name(a),
            "label": snap.label(a),
            "kind": snap.nodes[a].props.get("kind") or snap.nodes[a].props.get("sector"),
            "areas": sorted(snap.name(x) for x in snap.targets("ACTIVE_IN", a)),
            "ties": len(snap.ties.get(a, {})),
        }
        for a in page
    ]
    return {"total": len(ids), "limit": limit, "offset": offset, "items": items}


def area_list(snap: Snapshot) -> list[dict[str, Any]]:
    """All areas, districts first, each with its code, level and number of actors."""
    order = {"district": 0, "gebied": 1, "wijk": 2, "buurt": 3}
    rows = []
    for area_id in snap.labelled("Neighbourhood"):
        node = snap.nodes[area_id]
        rows.append({
            "id": area_id,
            "code": node.props.get("code", ""),
            "name": node.name,
            "level": node.props.get("level", ""),
            "district": node.props.get("district", ""),
            "actors": len(snap.actors_in(area_id)),
        })
    rows.sort(key=lambda r: (str(r["district"]), order.get(str(r["level"]), 9), str(r["name"])))
    return rows
