"""Plans the demo's ties: who is tied to whom, on which rung, and how each tie climbed there."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from graphsvc.demo.common import plan_climb, tie_climb
from graphsvc.model import Relationship, tie_pair

__all__ = ["SessionPlan", "AgendaPlan", "TiePlanner"]

# How often each rung is the final rung of an ordinary tie. Rung 5 (co-owning an agenda item)
# only comes from the agenda, so every rung-5 tie points at a real agenda item.
_CLUSTER_RUNGS = ((1, 2, 3, 4), (18, 34, 30, 18))
_INSTITUTION_RUNGS = ((1, 2, 3, 4), (20, 35, 30, 15))


class SessionPlan(NamedTuple):
    id: str
    day: int
    clusters: tuple[str, ...]


class AgendaPlan(NamedTuple):
    session: str
    status: str
    actors: tuple[str, ...]


class TiePlanner:
    """Ties inside clusters, around brokers and institutions, a few weak bridges, islands kept apart.

    ``member_of`` maps every actor to its clusters; ``islands`` never get a tie above rung 1.
    Committers of an adopted agenda item end on rung 5 with each other, at the meeting that
    adopted it.
    """

    def __init__(
        self,
        rng: random.Random,
        member_of: dict[str, list[str]],
        islands: set[str],
        sessions: Sequence[SessionPlan],
        agenda: Sequence[AgendaPlan],
    ) -> None:
        self.rng = rng
        self.member_of = member_of
        self.islands = islands
        self.sessions = sorted(sessions, key=lambda s: s.day)
        self.agenda = agenda
        self.final: dict[tuple[str, str], int] = {}
        self.pinned: dict[tuple[str, str], tuple[int, str]] = {}
        self.members: dict[str, list[str]] = defaultdict(list)  # cluster -> non-island orgs
        self.institutions = sorted(a for a in member_of if a.startswith("inst-"))
        for actor, clusters in member_of.items():
            if actor.startswith("org-") and actor not in islands:
                for c in clusters:
                    self.members[c].append(actor)

    def add(self, a: str, b: str, rung: int) -> None:
        if a != b:
            pair = tie_pair(a, b)
            self.final[pair] = max(self.final.get(pair, 0), rung)

    def plan(self) -> None:
        rng = self.rng
        for cluster in sorted(self.members):
            members = self.members[cluster]
            for org in members:
                for _ in range(rng.randint(1, 3)):
                    self.add(org, rng.choice(members), rng.choices(*_CLUSTER_RUNGS)[0])
        for org, clusters in self.member_of.items():
            if len(clusters) > 1 and org.startswith("org-"):  # brokers hold solid ties everywhere
                for cluster in clusters:
                    for partner in rng.sample(self.members[cluster], k=2):
                        self.add(org, partner, rng.randint(3, 4))
        for inst in self.institutions:
            pool = sorted({m for c in self.member_of[inst] for m in self.members[c]})
            for partner in rng.sample(pool, k=min(len(pool), rng.randint(3, 6))):
                self.add(inst, partner, rng.choices(*_INSTITUTION_RUNGS)[0])
        for _ in range(10):
            a, b = rng.sample(self.institutions, k=2)
            if set(self.member_of[a]) & set(self.member_of[b]):
                self.add(a, b, rng.randint(2, 4))
        orgs = sorted({m for ms in self.members.values() for m in ms})
        for _ in range(12):  # weak bridges between clusters: people who know of each other
            a, b = rng.sample(orgs, k=2)
            if not set(self.member_of[a]) & set(self.member_of[b]):
                self.add(a, b, rng.randint(1, 2))
        self.plan_agenda()
        self.plan_islands()
        for org in orgs:  # everyone outside the islands has met at least one partner
            if not any(r >= 2 for (a, b), r in self.final.items() if org in (a, b)):
                self.add(org, rng.choice([m for m in self.members[self.member_of[org][0]] if m != org]), 2)

    def plan_agenda(self) -> None:
        days = {s.id: s.day for s in self.sessions}
        for item in self.agenda:
            actors = [a for a in item.actors if a not in self.islands]
            for i, a in enumerate(actors):
                for b in actors[i + 1:]:
                    if item.status == "proposed":
                        self.add(a, b, 2)  # proposing together means they have at least met
                    else:
                        self.add(a, b, 5)
                        self.pinned[tie_pair(a, b)] = (days[item.session], item.session)

    def plan_islands(self) -> None:
        for island in sorted(self.islands):
            if self.rng.random() < 0.6:
                cluster = self.member_of[island][0]
                pool = self.members[cluster] + [i for i in self.institutions if cluster in self.member_of[i]]
                self.final[tie_pair(island, self.rng.choice(pool))] = 1

    def sessions_for(self, a: str, b: str) -> list[tuple[int, str]]:
        clusters = set(self.member_of.get(a, ())) | set(self.member_of.get(b, ()))
        return [(s.day, s.id) for s in self.sessions if clusters & set(s.clusters)]

    def records(self) -> tuple[list[Relationship], dict[str, set[str]]]:
        """Tie records in time order (oldest change first) and who attended each session."""
        self.plan()
        steps: list[tuple[str, str, str, Relationship]] = []
        attended: dict[str, set[str]] = defaultdict(set)
        for (a, b), rung in sorted(self.final.items()):
            pinned = self.pinned.get((a, b)) if rung == 5 else None
            climb = plan_climb(self.rng, rung, self.sessions_for(a, b), pinned)
            for (_, _, session), rel in zip(climb, tie_climb(self.rng, a, b, climb), strict=True):
                steps.append((str(rel.props["changed_at"]), a, b, rel))
                if session:
                    attended[session].update((a, b))
        for item in self.agenda:
            attended[item.session].update(item.actors)
        for s in self.sessions:  # some come, listen and do not (yet) climb: islands too
            pool = sorted({m for c in s.clusters for m in self.member_of if c in self.member_of[m]})
            attended[s.id].update(self.rng.sample(pool, k=min(len(pool), 3)))
        steps.sort(key=lambda s: s[:3])
        return [s[3] for s in steps], attended
