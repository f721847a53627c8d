"""Only money received counts: pending, rejected and withdrawn grants leave every money figure as it was.

Each test builds the same graph twice in a real SQLite store, once with grants that were never
granted added, and asserts that dependency, flows, gaps and cluster profiles do not move; a grant
that was awarded, is active, completed or has no status does move them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graphsvc.model import Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store.base import GraphData
from queries.clusters import cluster, clusters
from queries.funding import (
    dependency_on_largest_funder,
    funding_flows,
    funding_gaps,
    organisation_dependency,
)
from queries.grants import NOT_GRANTED, counts_as_funding, is_pending
from queries.match_funds import fitting_funds
from tests.factories import GraphBuilder

#: grants that were never granted: (fund, organisation, amount, year, status)
NOT_MONEY = [
    ("fa", "o4", 9000, 2024, "rejected"),   # a new funder for o4, and the largest by far
    ("fc", "o1", 4000, 2024, "withdrawn"),  # a third funder for o1
    ("fd", "o6", 7000, 2025, "pending"),    # o6 has no money at all
    ("fa", "o2", 1000, 2024, "pending"),    # the gap matrix's own fund
]


def city() -> GraphBuilder:
    """Two groups of three tied organisations (one per district); four funds, fund A prioritises taal."""
    b = (GraphBuilder()
         .district("west", "West", code="E").area("w1", "Wijk Een", code="E1", part_of="west")
         .district("nw", "Nieuw-West", code="F").area("w2", "Wijk Twee", code="F2", part_of="nw")
         .fund("fa", "Fonds A", priorities=["taal"]).fund("fb", "Fonds B").fund("fc", "Fonds C")
         .fund("fd", "Fonds D"))
    for i, (area, themes) in enumerate([("w1", ["taal"])] * 3 + [("w2", ["taal", "sport"])] * 3, start=1):
        b.org(f"o{i}", f"Organisatie {i}", interests=themes, areas=[area])
    b.tie("o1", "o2", rung=3).tie("o2", "o3", rung=3).tie("o1", "o3", rung=4)
    b.tie("o4", "o5", rung=3).tie("o5", "o6", rung=3).tie("o4", "o6", rung=4)
    return (b.grant("fa", "o1", 6000, year=2024, status="active").grant("fb", "o1", 2000, year=2024)
            .grant("fb", "o4", 5000, year=2024, status="completed")
            .grant("fc", "o5", 3000, year=2025, status="awarded"))


def _with(grants: list[tuple[str, str, int, int, str | None]]) -> GraphBuilder:
    b = city()
    for fund, org, amount, year, status in grants:
        b.grant(fund, org, amount, year=year, status=status)
    return b


def _figures(snap: Snapshot, period: str | None = None) -> dict[str, Any]:
    """Every money figure a funder sees, as the API gives it (pending counts aside)."""
    flows = funding_flows(snap, period=period).as_dict()
    del flows["pending_grants"], flows["pending_amount"]
    report = clusters(snap, period=period)
    return {
        "dependency": [d.as_dict() for d in dependency_on_largest_funder(snap, period=period)],
        "o6": organisation_dependency(snap, "o6", period=period).as_dict(),
        "flows": flows,
        "flows_a": funding_flows(snap, "fa", period=period, level="wijk").as_dict()["to_themes"],
        "gaps": funding_gaps(snap, "fa", period=period, level="district", min_orgs=1).as_dict(),
        "clusters": [p.as_dict() for p in report.clusters],
        "members": [cluster(snap, p.id, period=period).as_dict()["members"] for p in report.clusters],
    }


@pytest.mark.parametrize("period", [None, "2024", "2025"])
@pytest.mark.parametrize("extra", [[g] for g in NOT_MONEY] + [NOT_MONEY], ids=lambda g: "+".join(x[4] for x in g))
def test_grants_never_granted_change_no_money_figure(tmp_path: Path, extra: list[Any], period: str | None) -> None:
    base = city().snapshot(tmp_path)
    applied = _with(extra).snapshot(tmp_path)
    assert sum(len(applied.out("FUNDS", f)) for f in ("fa", "fb", "fc", "fd")) == 4 + len(extra)
    assert _figures(applied, period) == _figures(base, period)


@pytest.mark.parametrize("status", ["awarded", "active", "completed", None])
def test_a_granted_or_statusless_grant_counts(tmp_path: Path, status: str | None) -> None:
    base = city().snapshot(tmp_path)
    snap = _with([("fd", "o6", 7000, 2025, status)]).snapshot(tmp_path)
    o6 = organisation_dependency(snap, "o6")
    assert (o6.total, o6.largest and o6.largest.fund, o6.share) == (7000, "fd", 1.0)
    assert "o6" in {d.organisation for d in dependency_on_largest_funder(snap)}
    before, after = funding_flows(base), funding_flows(snap)
    assert (after.total - before.total, after.grants - before.grants, after.pending_grants) == (7000, 1, 0)
    cell = funding_gaps(snap, "fa", level="district", min_orgs=1).cell("taal", "nw")
    assert [(f.fund, f.organisations) for f in cell.other_funders] == [("fb", 1), ("fc", 1), ("fd", 1)]
    totals = {p.funding_total for p in clusters(snap).clusters} - {p.funding_total for p in clusters(base).clusters}
    assert totals == {5000 + 3000 + 7000}


def test_dependency_of_an_organisation_counts_only_money_received(tmp_path: Path) -> None:
    snap = _with(NOT_MONEY).snapshot(tmp_path)
    o4 = organisation_dependency(snap, "o4")  # a rejected 9000 from fund A beside fund B's 5000
    assert ([f.fund for f in o4.funders], o4.share, o4.herfindahl) == (["fb"], 1.0, 1.0)
    o1 = organisation_dependency(snap, "o1")  # fund C's 4000 was withdrawn
    assert (o1.total, len(o1.funders), o1.share) == (8000, 2, 0.75)
    assert o1.reason_en == "75% of the money comes from Fonds A (2 funds in all)."
    assert organisation_dependency(snap, "o6").reason_nl == "Geen geregistreerde financiering."


def test_flows_count_pending_applications_apart(tmp_path: Path) -> None:
    snap = _with(NOT_MONEY).snapshot(tmp_path)
    everything = funding_flows(snap)
    assert (everything.total, everything.grants) == (16000, 4)
    assert (everything.pending_grants, everything.pending_amount) == (2, 8000)  # rejected, withdrawn: not pending
    assert funding_flows(snap, "fd").as_dict()["pending_grants"] == 1
    assert funding_flows(snap, "fd").as_dict()["to_areas"] == []
    assert (funding_flows(snap, period="2024").pending_grants, funding_flows(snap, "fb").pending_grants) == (1, 0)


def test_gaps_name_no_funder_for_a_rejected_or_pending_grant(tmp_path: Path) -> None:
    snap = _with(NOT_MONEY).snapshot(tmp_path)
    matrix = funding_gaps(snap, "fa", level="district", min_orgs=1)
    west, nw = matrix.cell("taal", "west"), matrix.cell("taal", "nw")
    assert (west.funded_by_fund, [f.fund for f in west.other_funders]) == (1, ["fb"])  # o2's application is not
    assert (nw.funded_by_fund, [f.fund for f in nw.other_funders]) == (0, ["fb", "fc"])  # fd, fa: not granted


def test_fund_matching_reads_the_same_definition(tmp_path: Path) -> None:
    snap = _with(NOT_MONEY).snapshot(tmp_path)
    fits = {f.id: f for f in fitting_funds(snap, "o2").funds}
    assert (fits["fa"].already_funds, fits["fa"].grants) == (False, 0)  # o2's only grant from fund A is pending


@pytest.mark.parametrize("status", sorted(NOT_GRANTED) + ["Afgewezen", " Pending "])
def test_every_not_granted_spelling_is_left_out(status: str) -> None:
    """Spellings stored before statuses were checked on write (the store refuses them now)."""
    rels = [Relationship("FUNDS", "fd", "o6", {"amount": 7000, "year": 2025, "status": status}, "legacy")]
    base = city().data()
    snap = Snapshot(GraphData(1, base.nodes, [*base.relationships, *rels], []))
    assert not counts_as_funding({"status": status})
    assert _figures(snap) == _figures(Snapshot(base))


@pytest.mark.parametrize(("status", "counts", "pending"), [
    ("pending", False, True), ("aangevraagd", False, True), ("in behandeling", False, True),
    ("rejected", False, False), ("withdrawn", False, False), ("awarded", True, False),
    ("active", True, False), ("completed", True, False), ("", True, False), (None, True, False),
    ("granted", True, False),
])
def test_counts_as_funding_and_is_pending(status: str | None, counts: bool, pending: bool) -> None:
    assert (counts_as_funding({"status": status}), is_pending({"status": status})) == (counts, pending)
