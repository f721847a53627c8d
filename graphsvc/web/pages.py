"""Pages for people: home, the interactive map, the accessible list and actor profiles."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from graphsvc.errors import NotFound
from graphsvc.web.params import int_arg, lang_arg, list_arg, str_arg
from graphsvc.web.services import services
from queries.listing import ACTOR_TYPES, actor_listing
from queries.profiles import actor_profile, area_list
from visualisations.network_map import MAP_TYPES

__all__ = ["bp"]

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> Any:
    svc = services()
    counts = svc.store.counts()
    return render_template("home.html", counts=counts["nodes"], rels=counts["relationships"])


def _filter_choices() -> dict[str, Any]:
    snap = services().snapshot()
    vocab = services().vocab
    lang = lang_arg()
    interests = sorted(
        ({"id": i, "name": str(snap.nodes[i].props.get("name_en", snap.name(i)) if lang == "en"
                               else snap.name(i))} for i in snap.labelled("Interest")),
        key=lambda x: x["name"].casefold(),
    )
    return {"areas": area_list(snap), "interests": interests, "rungs": vocab.rungs,
            "map_types": MAP_TYPES, "rung_names": {r.rung: r.name(lang) for r in vocab.rungs},
            "grant_statuses": {t.id: t.name(lang) for t in vocab.grant_statuses}}


@bp.get("/map")
def network_map() -> Any:
    return render_template(
        "map.html",
        selected={"area": str_arg("area") or "", "interest": str_arg("interest") or "",
                  "min_rung": int_arg("min_rung", 0, 0, 5), "q": str_arg("q") or "",
                  "focus": str_arg("focus") or "",
                  "types": list_arg("types", ("Organisation", "Institution", "Fund"))},
        **_filter_choices(),
    )


def kind_names(lang: str) -> dict[str, str]:
    """Kind, sector and fund-type id -> its name in ``lang`` (no raw codes on a page)."""
    return {t.id: t.name(lang) for terms in services().vocab.kinds.values() for t in terms}


@bp.get("/organisations")
def organisations() -> Any:
    snap = services().snapshot()
    area, interest, q = str_arg("area"), str_arg("interest"), str_arg("q")
    types = [t for t in request.args.getlist("types") if t in ACTOR_TYPES] or list(ACTOR_TYPES)
    min_rung = int_arg("min_rung", 0, 0, 5)
    listing = actor_listing(snap, area=area, interest=interest, q=q, types=types, min_rung=min_rung,
                            limit=int_arg("limit", 100, 1, 1000),
                            offset=int_arg("offset", 0, 0, 10_000_000))
    selected = {"area": area or "", "interest": interest or "", "q": q or "", "types": types,
                "min_rung": min_rung}
    return render_template("organisations.html", listing=listing, selected=selected,
                           kinds=kind_names(lang_arg()), **_filter_choices())


@bp.get("/toegankelijkheid")
def accessibility() -> Any:
    return render_template("accessibility.html", contact=services().settings.accessibility_contact)


@bp.get("/begrippen")
def glossary() -> Any:
    return render_template("glossary.html", rungs=services().vocab.rungs)


@bp.get("/actors/<path:actor_id>")
def actor(actor_id: str) -> Any:
    snap = services().snapshot()
    lang = lang_arg()
    if snap.node(actor_id).label == "Signal":  # a single signal is never a public page
        raise NotFound(f"There is no organisation, institution or fund with id {actor_id!r}.")
    profile = actor_profile(snap, actor_id, lang=lang)
    vocab = services().vocab
    return render_template("actor.html", p=profile, rungs=vocab.rungs, kinds=kind_names(lang),
                           statuses={t.id: t.name(lang) for t in vocab.grant_statuses})
