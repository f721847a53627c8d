"""Capacity profiles for the demo: two or three dated self-assessments for some organisations.

The scores fit the demo's needs: a dimension whose support capability the organisation already
needs starts low and climbs slowly; now and then a low score has no matching need yet, so the
coach workspace has proposals to confirm or reject. Every note is invented. The profiles are
derived from the organisation id alone (a seeded generator per organisation), so adding them
does not change anything else in the demo.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, Final

from graphsvc.capacity import PROPERTY, Assessment, CapacityProfile
from graphsvc.model import Node, Relationship
from graphsvc.vocab import Vocabulary, load_vocabulary

__all__ = ["demo_capacity_records", "DEMO_ASSESSMENT_DAYS"]

#: The days of the demo's assessment rounds, oldest first.
DEMO_ASSESSMENT_DAYS: Final = ("2024-03-12", "2025-02-18", "2025-10-07")
_SHARE: Final = 3  # one organisation in three has a profile
_NOTES: Final = {
    "governance": ("Bestuur en uitvoering lopen nog door elkaar.", "Nieuw bestuurslid met ervaring.",
                   "Bestuur vergadert nu elk kwartaal op hoofdlijnen."),
    "financial_administration": ("Kasboek in een schrift; geen begroting.", "Begroting voor dit jaar gemaakt.",
                                 "Eerste jaarrekening laten controleren."),
    "volunteer_policy": ("Vrijwilligers komen en gaan.", "Vrijwilligersavond twee keer per jaar.",
                         "Inwerkmap voor nieuwe vrijwilligers."),
    "innovation": ("Zelfde activiteiten als vijf jaar geleden.", "Vraag opgehaald bij de achterban.",
                   "Nieuwe groep voor jongeren gestart."),
    "positioning": ("Moeilijk uit te leggen wat ons uniek maakt.", "Kernactiviteit op één A4.",
                    "Presentatie bij het buurtteam gegeven."),
}


def _scores(rng: random.Random, low: set[str], dims: Sequence[str]) -> list[dict[str, int]]:
    """Scores per round: low dimensions start at 1–2 and may climb one step a round."""
    start = {d: rng.randint(1, 2) if d in low else rng.randint(3, 4) for d in dims}
    rounds = [dict(start)]
    for _ in DEMO_ASSESSMENT_DAYS[1:]:
        rounds.append({d: max(1, min(5, s + rng.choice((0, 0, 1) if d in low else (-1, 0, 0, 1))))
                       for d, s in rounds[-1].items()})
    return rounds


def _profile(org_id: str, needs: set[str], vocab: Vocabulary) -> dict[str, Any]:
    rng = random.Random(f"capacity:{org_id}")
    dims = [d.id for d in vocab.capacity]
    low = {d.id for d in vocab.capacity if d.need in needs}
    if rng.random() < 0.5:  # a weakness nobody has turned into a need yet: a proposal to decide on
        low.add(rng.choice(dims))
    rounds = _scores(rng, low, dims)[: rng.randint(2, len(DEMO_ASSESSMENT_DAYS))]
    profile = CapacityProfile()
    for i, (day, scores) in enumerate(zip(DEMO_ASSESSMENT_DAYS, rounds, strict=False)):
        notes = {d: _NOTES[d][i] for d in rng.sample(dims, k=2) if d in _NOTES}
        profile = profile.with_assessment(Assessment(
            f"ca-demo-{i + 1}-{org_id}", day, scores, notes, "coach-demo", f"{day}T15:00:00Z"))
    return profile.as_prop()


def demo_capacity_records(nodes: Sequence[Node], rels: Iterable[Relationship],
                          vocab: Vocabulary | None = None) -> list[Node]:
    """The demo nodes with a capacity profile added to one organisation in three.

    Examples
    --------
    >>> from graphsvc.demo.dataset import demo_records
    >>> nodes, rels = demo_records()
    >>> with_profile = [n for n in demo_capacity_records(nodes, rels) if "capacity" in n.props]
    >>> len(with_profile) > 20, len(with_profile[0].props["capacity"]["assessments"]) >= 2
    (True, True)
    """
    vocab = vocab or load_vocabulary()
    needs: dict[str, set[str]] = defaultdict(set)
    for rel in rels:
        if rel.type == "NEEDS":
            needs[rel.start].add(rel.end)
    out = []
    for i, node in enumerate(n for n in nodes if n.label == "Organisation"):
        if i % _SHARE == 0 and PROPERTY not in node.props:
            node = Node(node.id, node.label, {**node.props, PROPERTY: _profile(node.id, needs[node.id], vocab)})
        out.append(node)
    others = [n for n in nodes if n.label != "Organisation"]
    order = {n.id: i for i, n in enumerate(nodes)}
    return sorted(others + out, key=lambda n: order[n.id])
