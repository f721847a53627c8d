"""Building blocks shared by the demo dataset and the generator: nodes, fake contacts, tie climbs."""

from __future__ import annotations

import random
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Final

from graphsvc.demo.places import CBS_MUNICIPALITY, COMMUNITIES
from graphsvc.model import Node, Relationship
from graphsvc.vocab import Vocabulary

__all__ = [
    "EPOCH", "END_DAY", "LANGUAGE_NAMES", "RUNG_NOTES",
    "day_text", "stamp", "lower_first", "slugify", "contact_person", "vocabulary_records", "community_nodes",
    "district_node", "wijk_node", "buurt_node", "area_id", "rung_path", "plan_climb", "tie_climb",
]

# Tie history runs from 2023 to late 2026; days are counted from EPOCH.
EPOCH: Final = date(2023, 1, 1)
END_DAY: Final = (date(2026, 11, 15) - EPOCH).days
_GAP_HI: Final = 240  # most days between two rung changes of one tie
_SNAP: Final = 60  # a change this close before a ladder meeting is moved to the meeting
_DATES: Final = tuple((EPOCH + timedelta(days=d)).isoformat() for d in range(END_DAY + 1))

LANGUAGE_NAMES: Final = {
    "ar": "Arabisch", "ber": "Tamazight", "tr": "Turks", "ku": "Koerdisch", "ti": "Tigrinya",
    "so": "Somalisch", "fa": "Dari", "ps": "Pashto", "pl": "Pools", "pap": "Papiaments",
    "srn": "Sranantongo", "kea": "Kaapverdisch Creools", "pt": "Portugees", "tw": "Twi",
    "en": "Engels", "fr": "Frans", "hi": "Sarnami", "nl": "Nederlands",
}

RUNG_NOTES: Final = {
    1: ("Kennen elkaar van naam", "Via via van elkaar gehoord"),
    2: ("Kennismakingsgesprek gehad", "Elkaar ontmoet op een buurtbijeenkomst"),
    3: ("Verwijzen deelnemers naar elkaar door", "Stemmen de activiteitenkalender af"),
    4: ("Organiseren samen een activiteit", "Draaien samen een project"),
    5: ("Dragen samen een punt van de wijkagenda",),
}

# Obviously invented people: common first names, surnames that say "example" or "trial".
_FIRST_NAMES: Final = {
    "marokkaans": ("Samira", "Youssef", "Nadia", "Karim"), "amazigh": ("Tiziri", "Massin", "Thraya"),
    "turks": ("Ayşe", "Mehmet", "Elif", "Emre"), "koerdisch": ("Rojda", "Baran", "Zozan"),
    "surinaams": ("Sharon", "Ramon", "Anjali"), "antilliaans": ("Gisela", "Jair", "Shudeska"),
    "ghanees": ("Akosua", "Kwame", "Abena"), "kaapverdisch": ("Nelson", "Djenifa", "Zeca"),
    "eritrees": ("Selam", "Tesfay", "Helen", "Yonas"), "syrisch": ("Rania", "Omar", "Lina"),
    "somalisch": ("Hodan", "Abdi", "Faadumo"), "afghaans": ("Farida", "Ahmad", "Mariam"),
    "pools": ("Agnieszka", "Piotr", "Kasia"),
}
_DUTCH_NAMES: Final = ("Anne", "Joost", "Marieke", "Bas", "Fenna", "Ruud", "Ilse")
_SURNAMES: Final = ("Voorbeeld", "Proef", "Fictief", "Denkbeeld", "Testers", "Demo")
_ROLES: Final = ("voorzitter", "coördinator", "secretaris", "penningmeester", "vrijwilliger")


def day_text(day: int) -> str:
    """The ISO date ``day`` days after :data:`EPOCH` (clamped to the history window)."""
    return _DATES[min(max(day, 0), END_DAY)]


def stamp(day: int, hour: int = 10) -> str:
    """An ISO 8601 UTC timestamp in the form the store writes (``…T10:00:00Z``)."""
    return f"{day_text(day)}T{hour:02d}:00:00Z"


def lower_first(text: str) -> str:
    """A vocabulary name inside a Dutch sentence: ``'Eenzaamheid'`` → ``'eenzaamheid'``.

    ``Nederlandse`` keeps its capital, as Dutch writes it.
    """
    return text if text.startswith("Nederlandse") else text[:1].lower() + text[1:]


