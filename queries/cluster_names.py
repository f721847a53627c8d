"""Plain-language names and summaries of clusters, in Dutch and English.

A summary is a few short sentences a funder would say (plain Dutch, B1: short sentences, common
words; docs/accessibility.md)::

    12 vrouwenorganisaties in Nieuw-West. Ze werken aan gezondheid en opvoeding. 80 % van het geld komt van één fonds
    12 women's organisations in Nieuw-West. They work on health and parenting. 80% of the money comes from one fund

* the **kind** is named when at least half of the members share it (vocabulary names, made plural);
* the **themes** are the one or two that characterise the cluster: held by at least a quarter of
  the members and more common in the cluster than in the city, ranked by share × log(lift), where
  lift = share in the cluster / share in the city (a theme every cluster has says little);
* the **area** is the wijk holding at least 60 % of the members, else such a district, else
  "in N stadsdelen";
* the **money** names the largest funder's share when it gives at least half.

The sentences are joined by ". " without a closing full stop: the cluster map's tooltip and its
keyboard announcement put the summary between other lines.

The name is the short form: ``"Gezondheid en opvoeding · Nieuw-West"``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from queries.grants import percent

__all__ = ["ClusterWords", "cluster_texts", "in_sentence", "plural"]

KIND_SHARE = 0.5
THEME_SHARE = 0.25
AREA_SHARE = 0.6


class _Part(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def name_en(self) -> str: ...
    @property
    def share(self) -> float: ...


@dataclass(frozen=True)
class ClusterWords:
    """What the sentence is made of (the parts come from the cluster profile)."""

    size: int
    kinds: Sequence[_Part]
    themes: Sequence[_Part]
    theme_rarity: Sequence[float]  # -log(share of all organisations working on the theme)
    areas: Sequence[_Part]
    districts: Sequence[_Part]
    funding: float
    funders: int
    largest_share: float


def in_sentence(name: str) -> str:
    """A vocabulary name inside a sentence: lower case first letter, except proper adjectives
    (``Nederlandse``) and abbreviations (``GGD``).

    Examples
    --------
    >>> in_sentence("Zorg en gezondheid"), in_sentence("Nederlandse taal"), in_sentence("GGD-zorg")
    ('zorg en gezondheid', 'Nederlandse taal', 'GGD-zorg')
    """
    if name.startswith(("Nederlandse", "Nederlands ", "Dutch", "Amsterdam", "Turkse", "Marokkaanse")):
        return name
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]


def plural(name: str, lang: str) -> str:
    """The plural of a kind name from the vocabulary.

    Examples
    --------
    >>> plural("Vrouwenorganisatie", "nl"), plural("Bewonersinitiatief", "nl"), plural("Youth organisation", "en")
    ('vrouwenorganisaties', 'bewonersinitiatieven', 'youth organisations')
    """
    word = in_sentence(name)
    if lang == "en":
        return word if word.endswith("s") else word + "s"
    if word.endswith("f"):
        return word[:-1] + "ven"
    if word.endswith(("e", "el", "er", "em", "en")):
        return word + "s"
    return word + "en"


def _characteristic(words: ClusterWords) -> list[_Part]:
    # share × log(lift): how much a theme sets the cluster apart from the city as a whole
    scored = [(p, p.share * (math.log(p.share) + rarity))
              for p, rarity in zip(words.themes, words.theme_rarity, strict=True)
              if p.share >= THEME_SHARE]
    ranked = sorted((x for x in scored if x[1] > 0), key=lambda x: -x[1])
    chosen = [p[0] for p in ranked[:2]]
    return chosen or list(words.themes[:1])


def _join(names: list[str], lang: str) -> str:
    if len(names) < 2:
        return "".join(names)
    word = " en " if lang == "nl" else " and "
    # "zorg en gezondheid en opvoeding" would blur where one theme ends: add a comma then
    return names[0] + ("," if word in names[0] or word in names[1] else "") + word + names[1]


def _theme_sentence(words: ClusterWords, lang: str) -> str:
    names = [in_sentence(p.name if lang == "nl" else p.name_en) for p in _characteristic(words)]
    if not names:
        return ""
    return ("Ze werken aan " if lang == "nl" else "They work on ") + _join(names, lang)


def _area(words: ClusterWords, lang: str) -> tuple[str, str]:
    """(phrase for the summary, short place name for the title)."""
    for parts in (words.areas, words.districts):
        if parts and parts[0].share >= AREA_SHARE:
            place = parts[0].name if lang == "nl" else parts[0].name_en
            return f" in {place}", place
    n = len(words.districts)
    if n >= 2:
        text = f"in {n} stadsdelen" if lang == "nl" else f"in {n} districts"
        return " " + text, text
    return "", ""


def _money(words: ClusterWords, lang: str) -> str:
    nl = lang == "nl"
    if words.funding <= 0:
        return "Er is geen geld van fondsen bekend" if nl else "No funding is known"
    share = percent(words.largest_share, lang)
    if words.funders == 1:
        return "Al het geld komt van één fonds" if nl else "All of the money comes from one fund"
    if words.largest_share >= 0.5:
        return f"{share} van het geld komt van één fonds" if nl else f"{share} of the money comes from one fund"
    return (f"Het geld komt van {words.funders} fondsen. Het grootste fonds geeft {share}" if nl
            else f"The money comes from {words.funders} funds. The largest gives {share}")


def _noun(words: ClusterWords, lang: str) -> str:
    if words.kinds and words.kinds[0].share >= KIND_SHARE:
        kind = words.kinds[0]
        return plural(kind.name if lang == "nl" else kind.name_en, lang)
    return "organisaties" if lang == "nl" else "organisations"


def _texts(words: ClusterWords, lang: str) -> tuple[str, str]:
    summary_area, place = _area(words, lang)
    title = _join([in_sentence(p.name if lang == "nl" else p.name_en) for p in _characteristic(words)], lang)
    title = title[:1].upper() + title[1:]
    name = " · ".join(x for x in (title, place) if x) or (
        f"{words.size} organisaties" if lang == "nl" else f"{words.size} organisations")
    sentences = (f"{words.size} {_noun(words, lang)}{summary_area}", _theme_sentence(words, lang), _money(words, lang))
    return name, ". ".join(x for x in sentences if x)


def cluster_texts(words: ClusterWords) -> tuple[str, str, str, str]:
    """``(name_nl, name_en, summary_nl, summary_en)`` for a cluster.

    Examples
    --------
    >>> from queries.cluster_profiles import Part
    >>> words = ClusterWords(12, [Part("w", "Vrouwenorganisatie", "Women's organisation", 9, .75)],
    ...     [Part("g", "Gezondheidsvaardigheden", "Health literacy", 8, .67),
    ...      Part("o", "Opvoedingsondersteuning", "Parenting support", 6, .5)], [1.2, 1.5],
    ...     [Part("s", "Slotermeer", "Slotermeer", 5, .42)], [Part("f", "Nieuw-West", "Nieuw-West", 12, 1.0)],
    ...     50_000, 3, 0.8)
    >>> for text in cluster_texts(words): print(text)
    Gezondheidsvaardigheden en opvoedingsondersteuning · Nieuw-West
    Health literacy and parenting support · Nieuw-West
    12 vrouwenorganisaties in Nieuw-West. Ze werken aan gezondheidsvaardigheden en opvoedingsondersteuning. 80 % van het geld komt van één fonds
    12 women's organisations in Nieuw-West. They work on health literacy and parenting support. 80% of the money comes from one fund
    """
    name_nl, summary_nl = _texts(words, "nl")
    name_en, summary_en = _texts(words, "en")
    return name_nl, name_en, summary_nl, summary_en
