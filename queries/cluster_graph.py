"""The weighted organisation network that clusters are found in: ties plus shared local themes.

Two organisations are linked by

* their **tie**, weighted by rung (:data:`TIE_WEIGHTS`: 0.5 for *kennen* up to 2.5 for *samen
  agenderen*): working together binds more than knowing of each other;
* the **themes they share in the same area**. Each *(theme, wijk)* group — the organisations
  that work on a theme in a wijk (a buurt counts as its wijk; organisations without an area
  form one city-wide group per theme) — links its members with the *resource-allocation* weight
  ``x_a · x_b / d``, where ``d`` is the group's size and ``x`` the ``WORKS_ON`` weight / 3.
  A theme shared by 3 organisations weighs a hundred times more per pair than one shared by
  300: rare shared themes count more, and every group adds at most about 1 to the strength of
  each member, however big it is.

**Sparsification.** A group of ``d`` organisations would add ``d(d-1)/2`` pairs; one popular
theme in a big wijk (or city-wide) explodes that (30k organisations: 450M pairs). Groups of up
to :data:`CLIQUE_LIMIT` get all their pairs. A bigger group gets :data:`CYCLES` random
Hamiltonian cycles through its members instead (a seeded permutation, each member linked to the
next), each edge weighing ``Σx²/(2·CYCLES·d)``-scaled so that every member keeps the strength the
full group would give it and every subset keeps, in expectation, the internal weight it would
have. Random cycles form an expander, so the group stays one well-knit block. The network
therefore has at most ``ties + memberships × CYCLES`` edges: linear in the size of the graph.

Institutions and funds are not nodes of this network: clusters are groups of organisations,
and their institutions and funders are described in the cluster profiles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import igraph as ig
import numpy as np
import scipy.sparse as sp

from queries.cluster_index import ClusterIndex, FloatArray, IntArray

__all__ = ["TIE_WEIGHTS", "CLIQUE_LIMIT", "CYCLES", "OrganisationGraph", "build_organisation_graph"]

#: Edge weight of a tie by rung (index = rung; rung 0 = no tie).
TIE_WEIGHTS: Final = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5)
#: Theme-in-area groups up to this size link all their pairs; bigger ones are sparsified.
CLIQUE_LIMIT: Final = 8
#: Random Hamiltonian cycles that stand in for a bigger group.
CYCLES: Final = 1


@dataclass(frozen=True)
class OrganisationGraph:
    """An undirected weighted graph on ``index.orgs`` (vertex ``i`` is organisation ``i``)."""

    size: int
    source: IntArray
    target: IntArray
    weight: FloatArray

    @property
    def edge_count(self) -> int:
        return len(self.source)

    def to_igraph(self) -> ig.Graph:
        """An igraph Graph (edge weights in the same order as :attr:`weight`)."""
        # two flat lists zipped are parsed by igraph several times faster than a 2-D array
        edges = list(zip(self.source.tolist(), self.target.tolist(), strict=True))
        return ig.Graph(n=self.size, edges=edges, directed=False)


def _memberships(index: ClusterIndex) -> tuple[IntArray, IntArray, FloatArray]:
    """``(organisation, group, x)`` for every (theme, wijk) group an organisation belongs to."""
    org_wijk = sp.csr_matrix(
        (np.ones(len(index.area_org)), (index.area_org, index.area_wijk[index.area_idx])),
        shape=(index.size, max(len(index.areas), 1)))
    org_wijk.sum_duplicates()  # two buurten of one wijk make one membership
    wijken = np.diff(org_wijk.indptr)[index.theme_org]
    copies = np.maximum(wijken, 1)  # an organisation without an area joins the city-wide group
    membership = np.repeat(np.arange(len(index.theme_org)), copies)
    offset = np.arange(int(copies.sum())) - np.repeat(np.cumsum(copies) - copies, copies)
    wijk = np.full(len(membership), -1, dtype=np.int64)
    placed = wijken[membership] > 0
    start = org_wijk.indptr[index.theme_org[membership[placed]]]
    wijk[placed] = org_wijk.indices[start + offset[placed]]
    theme = index.theme_idx[membership]
    _, group = np.unique(theme * (len(index.areas) + 1) + (wijk + 1), return_inverse=True)
    x = np.clip(np.nan_to_num(index.theme_weight, nan=1.0), 1, 3)[membership] / 3.0
    return index.theme_org[membership], group.astype(np.int64).ravel(), x


def _clique_edges(rows: IntArray, group: IntArray, x: FloatArray, size: IntArray) -> tuple[IntArray, IntArray, FloatArray]:
    keep = size[group] <= CLIQUE_LIMIT
    if not keep.any():
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    g = group[keep]
    member = sp.csr_matrix((x[keep], (rows[keep], g)), shape=(int(rows.max()) + 1, int(group.max()) + 1))
    scaled = member @ sp.diags(1.0 / np.maximum(size, 1).astype(np.float64))
    pairs = sp.triu(scaled @ member.T, k=1).tocoo()
    return pairs.row.astype(np.int64), pairs.col.astype(np.int64), pairs.data


def _cycle_edges(rows: IntArray, group: IntArray, x: FloatArray, size: IntArray,
                 seed: int) -> tuple[IntArray, IntArray, FloatArray]:
    big = size[group] > CLIQUE_LIMIT
    if not big.any():
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    rng = np.random.default_rng(seed)
    src, dst, wt = [], [], []
    for _ in range(CYCLES):
        # shuffle, then sort by group: a random order of the members within each group
        order = np.flatnonzero(big)[rng.permutation(int(big.sum()))]
        order = order[np.argsort(group[order], kind="stable")]
        g = group[order]
        start = np.r_[True, g[1:] != g[:-1]]
        nxt = np.arange(len(order)) + 1
        first_of_group = np.maximum.accumulate(np.where(start, np.arange(len(order)), 0))
        last = np.r_[g[1:] != g[:-1], True]
        nxt[last] = first_of_group[last]  # close the cycle
        d = size[g].astype(np.float64)
        src.append(rows[order])
        dst.append(rows[order][nxt])
        wt.append(x[order] * x[order][nxt] * (d - 1) / (d * 2 * CYCLES))
    return np.concatenate(src), np.concatenate(dst), np.concatenate(wt)


def build_organisation_graph(index: ClusterIndex, seed: int) -> OrganisationGraph:
    """The weighted organisation network of the module docstring (deterministic for a seed).

    Examples
    --------
    >>> from graphsvc.generate import graph_data
    >>> from graphsvc.model import Node, Relationship
    >>> from graphsvc.snapshot import Snapshot
    >>> from queries.cluster_index import cluster_index
    >>> nodes = [Node(i, "Organisation", {"name": i}) for i in "abc"] + [Node("t", "Interest", {"name": "T"})]
    >>> rels = [Relationship("TIE", "a", "b", {"rung": 2})]
    >>> rels += [Relationship("WORKS_ON", o, "t", {"weight": 3}) for o in "bc"]
    >>> g = build_organisation_graph(cluster_index(Snapshot(graph_data([*nodes, *rels]))), seed=1)
    >>> sorted(zip(g.source.tolist(), g.target.tolist(), g.weight.round(2).tolist()))
    [(0, 1, 1.0), (1, 2, 0.5)]
    """
    rows, group, x = _memberships(index)
    size = np.bincount(group) if len(group) else np.zeros(0, np.int64)
    parts = [(index.tie_a, index.tie_b, np.asarray(TIE_WEIGHTS)[np.clip(index.tie_rung, 0, 5)])]
    if len(group):
        parts += [_clique_edges(rows, group, x, size), _cycle_edges(rows, group, x, size, seed)]
    src = np.concatenate([p[0] for p in parts])
    dst = np.concatenate([p[1] for p in parts])
    w = np.concatenate([p[2] for p in parts])
    ok = src != dst
    lo, hi = np.minimum(src, dst)[ok], np.maximum(src, dst)[ok]
    merged = sp.coo_matrix((w[ok], (lo, hi)), shape=(index.size, index.size)).tocsr()
    merged.sum_duplicates()
    coo = merged.tocoo()
    return OrganisationGraph(index.size, coo.row.astype(np.int64), coo.col.astype(np.int64),
                             coo.data.astype(np.float64))

