"""The demo dataset: a fictional partnership network in Amsterdam West and Nieuw-West.

Area names are real (see :mod:`graphsvc.demo.places` for how the codes were chosen); every
organisation, institution, fund, person, Chamber of Commerce number (``99…``) and e-mail address
(``…@example.org``) is invented. The network is deliberately structured: clusters of organisations
around themes and areas, brokers between clusters, institutions tied to organisations, funds that
concentrate on clusters, islands, and ties that climb the ladder at meetings.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date

from graphsvc.demo import common
from graphsvc.demo.capacity import demo_capacity_records
from graphsvc.demo.ladder import AgendaPlan, SessionPlan, TiePlanner
from graphsvc.demo.organisations import KIND_CODES, LEGAL_CODES, ORGANISATIONS, OrgRow
from graphsvc.demo.partners import (
    AGENDA,
    FUNDS,
    INSTITUTIONS,
    SECTOR_NEEDS,
    SECTOR_OFFERS,
    SESSIONS,
    FundRow,
)
from graphsvc.demo.places import CLUSTERS, COMMUNITIES, DISTRICTS, WIJKEN, Cluster
from graphsvc.demo.signals import demo_signal_records
from graphsvc.model import Node, Relationship
from graphsvc.store.base import GraphStore
from graphsvc.vocab import Vocabulary, load_vocabulary

__all__ = ["DEMO_SEED", "demo_records", "load_demo"]

DEMO_SEED = 2004  # the year the bindingsladder method started; any fixed number would do

_GOLD = ("eigen-kracht", "ervaringskennis", "vertrouwensnetwerk", "vroegsignalering", "intermediair")
_SUPPORT = ("bestuur", "financiele-administratie", "vrijwilligersbeleid", "fondsenwerving",
            "positionering", "innovatie", "huisvesting")
_PRACTICAL_NEEDS = ("vertaling", "vergaderruimte", "vrijwilligers", "training", "communicatie")
_BRIDGE_NEEDS = ("vertrouwensnetwerk", "intermediair", "vertaling", "vertrouwenspersonen")


def demo_records() -> tuple[list[Node], list[Relationship]]:
    """All demo nodes, then all relationships in the order they must be written.

    A tie that climbed the ladder appears once per rung it passed, oldest first, so writing the
    records in order leaves the climb in the store's tie history. The output is the same on
    every call (fixed seed).

    Examples
    --------
    >>> nodes, rels = demo_records()
    >>> sum(n.label == "Organisation" for n in nodes) >= 120
    True
    >>> nodes[0].label, rels[-1].type
    ('Neighbourhood', 'TIE')
    """
    nodes, rels = _DemoBuilder(load_vocabulary()).build()
    # a third of the organisations carry dated capacity assessments (confidential)
    return demo_capacity_records(nodes, rels), rels


def load_demo(store: GraphStore, *, only_if_empty: bool = True) -> bool:
    """Write the demo dataset into ``store`` in one transaction; return whether it was written.

    With ``only_if_empty`` (the default) a store that holds any node is left alone. Loading into
    a store that already holds the demo changes nothing: a tie that exists is only brought to its
    final state, its climb is not replayed.

    Examples
    --------
    >>> from graphsvc.store import open_store
    >>> store = open_store("sqlite:///:memory:")
    >>> load_demo(store), load_demo(store)
    (True, False)
    """
    if only_if_empty and not store.is_empty():
        return False
    nodes, rels = demo_records()
    existing = set() if store.is_empty() else {(r.start, r.end) for r in store.iter_relationships("TIE")}
    last_step = {(r.start, r.end): i for i, r in enumerate(rels) if r.type == "TIE"}
    with store.transaction(source="demo") as tx:
        tx.upsert_nodes(nodes)
        for i, rel in enumerate(rels):
            pair = (rel.start, rel.end)
            # replaying a climb over an existing tie would record a fall and a new climb
            if rel.type == "TIE" and pair in existing and last_step[pair] != i:
                continue
            tx.upsert_relationship(rel)
    return True


def _words(text: str) -> list[str]:
    return text.split()


def _join(items: list[str]) -> str:
    """Dutch enumeration: ``a``, ``a en b``, ``a, b en c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]


