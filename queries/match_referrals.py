"""Referral partners: institutions working on an actor's themes in its neighbourhood or district.

An institution (care, welfare, health …) that works on or prioritises the same themes nearby can
refer people to the organisation or take referrals from it: the link between the residents'
lifeworld and the system world the source note asks for. Existing ties are kept (they are shown
with their rung), because an organisation that already aligns with a health centre still wants
to see it in the list.
"""

from __future__ import annotations

from graphsvc.snapshot import Snapshot
from graphsvc.vocab import Vocabulary, load_vocabulary
from queries.match_common import actor_node, check_lang, check_limit
from queries.match_evidence import pair_evidence
from queries.match_index import MatchIndex, matching_index
from queries.match_reasons import Evidence, area_phrase, name_list, term_text
from queries.match_scoring import DEFAULT_WEIGHTS, MatchWeights, score_referrals
from queries.results import Named, ReferralPartner, ReferralResult

__all__ = ["referral_partners", "REFERRAL_PARTS"]

#: The parts of :class:`MatchWeights` that rank referral partners (their weights are reused).
REFERRAL_PARTS = ("shared_interests", "proximity", "reciprocity")


def referral_partners(
    snapshot: Snapshot,
    org_id: str,
    *,
    limit: int = 10,
    lang: str | None = None,
    weights: MatchWeights = DEFAULT_WEIGHTS,
    vocab: Vocabulary | None = None,
) -> ReferralResult:
    """Institutions sharing the actor's themes in its area or district, best first.

    Only institutions that share at least one theme count; when the actor records areas, only
    those active in the same neighbourhood or district. The score is the weighted mean of the
    ``shared_interests``, ``proximity`` and ``reciprocity`` parts with the weights of
    :class:`MatchWeights`; ties go to the lower id.

    Raises
    ------
    NotFound
        No organisation or institution with ``org_id``.
    InvalidInput
        ``limit`` outside 1–100, an unknown language.

    Examples
    --------
    >>> from graphsvc.model import Node, Relationship
    >>> from graphsvc.store.base import GraphData
    >>> nodes = [Node("a", "Organisation", {"name": "Al Amal"}),
    ...          Node("ggd", "Institution", {"name": "GGD"}),
    ...          Node("eenzaamheid", "Interest", {"name": "Eenzaamheid"})]
    >>> rels = [Relationship("WORKS_ON", "a", "eenzaamheid"),
    ...         Relationship("PRIORITISES", "ggd", "eenzaamheid")]
    >>> result = referral_partners(Snapshot(GraphData(1, nodes, rels, [])), "a")
    >>> [(p.id, p.reason_en) for p in result.partners]
    [('ggd', 'Also works on loneliness.')]
    """
    limit = check_limit(limit)
    lang = check_lang(lang)
    actor = actor_node(snapshot, org_id)
    vocab = vocab or load_vocabulary()
    index = matching_index(snapshot)
    a = index.pos[actor.id]
    subject = Named(actor.id, actor.name, label=actor.label)
    if not index.themes[a]:
        return ReferralResult(subject, (), "Voeg belangen toe om doorverwijspartners te vinden.",
                              "Add interests to find referral partners.", lang)
    positions, scores = score_referrals(index, a, weights, REFERRAL_PARTS, limit)
    partners = tuple(_partner(snapshot, index, a, int(c), float(s), vocab)
                     for c, s in zip(positions, scores, strict=True))
    if not partners:
        return ReferralResult(
            subject, (),
            "Geen instelling in jullie buurt of stadsdeel werkt (nog) aan dezelfde belangen.",
            "No institution in your neighbourhood or district works on the same themes yet.",
            lang,
        )
    return ReferralResult(subject, partners, lang=lang)


def _partner(
    snapshot: Snapshot, index: MatchIndex, a: int, c: int, score: float, vocab: Vocabulary
) -> ReferralPartner:
    node = snapshot.nodes[index.ids[c]]
    rung = snapshot.rung(index.ids[a], node.id)
    ev = pair_evidence(snapshot, index, a, c, rung, vocab)
    return ReferralPartner(
        id=node.id,
        name=node.name,
        sector=str(node.props.get("sector", "") or ""),
        score=score,
        shared_interests=ev.shared_interests,
        shared_areas=ev.shared_areas,
        they_offer=ev.they_offer,
        we_offer=ev.we_offer,
        current_rung=rung,
        reason_nl=_reason(ev, vocab, "nl"),
        reason_en=_reason(ev, vocab, "en"),
    )


def _reason(ev: Evidence, vocab: Vocabulary, lang: str) -> str:
    themes = name_list([term_text(t, lang) for t in ev.shared_interests], lang)
    where = area_phrase(ev.shared_areas, ev.same_neighbourhood, lang)
    where = f" {where}" if where else ""
    en = lang == "en"
    clauses = [f"{'also works on' if en else 'werkt ook aan'} {themes}{where}"]
    if ev.they_offer:
        caps = name_list([term_text(t, lang) for t in ev.they_offer], lang)
        clauses.append(f"offers {caps}, which you are looking for" if en
                       else f"biedt {caps}, die jullie zoeken")
    if ev.we_offer:
        caps = name_list([term_text(t, lang) for t in ev.we_offer], lang)
        clauses.append(f"looks for {caps}, which you offer" if en else f"zoekt {caps}, die jullie bieden")
    if ev.rung:
        name = vocab.rung(ev.rung).name(lang)
        clauses.append(f"now at rung {ev.rung} ({name})" if en else f"nu op trede {ev.rung} ({name})")
    text = "; ".join(clauses)
    return text[0].upper() + text[1:] + "."
