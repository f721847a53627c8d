"""Cluster profiles: what each cluster is about, where it works, who funds it, who bridges it.

All clusters are profiled at once with sparse cluster × item count matrices built from the
:class:`~queries.cluster_index.ClusterIndex`, so 3,000 clusters of 100k organisations take a
fraction of a second. Per cluster:

* **size**, the dominant **kinds** of organisation, top **themes**, **areas** (wijk level and
  district level; an organisation in two buurten of one wijk counts once), **communities** served;
* **institutions** linked: institutions with a tie to a member, by number of members tied;
* **funding**: total and per funder (grants in the ``period`` that count as funding: not
  pending, rejected or withdrawn), the **Herfindahl index** of the
  funders' shares (:func:`queries.grants.herfindahl`) and the largest funder's share;
* **islands**: members with no tie at rung 2 or higher — the definition of
  :mod:`queries.islands` (an equivalence the tests check);
* **brokers**: members whose ties at rung 2 or higher reach the most *other* clusters. At cluster
  level that is what a funder means by a broker worth supporting: the organisations that hold
  groups together. (The city-wide betweenness of :mod:`queries.brokers` needs a shortest-path
  search per actor and takes tens of seconds at 100k organisations.)
* a plain-language **name** and **summary** in Dutch and English (:mod:`queries.cluster_names`).

Capacity profiles and contact persons are never read. There is no risk or fraud score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from graphsvc.snapshot import Snapshot
from graphsvc.snapshot_build import paused_gc
from graphsvc.vocab import load_vocabulary
from queries.cluster_detection import Clustering
from queries.cluster_index import ClusterIndex, IntArray, cluster_index
from queries.cluster_names import ClusterWords, cluster_texts
from queries.funding import FunderShare
from queries.grants import Period, herfindahl

__all__ = ["Part", "ClusterBroker", "ClusterProfile", "cluster_profiles", "TOP"]

TOP = 5  # items listed per profile section
BROKER_RUNG = 2
_KIND_TERMS = {t.id: t for t in load_vocabulary().kinds.get("organisation_kinds", ())}


class Part(NamedTuple):
    """One item of a profile section: how many members have it and which share of the cluster.

    A named tuple rather than a dataclass: a city of 100k organisations has 60k of them.
    """

    id: str
    name: str
    name_en: str
    members: int
    share: float

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "name_en": self.name_en, "members": self.members,
                "share": round(self.share, 4)}


class ClusterBroker(NamedTuple):
    """A member whose ties (rung 2+) reach other clusters."""

    id: str
    name: str
    clusters_reached: int
    bridging_ties: int

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "clusters_reached": self.clusters_reached,
                "bridging_ties": self.bridging_ties}


@dataclass(frozen=True)
class ClusterProfile:
    """Everything a funder sees about one cluster (no confidential fields)."""

    id: str
    size: int
    name_nl: str
    name_en: str
    summary_nl: str
    summary_en: str
    kinds: tuple[Part, ...]
    themes: tuple[Part, ...]
    areas: tuple[Part, ...]
    districts: tuple[Part, ...]
    communities: tuple[Part, ...]
    institutions: tuple[Part, ...]
    funding_total: float
    funders: tuple[FunderShare, ...]
    funder_count: int
    herfindahl: float
    islands: int
    brokers: tuple[ClusterBroker, ...]

    @property
    def island_share(self) -> float:
        return self.islands / self.size if self.size else 0.0

    @property
    def largest_share(self) -> float:
        return self.funders[0].share if self.funders else 0.0

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_nl

    def summary(self, lang: str) -> str:
        return self.summary_en if lang == "en" else self.summary_nl

    def as_dict(self) -> dict[str, Any]:
        sections = ("kinds", "themes", "areas", "districts", "communities", "institutions")
        return {
            "id": self.id, "size": self.size, "name_nl": self.name_nl, "name_en": self.name_en,
            "summary_nl": self.summary_nl, "summary_en": self.summary_en,
            **{s: [p.as_dict() for p in getattr(self, s)] for s in sections},
            "funding_total": round(self.funding_total, 2),
            "funders": [f.as_dict() for f in self.funders], "funder_count": self.funder_count,
            "herfindahl": round(self.herfindahl, 6), "largest_share": round(self.largest_share, 6),
            "islands": self.islands, "island_share": round(self.island_share, 4),
            "brokers": [b.as_dict() for b in self.brokers],
        }


def _distinct(values: IntArray) -> IntArray:
    """``np.unique(values)`` by sorting: numpy 2's hash-based unique is several times slower
    on the few hundred thousand memberships of a city."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def _counts(rows: IntArray, cols: IntArray, k: int, width: int,
            values: np.ndarray | None = None) -> sp.csr_matrix:
    """A k × width matrix of summed values (ones by default: counts) for rows ≥ 0.

    Each (organisation, item) pair occurs once in the index (relationships are unique per pair;
    wijk and district memberships are deduplicated first), so a count is a number of members.
    """
    keep = rows >= 0
    data = np.ones(int(keep.sum())) if values is None else values[keep]
    matrix = sp.csr_matrix((data, (rows[keep], cols[keep])), shape=(k, max(width, 1)))
    matrix.sum_duplicates()
    return matrix


