"""Every backend refuses a bad WORKS_ON weight or FUNDS amount, year or status, and any relationship
property its type does not declare, and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from graphsvc.errors import InvalidInput
from graphsvc.model import Node, Relationship
from graphsvc.rel_props import GRANT_STATUSES
from graphsvc.store import GraphStore

BAD = [
    ("WORKS_ON", {"weight": "abc"}, "weight must be a whole number from 1 to 3, not 'abc'"),
    ("WORKS_ON", {"weight": 0}, "weight must be a whole number from 1 to 3, not 0"),
    ("WORKS_ON", {"weight": 7}, "weight must be a whole number from 1 to 3, not 7"),
    ("WORKS_ON", {"weight": "2"}, "weight must be a whole number from 1 to 3, not '2'"),
    ("WORKS_ON", {"weight": 2.5}, "weight must be a whole number from 1 to 3, not 2.5"),
    ("WORKS_ON", {"weight": True}, "weight must be a whole number from 1 to 3, not True"),
    ("FUNDS", {"amount": "lots"}, "amount must be a number of 0 or more (euro), not 'lots'"),
    ("FUNDS", {"amount": -500}, "amount must be a number of 0 or more (euro), not -500"),
    ("FUNDS", {"amount": float("nan")}, "amount must be a number of 0 or more (euro), not nan"),
    ("FUNDS", {"year": 1066}, "year must be a whole year from 1800 to"),
    ("FUNDS", {"year": "2024"}, "year must be a whole year from 1800 to"),
    ("FUNDS", {"status": "lots"}, "status must be one of pending, awarded, active, completed, rejected, withdrawn, not 'lots'"),
    ("FUNDS", {"status": "afgewezen"}, "status must be one of pending, awarded"),
]


def _graph(store: GraphStore) -> None:
    with store.transaction() as tx:
        tx.upsert_node(Node("o1", "Organisation", {"name": "Al Amal"}))
        tx.upsert_node(Node("f1", "Fund", {"name": "Buurtfonds"}))
        tx.upsert_node(Node("taal", "Interest", {"name": "Taal"}))


def _rel(rel_type: str, props: dict[str, Any]) -> Relationship:
    if rel_type == "WORKS_ON":
        return Relationship("WORKS_ON", "o1", "taal", props)
    return Relationship("FUNDS", "f1", "o1", props, "G-1")


@pytest.mark.parametrize(("rel_type", "props", "message"), BAD)
def test_a_bad_value_is_refused_with_its_field_and_nothing_is_written(
        store: GraphStore, rel_type: str, props: dict[str, Any], message: str) -> None:
    _graph(store)
    before = (store.revision(), store.counts())
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        with store.transaction() as tx:
            tx.upsert_node(Node("o2", "Organisation", {"name": "Written first"}))
            tx.upsert_relationship(_rel(rel_type, props))
    assert info.value.message.startswith(f"{rel_type} ")  # names the relationship
    assert info.value.errors == [f"{next(iter(props))}: {info.value.message.split(': ', 1)[1]}"]
    assert (store.revision(), store.counts()) == before


def test_a_batch_with_one_bad_grant_writes_none_of_it(store: GraphStore) -> None:
    _graph(store)
    before = (store.revision(), store.counts())
    good = [Relationship("FUNDS", "f1", "o1", {"amount": 1000, "year": 2024}, f"G-{i}") for i in range(5)]
    with pytest.raises(InvalidInput, match="status must be one of"):
        with store.transaction() as tx:
            tx.upsert_relationships([*good, _rel("FUNDS", {"status": "granted"})])
    assert (store.revision(), store.counts()) == before


def test_every_fitting_value_is_stored(store: GraphStore) -> None:
    _graph(store)
    with store.transaction() as tx:
        tx.upsert_relationship(Relationship("WORKS_ON", "o1", "taal", {"weight": 3}))
        for i, status in enumerate(GRANT_STATUSES):
            tx.upsert_relationship(Relationship(
                "FUNDS", "f1", "o1", {"amount": [0, 12500.5][i % 2], "year": 2020 + i, "status": status},
                f"G-{i}"))
        tx.upsert_relationship(Relationship("FUNDS", "f1", "o1", {"title": "no money said"}, "G-x"))
    assert store.get_relationship("WORKS_ON", "o1", "taal").props == {"weight": 3}
    assert store.counts()["relationships"]["FUNDS"] == len(GRANT_STATUSES) + 1
    assert store.get_relationship("FUNDS", "f1", "o1", "G-1").props["amount"] == 12500.5


@pytest.mark.parametrize(("rel_type", "props", "unknown"), [
    ("PRIORITISES", {"weight": "high", "amount": "x"}, ["amount", "weight"]),
    ("TIE", {"rung": 2, "fraud_flag": True}, ["fraud_flag"]),
    ("WORKS_ON", {"weight": 2, "contact_email": "a@b.nl"}, ["contact_email"]),
    ("FUNDS", {"amount": 100, "risk_score": 3}, ["risk_score"]),
])
def test_an_undeclared_relationship_property_is_refused_by_name_and_nothing_is_written(
        store: GraphStore, rel_type: str, props: dict[str, Any], unknown: list[str]) -> None:
    _graph(store)
    with store.transaction() as tx:
        tx.upsert_node(Node("o3", "Organisation", {"name": "Buren"}))
    ends = {"PRIORITISES": ("f1", "taal"), "TIE": ("o1", "o3"), "WORKS_ON": ("o1", "taal"),
            "FUNDS": ("f1", "o1")}[rel_type]
    before = (store.revision(), store.counts())
    with pytest.raises(InvalidInput) as info:
        with store.transaction() as tx:
            tx.upsert_node(Node("o2", "Organisation", {"name": "Written first"}))
            tx.upsert_relationship(Relationship(rel_type, *ends, props))
    assert info.value.message.startswith(f"{rel_type} {ends[0]} → {ends[1]}: {', '.join(unknown)} is not a "
                                         f"declared property of {rel_type}")
    assert info.value.errors == unknown
    assert (store.revision(), store.counts()) == before


def test_a_declared_relationship_property_takes_any_value_its_rules_allow(store: GraphStore) -> None:
    _graph(store)
    with store.transaction() as tx:  # PRIORITISES declares only where it came from
        tx.upsert_relationship(Relationship("PRIORITISES", "f1", "taal", {"source": "beleidsplan"}))
    assert store.get_relationship("PRIORITISES", "f1", "taal").props["source"] == "beleidsplan"
