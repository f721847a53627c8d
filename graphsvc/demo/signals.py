"""Demo early signals: what fictional organisations saw first in their wijk, in recent months.

In the busiest wijken a few themes are signalled by three to five organisations (so everyone
sees them counted) and one theme by one or two (shown as "fewer than 3 organisations"). The
months lie in the half year up to the month the demo is built, so meeting mode shows them.
Every note is invented and holds no personal data.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Final

from graphsvc.model import SIGNAL, Node, Relationship

__all__ = ["STORIES", "demo_signal_records"]

#: (theme, trend, note): what organisations in Amsterdam West and Nieuw-West might see first
STORIES: Final = (
    ("eenzaamheid", "growing", "Meer oudere vrouwen komen alleen naar de inloop sinds de bibliotheek dicht is."),
    ("jeugdwerkloosheid", "new", "Jongens haken af bij hun opleiding sinds de nieuwe regels voor de stage."),
    ("armoede-en-schulden", "growing", "Gezinnen vragen vaker om hulp bij betalingsachterstanden van de energie."),
    ("psychische-gezondheid", "stable", "Nieuwkomers praten over slapeloosheid en zorgen om familie in het land van herkomst."),
    ("digitale-vaardigheden", "growing", "Ouderen lukt het niet om DigiD aan te vragen en missen daardoor toeslagen."),
    ("mantelzorg", "new", "Dochters die voor hun ouders zorgen raken overbelast en stoppen met vrijwilligerswerk."),
    ("huiselijk-geweld", "stable", "Vrouwen vragen in de taalles voorzichtig naar opvang en rechten."),
    ("opvoeding", "shrinking", "Minder vragen over schoolkeuze sinds de ouderavonden met tolk zijn gestart."),
)
_BANDS: Final = ("1-4", "5-19", "5-19", "20-49", "50+")


def _month(today: date, back: int) -> str:
    index = today.year * 12 + today.month - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def demo_signal_records(nodes: Sequence[Node], rels: Iterable[Relationship], *, seed: int = 2004,
                        today: date | None = None, wijken: int = 8) -> tuple[list[Node], list[Relationship]]:
    """Signal nodes and their relationships for the demo graph (fixed seed; months before ``today``).

    Examples
    --------
    >>> from graphsvc.demo.dataset import demo_records
    >>> nodes, rels = demo_records()
    >>> signals = [n for n in nodes if n.label == "Signal"]
    >>> len(signals) > 20, all("@" not in str(n.props.get("note", "")) for n in signals)
    (True, True)
    """
    rng = random.Random(seed)
    day = today or date.today()
    orgs = {n.id for n in nodes if n.label == "Organisation"}
    known = {n.id for n in nodes if n.label in ("Interest", "Community")}
    active: dict[str, list[str]] = defaultdict(list)
    serves: dict[str, list[str]] = defaultdict(list)
    for rel in rels:
        if rel.type == "ACTIVE_IN" and rel.start in orgs:
            active[rel.end].append(rel.start)
        elif rel.type == "SERVES" and rel.start in orgs:
            serves[rel.start].append(rel.end)
    busiest = sorted((a for a in active if len(active[a]) >= 5), key=lambda a: (-len(active[a]), a))[:wijken]
    stories = [s for s in STORIES if s[0] in known]
    out_nodes: list[Node] = []
    out_rels: list[Relationship] = []
    for i, area in enumerate(busiest):
        chosen = rng.sample(stories, k=min(3, len(stories)))
        for j, (theme, trend, note) in enumerate(chosen):
            size = rng.randint(1, 2) if j == 2 else rng.randint(3, 5)
            community = rng.choice(sorted(serves[active[area][0]])) if serves[active[area][0]] else ""
            for k, org in enumerate(rng.sample(sorted(active[area]), k=min(size, len(active[area])))):
                sid = f"sig-demo-{i:02d}{j}{k}"
                props = {"name": "Signaal", "period": _month(day, rng.randint(0, 5)), "trend": trend,
                         "people": rng.choice(_BANDS)}
                if k == 0:
                    props["note"] = note
                out_nodes.append(Node(sid, SIGNAL, props))
                out_rels += [Relationship("SIGNALLED_BY", sid, org), Relationship("SIGNAL_OF", sid, theme),
                             Relationship("SIGNAL_IN", sid, area)]
                if community and community in serves[org] and community in known:
                    out_rels.append(Relationship("SIGNAL_AMONG", sid, community))
    return out_nodes, out_rels