def slugify(text: str) -> str:
    """Lowercase ASCII with hyphens: ``'Ayşe Proef'`` → ``'ayse-proef'``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = "".join(c if c.isalnum() else "-" for c in ascii_text.lower())
    return "-".join(part for part in out.split("-") if part)


def contact_person(rng: random.Random, communities: Sequence[str], number: int) -> dict[str, str]:
    """A fictional contact: invented name, e-mail at example.org, a phone number that is not in use."""
    pool: tuple[str, ...] = _DUTCH_NAMES
    for slug in communities:
        if slug in _FIRST_NAMES:
            pool = _FIRST_NAMES[slug]
            break
    first, last = rng.choice(pool), rng.choice(_SURNAMES)
    return {
        "name": f"{first} {last}",
        "role": rng.choice(_ROLES),
        "email": f"{slugify(first)}.{slugify(last)}{number % 1000}@example.org",
        "phone": f"020-000{number % 10_000:04d}",
    }


def vocabulary_records(vocab: Vocabulary) -> tuple[list[Node], list[Relationship]]:
    """Interest and Capability nodes from the vocabulary, with ``PART_OF`` for parent themes."""
    nodes = [
        Node(t.id, "Interest", {"name": t.nl, "name_en": t.en, **({"parent": t.parent} if t.parent else {})})
        for t in vocab.interests
    ]
    nodes += [Node(t.id, "Capability", {"name": t.nl, "name_en": t.en, "group": t.group})
              for t in vocab.capabilities]
    rels = [Relationship("PART_OF", t.id, t.parent) for t in vocab.interests if t.parent]
    return nodes, rels


def community_nodes() -> list[Node]:
    return [Node(f"comm-{c.slug}", "Community", {"name": c.nl, "name_en": c.en}) for c in COMMUNITIES]


def area_id(code: str) -> str:
    """``'E'`` → ``'area-e'``, ``'FC'`` → ``'area-wk0363fc'``, ``'FC01'`` → ``'area-bu0363fc01'``."""
    if len(code) == 1:
        return f"area-{code.lower()}"
    prefix = "wk" if len(code) == 2 else "bu"
    return f"area-{prefix}{CBS_MUNICIPALITY}{code.lower()}"


def district_node(letter: str, name: str) -> Node:
    return Node(area_id(letter), "Neighbourhood",
                {"name": name, "code": letter, "level": "district", "district": letter})


def wijk_node(code: str, name: str) -> Node:
    return Node(area_id(code), "Neighbourhood", {
        "name": name, "code": f"WK{CBS_MUNICIPALITY}{code}", "level": "wijk", "district": code[0],
        "parent": area_id(code[0]),
    })


def buurt_node(code: str, name: str) -> Node:
    return Node(area_id(code), "Neighbourhood", {
        "name": name, "code": f"BU{CBS_MUNICIPALITY}{code}", "level": "buurt", "district": code[0],
        "parent": area_id(code[:2]),
    })


def rung_path(rng: random.Random, final: int) -> list[int]:
    """The rungs a tie passed on its way to ``final``: straight in, or climbing from below."""
    if final <= 1:
        return [1]
    x = rng.random()
    start = final if x < 0.35 else 1 if x < 0.75 else rng.randint(2, final)
    path = [start]
    while path[-1] < final:
        jump = 2 if rng.random() < 0.2 and path[-1] + 2 <= final else 1
        path.append(path[-1] + jump)
    return path


def plan_climb(
    rng: random.Random,
    final: int,
    sessions: Sequence[tuple[int, str]] = (),
    pinned: tuple[int, str] | None = None,
) -> list[tuple[int, int, str]]:
    """``(rung, day, session)`` steps of one tie, days strictly increasing inside the window.

    ``sessions`` (sorted by day) are meetings a step may be moved to; ``pinned`` fixes the day
    and session of the last step (a tie that reached rung 5 when an agenda item was adopted).
    """
    rungs = rung_path(rng, final)
    n = len(rungs)
    if pinned is not None:
        last, session = pinned
        gaps = [rng.randint(40, 240) for _ in range(n - 1)]
        room = max(last - 1, 0)
        if sum(gaps) > room:  # squeeze the climb into the time before the pinned step
            gaps = [max(1, g * room // max(sum(gaps), 1)) for g in gaps]
        days = [last]
        for g in reversed(gaps):
            days.append(max(days[-1] - g, 0))
        days.reverse()
        return [(r, d, session if i == n - 1 else "") for i, (r, d) in enumerate(zip(rungs, days, strict=True))]
    # leave room for every later step (gap + a possible move to a meeting) inside the window
    day = rng.randint(0, max(0, END_DAY - (n - 1) * (_GAP_HI + _SNAP) - _SNAP))
    steps: list[tuple[int, int, str]] = []
    session_days = [s[0] for s in sessions]
    for i, rung in enumerate(rungs):
        if i:
            day += rng.randint(30, _GAP_HI)
        session = ""
        k = bisect_left(session_days, day)
        # ladder meetings are where most climbs happen: move the step to the next meeting nearby
        if k < len(sessions) and session_days[k] - day <= _SNAP and rng.random() < 0.6:
            day, session = sessions[k]
        if steps and day <= steps[-1][1]:
            day = steps[-1][1] + 1
        steps.append((rung, min(day, END_DAY), session))
    return steps


def tie_climb(
    rng: random.Random, a: str, b: str, steps: Sequence[tuple[int, int, str]], notes: bool = True
) -> list[Relationship]:
    """One ``TIE`` record per step; writing them in order leaves the climb in the tie history."""
    since = day_text(steps[0][1])
    out = []
    for rung, day, session in steps:
        props: dict[str, Any] = {"rung": rung, "since": since}
        if session:
            props.update(changed_at=stamp(day, 19), source="session", session=session,
                         declared_by="both", confirmed_at=stamp(day, 19))
        else:
            source, declared = rng.choice(
                (("coach-visit", "coach"), ("coach-visit", "coach"), ("self-report", "self"),
                 ("self-report", "self"), ("self-report", "both")))
            props.update(changed_at=stamp(day, rng.randint(9, 17)), source=source, declared_by=declared)
        if notes and rng.random() < 0.5:
            props["note"] = rng.choice(RUNG_NOTES[rung])
        out.append(Relationship("TIE", a, b, props))
    return out
