"""Result objects of the matching questions: frozen, explained, and convertible to JSON.

Every ranked item carries its evidence and a one-sentence reason in Dutch and English, so the web
page, the JSON API and the CLI show the same explanation. ``as_dict()`` gives plain JSON types.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from types import MappingProxyType
from typing import Any

__all__ = [
    "PARTS",
    "Named",
    "Match",
    "MatchResult",
    "ReferralPartner",
    "ReferralResult",
    "FundFit",
    "FundResult",
]

#: The named score components of a partner match, in the order they are shown.
PARTS = ("shared_interests", "reciprocity", "proximity", "bridging", "ladder")


def _jsonable(value: Any) -> Any:
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, float):
        return round(value, 4)
    return value


def _dataclass_dict(obj: Any) -> dict[str, Any]:
    assert is_dataclass(obj)
    return {f.name: _jsonable(getattr(obj, f.name)) for f in fields(obj)}


@dataclass(frozen=True)
class Named:
    """A node as evidence: its id, Dutch name, English name (if any) and label.

    Examples
    --------
    >>> Named("taal", "Nederlandse taal", "Dutch language learning").text("en")
    'Dutch language learning'
    """

    id: str
    name: str
    name_en: str = ""
    label: str = ""

    def text(self, lang: str = "nl") -> str:
        """The name in ``lang`` ('nl' or 'en'), falling back to the Dutch name."""
        return (self.name_en or self.name) if lang == "en" else self.name

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "name_en": self.name_en or self.name,
                "label": self.label}


class _Explained:
    """Mixin: ``reason(lang)`` picks ``reason_nl`` or ``reason_en``."""

    reason_nl: str
    reason_en: str

    def reason(self, lang: str = "nl") -> str:
        return self.reason_en if lang == "en" else self.reason_nl


@dataclass(frozen=True)
class Match(_Explained):
    """One suggested partner, with its score parts, evidence and reason.

    ``parts`` holds exactly the components of :data:`PARTS`, each 0–1; ``score`` is their
    weighted mean (see :class:`queries.match_scoring.MatchWeights`). ``they_offer`` is what the
    candidate offers that the actor needs; ``we_offer`` what the actor offers that it needs.
    """

    id: str
    name: str
    label: str
    score: float
    parts: Mapping[str, float]
    shared_interests: tuple[Named, ...] = ()
    they_offer: tuple[Named, ...] = ()
    we_offer: tuple[Named, ...] = ()
    shared_areas: tuple[Named, ...] = ()
    communities_bridged: tuple[Named, ...] = ()
    current_rung: int = 0
    climb: bool = False
    introducer: Named | None = None
    reason_nl: str = ""
    reason_en: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", MappingProxyType(dict(self.parts)))

    def as_dict(self) -> dict[str, Any]:
        return _dataclass_dict(self)


class _Ranked(_Explained):
    """Mixin for a ranked list about one actor; ``reason_*`` explains an empty list."""

    actor: Named
    lang: str

    def _items(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self._items())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items())

    def __bool__(self) -> bool:
        return bool(self._items())

    def as_dict(self) -> dict[str, Any]:
        return _dataclass_dict(self)


@dataclass(frozen=True)
class MatchResult(_Ranked):
    """The partner matches of one actor, best first.

    When ``matches`` is empty, ``reason_nl`` / ``reason_en`` say why (and what to add);
    otherwise they are empty. ``lang`` is the language the caller asked for.
    """

    actor: Named
    matches: tuple[Match, ...] = ()
    reason_nl: str = ""
    reason_en: str = ""
    lang: str = "nl"
    area: Named | None = None
    kinds: tuple[str, ...] = ()

    def _items(self) -> tuple[Match, ...]:
        return self.matches


@dataclass(frozen=True)
class ReferralPartner(_Explained):
    """An institution working on the actor's themes nearby: it could refer people or take referrals."""

    id: str
    name: str
    sector: str
    score: float
    shared_interests: tuple[Named, ...] = ()
    shared_areas: tuple[Named, ...] = ()
    they_offer: tuple[Named, ...] = ()
    we_offer: tuple[Named, ...] = ()
    current_rung: int = 0
    reason_nl: str = ""
    reason_en: str = ""

    def as_dict(self) -> dict[str, Any]:
        return _dataclass_dict(self)


@dataclass(frozen=True)
class ReferralResult(_Ranked):
    """The referral partners of one actor, best first (``reason_*`` explains an empty list)."""

    actor: Named
    partners: tuple[ReferralPartner, ...] = ()
    reason_nl: str = ""
    reason_en: str = ""
    lang: str = "nl"

    def _items(self) -> tuple[ReferralPartner, ...]:
        return self.partners


@dataclass(frozen=True)
class FundFit(_Explained):
    """A fund whose priorities fit the actor's themes, and whether it already funds the actor.

    ``priorities`` are the fund's matching priorities; ``themes`` the actor's themes they cover
    (directly or as a sub-theme). ``funded_amount`` sums the granted amounts (EUR) of ``grants``.
    """

    id: str
    name: str
    fund_type: str
    score: float
    priorities: tuple[Named, ...] = ()
    themes: tuple[Named, ...] = ()
    already_funds: bool = False
    funded_amount: float = 0.0
    grants: int = 0
    years: tuple[int, ...] = field(default=())
    reason_nl: str = ""
    reason_en: str = ""

    def as_dict(self) -> dict[str, Any]:
        return _dataclass_dict(self)


@dataclass(frozen=True)
class FundResult(_Ranked):
    """The fitting funds of one actor, best first (``reason_*`` explains an empty list)."""

    actor: Named
    funds: tuple[FundFit, ...] = ()
    reason_nl: str = ""
    reason_en: str = ""
    lang: str = "nl"

    def _items(self) -> tuple[FundFit, ...]:
        return self.funds
