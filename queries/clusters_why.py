"""Why there are no clusters: what links organisations (ties, shared themes) and what would help.

Clusters are found in the network of ties and shared local themes (:mod:`queries.cluster_graph`).
Grants alone link a funder to recipients, not recipients to each other, so a map filled from
360Giving files only has no clusters; :func:`why_no_clusters` says so, with the counts, instead
of a bare "0 clusters".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from babel.numbers import format_decimal

from graphsvc.snapshot import Snapshot
from queries.clusters import ClusterReport

__all__ = ["NoClusters", "why_no_clusters"]

Reason = Literal["nothing_links", "too_few_links"]


@dataclass(frozen=True)
class NoClusters:
    """The counts behind an empty cluster list and the reason they give."""

    organisations: int
    ties: int
    shared_themes: int
    grants: int
    reason: Reason

    def text(self, lang: str = "en") -> str:
        """One paragraph for the CLI (the web page words it through its translations)."""
        def n(value: int) -> str:  # 1.234 in Dutch, 1,234 in English
            return format_decimal(value, locale="nl_NL" if lang == "nl" else "en_GB")

        if lang == "nl":
            have = (f"{n(self.organisations)} organisaties, {n(self.ties)} banden, "
                    f"{n(self.shared_themes)} gedeelde thema's en {n(self.grants)} toekenningen")
            if self.reason == "nothing_links":
                return (f"Geen clusters. Er zijn {have}. Een toekenning verbindt een fonds met een ontvanger. "
                        "Ze verbindt ontvangers niet met elkaar. Clusters komen uit banden tussen organisaties "
                        "en uit thema's die ze delen. Voeg dus thema's per ontvanger toe (classificaties in "
                        "360Giving, of de kolom interests). En voeg banden toe (het blad ties, of de ladder).")
            return (f"Geen clusters. Er zijn {have}. Dat is te weinig om een groep te vormen. "
                    "Meer banden en thema's per organisatie helpen.")
        have = (f"{n(self.organisations)} organisations, {n(self.ties)} ties, {n(self.shared_themes)} "
                f"shared themes and {n(self.grants)} grants")
        if self.reason == "nothing_links":
            return (f"No clusters: there are {have}. Grants link a fund to its recipients, not recipients to "
                    "each other. Clusters come from ties between organisations and from themes they share: "
                    "add themes per recipient (classifications in 360Giving, or the interests column) and "
                    "ties (the ties sheet, or the ladder).")
        return (f"No clusters: there are {have}; too little links them to form a group. "
                "More ties and themes per organisation help.")

    def as_dict(self) -> dict[str, Any]:
        return {"organisations": self.organisations, "ties": self.ties, "shared_themes": self.shared_themes,
                "grants": self.grants, "reason": self.reason, "text_nl": self.text("nl"),
                "text_en": self.text("en")}


def why_no_clusters(snapshot: Snapshot, report: ClusterReport) -> NoClusters | None:
    """Why ``report`` has no clusters, or None when it has some (or there are no organisations).

    Examples
    --------
    >>> from graphsvc.generate import graph_data
    >>> from graphsvc.model import Node, Relationship
    >>> from queries.clusters import clusters
    >>> snap = Snapshot(graph_data([Node("f", "Fund", {"name": "F"}), Node("a", "Organisation", {"name": "A"}),
    ...                             Node("b", "Organisation", {"name": "B"}),
    ...                             Relationship("FUNDS", "f", "a", {"amount": 5}, "g1"),
    ...                             Relationship("FUNDS", "f", "b", {"amount": 5}, "g2")]))
    >>> found = why_no_clusters(snap, clusters(snap))
    >>> found.reason, found.grants, found.ties
    ('nothing_links', 2, 0)
    """
    orgs = set(report.clustering.orgs)
    if report.clusters or not orgs:
        return None
    ties = sum(1 for start, edges in snapshot.by_start("TIE").items() if start in orgs
               for e in edges if e.other in orgs)
    shared = sum(1 for edges in snapshot.by_end("WORKS_ON").values()
                 if len({e.other for e in edges} & orgs) >= 2)
    grants = sum(len(edges) for edges in snapshot.by_start("FUNDS").values())
    reason: Reason = "nothing_links" if not ties and not shared else "too_few_links"
    return NoClusters(len(orgs), ties, shared, grants, reason)

