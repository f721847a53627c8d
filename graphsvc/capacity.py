"""The capacity profile: dated self-assessments (1–5 per dimension, with a note) and their trend.

An organisation rates itself together with its coach on the internal blocks of docs/design.md §3
(governance, financial administration, volunteer policy, innovation, positioning; the list and its
names are vocabulary data). Every assessment is kept. The profile lives on the Organisation node
as the confidential property ``capacity`` (see :data:`graphsvc.model.CONFIDENTIAL_FIELDS`), so
both stores keep it, dumps and migrations carry it, and :func:`graphsvc.access.visibility.visible_props`
strips it for everyone but the organisation itself, its coach and admins::

    {"assessments": [{"id", "date", "scores": {dim: 1-5}, "notes": {dim: text}, "by",
                      "recorded_at"}, ...],
     "decisions": [{"assessment", "need", "decision": "confirmed" | "rejected", "by", "at"}, ...]}

An older, flat form (``{"governance": 2}``) is read as one undated assessment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType
from typing import Any, Final

from graphsvc.model import Node
from graphsvc.vocab import Vocabulary, load_vocabulary

__all__ = [
    "PROPERTY",
    "MAX_NOTE",
    "Assessment",
    "NeedDecision",
    "CapacityProfile",
    "DimensionTrend",
    "capacity_profile",
    "capacity_trend",
    "checked_score",
    "CAPACITY_SOURCE",
    "DECISIONS",
    "ProposedNeed",
    "proposed_needs",
]

#: The confidential Organisation property that holds the profile.
PROPERTY: Final = "capacity"
#: The longest note per dimension, in characters.
MAX_NOTE: Final = 2000
_EARLIEST: Final = date(2000, 1, 1)


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Assessment:
    """One dated assessment: a score 1–5 for some or all dimensions, a note per dimension."""

    id: str
    date: str
    scores: Mapping[str, int]
    notes: Mapping[str, str] = field(default_factory=dict)
    by: str = ""
    recorded_at: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "scores", _frozen(self.scores))
        object.__setattr__(self, "notes", _frozen(self.notes))

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "date": self.date, "scores": dict(self.scores),
                "notes": dict(self.notes), "by": self.by, "recorded_at": self.recorded_at}


@dataclass(frozen=True)
class NeedDecision:
    """A coach's answer to a proposed need: ``confirmed`` or ``rejected``, for one assessment."""

    assessment: str
    need: str
    decision: str
    by: str = ""
    at: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"assessment": self.assessment, "need": self.need, "decision": self.decision,
                "by": self.by, "at": self.at}


def _order(a: Assessment) -> tuple[str, str, str]:
    return (a.date, a.recorded_at, a.id)


@dataclass(frozen=True)
class CapacityProfile:
    """All assessments of one organisation, oldest first, and the decisions on proposed needs.

    Examples
    --------
    >>> p = CapacityProfile().with_assessment(Assessment("a1", "2024-03-01", {"governance": 2}))
    >>> p = p.with_assessment(Assessment("a0", "2023-09-01", {"governance": 1}))
    >>> [a.id for a in p.assessments], p.latest.id
    (['a0', 'a1'], 'a1')
    """

    assessments: tuple[Assessment, ...] = ()
    decisions: tuple[NeedDecision, ...] = ()

    @property
    def latest(self) -> Assessment | None:
        return self.assessments[-1] if self.assessments else None

    def __bool__(self) -> bool:
        return bool(self.assessments)

    def with_assessment(self, assessment: Assessment) -> CapacityProfile:
        """A new profile with this assessment added (the old ones are all kept)."""
        return replace(self, assessments=tuple(sorted((*self.assessments, assessment), key=_order)))

    def with_decision(self, decision: NeedDecision) -> CapacityProfile:
        return replace(self, decisions=(*self.decisions, decision))

    def rejected(self, assessment_id: str) -> frozenset[str]:
        """The needs rejected for this assessment: they are not proposed again for it."""
        return frozenset(d.need for d in self.decisions
                         if d.assessment == assessment_id and d.decision == "rejected")

    def as_prop(self) -> dict[str, Any]:
        """The value stored in the ``capacity`` property."""
        return {"assessments": [a.as_dict() for a in self.assessments],
                "decisions": [d.as_dict() for d in self.decisions]}

    def as_dict(self) -> dict[str, Any]:
        return self.as_prop()


