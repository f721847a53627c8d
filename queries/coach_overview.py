"""What a coach sees of one organisation at a glance: profile, needs, best matches, last ladder step
and the introductions made (accepted, climbed to rung 2 or higher).

The coach overview (``/coach``), its JSON twin and the printable visit sheet all call
:func:`organisation_overview`, so they show the same thing. The capacity profile in it is
confidential: callers check that the viewer may work with the organisation first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphsvc.capacity import (
    DimensionTrend,
    ProposedNeed,
    capacity_profile,
    capacity_trend,
    proposed_needs,
)
from graphsvc.model import TieEvent
from graphsvc.snapshot import Snapshot
from graphsvc.vocab import Vocabulary, load_vocabulary
from queries.capacity import capacity_needs
from queries.introductions import IntroductionCounts, introduction_counts
from queries.match_common import named
from queries.matching import partner_matches
from queries.results import Match, MatchResult, Named

__all__ = ["NeedItem", "LadderStep", "OrganisationOverview", "organisation_overview",
           "last_ladder_step", "need_items", "needs_met_by", "capacity_report"]


@dataclass(frozen=True)
class NeedItem:
    """A capability the organisation needs; ``from_capacity`` when a capacity assessment showed it."""

    need: Named
    from_capacity: bool

    def as_dict(self) -> dict[str, Any]:
        return {**self.need.as_dict(), "from_capacity": self.from_capacity}


@dataclass(frozen=True)
class LadderStep:
    """The organisation's most recent tie change: with whom, from which rung to which, when."""

    partner: Named
    old_rung: int
    new_rung: int
    at: str

    def as_dict(self) -> dict[str, Any]:
        return {"partner": self.partner.as_dict(), "old_rung": self.old_rung,
                "new_rung": self.new_rung, "at": self.at}


@dataclass(frozen=True)
class OrganisationOverview:
    """One organisation for the coach: latest profile, open and proposed needs, matches, ladder."""

    organisation: Named
    assessed_on: str
    assessments: int
    trend: tuple[DimensionTrend, ...]
    needs: tuple[NeedItem, ...]
    proposals: tuple[ProposedNeed, ...]
    matches: MatchResult
    last_step: LadderStep | None
    introductions: IntroductionCounts = IntroductionCounts(0, 0, 0)

    def as_dict(self) -> dict[str, Any]:
        return {"organisation": self.organisation.as_dict(), "assessed_on": self.assessed_on,
                "assessments": self.assessments, "profile": [t.as_dict() for t in self.trend],
                "needs": [n.as_dict() for n in self.needs],
                "proposed_needs": [p.as_dict() for p in self.proposals],
                "matches": [m.as_dict() for m in self.matches],
                "last_ladder_change": self.last_step.as_dict() if self.last_step else None,
                "introductions": self.introductions.as_dict()}


def _last_events(snapshot: Snapshot) -> dict[str, TieEvent]:
    last: dict[str, TieEvent] = {}
    for event in snapshot.tie_events:  # in the order recorded: the later one wins
        last[event.a] = event
        last[event.b] = event
    return last


def last_ladder_step(snapshot: Snapshot, actor_id: str) -> LadderStep | None:
    """The actor's latest tie event (a new tie, a rung up or down, a tie ended); None if none.

    Examples
    --------
    >>> from graphsvc.model import Node
    >>> from graphsvc.store.base import GraphData
    >>> nodes = [Node("a", "Organisation", {"name": "A"}), Node("b", "Organisation", {"name": "B"})]
    >>> events = [TieEvent("a", "b", 0, 1, "2024-01-01"), TieEvent("a", "b", 1, 2, "2024-05-01")]
    >>> step = last_ladder_step(Snapshot(GraphData(1, nodes, [], events)), "a")
    >>> step.partner.name, step.old_rung, step.new_rung, step.at
    ('B', 1, 2, '2024-05-01')
    """
    event = snapshot.derived("coach-last-tie-events", _last_events).get(actor_id)
    if event is None:
        return None
    other = event.b if event.a == actor_id else event.a
    return LadderStep(named(snapshot, other), event.old_rung, event.new_rung, event.at)


