"""A small hand-made neighbourhood for web and browser tests, with an XSS payload as a name."""

from __future__ import annotations

from graphsvc.model import Node, Relationship
from graphsvc.store import GraphStore

XSS = "<img src=x onerror=alert(1)>"


def seed_small(store: GraphStore) -> None:
    with store.transaction(source="test") as tx:
        tx.upsert_node(Node("area-e", "Neighbourhood", {"name": "West", "code": "E", "level": "district", "district": "E"}))
        tx.upsert_node(Node("area-wk0363em", "Neighbourhood", {"name": "De Kolenkit", "code": "WK0363EM", "level": "wijk", "district": "E"}))
        tx.upsert_node(Node("area-f", "Neighbourhood", {"name": "Nieuw-West", "code": "F", "level": "district", "district": "F"}))
        tx.upsert_relationship(Relationship("PART_OF", "area-wk0363em", "area-e"))
        tx.upsert_node(Node("eenzaamheid", "Interest", {"name": "Eenzaamheid", "name_en": "Loneliness"}))
        tx.upsert_node(Node("taal", "Interest", {"name": "Nederlandse taal", "name_en": "Dutch language learning"}))
        tx.upsert_node(Node("org-xss", "Organisation", {
            "name": XSS, "description": "<script>alert('d')</script>", "kind": "volunteer-organisation",
            "contact_persons": [{"name": "Fictief Persoon", "email": "p@example.org"}],
            "capacity": {"governance": 2}}))
        tx.upsert_node(Node("org-amal", "Organisation", {"name": "Stichting Al Amal West"}))
        tx.upsert_node(Node("org-kadin", "Organisation", {"name": "Kadın Dayanışma Derneği"}))
        tx.upsert_node(Node("org-alone", "Organisation", {"name": "Eenzame Eilanders"}))
        tx.upsert_node(Node("inst-buurtteam", "Institution", {"name": "Buurtteam West", "sector": "welfare"}))
        tx.upsert_node(Node("fund-a", "Fund", {"name": "Fonds Samen", "fund_type": "private-fund"}))
        for org in ("org-xss", "org-amal", "org-kadin", "inst-buurtteam"):
            tx.upsert_relationship(Relationship("ACTIVE_IN", org, "area-wk0363em"))
        tx.upsert_relationship(Relationship("ACTIVE_IN", "org-alone", "area-f"))
        tx.upsert_relationship(Relationship("WORKS_ON", "org-amal", "eenzaamheid", {"weight": 3}))
        tx.upsert_relationship(Relationship("WORKS_ON", "org-xss", "taal", {"weight": 2}))
        tx.upsert_relationship(Relationship("TIE", "org-amal", "org-kadin", {"rung": 3}))
        tx.upsert_relationship(Relationship("TIE", "org-xss", "org-amal", {"rung": 1, "note": XSS}))
        tx.upsert_relationship(Relationship("TIE", "inst-buurtteam", "org-amal", {"rung": 2}))
        tx.upsert_relationship(Relationship("FUNDS", "fund-a", "org-amal", {"amount": 12000, "year": 2025}, "G-1"))
