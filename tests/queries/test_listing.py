"""The list view's rows: the map's filters, islands marked, accent-insensitive search, on both stores."""

from __future__ import annotations

import pytest

from graphsvc.errors import InvalidInput
from graphsvc.snapshot import Snapshot
from graphsvc.store import GraphStore
from queries.listing import actor_listing
from tests.small_graph import seed_small


@pytest.fixture
def snap(store: GraphStore) -> Snapshot:
    seed_small(store)
    return Snapshot.from_store(store)


def names(page: dict) -> list[str]:
    return [i["name"] for i in page["items"]]


def test_every_actor_type_with_islands_marked(snap: Snapshot) -> None:
    page = actor_listing(snap)
    assert page["total"] == 6 and page["islands"] == 2
    islands = {i["id"] for i in page["items"] if i["island"]}
    assert islands == {"org-xss", "org-alone"}
    labels = {i["label"] for i in page["items"]}
    assert labels == {"Organisation", "Institution", "Fund"}


def test_the_map_filters_apply(snap: Snapshot) -> None:
    assert names(actor_listing(snap, min_rung=3)) == ["Kadın Dayanışma Derneği", "Stichting Al Amal West"]
    assert names(actor_listing(snap, types=["Fund"])) == ["Fonds Samen"]
    assert names(actor_listing(snap, interest="eenzaamheid")) == ["Stichting Al Amal West"]
    in_area = actor_listing(snap, area="WK0363EM", types=["Organisation"])
    assert in_area["total"] == 3 and in_area["islands"] == 1  # org-xss: only rung 1 inside the wijk


def test_search_ignores_case_and_accents(snap: Snapshot) -> None:
    assert names(actor_listing(snap, q="DAYANISMA")) == ["Kadın Dayanışma Derneği"]


def test_paging_reaches_every_row(snap: Snapshot) -> None:
    first = actor_listing(snap, limit=4)
    rest = actor_listing(snap, limit=4, offset=4)
    assert len(first["items"]) == 4 and len(rest["items"]) == 2
    assert not set(names(first)) & set(names(rest))


@pytest.mark.parametrize("kwargs", [{"types": ["Interest"]}, {"types": []}, {"min_rung": 6},
                                    {"limit": 0}, {"offset": -1}])
def test_bad_parameters_say_which(snap: Snapshot, kwargs: dict) -> None:
    with pytest.raises(InvalidInput, match=next(iter(kwargs))):
        actor_listing(snap, **kwargs)
