"""The organisations of a snapshot as numpy arrays: the raw material of clusters and profiles.

Community detection and cluster profiles on 100k organisations must not walk the graph pair by
pair in Python. This index reads the snapshot **once** (cached per snapshot with
:meth:`Snapshot.derived`) into integer arrays: organisation ``i`` is ``orgs[i]`` (sorted ids),
and every relationship the clusters need becomes a pair of aligned index arrays. Everything
downstream is sparse-matrix arithmetic over these arrays.

Only the fields clusters and funders may see are read: names, kinds, areas, themes,
communities, ties, institutions and grants (only those that are money received). Confidential
properties (capacity profiles, contact persons) are never touched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, compress
from operator import itemgetter, methodcaller
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from graphsvc.rel_props import stored_weight
from graphsvc.snapshot import Edge, Snapshot
from graphsvc.snapshot_build import paused_gc
from graphsvc.snapshot_csr import Adjacency
from queries.grants import area_levels, counts_as_funding, grant_amount

__all__ = ["ClusterIndex", "cluster_index", "build_cluster_index", "ISLAND_RUNG", "tie_pairs", "per_org"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: An organisation with no tie at this rung or higher is an island (queries/islands.py, min_rung=2).
ISLAND_RUNG = 2
_NO_YEAR = -1


@dataclass(frozen=True)
class ClusterIndex:
    """Aligned index arrays for one snapshot; see the module docstring.

    ``tie_*``: organisation–organisation ties, once per pair (``tie_a < tie_b``).
    ``inst_*``: organisation–institution ties. ``best_rung``: each organisation's strongest tie
    to any actor (0 when none). ``theme_*``, ``area_*``, ``serve_*``: ``WORKS_ON`` (with weight),
    ``ACTIVE_IN`` and ``SERVES``. ``area_wijk``/``area_district``: per area index, the index of
    its wijk-level and district-level ancestor. ``grant_*``: the ``FUNDS`` that count as funding
    (:func:`queries.grants.counts_as_funding`: not pending, rejected or withdrawn) with amount
    and years (``-1`` when unknown). ``org_kind``: index into ``kinds`` (``-1`` when unknown).
    """

    revision: int
    orgs: tuple[str, ...]
    position: dict[str, int]
    tie_a: IntArray
    tie_b: IntArray
    tie_rung: IntArray
    institutions: tuple[str, ...]
    inst_org: IntArray
    inst_idx: IntArray
    inst_rung: IntArray
    best_rung: IntArray
    themes: tuple[str, ...]
    theme_org: IntArray
    theme_idx: IntArray
    theme_weight: FloatArray
    areas: tuple[str, ...]
    area_org: IntArray
    area_idx: IntArray
    area_wijk: IntArray
    area_district: IntArray
    communities: tuple[str, ...]
    serve_org: IntArray
    serve_idx: IntArray
    funds: tuple[str, ...]
    grant_org: IntArray
    grant_fund: IntArray
    grant_amount: FloatArray
    grant_first: IntArray
    grant_last: IntArray
    kinds: tuple[str, ...]
    org_kind: IntArray

    @property
    def size(self) -> int:
        return len(self.orgs)

    def islands(self) -> npt.NDArray[np.bool_]:
        """True for organisations with no tie at rung 2 or higher (the islands of queries/islands)."""
        return self.best_rung < ISLAND_RUNG

    def grants_in(self, first: int | None, last: int | None) -> npt.NDArray[np.bool_]:
        """Which grants overlap the years ``first``–``last`` (all grants when both are None)."""
        if first is None or last is None:
            return np.ones(len(self.grant_org), dtype=bool)
        known = self.grant_first != _NO_YEAR
        return known & (self.grant_first <= last) & (self.grant_last >= first)


def _ints(values: Sequence[int] | npt.ArrayLike) -> IntArray:
    return np.asarray(values, dtype=np.int64)


def _codes(ids: Sequence[str]) -> tuple[IntArray, tuple[str, ...]]:
    """Ids as integer codes (first appearance order) and the distinct ids (pandas' hash table)."""
    if not ids:
        return np.zeros(0, dtype=np.int64), ()
    codes, uniques = pd.factorize(pd.Series(ids, dtype=object))
    return codes.astype(np.int64), tuple(str(u) for u in uniques)


def _fast_year(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()[:4] if value not in (None, "") else ""
    return int(text) if text.isdigit() else _NO_YEAR


def _grant(props: Mapping[str, Any]) -> tuple[int, int, float]:
    """First year, last year and amount of a grant in one pass (70k grants per 100k organisations).

    The same rules as :func:`queries.grants.grant_years` and :func:`queries.grants.grant_amount`,
    without their regular expressions; unknown years are -1.
    """
    year = _fast_year(props.get("year"))
    first = _fast_year(props.get("start")) if props.get("start") else year
    last = _fast_year(props.get("end")) if props.get("end") else year
    if first == _NO_YEAR:
        first = last
    if last == _NO_YEAR or last < first:
        last = first
    return first, last, grant_amount(props)


def _amounts(props: Sequence[Mapping[str, Any]]) -> FloatArray:
    """:func:`queries.grants.grant_amount` of every grant, in C when the amounts are numbers."""
    try:
        raw = np.asarray([a or 0 for a in map(methodcaller("get", "amount"), props)], dtype=np.float64)
    except (TypeError, ValueError):
        return np.asarray([grant_amount(p) for p in props], dtype=np.float64)
    return np.where((raw > 0) & np.isfinite(raw), raw, 0.0)


def _grants(props: Sequence[Mapping[str, Any]]) -> FloatArray:
    """``(first, last, amount)`` of every grant. Grants repeat a few dates, so each distinct
    ``(year, start, end)`` is worked out once (and the rest is done in C)."""
    fields = ("year", "start", "end")
    keys = list(zip(*(map(methodcaller("get", f), props) for f in fields), strict=True))
    try:
        found: dict[tuple[Any, ...], Any] = dict.fromkeys(keys)
    except TypeError:  # an unhashable value (a list): one by one
        return np.asarray([_grant(p) for p in props], dtype=np.float64).reshape(-1, 3)
    for key in found:
        found[key] = _grant(dict(zip(fields, key, strict=True)))[:2]
    years = np.asarray(list(map(found.__getitem__, keys)), dtype=np.float64).reshape(-1, 2)
    return np.column_stack([years, _amounts(props)])


def _weights(props: Sequence[Mapping[str, Any]]) -> FloatArray:
    """The ``weight`` of every WORKS_ON, 1 when it is unreadable (clamped to 1–3); worked out once
    per properties object (a snapshot shares one between every edge with the same properties)."""
    if not props:
        return np.zeros(0, dtype=np.float64)
    _, first, inverse = np.unique(np.fromiter(map(id, props), dtype=np.int64, count=len(props)),
                                  return_index=True, return_inverse=True)
    weight = [stored_weight(props[i].get("weight"), 1) for i in first.tolist()]
    return np.asarray(weight, dtype=np.float64)[inverse.ravel()]


def tie_pairs(snapshot: Snapshot, actors: pd.Index) -> tuple[IntArray, IntArray, IntArray]:
    """Every tie once as positions in ``actors`` (-1: not an actor here) and its rung, read from
    ``snapshot.ties`` (each actor's partners and rungs, both directions) rather than from
    ``snapshot.tie_props``, which would make every tie's property dict to read one number.
    Each pair is kept in the direction whose first end comes first in ``actors`` (a tie of an
    actor with itself is listed once); a pair with an end outside ``actors`` may come twice.

    Examples
    --------
    >>> from graphsvc.generate import graph_data
    >>> from graphsvc.model import Node, Relationship
    >>> nodes = [Node(i, "Organisation", {"name": i}) for i in "abc"]
    >>> snap = Snapshot(graph_data([*nodes, Relationship("TIE", "b", "c", {"rung": 4})]))
    >>> [x.tolist() for x in tie_pairs(snap, pd.Index(["c", "b", "a"]))]
    [[0], [1], [4]]
    """
    ties = snapshot.ties
    near = list(ties.values())
    counts = np.fromiter(map(len, near), dtype=np.int64, count=len(near))
    pa = np.repeat(actors.get_indexer(list(ties)).astype(np.int64), counts)
    pb = actors.get_indexer(list(chain.from_iterable(near))).astype(np.int64)
    rung = np.fromiter(chain.from_iterable(map(methodcaller("values"), near)), dtype=np.int64, count=len(pa))
    once = pa <= pb
    return pa[once], pb[once], rung[once]


def _ties(snapshot: Snapshot, orgs: pd.Index) -> dict[str, Any]:
    """Organisation pairs, organisation–institution pairs and each organisation's best rung.

    A TIE joins two actors (organisations or institutions); a pair whose end is missing from
    the snapshot is skipped, as :mod:`queries.islands` skips it. The pairs come in the order of
    ``snapshot.ties``, which is not meaningful: nothing below depends on it.
    """
    n = len(orgs)
    institutions = tuple(snapshot.labelled("Institution"))
    actors = orgs.append(pd.Index(institutions, dtype=object))
    pa, pb, rung = tie_pairs(snapshot, actors)
    known = (pa >= 0) & (pb >= 0)
    pa, pb, rung = pa[known], pb[known], rung[known]
    best = np.zeros(n, dtype=np.int64)
    for end in (pa, pb):
        is_org = end < n
        np.maximum.at(best, end[is_org], rung[is_org])
    both = (pa < n) & (pb < n)
    one = (pa < n) ^ (pb < n)  # exactly one end is an organisation: the other an institution
    org_end, inst_end = np.where(pa < n, pa, pb)[one], np.where(pa < n, pb, pa)[one] - n
    return {"tie_a": np.minimum(pa, pb)[both], "tie_b": np.maximum(pa, pb)[both], "tie_rung": rung[both],
            "institutions": institutions, "inst_org": org_end, "inst_idx": inst_end,
            "inst_rung": rung[one], "best_rung": best}


def per_org(by_node: Mapping[str, list[Edge]], orgs: pd.Index,
             ) -> tuple[IntArray, list[str], list[Mapping[str, Any]]]:
    """The edges of the organisations in ``by_node`` as ``(organisation, other end, props)``,
    by organisation (each one's edges in their list order): what one loop over the
    organisations asking :meth:`Snapshot.out` would give, with the per-edge work done in C.

    Examples
    --------
    >>> from graphsvc.generate import graph_data
    >>> from graphsvc.model import Node, Relationship
    >>> nodes = [Node("a", "Organisation", {"name": "A"}), Node("w", "Neighbourhood", {"name": "W"})]
    >>> snap = Snapshot(graph_data([*nodes, Relationship("ACTIVE_IN", "a", "w")]))
    >>> org, other, _ = per_org(snap.by_start("ACTIVE_IN"), pd.Index(["a"]))
    >>> org.tolist(), other
    ([0], ['w'])
    """
    if isinstance(by_node, Adjacency) and not by_node.overlay:
        return _per_org_arrays(by_node, orgs)
    where = orgs.get_indexer(list(by_node)).astype(np.int64)  # -1: not an organisation
    keep = where >= 0
    lists = list(compress(by_node.values(), keep.tolist()))
    index = np.repeat(where[keep], np.fromiter(map(len, lists), dtype=np.int64, count=len(lists)))
    edges = list(chain.from_iterable(lists))
    other, props = list(map(itemgetter(0), edges)), list(map(itemgetter(1), edges))
    if len(index) > 1 and bool((index[1:] < index[:-1]).any()):  # nodes not in id order: sort
        order = np.argsort(index, kind="stable")
        index = index[order]
        other, props = (_object_array(x)[order].tolist() for x in (other, props))
    return index, other, props


def _per_org_arrays(adj: Adjacency, orgs: pd.Index) -> tuple[IntArray, list[str], list[Mapping[str, Any]]]:
    """:func:`per_org` read straight from a snapshot's arrays (:mod:`graphsvc.snapshot_csr`):
    rows are in id order, so the organisations come in order without a sort."""
    names = adj.ids.names
    rows = len(adj.offsets) - 1
    where = orgs.get_indexer(_object_array(names[:rows])).astype(np.int64)
    per_edge = np.repeat(where, np.diff(adj.offsets))
    keep = per_edge >= 0
    index = per_edge[keep]
    other = [names[t] for t in adj.targets[keep].tolist()]
    table = adj.table
    if adj.props is None:
        props: list[Mapping[str, Any]] = [table[0]] * len(other)
    elif isinstance(table, list):
        props = _object_array(table)[adj.props[keep]].tolist()
    else:  # property sets in columns: each made once
        made: dict[int, Mapping[str, Any]] = {}
        props = [made[p] if p in made else made.setdefault(p, table[p]) for p in adj.props[keep].tolist()]
    return index, other, props


def _object_array(items: list[Any]) -> npt.NDArray[np.object_]:
    array = np.empty(len(items), dtype=object)
    array[:] = items  # never read as nested sequences: properties are dicts
    return array


def _links(snapshot: Snapshot, orgs: pd.Index) -> dict[str, Any]:
    """WORKS_ON, ACTIVE_IN, SERVES, FUNDS and kind of every organisation, a whole type at once."""
    theme_org, theme_id, theme_props = per_org(snapshot.by_start("WORKS_ON"), orgs)
    area_org, area_id, _ = per_org(snapshot.by_start("ACTIVE_IN"), orgs)
    serve_org, serve_id, _ = per_org(snapshot.by_start("SERVES"), orgs)
    grant_org, fund_id, grant_props = per_org(snapshot.by_end("FUNDS"), orgs)
    counted = _counted(grant_props)
    if not counted.all():
        grant_org = grant_org[counted]
        fund_id, grant_props = list(compress(fund_id, counted.tolist())), list(compress(grant_props, counted.tolist()))
    nodes = snapshot.nodes
    return {"theme_org": theme_org, "theme_id": theme_id, "theme_props": theme_props,
            "area_org": area_org, "area_id": area_id, "serve_org": serve_org, "serve_id": serve_id,
            "grant_org": grant_org, "fund_id": fund_id, "grant_props": grant_props,
            "kind": [nodes.prop(o, "kind") or "" for o in orgs]}


def _counted(props: Sequence[Mapping[str, Any]]) -> npt.NDArray[np.bool_]:
    """:func:`queries.grants.counts_as_funding` of every grant, once per distinct status."""
    statuses = list(map(methodcaller("get", "status"), props))
    try:
        verdict = {s: counts_as_funding({"status": s}) for s in set(statuses)}
    except TypeError:  # an unhashable status (a list): one by one
        return np.fromiter(map(counts_as_funding, props), dtype=bool, count=len(props))
    return np.fromiter(map(verdict.__getitem__, statuses), dtype=bool, count=len(props))


def _areas(snapshot: Snapshot, area_ids: Sequence[str]) -> dict[str, Any]:
    """Area codes for ACTIVE_IN, with every area's wijk and district in the same code space."""
    levels = area_levels(snapshot)
    codes, areas = _codes(area_ids)
    extra = [x for a in areas for x in levels.get(a, (a, a))]
    all_codes, all_areas = _codes([*areas, *extra])
    where = pd.Index(all_areas)
    wijk = where.get_indexer([levels.get(a, (a, a))[0] for a in all_areas])
    district = where.get_indexer([levels.get(a, (a, a))[1] for a in all_areas])
    return {"areas": all_areas, "area_idx": codes, "area_wijk": _ints(wijk), "area_district": _ints(district)}


def build_cluster_index(snapshot: Snapshot) -> ClusterIndex:
    """Read the snapshot into a :class:`ClusterIndex` (use :func:`cluster_index` to cache it)."""
    with paused_gc():
        return _build(snapshot)


def _build(snapshot: Snapshot) -> ClusterIndex:
    orgs = tuple(snapshot.labelled("Organisation"))
    position = {o: i for i, o in enumerate(orgs)}
    org_index = pd.Index(orgs, dtype=object)
    ties = _ties(snapshot, org_index)
    links = _links(snapshot, org_index)
    theme_idx, themes = _codes(links["theme_id"])
    serve_idx, communities = _codes(links["serve_id"])
    grant_fund, funds = _codes(links["fund_id"])
    grants = _grants(links["grant_props"])
    kind_idx, kinds = _codes([str(k) for k in links["kind"]])
    no_kind = kinds.index("") if "" in kinds else -2
    return ClusterIndex(
        revision=snapshot.revision, orgs=orgs, position=position,
        **ties, themes=themes, theme_org=links["theme_org"], theme_idx=theme_idx,
        theme_weight=_weights(links["theme_props"]),
        area_org=links["area_org"], **_areas(snapshot, links["area_id"]),
        communities=communities, serve_org=links["serve_org"], serve_idx=serve_idx,
        funds=funds, grant_org=links["grant_org"], grant_fund=grant_fund,
        grant_amount=grants[:, 2], grant_first=grants[:, 0].astype(np.int64),
        grant_last=grants[:, 1].astype(np.int64),
        kinds=kinds, org_kind=np.where(kind_idx == no_kind, -1, kind_idx),
    )


def cluster_index(snapshot: Snapshot) -> ClusterIndex:
    """The snapshot's :class:`ClusterIndex`, built once per snapshot.

    Examples
    --------
    >>> from graphsvc.generate import graph_data
    >>> from graphsvc.model import Node, Relationship
    >>> nodes = [Node("a", "Organisation", {"name": "A"}), Node("b", "Organisation", {"name": "B"})]
    >>> index = cluster_index(Snapshot(graph_data([*nodes, Relationship("TIE", "a", "b", {"rung": 3})])))
    >>> index.orgs, index.tie_a.tolist(), index.tie_b.tolist(), index.islands().tolist()
    (('a', 'b'), [0], [1], [False, False])
    """
    return snapshot.derived("cluster-index", build_cluster_index)