def checked_score(value: object) -> int | None:
    """A score as a whole number from 1 to 5, or None when it is no such number."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
        return value
    return None


def _assessment(raw: object, index: int) -> Assessment | None:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("scores"), Mapping):
        return None
    scores = {str(k): s for k, v in raw["scores"].items() if (s := checked_score(v)) is not None}
    notes = raw.get("notes") if isinstance(raw.get("notes"), Mapping) else {}
    return Assessment(
        id=str(raw.get("id") or f"assessment-{index}"), date=str(raw.get("date") or ""),
        scores=scores, notes={str(k): str(v) for k, v in (notes or {}).items() if v},
        by=str(raw.get("by") or ""), recorded_at=str(raw.get("recorded_at") or ""),
    )


def _decision(raw: object) -> NeedDecision | None:
    if not isinstance(raw, Mapping) or raw.get("decision") not in ("confirmed", "rejected"):
        return None
    return NeedDecision(str(raw.get("assessment", "")), str(raw.get("need", "")),
                        str(raw["decision"]), str(raw.get("by", "")), str(raw.get("at", "")))


def capacity_profile(source: Node | Mapping[str, Any] | None) -> CapacityProfile:
    """The profile held by an Organisation node (or by its ``capacity`` value); never raises.

    Entries that do not fit (a score outside 1–5, a missing ``scores``) are left out, so a
    hand-edited or imported value can never break a page.

    Examples
    --------
    >>> capacity_profile({"governance": 2, "innovation": 9}).latest.scores
    mappingproxy({'governance': 2})
    >>> capacity_profile(None).assessments
    ()
    """
    value = source.props.get(PROPERTY) if isinstance(source, Node) else source
    if not isinstance(value, Mapping):
        return CapacityProfile()
    if "assessments" not in value and "decisions" not in value:
        flat = {str(k): s for k, v in value.items() if (s := checked_score(v)) is not None}
        return CapacityProfile((Assessment("earlier", "", flat),) if flat else ())
    raw = value.get("assessments")
    found = [_assessment(a, i) for i, a in enumerate(raw if isinstance(raw, list) else [])]
    decisions = value.get("decisions")
    made = [_decision(d) for d in (decisions if isinstance(decisions, list) else [])]
    return CapacityProfile(tuple(sorted((a for a in found if a), key=_order)),
                           tuple(d for d in made if d))


@dataclass(frozen=True)
class DimensionTrend:
    """One dimension over time: its scores by date, the latest score, the note and the change.

    ``points`` are ``(date, score)`` of every assessment that scored this dimension, oldest first;
    ``change`` compares the last two of them (None with fewer than two).
    """

    id: str
    nl: str
    en: str
    explain_nl: str
    explain_en: str
    points: tuple[tuple[str, int], ...] = ()
    note: str = ""

    @property
    def latest(self) -> int | None:
        return self.points[-1][1] if self.points else None

    @property
    def previous(self) -> int | None:
        return self.points[-2][1] if len(self.points) > 1 else None

    @property
    def change(self) -> int | None:
        latest, previous = self.latest, self.previous
        return None if latest is None or previous is None else latest - previous

    @property
    def direction(self) -> str:
        """``up``, ``down``, ``same``, or ``""`` when there is nothing to compare."""
        change = self.change
        return "" if change is None else "up" if change > 0 else "down" if change < 0 else "same"

    def name(self, lang: str = "nl") -> str:
        return self.en if lang == "en" else self.nl

    def explain(self, lang: str = "nl") -> str:
        return self.explain_en if lang == "en" else self.explain_nl

    def as_dict(self) -> dict[str, Any]:
        return {"dimension": self.id, "name_nl": self.nl, "name_en": self.en,
                "points": [{"date": d, "score": s} for d, s in self.points],
                "latest": self.latest, "previous": self.previous, "change": self.change,
                "direction": self.direction, "note": self.note}


def capacity_trend(profile: CapacityProfile, vocab: Vocabulary | None = None) -> tuple[DimensionTrend, ...]:
    """The trend of every vocabulary dimension, in vocabulary order.

    Examples
    --------
    >>> p = CapacityProfile((Assessment("a", "2024-01-10", {"governance": 2}),
    ...                      Assessment("b", "2024-06-10", {"governance": 4}, {"governance": "Nieuw bestuur"})))
    >>> t = capacity_trend(p)[0]
    >>> t.id, t.points, t.change, t.direction, t.note
    ('governance', (('2024-01-10', 2), ('2024-06-10', 4)), 2, 'up', 'Nieuw bestuur')
    """
    vocab = vocab or load_vocabulary()
    trends = []
    for dim in vocab.capacity:
        scored = [a for a in profile.assessments if dim.id in a.scores]
        trends.append(DimensionTrend(
            dim.id, dim.nl, dim.en, dim.explain_nl, dim.explain_en,
            tuple((a.date, a.scores[dim.id]) for a in scored),
            scored[-1].notes.get(dim.id, "") if scored else "",
        ))
    return tuple(trends)


#: The ``source`` of a NEEDS relationship confirmed from the capacity profile.
CAPACITY_SOURCE: Final = "capacity"
DECISIONS: Final = ("confirmed", "rejected")


@dataclass(frozen=True)
class ProposedNeed:
    """A capability the organisation may need, because of a low score on one dimension."""

    need: str
    nl: str
    en: str
    dimension: str
    dimension_nl: str
    dimension_en: str
    score: int
    threshold: int
    assessment: str
    date: str

    def name(self, lang: str = "nl") -> str:
        return self.en if lang == "en" else self.nl

    def dimension_name(self, lang: str = "nl") -> str:
        return self.dimension_en if lang == "en" else self.dimension_nl

    def as_dict(self) -> dict[str, Any]:
        return {"need": self.need, "name_nl": self.nl, "name_en": self.en,
                "dimension": self.dimension, "dimension_nl": self.dimension_nl,
                "dimension_en": self.dimension_en, "score": self.score,
                "threshold": self.threshold, "assessment": self.assessment, "date": self.date}


def proposed_needs(profile: CapacityProfile, current_needs: Iterable[str],
                   vocab: Vocabulary | None = None) -> tuple[ProposedNeed, ...]:
    """The needs the latest scores propose, in vocabulary order.

    Examples
    --------
    >>> from graphsvc.capacity import Assessment
    >>> p = CapacityProfile((Assessment("a1", "2025-02-01", {"financial_administration": 2,
    ...                                                      "governance": 4}),))
    >>> [n.need for n in proposed_needs(p, current_needs=[])]
    ['financiele-administratie']
    >>> proposed_needs(p, current_needs=["financiele-administratie"])
    ()
    """
    vocab = vocab or load_vocabulary()
    names = {t.id: t for t in vocab.capabilities}
    have = set(current_needs)
    out = []
    for dim in vocab.capacity:
        scored = [a for a in profile.assessments if dim.id in a.scores]
        if not scored or dim.need in have or dim.need not in names:
            continue
        latest = scored[-1]
        score = latest.scores[dim.id]
        if score > dim.need_below_or_at or dim.need in profile.rejected(latest.id):
            continue
        term = names[dim.need]
        out.append(ProposedNeed(dim.need, term.nl, term.en, dim.id, dim.nl, dim.en, score,
                                dim.need_below_or_at, latest.id, latest.date))
    return tuple(out)
