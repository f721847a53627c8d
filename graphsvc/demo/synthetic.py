"""The generator's model: a planned synthetic graph that streams its nodes and relationships.

The plan (areas, clusters, institutions, funds, meetings and, per organisation, its cluster and
whether it is an island) is small and made up front; records are produced lazily so that 100k
organisations do not need the whole graph in memory.
"""

from __future__ import annotations

import random
from array import array
from bisect import insort
from collections.abc import Iterator
from typing import Any, NamedTuple

from graphsvc.demo import common
from graphsvc.demo.places import COMMUNITIES, DISTRICTS, EXTRA_DISTRICTS, WIJKEN
from graphsvc.demo.words import (
    AREA_PARTS,
    BUURT_PARTS,
    FUND_WORDS,
    INSTITUTION_WORDS,
    NAME_STYLES,
)
from graphsvc.model import Node, Relationship
from graphsvc.vocab import Vocabulary

__all__ = ["SyntheticGraph"]

_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # second letter of a wijk code (no I or O)
_KINDS = ("migrant-self-organisation", "volunteer-organisation", "residents-initiative",
          "religious-organisation", "womens-organisation", "youth-organisation")
_LEGAL = (("stichting", "vereniging", "informal"), (50, 25, 25))
_FUND_TYPES = (("private-fund", "municipality", "national-government", "lottery", "corporate"),
               (40, 25, 10, 10, 15))
_GRANT_RANGE = {"private-fund": (1_000, 25_000), "municipality": (2_500, 40_000),
                "national-government": (20_000, 120_000), "lottery": (5_000, 50_000),
                "corporate": (1_000, 15_000)}
_SECTORS = tuple(INSTITUTION_WORDS)
_STATUSES = ("proposed", "adopted", "in_progress", "done")
_TIE_RUNGS = ((1, 2, 3, 4, 5), (20, 34, 27, 15, 4))
_FIRST_TIE = ((2, 3, 4), (50, 32, 18))  # the tie that keeps an organisation off the islands
ISLAND_SHARE = 0.05
ORGS_PER_BUURT = 25
ORGS_PER_CLUSTER = 40
_RUN = 65_536  # cluster numbers drawn at once


class _Cluster(NamedTuple):
    wijk: int
    style: int
    themes: tuple[str, ...]
    community: str
    funds: tuple[int, ...]


