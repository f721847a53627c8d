"""Pages: Dutch first, English on request, user text escaped, nothing loaded from outside."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from graphsvc.store import GraphStore

PAGES = ["/", "/map", "/organisations", "/actors/org-xss", "/actors/org-amal", "/map?area=E"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_escape_user_text_and_load_nothing_external(
    client: FlaskClient, seeded: GraphStore, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<img src=x" not in html and "<script>alert" not in html
    # resources (src/href) never point outside localhost
    assert not re.search(r'(src|href)="(https?:)?//', html)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_xss_name_shows_as_text(client: FlaskClient, seeded: GraphStore) -> None:
    html = client.get("/actors/org-xss").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Fictief Persoon" not in html


def test_dutch_is_the_default_and_english_on_request(client: FlaskClient, seeded: GraphStore) -> None:
    nl = client.get("/map").get_data(as_text=True)
    assert "Minimale trede" in nl and 'lang="nl"' in nl
    en = client.get("/map?lang=en").get_data(as_text=True)
    assert "Minimum rung" in en and 'lang="en"' in en
    # the choice sticks through a cookie
    assert "Minimum rung" in client.get("/map").get_data(as_text=True)


def test_list_view_mirrors_the_map(client: FlaskClient, seeded: GraphStore) -> None:
    html = client.get("/organisations?area=F").get_data(as_text=True)
    assert "Eenzame Eilanders" in html and "Stichting Al Amal West" not in html


def test_unknown_actor_page_is_a_plain_404(client: FlaskClient, seeded: GraphStore) -> None:
    response = client.get("/actors/nope", headers={"Accept": "text/html"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "no node with id" in html and "Traceback" not in html


def test_vendored_map_library_is_served_locally(client: FlaskClient, seeded: GraphStore) -> None:
    with client.get("/static/vendor/vis-network/vis-network.min.js") as response:
        assert response.status_code == 200 and b"vis-network" in response.data[:400]
