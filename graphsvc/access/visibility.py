"""The one place that decides which fields a role may see (docs/design.md §3; issue on roles).

Every page, API response, map payload and export passes node properties through
:func:`visible_props`, so a confidential field cannot leak through a view that forgot to filter.
What is public is declared per label (:mod:`graphsvc.node_props`): a key no label declares is
shown to nobody, and a declared key is confidential unless declared public.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from graphsvc.model import Node, Relationship
from graphsvc.node_props import NODE_PROPS, LabelProps

__all__ = ["ROLES", "Viewer", "PUBLIC", "visible_props", "visible_node", "visible_relationship"]

ROLES: Final = ("public", "member", "coach", "funder", "admin")


class Viewer:
    """Who is asking: a role and, for members and coaches, the organisations they belong to."""

    def __init__(self, role: str = "public", organisations: frozenset[str] = frozenset()) -> None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        self.role = role
        self.organisations = organisations

    def may_see_confidential(self, node_id: str) -> bool:
        if self.role == "admin":
            return True
        return self.role in ("member", "coach") and node_id in self.organisations


PUBLIC: Final = Viewer("public")
_NOTHING: Final = LabelProps(frozenset())


def visible_props(node: Node, viewer: Viewer = PUBLIC) -> dict[str, Any]:
    """The node's properties this viewer may see.

    Examples
    --------
    >>> n = Node("o1", "Organisation", {"name": "A", "capacity": {"governance": 2}})
    >>> visible_props(n)
    {'name': 'A'}
    >>> visible_props(Node("o1", "Organisation", {"name": "A", "fraud_flag": 1}), Viewer("admin"))
    {'name': 'A'}
    """
    props: Mapping[str, Any] = node.props
    declared = NODE_PROPS.get(node.label, _NOTHING)
    shown = declared.declared if viewer.may_see_confidential(node.id) else declared.public
    return {k: v for k, v in props.items() if k in shown}


def visible_node(node: Node, viewer: Viewer = PUBLIC) -> dict[str, Any]:
    """A JSON-ready node with only the fields this viewer may see."""
    return {
        "id": node.id,
        "label": node.label,
        **visible_props(node, viewer),
        "version": node.version,
        "updated_at": node.updated_at,
    }


# A need confirmed from a capacity profile is public (partners can offer help), but where it came
# from and who confirmed it would reveal a low score: those properties stay confidential.
_CAPACITY_REL_FIELDS: Final = frozenset({"confirmed_by", "confirmed_at"})


def visible_relationship(rel: Relationship, viewer: Viewer = PUBLIC) -> Relationship:
    """The relationship with only the properties this viewer may see.

    Examples
    --------
    >>> need = Relationship("NEEDS", "o1", "bestuur", {"source": "capacity", "confirmed_by": "c1"})
    >>> dict(visible_relationship(need).props)
    {}
    """
    if rel.props.get("source") != "capacity" or viewer.may_see_confidential(rel.start):
        return rel
    props = {k: v for k, v in rel.props.items()
             if k not in _CAPACITY_REL_FIELDS and not (k == "source" and v == "capacity")}
    return Relationship(rel.type, rel.start, rel.end, props, rel.key, rel.version,
                        rel.created_at, rel.updated_at)