class SyntheticGraph:
    """A reproducible synthetic graph with planted theme+area clusters (see :mod:`graphsvc.generate`)."""

    def __init__(self, orgs: int, seed: int, vocab: Vocabulary) -> None:
        self.orgs = orgs
        self.seed = seed
        rng = random.Random(f"goudkaart-generate:{seed}:plan")
        self.interests = [t.id for t in vocab.interests]
        self.vocab = vocab
        groups: dict[str, list[str]] = {"gold": [], "support": [], "practical": []}
        for t in vocab.capabilities:
            groups.setdefault(t.group, []).append(t.id)
        self.gold, self.support, self.practical = groups["gold"], groups["support"], groups["practical"]
        # skewed theme popularity: a few themes everywhere, a long tail of rare ones
        order = rng.sample(self.interests, k=len(self.interests))
        self.theme_rank = order
        self.theme_cum = _cumulative([1 / (r + 1) ** 1.1 for r in range(len(order))])
        self.theme_names = {t.id: t.nl for t in vocab.interests}
        self._plan_areas(rng)
        self.n_funds = max(12, orgs // 10)
        self.fund_types = rng.choices(_FUND_TYPES[0], weights=_FUND_TYPES[1], k=self.n_funds)
        self._plan_clusters(rng)
        self._plan_institutions(rng)
        self._plan_sessions(rng)

    # -- plan ------------------------------------------------------------------------------------
    def _plan_areas(self, rng: random.Random) -> None:
        real = {w.code: w.name for w in WIJKEN}
        east, west = [w for w in WIJKEN if w.code[0] == "E"], [w for w in WIJKEN if w.code[0] == "F"]
        codes = [w.code for pair in zip(west, east, strict=False) for w in pair]
        names = dict(DISTRICTS + EXTRA_DISTRICTS)
        codes += [d + x for d in names for x in _LETTERS if d + x not in real]
        n_buurten = max(6, self.orgs // ORGS_PER_BUURT)
        n_wijken = max(3, min(len(codes), -(-n_buurten // 6)))
        n_buurten = min(n_buurten, n_wijken * 99)  # buurt codes have two digits
        self.wijken = [(c, real.get(c) or self._area_name(rng)) for c in codes[:n_wijken]]
        self.districts = [(d, names[d]) for d in dict.fromkeys(c[0] for c, _ in self.wijken)]
        self.buurten: list[tuple[str, str]] = []
        self.buurten_of: list[list[str]] = [[] for _ in self.wijken]
        for k in range(n_buurten):
            w = k % n_wijken
            number = k // n_wijken + 1
            code, wname = self.wijken[w]
            part = BUURT_PARTS[(number - 1) % len(BUURT_PARTS)]
            suffix = "" if number <= len(BUURT_PARTS) else f" {(number - 1) // len(BUURT_PARTS) + 1}"
            self.buurten.append((f"{code}{number:02d}", f"{wname} {part}{suffix}"))
            self.buurten_of[w].append(common.area_id(f"{code}{number:02d}"))
        self.all_buurten = [b for bs in self.buurten_of for b in bs]

    @staticmethod
    def _area_name(rng: random.Random) -> str:
        return rng.choice(AREA_PARTS[0]) + rng.choice(AREA_PARTS[1])

    def _themes(self, rng: random.Random, k: int) -> list[str]:
        out: list[str] = []
        while len(out) < k:
            t = rng.choices(self.theme_rank, cum_weights=self.theme_cum)[0]
            if t not in out:
                out.append(t)
        return out

    def _plan_clusters(self, rng: random.Random) -> None:
        n = max(3, self.orgs // ORGS_PER_CLUSTER)
        style_weights = [6 if s.languages[0] in ("nl", "en") else 2 for s in NAME_STYLES]
        self.clusters = []
        for _ in range(n):
            style = rng.choices(range(len(NAME_STYLES)), weights=style_weights)[0]
            self.clusters.append(_Cluster(
                wijk=rng.randrange(len(self.wijken)), style=style,
                themes=tuple(self._themes(rng, rng.randint(2, 3))),
                community=rng.choice(NAME_STYLES[style].communities),
                funds=(rng.randrange(self.n_funds), rng.randrange(self.n_funds)),
            ))
        sizes = _cumulative([rng.lognormvariate(0, 0.6) for _ in range(n)])
        # a 4-byte int per organisation (a list held a pointer and an int object: 36 bytes); drawn
        # in runs, which gives the very same numbers as one call
        self.cluster_of = array("i")
        for start in range(0, self.orgs, _RUN):
            self.cluster_of.extend(rng.choices(range(n), cum_weights=sizes, k=min(_RUN, self.orgs - start)))
        self.island = bytes(rng.random() < ISLAND_SHARE for _ in range(self.orgs))

    def _plan_institutions(self, rng: random.Random) -> None:
        n = max(4, round(self.orgs / 4))
        self.institutions = [(rng.choice(_SECTORS), rng.randrange(len(self.wijken))) for _ in range(n)]
        self.inst_in: dict[str, list[str]] = {}  # district letter -> institution ids
        for i, (_, wijk) in enumerate(self.institutions):
            self.inst_in.setdefault(self.wijken[wijk][0][0], []).append(f"inst-{i:06d}")

    def _plan_sessions(self, rng: random.Random) -> None:
        n = max(2, len(self.clusters) // 3)
        self.sessions = sorted((rng.randint(0, common.END_DAY), rng.randrange(len(self.clusters)))
                               for _ in range(n))
        self.cluster_sessions: dict[int, list[tuple[int, str]]] = {}
        for s, (day, cluster) in enumerate(self.sessions):
            insort(self.cluster_sessions.setdefault(cluster, []), (day, f"sess-{s:05d}"))

    # -- nodes -----------------------------------------------------------------------------------
    def nodes(self) -> Iterator[Node]:
        rng = random.Random(f"goudkaart-generate:{self.seed}:nodes")
        yield from (common.district_node(d, name) for d, name in self.districts)
        yield from (common.wijk_node(code, name) for code, name in self.wijken)
        yield from (common.buurt_node(code, name) for code, name in self.buurten)
        yield from common.vocabulary_records(self.vocab)[0]
        yield from common.community_nodes()
        for f, fund_type in enumerate(self.fund_types):
            name = f"{rng.choice(FUND_WORDS[0])} {rng.choice(FUND_WORDS[1])} {f + 1}"
            yield Node(f"fund-{f:05d}", "Fund", {"name": name, "fund_type": fund_type,
                                                 "description": "Gegenereerd, fictief fonds."})
        for i, (sector, wijk) in enumerate(self.institutions):
            name = f"{rng.choice(INSTITUTION_WORDS[sector])} {self.wijken[wijk][1]} {i + 1}"
            yield Node(f"inst-{i:06d}", "Institution", {"name": name, "sector": sector,
                                                        "description": "Gegenereerde, fictieve instelling."})
        for i in range(self.orgs):
            yield Node(f"org-{i:06d}", "Organisation", self._org_props(rng, i))
        for s, (day, cluster) in enumerate(self.sessions):
            area = common.area_id(self.wijken[self.clusters[cluster].wijk][0])
            yield Node(f"sess-{s:05d}", "Session", {"name": f"Ladderbijeenkomst {s + 1}",
                                                    "date": common.day_text(day), "area": area})
            theme = self.theme_names[self.clusters[cluster].themes[0]]
            yield Node(f"agenda-{s:05d}", "AgendaItem", {
                "name": f"{theme} in de wijk", "status": rng.choice(_STATUSES),
                "period": f"{2023 + day // 365}-{2024 + day // 365}", "session": f"sess-{s:05d}",
            })

    def _org_props(self, rng: random.Random, i: int) -> dict[str, Any]:
        cluster = self.clusters[self.cluster_of[i]]
        style = NAME_STYLES[cluster.style if rng.random() < 0.7 else rng.randrange(len(NAME_STYLES))]
        wijk = self.wijken[cluster.wijk][1]
        name = rng.choice(style.templates).format(w=rng.choice(style.words))
        legal = rng.choices(_LEGAL[0], weights=_LEGAL[1])[0]
        themes = " en ".join(common.lower_first(self.theme_names[t]) for t in cluster.themes[:2])
        props: dict[str, Any] = {
            "name": f"{name} {wijk} {i + 1}",  # the number keeps 100k invented names apart
            "kind": rng.choice(_KINDS), "legal_form": legal, "founded": rng.randint(1980, 2025),
            "volunteers": int(rng.triangular(2, 80, 8)), "languages": list(style.languages),
            "description": f"Gegenereerde, fictieve organisatie in {wijk}. Werkt aan {themes}.",
            "core_business": f"Activiteiten rond {themes}",
            "contact_persons": [common.contact_person(rng, style.communities, i)],
        }
        if legal != "stichting":
            props["members"] = rng.randint(5, 400)
        if legal != "informal" and rng.random() < 0.8:
            # 7919 is prime to 10**6, so numbers are unique per seed; 99… is not a real KvK range
            props["kvk"] = f"99{(i * 7919 + self.seed * 104_729) % 1_000_000:06d}"
        return props

    # -- relationships ---------------------------------------------------------------------------
    def relationships(self) -> Iterator[Relationship]:
        rng = random.Random(f"goudkaart-generate:{self.seed}:relationships")
        R = Relationship
        for code, _ in self.wijken:
            yield R("PART_OF", common.area_id(code), common.area_id(code[0]))
        for code, _ in self.buurten:
            yield R("PART_OF", common.area_id(code), common.area_id(code[:2]))
        yield from common.vocabulary_records(self.vocab)[1]
        for f in range(self.n_funds):
            for theme in self._themes(rng, rng.randint(2, 4)):
                yield R("PRIORITISES", f"fund-{f:05d}", theme)
        yield from self._institution_relationships(rng)
        # earlier non-island organisations per cluster, by number (4 bytes each, not an id string)
        members: list[array[int]] = [array("i") for _ in self.clusters]
        for i in range(self.orgs):
            yield from self._org_relationships(rng, i, members)
        yield from self._session_relationships(rng, members)

    def _institution_relationships(self, rng: random.Random) -> Iterator[Relationship]:
        R = Relationship
        for i, (_, wijk) in enumerate(self.institutions):
            inst = f"inst-{i:06d}"
            yield R("ACTIVE_IN", inst, common.area_id(self.wijken[wijk][0]))
            themes = self._themes(rng, rng.randint(1, 2))
            for theme in themes:
                yield R("WORKS_ON", inst, theme, {"weight": rng.randint(1, 3)})
            if rng.random() < 0.4:
                yield R("PRIORITISES", inst, themes[0])
            yield R("OFFERS", inst, rng.choice(self.practical))
            yield R("NEEDS", inst, rng.choice(self.gold))
        for insts in (self.inst_in[d] for d in sorted(self.inst_in)):
            for _ in range(len(insts) // 4):
                a, b = rng.choice(insts), rng.choice(insts)
                if a != b:
                    yield from self._tie(rng, a, b, rng.randint(2, 4), [])

    def _org_relationships(self, rng: random.Random, i: int, members: list[array[int]]) -> Iterator[Relationship]:
        R = Relationship
        org = f"org-{i:06d}"
        c = self.cluster_of[i]
        cluster = self.clusters[c]
        home = self.buurten_of[cluster.wijk]
        area = rng.choice(home)
        yield R("ACTIVE_IN", org, area)
        x = rng.random()
        # some also work elsewhere: beyond their cluster's wijk, or in a second buurt of it
        other = rng.choice(self.all_buurten) if x < 0.15 else rng.choice(home) if x < 0.35 else area
        if other != area:
            yield R("ACTIVE_IN", org, other)
        themes = [cluster.themes[0]]
        if rng.random() < 0.8:
            themes.append(rng.choice(cluster.themes[1:]))
        for t in self._themes(rng, rng.choice((0, 0, 0, 1, 1, 2))):
            if t not in themes:
                themes.append(t)
        for k, t in enumerate(themes):
            yield R("WORKS_ON", org, t, {"weight": 3 if k == 0 else rng.randint(1, 3)})
        yield R("SERVES", org, f"comm-{cluster.community}")
        if rng.random() < 0.15:
            other_community = f"comm-{rng.choice(COMMUNITIES).slug}"
            if other_community != f"comm-{cluster.community}":
                yield R("SERVES", org, other_community)
        # offers and needs that complement each other: gold and know-how against what others lack
        need = rng.choice(self.support)
        yield R("OFFERS", org, rng.choice(self.gold))
        x = rng.random()
        offer = rng.choice(self.practical) if x < 0.25 else rng.choice(self.support) if x < 0.4 else need
        if offer != need:
            yield R("OFFERS", org, offer)
        yield R("NEEDS", org, need)
        if rng.random() < 0.3:
            yield R("NEEDS", org, rng.choice(self.practical))
        yield from self._grants(rng, org, cluster)
        yield from self._org_ties(rng, i, org, c, members)

    def _grants(self, rng: random.Random, org: str, cluster: _Cluster) -> Iterator[Relationship]:
        n = rng.choices((0, 1, 2), weights=(45, 40, 15))[0]
        for k in range(n):
            # funds concentrate on clusters: most grants come from the cluster's own funds
            f = rng.choice(cluster.funds) if rng.random() < 0.75 else rng.randrange(self.n_funds)
            low, high = _GRANT_RANGE[self.fund_types[f]]
            year = rng.randint(2021, 2026)
            status = "completed" if year <= 2024 else "active"
            yield Relationship("FUNDS", f"fund-{f:05d}", org, {
                "amount": round(rng.uniform(low, high) / 250) * 250, "year": year,
                "start": f"{year}-01-01", "end": f"{year}-12-31", "status": status,
                "title": f"Activiteiten {year}",
            }, f"grant-{org[4:]}-{k + 1}")

    def _org_ties(self, rng: random.Random, i: int, org: str, c: int,
                  members: list[array[int]]) -> Iterator[Relationship]:
        sessions = self.cluster_sessions.get(c, [])
        district = self.wijken[self.clusters[c].wijk][0][0]
        if self.island[i]:  # islands know of someone at most
            if rng.random() < 0.4 and members[c]:
                yield from self._tie(rng, org, _org_id(rng.choice(members[c])), 1, sessions)
            return
        peers = members[c]
        partners: set[str] = set()
        if peers:
            first = _org_id(rng.choice(peers))
        else:  # the first organisation of a cluster starts with a local institution
            first = rng.choice(self.inst_in.get(district) or [f"inst-{0:06d}"])
        partners.add(first)
        yield from self._tie(rng, org, first, rng.choices(*_FIRST_TIE)[0], sessions)
        for _ in range(rng.choices((0, 1, 2), weights=(45, 40, 15))[0]):
            x = rng.random()
            if x < 0.75 and peers:
                other = _org_id(rng.choice(peers))
            elif x < 0.87:  # bridges to other clusters
                pool = members[rng.randrange(len(members))]
                if not pool:
                    continue
                other = _org_id(rng.choice(pool))
            else:
                other = rng.choice(self.inst_in.get(district) or [first])
            if other not in partners:
                partners.add(other)
                yield from self._tie(rng, org, other, rng.choices(*_TIE_RUNGS)[0], sessions)
        peers.append(i)

    def _tie(self, rng: random.Random, a: str, b: str, rung: int,
             sessions: list[tuple[int, str]]) -> list[Relationship]:
        return common.tie_climb(rng, a, b, common.plan_climb(rng, rung, sessions))

    def _session_relationships(self, rng: random.Random, members: list[array[int]]) -> Iterator[Relationship]:
        R = Relationship
        for s, (_, cluster) in enumerate(self.sessions):
            sid, aid = f"sess-{s:05d}", f"agenda-{s:05d}"
            area = common.area_id(self.wijken[self.clusters[cluster].wijk][0])
            yield R("HELD_IN", sid, area)
            pool = members[cluster]
            for org in rng.sample(pool, k=min(len(pool), rng.randint(4, 8))):
                yield R("ATTENDED", _org_id(org), sid)
            yield R("ABOUT", aid, self.clusters[cluster].themes[0])
            yield R("FOR", aid, area)
            for org in rng.sample(pool, k=min(len(pool), rng.randint(2, 3))):
                yield R("COMMITS_TO", _org_id(org), aid)


def _org_id(i: int) -> str:
    return f"org-{i:06d}"


def _cumulative(weights: list[float]) -> list[float]:
    total = 0.0
    out = []
    for w in weights:
        total += w
        out.append(total)
    return out
