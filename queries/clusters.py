"""Clusters for funders (docs/design.md §5): groups of organisations around themes and areas.

The one entry point for the web page, the JSON API and the CLI:

* :func:`clusters` — every cluster with its profile (:class:`ClusterReport`);
* :func:`cluster` — one cluster with its members and the ties between them (:class:`ClusterDetail`);
* :func:`cluster_links` — ties between clusters, for the cluster-level map.

How clusters are found (Leiden/CPM on ties plus shared local themes, sparsified so that 100k
organisations take seconds) is in :mod:`queries.cluster_graph` and
:mod:`queries.cluster_detection`; what a profile holds is in :mod:`queries.cluster_profiles`.
Results are cached per snapshot. Ids stay stable across recomputations when membership mostly
persists: pass ``previous=`` or a :class:`ClusterTracker` (the web app keeps one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from graphsvc.errors import NotFound
from graphsvc.snapshot import Snapshot
from queries.cluster_detection import (
    DEFAULT_SEED,
    RESOLUTION,
    Clustering,
    ClusterTracker,
    detect_clusters,
    organisation_graph,
)
from queries.cluster_index import cluster_index
from queries.cluster_profiles import ClusterProfile, cluster_profiles
from queries.grants import Period, parse_period

__all__ = [
    "DEFAULT_SEED",
    "RESOLUTION",
    "Clustering",
    "ClusterTracker",
    "ClusterProfile",
    "ClusterReport",
    "ClusterLink",
    "Member",
    "ClusterDetail",
    "detect_clusters",
    "organisation_graph",
    "clusters",
    "cluster",
    "cluster_links",
    "number_of_clusters",
]

AREA_MAJORITY = 0.5


@dataclass(frozen=True)
class ClusterReport:
    """All clusters of a snapshot, largest first, with their profiles."""

    clustering: Clustering
    period: Period | None
    clusters: tuple[ClusterProfile, ...]

    def get(self, cluster_id: str) -> ClusterProfile:
        for profile in self.clusters:
            if profile.id == cluster_id:
                return profile
        raise NotFound(f"There is no cluster with id {cluster_id!r}.")

    def as_dict(self) -> dict[str, Any]:
        c = self.clustering
        return {
            "revision": c.revision, "seed": c.seed, "resolution": c.resolution,
            "period": str(self.period) if self.period else None,
            "organisations": len(c.orgs), "unclustered": c.unclustered,
            "clusters": [p.as_dict() for p in self.clusters],
        }


@dataclass(frozen=True)
class ClusterLink:
    """Ties between two clusters: how many, and their summed rungs."""

    source: str
    target: str
    ties: int
    rung_sum: int

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "ties": self.ties, "rung_sum": self.rung_sum}


@dataclass(frozen=True)
class Member:
    """One organisation of a cluster as a funder sees it: public fields and money only."""

    id: str
    name: str
    kind: str
    areas: tuple[str, ...]
    themes: tuple[str, ...]
    funding: float
    island: bool
    broker: bool

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "kind": self.kind, "areas": list(self.areas),
                "themes": list(self.themes), "funding": round(self.funding, 2),
                "island": self.island, "broker": self.broker}


@dataclass(frozen=True)
class ClusterDetail:
    """One cluster: its profile, its members, the ties among them and its links to other clusters."""

    profile: ClusterProfile
    members: tuple[Member, ...]
    ties: tuple[tuple[str, str, int], ...]
    links: tuple[ClusterLink, ...]
    outside: tuple[tuple[str, str, int], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {**self.profile.as_dict(), "members": [m.as_dict() for m in self.members],
                "ties": [{"from": a, "to": b, "rung": r} for a, b, r in self.ties],
                "links": [link.as_dict() for link in self.links],
                "outside": [{"member": m, "cluster": c, "ties": n} for m, c, n in self.outside]}


def _clustering(snapshot: Snapshot, seed: int, resolution: float, previous: Clustering | None,
                tracker: ClusterTracker | None) -> tuple[Clustering, str | None]:
    """The clustering, and the key it is cached under in the snapshot (None: not cached)."""
    if tracker is not None:
        return tracker.clustering(snapshot, seed=seed, resolution=resolution), f"tracker-{id(tracker)}"
    if previous is not None:
        return detect_clusters(snapshot, seed=seed, resolution=resolution, previous=previous), None
    key = f"clusters:{seed}:{resolution}"
    return snapshot.derived(key, lambda s: detect_clusters(s, seed=seed, resolution=resolution)), key


def _in_area(snapshot: Snapshot, clustering: Clustering, area: str) -> set[str]:
    """Ids of clusters with at least half of their members active in the area."""
    members = set(snapshot.actors_in(area))
    inside = np.asarray([o in members for o in clustering.orgs], dtype=bool)
    lab = clustering.labels
    here = np.bincount(lab[(lab >= 0) & inside], minlength=len(clustering.ids))
    return {cid for cid, n, size in zip(clustering.ids, here, clustering.sizes, strict=True)
            if size and n / size >= AREA_MAJORITY}


def clusters(snapshot: Snapshot, *, seed: int = DEFAULT_SEED, resolution: float = RESOLUTION,
             period: str | Period | None = None, area: str | None = None,
             previous: Clustering | None = None, tracker: ClusterTracker | None = None) -> ClusterReport:
    """The clusters of organisations with their profiles, largest first.

    Parameters
    ----------
    snapshot : Snapshot
        The graph to read.
    seed : int
        Seeds the detection; the same seed gives the same clusters.
    resolution : float
        Greater than 0; above 1 gives smaller clusters, below 1 bigger ones.
    period : str or Period, optional
        Only grants overlapping these years count as funding (``"2024"``, ``"2023-2025"``).
    area : str, optional
        A Neighbourhood code or id: only clusters with at least half of their members active there.
    previous : Clustering, optional
        An earlier result; its ids are kept for clusters that mostly persist.
    tracker : ClusterTracker, optional
        Keeps the last result itself (what the web app uses); overrides ``previous``.

    Raises
    ------
    NotFound
        When the area does not exist.
    InvalidInput
        For a malformed period or a resolution that is not positive.

    Examples
    --------
    >>> from graphsvc.demo.dataset import demo_records
    >>> from graphsvc.generate import graph_data
    >>> snap = Snapshot(graph_data([r for part in demo_records() for r in part]))
    >>> report = clusters(snap)
    >>> len(report.clusters) > 3, report.clusters[0].id, report.clusters[0].summary_nl.split()[0].isdigit()
    (True, 'c1', True)
    """
    p = parse_period(period)
    clustering, cached = _clustering(snapshot, seed, resolution, previous, tracker)
    if cached is None:
        profiles = tuple(cluster_profiles(snapshot, clustering, period=p))
    else:  # the page, its charts, the map and the exports all ask for the same profiles
        profiles = snapshot.derived(f"cluster-profiles:{cached}:{seed}:{resolution}:{p}",
                                    lambda s: tuple(cluster_profiles(s, clustering, period=p)))
    if area is not None:
        keep = _in_area(snapshot, clustering, area)
        profiles = tuple(x for x in profiles if x.id in keep)
    return ClusterReport(clustering, p, profiles)


def number_of_clusters(snapshot: Snapshot, *, seed: int = DEFAULT_SEED, resolution: float = RESOLUTION) -> int:
    """How many clusters :func:`clusters` finds.

    Examples
    --------
    >>> from graphsvc.store.base import GraphData
    >>> number_of_clusters(Snapshot(GraphData(1, [], [], [])))
    0
    """
    return len(_clustering(snapshot, seed, resolution, None, None)[0].ids)


def cluster_links(snapshot: Snapshot, clustering: Clustering, *, min_ties: int = 1) -> list[ClusterLink]:
    """Ties between clusters (any rung), strongest first: the edges of the cluster-level map.

    Examples
    --------
    >>> from graphsvc.generate import graph_data
    >>> from graphsvc.model import Node, Relationship
    >>> nodes = [Node(f"o{i}", "Organisation", {"name": f"O{i}"}) for i in range(6)]
    >>> pairs = [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3)]
    >>> snap = Snapshot(graph_data([*nodes, *(Relationship("TIE", f"o{a}", f"o{b}", {"rung": 2}) for a, b in pairs)]))
    >>> [(x.source, x.target, x.ties) for x in cluster_links(snap, detect_clusters(snap))]
    [('c1', 'c2', 1)]
    """
    index = cluster_index(snapshot)
    lab = clustering.labels
    a, b = lab[index.tie_a], lab[index.tie_b]
    cross = (a >= 0) & (b >= 0) & (a != b)
    lo, hi = np.minimum(a, b)[cross], np.maximum(a, b)[cross]
    k = max(len(clustering.ids), 1)
    count = sp.coo_matrix((np.ones(len(lo)), (lo, hi)), shape=(k, k)).tocsr()
    rungs = sp.coo_matrix((index.tie_rung[cross].astype(float), (lo, hi)), shape=(k, k)).tocsr()
    count.sum_duplicates()
    rungs.sum_duplicates()
    c, r = count.tocoo(), rungs.tocoo()
    rung_sum = {(i, j): int(v) for i, j, v in zip(r.row.tolist(), r.col.tolist(), r.data.tolist(), strict=True)}
    links = [ClusterLink(clustering.ids[i], clustering.ids[j], int(n), rung_sum[(i, j)])
             for i, j, n in zip(c.row.tolist(), c.col.tolist(), c.data.tolist(), strict=True) if n >= min_ties]
    return sorted(links, key=lambda x: (-x.ties, -x.rung_sum, x.source, x.target))


def _members(snapshot: Snapshot, report: ClusterReport, profile: ClusterProfile) -> tuple[Member, ...]:
    index = cluster_index(snapshot)
    label = report.clustering.label(profile.id)
    p = report.period
    grants = index.grants_in(p.first if p else None, p.last if p else None)
    grants &= report.clustering.labels[index.grant_org] == label
    money = np.bincount(index.grant_org[grants], weights=index.grant_amount[grants], minlength=index.size)
    brokers = {b.id for b in profile.brokers}
    islands = index.islands()
    out = []
    for org in report.clustering.members(profile.id):
        node, i = snapshot.nodes[org], index.position[org]
        out.append(Member(org, node.name, str(node.props.get("kind") or ""),
                          tuple(sorted(snapshot.name(a) for a in snapshot.targets("ACTIVE_IN", org))),
                          tuple(sorted(snapshot.name(t) for t in snapshot.targets("WORKS_ON", org))),
                          float(money[i]), bool(islands[i]), org in brokers))
    return tuple(sorted(out, key=lambda m: (not m.broker, -m.funding, m.name.casefold(), m.id)))


def cluster(snapshot: Snapshot, cluster_id: str, **options: Any) -> ClusterDetail:
    """One cluster with its members, the ties among them and its links to other clusters.

    Takes the options of :func:`clusters` (``seed``, ``resolution``, ``period``, ``previous``,
    ``tracker``). Members are listed brokers first, then by funding, then by name.

    Raises
    ------
    NotFound
        When there is no cluster with this id.

    Examples
    --------
    >>> from graphsvc.demo.dataset import demo_records
    >>> from graphsvc.generate import graph_data
    >>> snap = Snapshot(graph_data([r for part in demo_records() for r in part]))
    >>> detail = cluster(snap, "c1")
    >>> len(detail.members) == detail.profile.size, all(m.id.startswith("org") for m in detail.members)
    (True, True)
    """
    options.pop("area", None)
    report = clusters(snapshot, **options)
    profile = report.get(cluster_id)
    members = _members(snapshot, report, profile)
    inside = {m.id for m in members}
    ties = tuple(sorted((a, b, r) for a in inside for b, r in snapshot.ties.get(a, {}).items()
                        if a < b and b in inside))
    links = tuple(x for x in cluster_links(snapshot, report.clustering) if cluster_id in (x.source, x.target))
    return ClusterDetail(profile, members, ties, links, _outside(snapshot, report.clustering, cluster_id))


def _outside(snapshot: Snapshot, clustering: Clustering, cluster_id: str) -> tuple[tuple[str, str, int], ...]:
    """Per member, its ties into each other cluster: ``(member, other cluster, ties)``."""
    index = cluster_index(snapshot)
    lab, label = clustering.labels, clustering.label(cluster_id)
    a, b = lab[index.tie_a], lab[index.tie_b]
    out_of_a = (a == label) & (b >= 0) & (b != label)
    out_of_b = (b == label) & (a >= 0) & (a != label)
    mine = np.concatenate([index.tie_a[out_of_a], index.tie_b[out_of_b]])
    other = np.concatenate([b[out_of_a], a[out_of_b]])
    if not len(mine):
        return ()
    pairs, counts = np.unique(np.stack([mine, other]), axis=1, return_counts=True)
    return tuple((index.orgs[m], clustering.ids[o], n)
                 for m, o, n in zip(pairs[0].tolist(), pairs[1].tolist(), counts.tolist(), strict=True))
