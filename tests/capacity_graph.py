"""A small graph for the coach-workspace tests: one organisation whose capacity profile, once a
need is confirmed, brings a new partner match (and moves another one up).

* ``org-amal`` works on Dutch language learning in De Kolenkit and offers translation.
* ``org-buurt`` works on the same theme in the same wijk: a match from the start.
* ``org-taalhuis`` works on the same theme in Nieuw-West and offers financial administration:
  a match from the start, which moves up when ``org-amal`` needs financial administration.
* ``org-boekhoud`` shares nothing with ``org-amal`` but offers financial administration: it only
  appears once that need is confirmed.
* ``org-other`` is another organisation (for "a member or coach of another organisation").
"""

from __future__ import annotations

from graphsvc.model import Node, Relationship
from graphsvc.store import GraphStore
from graphsvc.vocab import load_vocabulary

__all__ = ["seed_capacity_graph", "ORG", "NEW_PARTNER", "RISER", "OTHER", "FIN"]

ORG = "org-amal"
NEW_PARTNER = "org-boekhoud"
RISER = "org-taalhuis"
OTHER = "org-other"
FIN = "financiele-administratie"


def seed_capacity_graph(store: GraphStore) -> None:
    vocab = load_vocabulary()
    with store.transaction(source="test") as tx:
        for term in vocab.capabilities:
            tx.upsert_node(Node(term.id, "Capability", {"name": term.nl, "name_en": term.en,
                                                        "group": term.group}))
        tx.upsert_node(Node("area-e", "Neighbourhood", {"name": "West", "code": "E", "level": "district"}))
        tx.upsert_node(Node("area-f", "Neighbourhood", {"name": "Nieuw-West", "code": "F", "level": "district"}))
        tx.upsert_node(Node("area-kolenkit", "Neighbourhood", {"name": "De Kolenkit", "code": "WK0363EM",
                                                               "level": "wijk"}))
        tx.upsert_relationship(Relationship("PART_OF", "area-kolenkit", "area-e"))
        tx.upsert_node(Node("taal", "Interest", {"name": "Nederlandse taal", "name_en": "Dutch language learning"}))
        tx.upsert_node(Node("sport", "Interest", {"name": "Sport", "name_en": "Sport"}))
        tx.upsert_node(Node("comm-vrouwen", "Community", {"name": "Vrouwen", "name_en": "Women"}))
        tx.upsert_node(Node("comm-jongeren", "Community", {"name": "Jongeren", "name_en": "Young people"}))
        orgs = {
            ORG: ("Stichting Al Amal West", "taal", "area-kolenkit", "vertaling"),
            "org-buurt": ("Buurtvrouwen De Kolenkit", "taal", "area-kolenkit", "vergaderruimte"),
            RISER: ("Taalhuis Nieuw-West", "taal", "area-f", FIN),
            NEW_PARTNER: ("Boekhoudcollectief Oost", "sport", "", FIN),
            OTHER: ("Sportclub De Overkant", "sport", "area-f", "vrijwilligers"),
        }
        for org_id, (name, theme, area, offer) in orgs.items():
            tx.upsert_node(Node(org_id, "Organisation", {"name": name}))
            tx.upsert_relationship(Relationship("WORKS_ON", org_id, theme, {"weight": 2}))
            if area:
                tx.upsert_relationship(Relationship("ACTIVE_IN", org_id, area))
            tx.upsert_relationship(Relationship("OFFERS", org_id, offer))
        tx.upsert_relationship(Relationship("SERVES", ORG, "comm-vrouwen"))
        tx.upsert_relationship(Relationship("TIE", ORG, "org-buurt", {"rung": 1, "changed_at": "2025-03-01T10:00:00Z"}))