def _top(matrix: sp.csr_matrix, n: int) -> list[list[tuple[int, float]]]:
    """Per row the ``n`` largest entries (value desc, column asc), vectorised."""
    coo = matrix.tocoo()
    order = np.lexsort((coo.col, -coo.data, coo.row))
    rows = coo.row[order]
    starts = np.searchsorted(rows, np.arange(matrix.shape[0]))
    rank = np.arange(len(rows)) - starts[rows]
    pick = order[rank < n]
    out: list[list[tuple[int, float]]] = [[] for _ in range(matrix.shape[0])]
    for r, c, v in zip(coo.row[pick].tolist(), coo.col[pick].tolist(), coo.data[pick].tolist(), strict=True):
        out[r].append((c, v))
    return out


class _Profiler:
    """Per-cluster aggregates of one clustering, computed once and read per cluster."""

    def __init__(self, snapshot: Snapshot, index: ClusterIndex, clustering: Clustering,
                 period: Period | None) -> None:
        self.snap, self.index, self.k = snapshot, index, len(clustering.ids)
        self.labels = clustering.labels
        self.sizes = clustering.sizes
        lab = self.labels
        org_wijk = _distinct(index.area_org * len(index.areas) + index.area_wijk[index.area_idx])
        org_district = _distinct(index.area_org * len(index.areas) + index.area_district[index.area_idx])
        nareas = max(len(index.areas), 1)
        theme_df = np.bincount(index.theme_idx, minlength=len(index.themes))
        # -log(share of all organisations working on the theme): rare themes name a cluster best
        self.rarity = {t: math.log(max(index.size, 1) / max(int(df), 1)) for t, df in zip(index.themes, theme_df, strict=True)}
        self.tables = {
            "themes": _counts(lab[index.theme_org], index.theme_idx, self.k, len(index.themes)),
            "areas": _counts(lab[org_wijk // nareas], org_wijk % nareas, self.k, len(index.areas)),
            "districts": _counts(lab[org_district // nareas], org_district % nareas, self.k, len(index.areas)),
            "communities": _counts(lab[index.serve_org], index.serve_idx, self.k, len(index.communities)),
            "institutions": _counts(lab[index.inst_org], index.inst_idx, self.k, len(index.institutions)),
            "kinds": _counts(lab[index.org_kind >= 0], index.org_kind[index.org_kind >= 0], self.k, len(index.kinds)),
        }
        grants = index.grants_in(period.first if period else None, period.last if period else None)
        self.money = _counts(lab[index.grant_org[grants]], index.grant_fund[grants], self.k,
                             len(index.funds), index.grant_amount[grants])
        self.grant_counts = _counts(lab[index.grant_org[grants]], index.grant_fund[grants], self.k, len(index.funds))
        self.top_funders = _top(self.money, TOP)
        self.islands = np.bincount(lab[(lab >= 0) & index.islands()], minlength=self.k)
        self.tops = {name: _top(m, TOP) for name, m in self.tables.items()}
        self.names: dict[str, dict[int, tuple[str, str]]] = {}
        self.brokers = self._brokers()

    def _brokers(self) -> list[list[tuple[int, int, int]]]:
        """Per cluster its top members as ``(org, clusters reached, bridging ties)``."""
        ix, lab = self.index, self.labels
        strong = ix.tie_rung >= BROKER_RUNG
        a, b = ix.tie_a[strong], ix.tie_b[strong]
        cross = (lab[a] >= 0) & (lab[b] >= 0) & (lab[a] != lab[b])
        org = np.concatenate([a[cross], b[cross]])
        other = np.concatenate([lab[b[cross]], lab[a[cross]]])
        ties = np.bincount(org, minlength=ix.size)
        reached = np.bincount(_distinct(org * max(self.k, 1) + other) // max(self.k, 1), minlength=ix.size)
        candidates = np.flatnonzero(reached > 0)
        order = candidates[np.lexsort((candidates, -ties[candidates], -reached[candidates]))]
        out: list[list[tuple[int, int, int]]] = [[] for _ in range(self.k)]
        for o in order.tolist():
            bucket = out[int(lab[o])]
            if len(bucket) < 3:
                bucket.append((o, int(reached[o]), int(ties[o])))
        return out

    def parts(self, name: str, label: int, ids: tuple[str, ...]) -> tuple[Part, ...]:
        size = max(int(self.sizes[label]), 1)
        names = self.names.setdefault(name, {})
        out = []
        for c, v in self.tops[name][label]:
            if c not in names:
                names[c] = self._names(ids[c])
            out.append(Part(ids[c], *names[c], int(v), v / size))
        return tuple(out)

    def _names(self, node_id: str) -> tuple[str, str]:
        node = self.snap.nodes.get(node_id)
        if node is None:
            return node_id, node_id
        return node.name, str(node.props.get("name_en") or node.name)

    def funders(self, label: int) -> tuple[tuple[FunderShare, ...], int, float, float]:
        span = slice(self.money.indptr[label], self.money.indptr[label + 1])
        amounts = self.money.data[span]
        total = float(amounts.sum())
        g = self.grant_counts
        rows = slice(g.indptr[label], g.indptr[label + 1])
        grants = dict(zip(g.indices[rows].tolist(), g.data[rows].tolist(), strict=True))
        shares = tuple(FunderShare(self.index.funds[c], self.snap.name(self.index.funds[c]), v,
                                   int(grants.get(c, 0)), v / total if total else 0.0)
                       for c, v in self.top_funders[label])
        return shares, len(amounts), total, herfindahl(amounts.tolist())

    def profile(self, label: int, cluster_id: str) -> ClusterProfile:
        ix = self.index
        funders, n_funders, total, hhi = self.funders(label)
        size = max(int(self.sizes[label]), 1)
        parts = {
            "kinds": tuple(self._kind(ix.kinds[c], int(v), size) for c, v in self.tops["kinds"][label]),
            "themes": self.parts("themes", label, ix.themes),
            "areas": self.parts("areas", label, ix.areas),
            "districts": self.parts("districts", label, ix.areas),
            "communities": self.parts("communities", label, ix.communities),
            "institutions": self.parts("institutions", label, ix.institutions),
        }
        brokers = tuple(ClusterBroker(ix.orgs[o], self.snap.name(ix.orgs[o]), r, t)
                        for o, r, t in self.brokers[label])
        words = ClusterWords(int(self.sizes[label]), parts["kinds"], parts["themes"],
                             self._theme_rarity(parts["themes"]), parts["areas"], parts["districts"],
                             total, n_funders, funders[0].share if funders else 0.0)
        name_nl, name_en, summary_nl, summary_en = cluster_texts(words)
        return ClusterProfile(
            cluster_id, int(self.sizes[label]), name_nl, name_en, summary_nl, summary_en,
            kinds=parts["kinds"], themes=parts["themes"], areas=parts["areas"], districts=parts["districts"],
            communities=parts["communities"], institutions=parts["institutions"], funding_total=total,
            funders=funders, funder_count=n_funders, herfindahl=hhi, islands=int(self.islands[label]),
            brokers=brokers)

    def _kind(self, kind: str, count: int, size: int) -> Part:
        term = _KIND_TERMS.get(kind)
        return Part(kind, term.nl if term else kind, term.en if term else kind, count, count / size)

    def _theme_rarity(self, themes: tuple[Part, ...]) -> tuple[float, ...]:
        return tuple(self.rarity[p.id] for p in themes)


def cluster_profiles(snapshot: Snapshot, clustering: Clustering, *,
                     period: Period | None = None) -> list[ClusterProfile]:
    """The profile of every cluster, in the clustering's order (largest first).

    Parameters
    ----------
    snapshot : Snapshot
        The snapshot the clustering was made on.
    clustering : Clustering
        From :func:`queries.cluster_detection.detect_clusters`.
    period : Period, optional
        Only grants overlapping these years count as funding.

    Examples
    --------
    >>> from graphsvc.generate import graph_data
    >>> from graphsvc.model import Node, Relationship
    >>> from queries.cluster_detection import detect_clusters
    >>> nodes = [Node(f"o{i}", "Organisation", {"name": f"O{i}"}) for i in range(3)]
    >>> nodes.append(Node("f", "Fund", {"name": "Fonds F"}))
    >>> rels = [Relationship("TIE", "o0", "o1", {"rung": 3}), Relationship("TIE", "o1", "o2", {"rung": 3})]
    >>> rels += [Relationship("FUNDS", "f", "o0", {"amount": 800}, "g1")]
    >>> snap = Snapshot(graph_data([*nodes, *rels]))
    >>> [(p.id, p.size, p.funding_total, p.herfindahl) for p in cluster_profiles(snap, detect_clusters(snap))]
    [('c1', 3, 800.0, 1.0)]
    """
    index = cluster_index(snapshot)
    with paused_gc():
        profiler = _Profiler(snapshot, index, clustering, period)
        return [profiler.profile(label, cid) for label, cid in enumerate(clustering.ids)]
