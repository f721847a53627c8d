"""The funder dashboard: clusters, funding flows, dependency and gaps — page, JSON API, exports.

For funders, coaches and admins only (``require_role("funder", "coach")``); the public gets a
401 from the API and a redirect to the login page. Page, API and exports call the same query
functions (:mod:`queries.clusters`, :mod:`queries.funding`). Cluster ids stay stable while the
app runs: one :class:`~queries.clusters.ClusterTracker` per app remembers the last clustering.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import format_decimal

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.snapshot import Snapshot
from graphsvc.web.auth import require_role
from graphsvc.web.funders_tables import (
    TABLES,
    WRITERS,
    Table,
    clusters_table,
    dependency_table,
    flows_table,
    gaps_table,
    members_table,
)
from graphsvc.web.params import int_arg, lang_arg, str_arg
from graphsvc.web.replies import ok
from graphsvc.web.services import services
from queries.clusters import (
    DEFAULT_SEED,
    ClusterReport,
    ClusterTracker,
    cluster,
    cluster_links,
    clusters,
)
from queries.clusters_why import why_no_clusters
from queries.funding import (
    dependency_on_largest_funder,
    funding_flows,
    funding_gaps,
    organisation_dependency,
)
from queries.grants import area_levels, counts_as_funding
from queries.signal_gaps import signalled_unfunded
from visualisations.cluster_map import cluster_map_payload
from visualisations.funding_charts import concentration_chart, funding_chart

__all__ = ["bp"]

bp = Blueprint("funders", __name__)
PREFIX = "/api/v1"
ROLES = ("funder", "coach")
RESOLUTIONS = {"coarse": 0.5, "normal": 1.0, "fine": 2.0}
WIJK_COLUMNS = 30  # above this many wijken the gap matrix switches to districts


def _tracker() -> ClusterTracker:
    return current_app.extensions.setdefault("goudkaart.clusters", ClusterTracker())


def _options() -> dict[str, Any]:
    """Query parameters shared by every view: seed, resolution (coarse/normal/fine), period."""
    scale = str_arg("scale") or "normal"
    if scale not in RESOLUTIONS:
        raise InvalidInput(f"Parameter 'scale' must be one of {', '.join(RESOLUTIONS)}, not {scale[:20]!r}.")
    return {"seed": int_arg("seed", DEFAULT_SEED, 0, 2**31 - 1), "resolution": RESOLUTIONS[scale],
            "period": str_arg("period", 20), "tracker": _tracker()}


def _report(area: bool = True) -> ClusterReport:
    return clusters(services().snapshot(), area=str_arg("area") if area else None, **_options())


def _level(snap: Snapshot) -> str:
    level = str_arg("level")
    if level:
        return level
    wijken = {w for w, d in area_levels(snap).values() if w != d}
    return "wijk" if len(wijken) <= WIJK_COLUMNS else "district"


def _default_fund(snap: Snapshot) -> str | None:
    fund = str_arg("fund")
    if fund:
        return fund
    with_priorities = [f for f in snap.labelled("Fund") if snap.out("PRIORITISES", f)]
    granted = {f: _grants(snap, f) for f in with_priorities}
    return max(granted, key=lambda f: (granted[f], f)) if granted else None


def _grants(snap: Snapshot, fund: str) -> int:
    """How many grants the fund gave (applications that were not granted do not count)."""
    return sum(counts_as_funding(props) for _, props in snap.out("FUNDS", fund))


def _fund_choices(snap: Snapshot, selected: str | None) -> list[dict[str, str]]:
    """Funds with priorities, most grants first (at most 200, plus the selected one)."""
    funds = sorted((f for f in snap.labelled("Fund") if snap.out("PRIORITISES", f)),
                   key=lambda f: (-_grants(snap, f), snap.name(f).casefold()))[:200]
    if selected and selected not in funds and selected in snap.nodes:
        funds.append(selected)
    return sorted(({"id": f, "name": snap.name(f)} for f in funds), key=lambda x: x["name"].casefold())


def _area_choices(snap: Snapshot) -> list[dict[str, str]]:
    def build(s: Snapshot) -> list[dict[str, str]]:
        levels = area_levels(s)
        keep = {a for pair in levels.values() for a in pair}
        rows = [{"code": str(s.nodes[a].props.get("code") or a), "name": s.name(a),
                 "district": levels[a][1], "top": "1" if levels[a][1] == a else "0"} for a in keep]
        return sorted(rows, key=lambda r: (s.name(r["district"]).casefold(), r["top"] != "1", r["name"].casefold()))

    return snap.derived("funders-area-choices", build)


# -- page --------------------------------------------------------------------------------------
@bp.get("/funders")
@require_role(*ROLES)
def dashboard() -> Any:
    snap = services().snapshot()
    lang = lang_arg()
    report = _report()
    fund = _default_fund(snap)
    options = _options()
    gaps = funding_gaps(snap, fund, period=options["period"], level=_level(snap)) if fund else None
    flows = funding_flows(snap, fund, period=options["period"]) if fund else None
    deps = dependency_on_largest_funder(snap, period=options["period"])[:50]
    limit = int_arg("limit", 200, 1, 100_000)
    why = why_no_clusters(snap, report) if not str_arg("area") else None
    why_num = {k: format_decimal(getattr(why, k)) for k in ("ties", "shared_themes", "grants")} if why else {}
    unfunded = signalled_unfunded(snap, period=options["period"])[:100]
    return render_template(
        "funders.html", report=report, rows=report.clusters[:limit], gaps=gaps, flows=flows, deps=deps, why=why, why_num=why_num,
        unfunded=unfunded,
        fund=fund, funds=_fund_choices(snap, fund), areas=_area_choices(snap), lang=lang,
        selected={"area": str_arg("area") or "", "period": options["period"] or "",
                  "scale": str_arg("scale") or "normal", "fund": fund or "",
                  "size_by": str_arg("size_by") or "members"},
        query=request.query_string.decode("utf-8", "replace"),
    )


@bp.get("/funders/charts/<name>.svg")
@require_role(*ROLES)
def chart(name: str) -> Response:
    charts = {"funding": funding_chart, "concentration": concentration_chart}
    if name not in charts:
        raise NotFound(f"There is no chart called {name!r}.")
    svg = charts[name](_report().clusters, lang=lang_arg())
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=60"})


def _table(name: str, lang: str) -> Table:
    snap = services().snapshot()
    period = _options()["period"]
    if name == "clusters":
        return clusters_table(_report(), lang)
    if name == "members":
        cid = str_arg("cluster")
        if not cid:
            raise InvalidInput("Parameter 'cluster' is required for the members table.")
        return members_table(cluster(snap, cid, **_options()), lang)
    fund = _default_fund(snap)
    if name in ("gaps", "flows") and not fund:
        raise InvalidInput("Parameter 'fund' is required for this table.")
    if name == "gaps":
        return gaps_table(funding_gaps(snap, str(fund), period=period, level=_level(snap)), lang)
    if name == "flows":
        return flows_table(funding_flows(snap, fund, period=period), lang)
    return dependency_table(dependency_on_largest_funder(snap, period=period), lang)


@bp.get("/funders/export/<table>.<fmt>")
@require_role(*ROLES)
def export(table: str, fmt: str) -> Response:
    if table not in TABLES or fmt not in WRITERS:
        raise NotFound(f"There is no export {table}.{fmt}; tables: {', '.join(TABLES)}; formats: csv, xlsx.")
    write, mimetype = WRITERS[fmt]
    body = write(_table(table, lang_arg()), lang_arg())
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="goudkaart-{table}.{fmt}"',
        "Cache-Control": "no-store"})


# -- JSON API ----------------------------------------------------------------------------------
@bp.get(f"{PREFIX}/clusters")
@require_role(*ROLES)
def api_clusters() -> Any:
    report = _report()
    data = report.as_dict()
    offset, limit = int_arg("offset", 0, 0, 10_000_000), int_arg("limit", 100, 1, 10_000)
    data["total"] = len(data["clusters"])
    data["clusters"] = data["clusters"][offset:offset + limit]
    return ok(data)


@bp.get(f"{PREFIX}/clusters/map")
@require_role(*ROLES)
def api_cluster_map() -> Any:
    report = _report()
    links = cluster_links(services().snapshot(), report.clustering)
    payload = cluster_map_payload(report.clusters, links, lang=lang_arg(),
                                  size_by=str_arg("size_by") or "members", limit=int_arg("limit", 300, 1, 5000))
    return ok({"revision": report.clustering.revision, **payload})


@bp.get(f"{PREFIX}/clusters/<cluster_id>")
@require_role(*ROLES)
def api_cluster(cluster_id: str) -> Any:
    return ok(cluster(services().snapshot(), cluster_id, **_options()).as_dict())


@bp.get(f"{PREFIX}/funds/<fund_id>/gaps")
@require_role(*ROLES)
def api_gaps(fund_id: str) -> Any:
    snap = services().snapshot()
    matrix = funding_gaps(snap, fund_id, period=str_arg("period", 20), level=_level(snap),
                          few=int_arg("few", 2, 1, 1000), min_orgs=int_arg("min_orgs", 5, 1, 100_000))
    return ok(matrix.as_dict())


@bp.get(f"{PREFIX}/signals/unfunded")
@require_role(*ROLES)
def api_unfunded() -> Any:
    """Themes signalled by 3 or more organisations in an area with no grant there for them."""
    rows = signalled_unfunded(services().snapshot(), period=_options()["period"], area=str_arg("area"))
    return ok({"period": _options()["period"], "items": [r.as_dict() for r in rows]})


@bp.get(f"{PREFIX}/funding/flows")
@require_role(*ROLES)
def api_flows() -> Any:
    flows = funding_flows(services().snapshot(), str_arg("fund"), period=str_arg("period", 20),
                          level=str_arg("level") or "district")
    return ok(flows.as_dict())


@bp.get(f"{PREFIX}/funding/dependency")
@require_role(*ROLES)
def api_dependency() -> Any:
    share = int_arg("min_share", 0, 0, 100) / 100
    deps = dependency_on_largest_funder(services().snapshot(), period=str_arg("period", 20), min_share=share)
    offset, limit = int_arg("offset", 0, 0, 10_000_000), int_arg("limit", 100, 1, 10_000)
    return ok({"total": len(deps), "items": [d.as_dict() for d in deps[offset:offset + limit]]})


@bp.get(f"{PREFIX}/organisations/<path:org_id>/dependency")
@require_role(*ROLES)
def api_organisation_dependency(org_id: str) -> Any:
    dep = organisation_dependency(services().snapshot(), org_id, period=str_arg("period", 20))
    return ok(dep.as_dict())
