"""The Python API for notebooks: ``g = graphsvc.open()``, the questions as pandas DataFrames.

Funders' analysts and researchers work in Jupyter. :func:`open_graph` (``graphsvc.open``) opens
a store by the same URL rules as the app (``GRAPHSVC_STORE``, else the embedded default) and
gives the snapshot's questions as methods that return DataFrames, a networkx copy and a pyvis
network with the map's colours, shapes and positions. Every method reads the latest revision.

Answers are what the given role may see (``role="public"`` by default, as on the public map):
capacity profiles and contact persons stay out unless ``role`` allows them.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

import pandas as pd

from graphsvc.access.visibility import Viewer, visible_props
from graphsvc.config import load_settings
from graphsvc.snapshot import Snapshot
from graphsvc.snapshot_cache import SnapshotCache
from graphsvc.store import GraphStore, open_store
from queries.clusters import clusters
from queries.funding import funding_flows
from queries.islands import islands
from queries.matching import partner_matches
from visualisations.network_map import MapFilters, map_payload

if TYPE_CHECKING:
    import networkx as nx
    from pyvis.network import Network

__all__ = ["Graph", "open_graph"]


class Graph:
    """A Goudkaart graph for analysis: questions as DataFrames, exports to networkx and pyvis.

    Examples
    --------
    >>> from graphsvc.demo.dataset import load_demo
    >>> g = open_graph("sqlite:///:memory:")
    >>> _ = load_demo(g.store)
    >>> g.islands("E").columns.tolist()
    ['id', 'name', 'best_rung', 'partners']
    >>> int(g.matches("org-al-amal-west", limit=3).shape[0])
    3
    """

    def __init__(self, store: GraphStore, *, role: str = "public", lang: str = "nl") -> None:
        self.store = store
        self.viewer = Viewer(role)
        self.lang = lang
        self._cache = SnapshotCache(store)

    @property
    def snapshot(self) -> Snapshot:
        """The graph at the store's latest revision (read again only after a change)."""
        return self._cache.get()

    def __repr__(self) -> str:
        counts = self.store.counts()
        return (f"<Goudkaart {self.store.url}: {sum(counts['nodes'].values())} nodes, "
                f"{sum(counts['relationships'].values())} relationships>")

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the questions ---------------------------------------------------------------------
    def matches(self, actor_id: str, *, limit: int = 10, area: str | None = None) -> pd.DataFrame:
        """Partner matches of an organisation or institution, best first, with score parts and reason."""
        result = partner_matches(self.snapshot, actor_id, limit=limit, area=area, lang=self.lang)
        rows = []
        for m in result.matches:
            d = m.as_dict()
            rows.append({"id": d["id"], "name": d["name"], "label": d["label"], "score": d["score"],
                         **{f"part_{k}": v for k, v in d["parts"].items()},
                         "reason": m.reason(self.lang)})
        return pd.DataFrame(rows, columns=None if rows else ["id", "name", "label", "score", "reason"])

    def islands(self, area: str | None = None, *, min_rung: int = 2) -> pd.DataFrame:
        """Organisations without a tie at ``min_rung`` or higher (in the area, when given)."""
        rows = [{"id": i.id, "name": i.name, "best_rung": i.best_rung,
                 "partners": [p.id for p in i.partners]}
                for i in islands(self.snapshot, area, min_rung=min_rung)]
        return pd.DataFrame(rows, columns=["id", "name", "best_rung", "partners"])

    def clusters(self, **options: Any) -> pd.DataFrame:
        """Clusters of organisations with their profiles, one row each, largest first."""
        report = clusters(self.snapshot, **options).as_dict()
        # one row per cluster: its figures (the nested profile lists stay in the report)
        return pd.DataFrame([{k: v for k, v in c.items() if not isinstance(v, (list, dict))}
                             for c in report.get("clusters", [])])

    def funding_flows(self, period: str | None = None, *, fund: str | None = None,
                      level: str = "district") -> pd.DataFrame:
        """Money from funds to areas and themes: one row per (fund, target) with ``kind`` area/theme."""
        flows = funding_flows(self.snapshot, fund, period=period, level=level)
        rows = [{"kind": "area", **f.as_dict()} for f in flows.to_areas]
        rows += [{"kind": "theme", **f.as_dict()} for f in flows.to_themes]
        return pd.DataFrame(rows, columns=["kind", "fund", "fund_name", "target", "target_name",
                                           "amount", "grants", "organisations"])

    def organisations(self) -> pd.DataFrame:
        """Every organisation with the properties this role may see."""
        snap = self.snapshot
        rows = [{"id": node_id, **visible_props(snap.nodes[node_id], self.viewer)}
                for node_id in snap.labelled("Organisation")]
        return pd.DataFrame(rows)

    # -- exports ---------------------------------------------------------------------------
    def to_networkx(self, labels: list[str] | None = None) -> nx.MultiDiGraph:
        """A networkx copy with the properties this role may see."""
        g = self.snapshot.to_networkx(labels)
        for node_id, data in g.nodes(data=True):
            node = self.snapshot.nodes[node_id]
            keep = visible_props(node, self.viewer)
            for key in [k for k in data if k != "label" and k not in keep]:
                del data[key]
        return g

    def map_payload(self, area: str | None = None, **filters: Any) -> dict[str, Any]:
        """The map's nodes and edges (as ``/api/v1/graph`` gives them) for an area or other filters."""
        return map_payload(self.snapshot, MapFilters(area=area, **filters), lang=self.lang,
                           store=self.store)

    def to_pyvis(self, area: str | None = None, *, height: str = "600px", **filters: Any) -> Network:
        """A pyvis network of the map: its colours, shapes and positions, tooltips escaped.

        It renders inline in Jupyter without internet (the vis-network library goes into the
        page itself): ``g.to_pyvis(area="E").show("west.html")`` or ``.generate_html()``.
        """
        payload = self.map_payload(area, **filters)
        net = _offline_network()(height=height, width="100%", directed=False, notebook=True,
                                 cdn_resources="in_line")
        for n in payload["nodes"]:
            extra = {k: n[k] for k in ("x", "y", "shape", "color", "borderWidth", "font") if k in n}
            # pyvis hands titles to vis-network as HTML once any title holds markup: escape them all
            net.add_node(n["id"], label=n["label"], title=html.escape(str(n.get("title", ""))),
                         physics=False, **extra)
        for e in payload["edges"]:
            extra = {k: e[k] for k in ("color", "width", "dashes") if k in e}
            net.add_edge(e["from"], e["to"], title=html.escape(str(e.get("title", ""))), **extra)
        net.toggle_physics(False)
        return net


def _offline_network() -> type[Network]:
    """pyvis's Network whose pages load nothing from the internet.

    With ``cdn_resources="in_line"`` pyvis puts vis-network into the page but still links
    Bootstrap from a CDN, for menus this map does not use; those two tags are left out.
    """
    from pyvis.network import Network

    class OfflineNetwork(Network):
        def generate_html(self, name: str = "index.html", local: bool = True,
                          notebook: bool = False) -> str:
            page: str = super().generate_html(name, local, notebook)
            return re.sub(r"<(?:link|script)[^>]*cdn\.jsdelivr\.net[^>]*>(?:</script>)?", "", page)

    return OfflineNetwork


def open_graph(url: str | None = None, *, role: str = "public", lang: str = "nl") -> Graph:
    """Open a store for analysis: ``url`` as ``GRAPHSVC_STORE`` (default: the embedded store).

    Neo4j credentials come from ``GRAPHSVC_NEO4J_USER`` / ``GRAPHSVC_NEO4J_PASSWORD`` as for the app.
    """
    settings = load_settings(store=url) if url else load_settings()
    return Graph(open_store(settings.store, settings), role=role, lang=lang)
