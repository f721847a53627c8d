"""One plain sentence, in Dutch and in English, that explains why two actors should meet.

The sentence is built from the strongest score parts (by weighted contribution), names the actual
themes, capabilities, areas and communities, and ends with the ladder: the current rung for a pair
that already knows each other, or the partner who can introduce them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from graphsvc.vocab import Vocabulary
from queries.results import Named

__all__ = ["Evidence", "match_reasons", "name_list", "term_text", "area_phrase", "rung_phrase"]

#: How many content parts (themes, exchange, proximity, bridging) one sentence names at most.
MAX_CLAUSES = 3
#: How many names one list shows before "and N more".
MAX_NAMES = 3

# Vocabulary terms are sentence-case labels, lower-cased inside a sentence; these words are
# proper adjectives and keep their capital ("Nederlandse taal", "Dutch language learning").
_PROPER_WORDS = frozenset({
    "nederlandse", "nederlands", "dutch", "engels", "engelse", "english", "arabisch", "arabische",
    "arabic", "turks", "turkse", "turkish", "amsterdamse", "amsterdam", "europese", "european",
})


@dataclass(frozen=True)
class Evidence:
    """What a match rests on, as named things (input to the sentence)."""

    shared_interests: tuple[Named, ...]
    they_offer: tuple[Named, ...]
    we_offer: tuple[Named, ...]
    shared_areas: tuple[Named, ...]
    same_neighbourhood: bool
    communities_bridged: tuple[Named, ...]
    rung: int
    introducer: Named | None


def term_text(term: Named, lang: str) -> str:
    """A vocabulary term's name as it reads inside a sentence (first letter lower-cased).

    Examples
    --------
    >>> term_text(Named("x", "Financiële administratie", "Financial administration"), "nl")
    'financiële administratie'
    >>> term_text(Named("taal", "Nederlandse taal", "Dutch language learning"), "en")
    'Dutch language learning'
    """
    text = term.text(lang)
    first = text.split(" ", 1)[0]
    if len(text) < 2 or first.lower() in _PROPER_WORDS or text[1].isupper():
        return text
    return text[0].lower() + text[1:]


def name_list(names: Sequence[str], lang: str) -> str:
    """``a, b en c`` / ``a, b and c``; beyond :data:`MAX_NAMES` names, ``en nog 2`` / ``and 2 more``.

    Examples
    --------
    >>> name_list(["taal", "sport", "wonen", "eenzaamheid"], "nl")
    'taal, sport, wonen en nog 1'
    >>> name_list(["language", "sport"], "en")
    'language and sport'
    """
    and_word = "and" if lang == "en" else "en"
    shown = list(names[:MAX_NAMES])
    rest = len(names) - len(shown)
    if rest:
        return f"{', '.join(shown)} {and_word} " + (f"{rest} more" if lang == "en" else f"nog {rest}")
    if len(shown) <= 1:
        return "".join(shown)
    return f"{', '.join(shown[:-1])} {and_word} {shown[-1]}"


def _terms(terms: Sequence[Named], lang: str) -> str:
    return name_list([term_text(t, lang) for t in terms], lang)


def area_phrase(areas: Sequence[Named], same_neighbourhood: bool, lang: str) -> str:
    """``in Slotermeer`` for shared neighbourhoods; ``in stadsdeel Nieuw-West`` for a district.

    Examples
    --------
    >>> area_phrase([Named("f", "Nieuw-West")], False, "en")
    'in the Nieuw-West district'
    """
    names = name_list([a.text(lang) for a in areas[:2]], lang)
    if not names:
        return ""
    if same_neighbourhood or names.lower().startswith(("stadsdeel", "district")):
        return f"in {names}"
    return f"in the {names} district" if lang == "en" else f"in stadsdeel {names}"


def rung_phrase(rung: int, vocab: Vocabulary, lang: str) -> str:
    """``klim op de ladder: nu op trede 2 (ontmoeten)`` / ``climb the ladder: now at rung 2 (meeting)``."""
    name = vocab.rung(rung).name(lang)
    if lang == "en":
        return f"climb the ladder: now at rung {rung} ({name})"
    return f"klim op de ladder: nu op trede {rung} ({name})"


def _themes_clause(ev: Evidence, lang: str) -> str:
    where = area_phrase(ev.shared_areas, ev.same_neighbourhood, lang)
    where = f" {where}" if where else ""
    verb = "both work on" if lang == "en" else "beide werken aan"
    return f"{verb} {_terms(ev.shared_interests, lang)}{where}"


def _exchange_clause(ev: Evidence, lang: str) -> str:
    clauses = []
    if ev.they_offer:
        caps = _terms(ev.they_offer, lang)
        clauses.append(f"they offer {caps}, which you are looking for" if lang == "en"
                       else f"zij bieden {caps}, wat jullie zoeken")
    if ev.we_offer:
        caps = _terms(ev.we_offer, lang)
        clauses.append(f"you offer {caps}, which they are looking for" if lang == "en"
                       else f"jullie bieden {caps}, wat zij zoeken")
    return "; ".join(clauses)


def _proximity_clause(ev: Evidence, lang: str) -> str:
    where = area_phrase(ev.shared_areas, ev.same_neighbourhood, lang)
    return f"{'both are active' if lang == 'en' else 'beide zijn actief'} {where}"


def community_text(community: Named, lang: str) -> str:
    """A community's name as it reads after "zij bereiken ook": an article before a
    *gemeenschap*, a lower-case first letter for a group of people.

    Examples
    --------
    >>> community_text(Named("m", "Marokkaans-Nederlandse gemeenschap", "Moroccan-Dutch community"), "nl")
    'de Marokkaans-Nederlandse gemeenschap'
    >>> community_text(Named("j", "Jongeren", "Young people"), "nl")
    'jongeren'
    >>> community_text(Named("j", "Jongeren", "Young people"), "en")
    'young people'
    """
    text = community.text(lang)
    head = text.split(" (", 1)[0].split()
    if head and head[-1].lower() in ("gemeenschap", "community"):
        return ("de " if lang == "nl" else "the ") + text
    return term_text(community, lang)


def _bridging_clause(ev: Evidence, lang: str) -> str:
    names = name_list([community_text(c, lang) for c in ev.communities_bridged], lang)
    return f"they also reach {names}" if lang == "en" else f"zij bereiken ook {names}"


_CLAUSES: dict[str, Callable[[Evidence, str], str]] = {
    "shared_interests": _themes_clause,
    "reciprocity": _exchange_clause,
    "proximity": _proximity_clause,
    "bridging": _bridging_clause,
}


def _ladder_clause(ev: Evidence, vocab: Vocabulary, lang: str) -> str:
    if ev.rung in (1, 2):
        return rung_phrase(ev.rung, vocab, lang)
    if ev.introducer is not None:
        name = ev.introducer.text(lang)
        return f"{name} can introduce you" if lang == "en" else f"{name} kan jullie aan elkaar voorstellen"
    return ""


def _strongest(contributions: Mapping[str, float], ev: Evidence) -> list[str]:
    present = {
        "shared_interests": bool(ev.shared_interests),
        "reciprocity": bool(ev.they_offer or ev.we_offer),
        # A shared theme already says where; proximity only stands alone without one.
        "proximity": bool(ev.shared_areas) and not ev.shared_interests,
        "bridging": bool(ev.communities_bridged),
    }
    order = list(_CLAUSES)
    ranked = sorted((p for p in order if present[p]),
                    key=lambda p: (-contributions.get(p, 0.0), order.index(p)))
    return ranked[:MAX_CLAUSES]


def match_reasons(
    evidence: Evidence, contributions: Mapping[str, float], vocab: Vocabulary
) -> tuple[str, str]:
    """The Dutch and English sentence for one match.

    ``contributions`` are the weighted parts (weight × part); the strongest come first.

    Examples
    --------
    >>> from graphsvc.vocab import load_vocabulary
    >>> ev = Evidence((Named("jeugdwerkloosheid", "Jeugdwerkloosheid", "Youth unemployment"),),
    ...               (Named("fa", "Financiële administratie", "Financial administration"),), (),
    ...               (Named("sm", "Slotermeer"),), True, (), 2, None)
    >>> nl, en = match_reasons(ev, {"shared_interests": 0.3, "reciprocity": 0.1}, load_vocabulary())
    >>> nl
    'Beide werken aan jeugdwerkloosheid in Slotermeer; zij bieden financiële administratie, wat jullie zoeken; klim op de ladder: nu op trede 2 (ontmoeten).'
    >>> en
    'Both work on youth unemployment in Slotermeer; they offer financial administration, which you are looking for; climb the ladder: now at rung 2 (meeting).'
    """
    parts = _strongest(contributions, evidence)
    sentences = []
    for lang in ("nl", "en"):
        clauses = [_CLAUSES[p](evidence, lang) for p in parts]
        clauses.append(_ladder_clause(evidence, vocab, lang))
        sentences.append(_sentence([c for c in clauses if c]))
    return sentences[0], sentences[1]


def _sentence(clauses: list[str]) -> str:
    if not clauses:
        return ""
    text = "; ".join(clauses)
    return text[0].upper() + text[1:] + "."