def need_items(snapshot: Snapshot, organisation_id: str,
               vocab: Vocabulary | None = None) -> tuple[NeedItem, ...]:
    """The organisation's needs by name, each marked when it came from the capacity profile."""
    from_capacity = capacity_needs(snapshot, organisation_id)
    needs = sorted(snapshot.targets("NEEDS", organisation_id), key=lambda c: (snapshot.name(c), c))
    return tuple(NeedItem(named(snapshot, c, vocab), c in from_capacity) for c in needs)


def needs_met_by(match: Match, from_capacity: frozenset[str]) -> tuple[Named, ...]:
    """What the candidate offers of the needs that came from the capacity profile."""
    return tuple(n for n in match.they_offer if n.id in from_capacity)


def organisation_overview(snapshot: Snapshot, organisation_id: str, *, matches: int = 3,
                          lang: str = "nl", vocab: Vocabulary | None = None) -> OrganisationOverview:
    """The coach's overview of one organisation.

    Examples
    --------
    >>> from graphsvc.model import Node
    >>> from graphsvc.store.base import GraphData
    >>> node = Node("o", "Organisation", {"name": "O", "capacity": {"financial_administration": 1}})
    >>> view = organisation_overview(Snapshot(GraphData(1, [node], [], [])), "o")
    >>> [p.need for p in view.proposals], view.last_step is None
    (['financiele-administratie'], True)
    """
    vocab = vocab or load_vocabulary()
    node = snapshot.node(organisation_id, "Organisation")
    profile = capacity_profile(node)
    needs = need_items(snapshot, organisation_id, vocab)
    return OrganisationOverview(
        organisation=Named(node.id, node.name, label=node.label),
        assessed_on=profile.latest.date if profile.latest else "",
        assessments=len(profile.assessments),
        trend=capacity_trend(profile, vocab),
        needs=needs,
        proposals=proposed_needs(profile, (n.need.id for n in needs), vocab),
        matches=partner_matches(snapshot, organisation_id, limit=matches, lang=lang, vocab=vocab),
        last_step=last_ladder_step(snapshot, organisation_id),
        introductions=introduction_counts(snapshot, [organisation_id]),
    )


def capacity_report(snapshot: Snapshot, organisation_id: str,
                    vocab: Vocabulary | None = None) -> dict[str, Any]:
    """The whole capacity profile as JSON types: every assessment, the trend, proposed needs.

    The API (``GET /api/v1/organisations/<id>/capacity``) and ``graphsvc capacity <id> --json``
    both return this. Confidential: callers check access first.

    Examples
    --------
    >>> from graphsvc.model import Node
    >>> from graphsvc.store.base import GraphData
    >>> node = Node("o", "Organisation", {"name": "O", "capacity": {"governance": 3}})
    >>> report = capacity_report(Snapshot(GraphData(1, [node], [], [])), "o")
    >>> len(report["assessments"]), report["profile"][0]["latest"], report["proposed_needs"]
    (1, 3, [])
    """
    vocab = vocab or load_vocabulary()
    node = snapshot.node(organisation_id, "Organisation")
    profile = capacity_profile(node)
    return {
        "organisation": Named(node.id, node.name, label=node.label).as_dict(),
        "dimensions": [{"id": d.id, "name_nl": d.nl, "name_en": d.en, "explain_nl": d.explain_nl,
                        "explain_en": d.explain_en, "need": d.need,
                        "need_below_or_at": d.need_below_or_at} for d in vocab.capacity],
        "assessments": [a.as_dict() for a in reversed(profile.assessments)],
        "profile": [t.as_dict() for t in capacity_trend(profile, vocab)],
        "proposed_needs": [p.as_dict() for p in proposed_needs(
            profile, snapshot.targets("NEEDS", organisation_id), vocab)],
        "needs_from_capacity": sorted(capacity_needs(snapshot, organisation_id)),
        "decisions": [d.as_dict() for d in profile.decisions],
    }
