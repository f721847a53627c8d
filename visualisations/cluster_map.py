"""The cluster-level map: clusters as nodes, ties between clusters as edges (vis-network payload).

A city of 10k+ organisations cannot be drawn organisation by organisation in a browser; a few
hundred clusters can. Each cluster is one node, sized by its number of members or by the money
it receives, coloured by funder concentration; an edge's width follows the number of ties
between two clusters. The browser expands a cluster into its organisations on a click
(``/api/v1/clusters/<id>`` has the members and their ties).

Every string is plain text: vis-network (≥ 9) renders a string ``title`` as text, so names such
as ``<img src=x onerror=…>`` show literally.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from graphsvc.errors import InvalidInput
from queries.cluster_profiles import ClusterProfile
from queries.clusters import ClusterLink

__all__ = ["SIZE_BY", "CONCENTRATION_COLOURS", "concentration_colour", "cluster_map_payload"]

SIZE_BY: Final = ("members", "funding")
# Okabe-Ito: spread funding (blue) → one dominant funder (orange-red)
CONCENTRATION_COLOURS: Final = ((0.25, "#56B4E9"), (0.5, "#009E73"), (0.75, "#E69F00"), (1.01, "#D55E00"))
NO_FUNDING_COLOUR: Final = "#BBBBBB"


def concentration_colour(profile: ClusterProfile) -> str:
    """Grey without funding; then blue → green → orange → red as the Herfindahl index rises.

    Examples
    --------
    >>> from queries.cluster_profiles import ClusterProfile
    >>> p = ClusterProfile("c1", 3, "", "", "", "", (), (), (), (), (), (), 100.0, (), 1, 1.0, 0, ())
    >>> concentration_colour(p)
    '#D55E00'
    """
    if profile.funding_total <= 0:
        return NO_FUNDING_COLOUR
    return next(colour for limit, colour in CONCENTRATION_COLOURS if profile.herfindahl < limit)


def _title(profile: ClusterProfile, lang: str) -> str:
    hhi = f"{profile.herfindahl:.2f}"
    if lang == "en":
        extra = f"Funder concentration (Herfindahl): {hhi} · islands: {profile.islands}"
    else:
        extra = f"Concentratie van fondsen (Herfindahl): {hhi} · eilanden: {profile.islands}"
    return "\n".join((profile.name(lang), profile.summary(lang), extra))


def _node(profile: ClusterProfile, lang: str, size_by: str) -> dict[str, Any]:
    value = profile.size if size_by == "members" else max(profile.funding_total, 0.0)
    return {
        "id": profile.id,
        "label": f"{profile.name(lang)} ({profile.size})",
        "title": _title(profile, lang),
        "value": value,
        "shape": "dot",
        "color": {"background": concentration_colour(profile), "border": "#333333"},
        "size_members": profile.size,
        "funding": round(profile.funding_total, 2),
        "herfindahl": round(profile.herfindahl, 4),
        "kind": "cluster",
    }


def cluster_map_payload(profiles: Sequence[ClusterProfile], links: Sequence[ClusterLink], *,
                        lang: str = "nl", size_by: str = "members", limit: int = 300) -> dict[str, Any]:
    """Nodes and edges of the cluster-level map, the ``limit`` largest clusters.

    Parameters
    ----------
    profiles : sequence of ClusterProfile
        The clusters to draw (largest first, as :func:`queries.clusters.clusters` gives them).
    links : sequence of ClusterLink
        Ties between clusters (:func:`queries.clusters.cluster_links`).
    lang : {"nl", "en"}
        Language of labels and tooltips.
    size_by : {"members", "funding"}
        What a node's size shows.
    limit : int
        At most this many clusters (the largest); the payload says how many were left out.

    Examples
    --------
    >>> from queries.cluster_profiles import ClusterProfile
    >>> p = ClusterProfile("c1", 3, "Taal · West", "Language · West", "3 organisaties", "3 organisations",
    ...                    (), (), (), (), (), (), 0.0, (), 0, 0.0, 0, ())
    >>> payload = cluster_map_payload([p], [], lang="en")
    >>> payload["nodes"][0]["label"], payload["nodes"][0]["value"], payload["hidden"]
    ('Language · West (3)', 3, 0)
    """
    if size_by not in SIZE_BY:
        raise InvalidInput(f"Parameter 'size_by' must be one of {', '.join(SIZE_BY)}, not {size_by!r}.")
    shown = list(profiles[:limit])
    ids = {p.id for p in shown}
    edges = [
        {"id": f"{x.source}:{x.target}", "from": x.source, "to": x.target, "value": x.ties,
         "ties": x.ties, "title": (f"{x.ties} ties" if lang == "en" else f"{x.ties} banden"),
         "color": {"color": "#9ecae1"}}
        for x in links if x.source in ids and x.target in ids
    ]
    return {"nodes": [_node(p, lang, size_by) for p in shown], "edges": edges,
            "hidden": max(len(profiles) - len(shown), 0), "size_by": size_by}