class _DemoBuilder:
    """Builds the demo graph step by step from the tables in :mod:`graphsvc.demo`."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.rng = random.Random(DEMO_SEED)
        self.interests = {t.id: t for t in vocab.interests}
        self.capabilities = {t.id for t in vocab.capabilities}
        self.kinds = {t.id: t.nl for t in vocab.kinds.get("organisation_kinds", ())}
        self.sectors = {t.id: t.nl for t in vocab.kinds.get("institution_sectors", ())}
        self.fund_types = {t.id: t.nl for t in vocab.kinds.get("fund_types", ())}
        self.clusters: dict[str, Cluster] = {c.id: c for c in CLUSTERS}
        self.area_names = {w.code: w.name for w in WIJKEN} | dict(DISTRICTS)
        self.community_phrase = {c.slug: c.phrase for c in COMMUNITIES}
        self.nodes: list[Node] = []
        self.rels: dict[str, list[Relationship]] = defaultdict(list)
        self.member_of: dict[str, list[str]] = {}  # actor id -> cluster ids
        self.islands: set[str] = set()
        self.session_days: dict[str, int] = {}

    def known(self, ids: Iterable[str]) -> list[str]:
        """Interest ids that exist in the (possibly edited) vocabulary."""
        return [i for i in ids if i in self.interests]

    def rel(self, rel_type: str, start: str, end: str, props: Mapping[str, object] | None = None,
            key: str = "") -> None:
        self.rels[rel_type].append(Relationship(rel_type, start, end, props or {}, key))

    def build(self) -> tuple[list[Node], list[Relationship]]:
        self.add_areas()
        vocab_nodes, part_of = common.vocabulary_records(self.vocab)
        self.nodes += vocab_nodes + common.community_nodes()
        self.rels["PART_OF"] += part_of
        for row in ORGANISATIONS:
            self.add_organisation(row)
        self.add_institutions()
        self.add_funds()
        self.add_sessions_and_agenda()
        ties = self.plan_ties()
        signals, signal_rels = demo_signal_records(self.nodes, (r for t in self.rels.values() for r in t))
        self.nodes += signals
        for rel in signal_rels:
            self.rels[rel.type].append(rel)
        order = ("PART_OF", "ACTIVE_IN", "WORKS_ON", "SERVES", "OFFERS", "NEEDS", "PRIORITISES",
                 "FUNDS", "HELD_IN", "ABOUT", "FOR", "COMMITS_TO", "ATTENDED",
                 "SIGNALLED_BY", "SIGNAL_OF", "SIGNAL_IN", "SIGNAL_AMONG")
        return self.nodes, [r for t in order for r in self.rels[t]] + ties

    def add_areas(self) -> None:
        for letter, name in DISTRICTS:
            self.nodes.append(common.district_node(letter, name))
        for wijk in WIJKEN:
            self.nodes.append(common.wijk_node(wijk.code, wijk.name))
            self.rel("PART_OF", common.area_id(wijk.code), common.area_id(wijk.code[0]))

    def add_organisation(self, row: OrgRow) -> None:
        rng = self.rng
        org_id = f"org-{row.slug}"
        clusters = [self.clusters[c] for c in row.clusters.split("+")]
        self.member_of[org_id] = [c.id for c in clusters]
        if row.island:
            self.islands.add(org_id)
        # areas: mostly the home cluster's wijken; a broker also works in its other clusters
        pool = [w for c in clusters for w in c.wijken]
        areas = list(dict.fromkeys(rng.sample(pool, k=min(len(pool), 1 if row.island else rng.randint(1, 3)))))
        for code in areas:
            self.rel("ACTIVE_IN", org_id, common.area_id(code))
        themes = self.known(_words(row.focus))
        core = self.known(t for c in clusters for t in c.themes)
        extra = self.known(t for c in clusters for t in c.extra)
        wanted = rng.randint(2, 5)
        for t in rng.sample(core, k=len(core)):
            if len(themes) < max(wanted - 1, 2) and t not in themes:
                themes.append(t)
        if len(themes) < wanted and rng.random() < 0.6:
            themes += [t for t in rng.sample(extra, k=1) if t not in themes]
        for i, theme in enumerate(themes):
            self.rel("WORKS_ON", org_id, theme, {"weight": 3 if i == 0 else rng.choice((1, 2, 2, 3))})
        communities = _words(row.communities)
        for slug in communities:
            self.rel("SERVES", org_id, f"comm-{slug}")
        self.add_capabilities(org_id, row, clusters[0])
        self.nodes.append(Node(org_id, "Organisation", self.org_props(row, areas, themes, clusters)))

    def add_capabilities(self, org_id: str, row: OrgRow, cluster: Cluster) -> None:
        """What the organisation brings and lacks, so that partners can complement each other."""
        rng = self.rng
        needs = rng.sample(_SUPPORT, k=rng.randint(1, 3))
        if row.legal == "inf" and "bestuur" not in needs:
            needs.append("bestuur")  # informal groups are the ones asking for a board and books
        if rng.random() < 0.45:
            needs.append(rng.choice(_PRACTICAL_NEEDS))
        if row.kind in ("vol", "res") and rng.random() < 0.5:
            needs.append(rng.choice(_BRIDGE_NEEDS))  # a way into communities they do not reach
        offers = rng.sample(_GOLD, k=rng.randint(1, 3)) + rng.sample(cluster.offers, k=rng.randint(0, 2))
        if row.legal != "inf" and rng.random() < 0.35:
            # established organisations can coach others in what they once had to learn
            offers += [c for c in rng.sample(_SUPPORT[:5], k=1) if c not in needs]
        for cap in dict.fromkeys(offers):
            if cap in self.capabilities and cap not in needs:
                self.rel("OFFERS", org_id, cap, self.offer_note(cap, row))
        for cap in dict.fromkeys(needs):
            if cap in self.capabilities:
                self.rel("NEEDS", org_id, cap)

    def offer_note(self, cap: str, row: OrgRow) -> dict[str, str]:
        if cap == "vertaling":
            langs = [common.LANGUAGE_NAMES.get(x, x) for x in _words(row.languages) if x != "nl"]
            return {"note": "Tolken in het " + _join(langs)} if langs else {}
        if cap == "vergaderruimte":
            return {"note": f"Zaal voor ongeveer {self.rng.choice((15, 25, 40, 60))} personen"}
        return {}

    def org_props(self, row: OrgRow, areas: list[str], themes: list[str],
                  clusters: list[Cluster]) -> dict[str, object]:
        rng = self.rng
        kind = KIND_CODES[row.kind]
        legal = LEGAL_CODES[row.legal]
        first = 2010 if legal == "informal" else 1985 if row.kind in ("mso", "rel") else 1995
        if row.island:
            flavour = "Werkt vooral op eigen kracht en heeft weinig contact met andere organisaties."
        elif len(clusters) > 1:
            flavour = "Verbindt organisaties uit verschillende wijken en gemeenschappen."
        else:
            flavour = rng.choice(clusters[0].flavour)
        communities = [self.community_phrase[c] for c in _words(row.communities)]
        theme_names = [common.lower_first(self.interests[t].nl) for t in themes[:3]]
        description = (
            f"{self.kinds.get(kind, kind)} in {_join([self.area_names[a] for a in areas])} voor "
            f"{_join(communities)}. Werkt aan {_join(theme_names)}. {flavour}"
        )
        contacts = [common.contact_person(rng, _words(row.communities), len(self.nodes) * 3 + i)
                    for i in range(rng.randint(1, 2))]
        props: dict[str, object] = {
            "name": row.name, "kind": kind, "legal_form": legal,
            "founded": rng.randint(first, 2024), "volunteers": int(rng.triangular(3, 60, 8)),
            "languages": _words(row.languages), "description": description,
            "core_business": rng.choice(clusters[0].core_business), "contact_persons": contacts,
        }
        if legal != "stichting":  # a foundation has no members; associations and groups do
            props["members"] = rng.randint(30, 400) if legal == "vereniging" else rng.randint(8, 80)
        if legal != "informal" and rng.random() < 0.85:
            props["kvk"] = f"99{rng.randrange(10**6):06d}"  # 99…: obviously not a real number
        return props

    def add_institutions(self) -> None:
        rng = self.rng
        for row in INSTITUTIONS:
            inst_id = f"inst-{row.slug}"
            self.member_of[inst_id] = _words(row.clusters)
            areas = _words(row.areas)
            where = _join([self.area_names[a] for a in areas])
            sector = self.sectors.get(row.sector, row.sector)
            self.nodes.append(Node(inst_id, "Institution", {
                "name": row.name, "sector": row.sector,
                "description": f"Fictieve instelling voor de demo: {common.lower_first(sector)} in {where}.",
            }))
            for code in areas:
                self.rel("ACTIVE_IN", inst_id, common.area_id(code))
            themes = self.known(_words(row.themes))
            for theme in themes:
                self.rel("WORKS_ON", inst_id, theme, {"weight": rng.randint(2, 3)})
            if themes and (row.sector in ("welfare", "municipal") or rng.random() < 0.4):
                self.rel("PRIORITISES", inst_id, themes[0])
            for rel_type, table in (("OFFERS", SECTOR_OFFERS), ("NEEDS", SECTOR_NEEDS)):
                for cap in rng.sample(table[row.sector], k=rng.randint(1, 2)):
                    if cap in self.capabilities:
                        self.rel(rel_type, inst_id, cap)

    def add_funds(self) -> None:
        for row in FUNDS:
            priorities = self.known(_words(row.priorities))
            fund_type = self.fund_types.get(row.fund_type, row.fund_type)
            names = _join([common.lower_first(self.interests[p].nl) for p in priorities]) if priorities else "-"
            self.nodes.append(Node(f"fund-{row.slug}", "Fund", {
                "name": row.name, "fund_type": row.fund_type,
                "description": f"Fictief fonds voor de demo ({common.lower_first(fund_type)}). Prioriteiten: {names}.",
            }))
            for p in priorities:
                self.rel("PRIORITISES", f"fund-{row.slug}", p)
        _GrantMaker(self).add_grants()

    def add_sessions_and_agenda(self) -> None:
        for s in SESSIONS:
            sid = f"sess-{s.slug}"
            self.session_days[sid] = (date.fromisoformat(s.date) - common.EPOCH).days
            self.nodes.append(Node(sid, "Session", {"name": s.name, "date": s.date, "area": common.area_id(s.area)}))
            self.rel("HELD_IN", sid, common.area_id(s.area))
        for a in AGENDA:
            aid = f"agenda-{a.slug}"
            self.nodes.append(Node(aid, "AgendaItem", {
                "name": a.name, "status": a.status, "period": a.period, "session": f"sess-{a.session}",
            }))
            for interest in self.known(_words(a.interests)):
                self.rel("ABOUT", aid, interest)
            self.rel("FOR", aid, common.area_id(a.area))
            for actor in _agenda_actors(a.committers):
                self.rel("COMMITS_TO", actor, aid)

    def plan_ties(self) -> list[Relationship]:
        sessions = [SessionPlan(f"sess-{s.slug}", self.session_days[f"sess-{s.slug}"],
                                tuple(_words(s.clusters))) for s in SESSIONS]
        agenda = [AgendaPlan(f"sess-{a.session}", a.status, tuple(_agenda_actors(a.committers)))
                  for a in AGENDA]
        ties, attended = TiePlanner(self.rng, self.member_of, self.islands, sessions, agenda).records()
        for session in sorted(attended):
            for actor in sorted(attended[session]):
                self.rel("ATTENDED", actor, session)
        return ties


def _agenda_actors(text: str) -> list[str]:
    return [f"inst-{w[5:]}" if w.startswith("inst:") else f"org-{w}" for w in _words(text)]


class _GrantMaker:
    """FUNDS relationships: funds concentrate on their clusters; some organisations have one funder."""

    def __init__(self, builder: _DemoBuilder) -> None:
        self.b = builder
        self.counter: dict[str, int] = defaultdict(int)

    def add_grants(self) -> None:
        rng = self.b.rng
        for row in ORGANISATIONS:
            org_id = f"org-{row.slug}"
            clusters = set(row.clusters.split("+"))
            if row.legal == "inf" or row.island:
                n_funders = 1 if rng.random() < 0.45 else 0
            else:
                n_funders = rng.choices((0, 1, 2, 3), weights=(6, 35, 37, 22))[0]
            weights = [4 if clusters & set(_words(f.clusters)) else 0.4 for f in FUNDS]
            funders: list[int] = []
            while len(funders) < n_funders:
                pick = rng.choices(range(len(FUNDS)), weights=weights)[0]
                if pick not in funders:
                    funders.append(pick)
            for rank, index in enumerate(funders):
                grants = rng.randint(1, 3) if rank == 0 else rng.randint(1, 2)
                for year in sorted(rng.sample(range(2021, 2027), k=grants)):
                    self.grant(FUNDS[index], org_id, year, small=row.legal == "inf")

    def grant(self, fund: FundRow, org_id: str, year: int, small: bool) -> None:
        rng = self.b.rng
        high = fund.high // 3 if small else fund.high
        amount = max(fund.low, round(rng.uniform(fund.low, max(high, fund.low)) / 250) * 250)
        self.counter[fund.slug] += 1
        key = f"grant-{fund.slug}-{year}-{self.counter[fund.slug]:03d}"
        status = "completed" if year <= 2024 else "pending" if year == 2026 and rng.random() < 0.25 else "active"
        years = 2 if rng.random() < 0.2 else 1
        themes = [r.end for r in self.b.rels["WORKS_ON"] if r.start == org_id]
        theme = self.b.interests[rng.choice(themes)].nl if themes else "Activiteiten"
        self.b.rel("FUNDS", f"fund-{fund.slug}", org_id, {
            "amount": amount, "year": year, "start": f"{year}-01-01", "end": f"{year + years - 1}-12-31",
            "status": status, "title": f"{theme} {year}" + ("" if years == 1 else f"-{year + 1}"),
        }, key)

