"""The organisation keeps its own profile: the edit form, creating an organisation, and their
JSON twins (``POST /api/v1/organisations``, ``PATCH /api/v1/organisations/<id>``).

Members edit their own organisation, coaches the ones they coach, admins any; admins create
organisations anywhere and coaches in their region (the districts of the organisations they
coach), after which the coach coaches the new one too.
"""

from __future__ import annotations

from typing import Any, Final

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from graphsvc.access.visibility import visible_node
from graphsvc.actions.profiles_edit import create_organisation, update_profile
from graphsvc.errors import Conflict, Forbidden, InvalidInput
from graphsvc.model import Node
from graphsvc.snapshot import Snapshot
from graphsvc.text import normalise_name
from graphsvc.web.auth import (
    current_account,
    current_viewer,
    require_organisation_access,
    require_role,
)
from graphsvc.web.params import lang_arg
from graphsvc.web.privacy import record
from graphsvc.web.replies import ok
from graphsvc.web.services import services
from queries.profiles import area_list

__all__ = ["bp"]

bp = Blueprint("profile", __name__)


# -- choices for the pickers -------------------------------------------------------------------
def _options(snap: Snapshot, label: str, terms: Any, lang: str) -> list[dict[str, str]]:
    """Vocabulary terms plus nodes of the label not in it, each with both names for search."""
    seen: dict[str, dict[str, str]] = {}
    for t in terms:
        seen[t.id] = {"id": t.id, "nl": t.nl, "en": t.en}
    for node_id in snap.labelled(label):
        if node_id not in seen:
            props = snap.nodes[node_id].props
            seen[node_id] = {"id": node_id, "nl": str(props.get("name", node_id)),
                             "en": str(props.get("name_en") or props.get("name", node_id))}
    for o in seen.values():
        o["name"] = o["en"] if lang == "en" else o["nl"]
    return sorted(seen.values(), key=lambda o: normalise_name(o["name"]))


def _choices(snap: Snapshot) -> dict[str, Any]:
    vocab, lang = services().vocab, lang_arg()
    communities = [{"id": c, "nl": snap.name(c),
                    "en": str(snap.nodes[c].props.get("name_en") or snap.name(c))}
                   for c in snap.labelled("Community")]
    for c in communities:
        c["name"] = c["en"] if lang == "en" else c["nl"]
    return {
        "kinds": vocab.kinds.get("organisation_kinds", ()),
        "areas": [{"id": a["id"], "nl": f"{a['name']} {a['code']}", "en": f"{a['name']} {a['code']}",
                   "name": f"{a['name']} ({a['code']})" if a["code"] else str(a["name"])}
                  for a in area_list(snap)],
        "communities": sorted(communities, key=lambda o: normalise_name(o["name"])),
        "themes": _options(snap, "Interest", vocab.interests, lang),
        "capabilities": _options(snap, "Capability", vocab.capabilities, lang),
    }


def _current(snap: Snapshot, node: Node | None) -> dict[str, Any]:
    if node is None:
        return {"props": {}, "version": 0, "areas": [], "communities": [], "themes": {},
                "offers": [], "needs": []}
    return {"props": dict(node.props), "version": node.version,
            "areas": sorted(snap.targets("ACTIVE_IN", node.id)),
            "communities": sorted(snap.targets("SERVES", node.id)),
            "themes": {t: p.get("weight", 2) for t, p in snap.out("WORKS_ON", node.id)},
            "offers": sorted(snap.targets("OFFERS", node.id)),
            "needs": sorted(snap.targets("NEEDS", node.id))}


# -- the form --------------------------------------------------------------------------------
def _weight(raw: str | None) -> int | str:
    return int(raw) if raw and raw.isdigit() else (raw or 2)


def payload_from_form(existing: Node | None) -> dict[str, Any]:
    """The form's fields as the JSON API takes them (one checker for both)."""
    form = request.form
    payload: dict[str, Any] = {k: form.get(k, "") for k in ("name", "description", "website", "kind")}
    for fld in ("areas", "communities", "offers", "needs"):
        payload[fld] = form.getlist(fld)
    payload["themes"] = [{"id": t, "weight": _weight(form.get(f"weight-{t}"))}
                         for t in form.getlist("themes")]
    people = zip(form.getlist("contact_name"), form.getlist("contact_role"),
                 form.getlist("contact_email"), form.getlist("contact_phone"), strict=False)
    payload["contact_persons"] = [{"name": n, "role": r, "email": e, "phone": p} for n, r, e, p in people]
    proposed = list(existing.props.get("proposed_themes") or []) if existing else []
    if form.get("proposed_theme", "").strip():
        proposed.append(form["proposed_theme"])
    payload["proposed_themes"] = proposed
    return payload


#: Where each checked field is on the form (its message is shown beside it).
FIELD_ANCHORS: Final = {**{f: f"field-{f}" for f in ("name", "description", "website", "kind",
                                                      "proposed_themes", "contact_persons")},
                        **{f: f"select-{f}" for f in ("areas", "communities", "themes", "offers", "needs")}}


def field_errors(errors: list[str]) -> dict[str, list[str]]:
    """The messages of ``"field: message"`` errors per field the form has.

    Examples
    --------
    >>> field_errors(["website: an http:// or https:// address.", "fraud_flag: is not a profile field.",
    ...               "expected_version"])
    {'website': ['an http:// or https:// address.']}
    """
    found: dict[str, list[str]] = {}
    for error in errors:
        fld, sep, text = error.partition(": ")
        if sep and fld in FIELD_ANCHORS:
            found.setdefault(fld, []).append(text)
    return found


def _render_form(snap: Snapshot, node: Node | None, errors: list[str], status: int,
                 current: dict[str, Any] | None = None) -> ResponseReturnValue:
    return render_template("profile_edit.html", node=node, current=current or _current(snap, node),
                           errors=errors, field_errors=field_errors(errors), field_anchors=FIELD_ANCHORS,
                           **_choices(snap)), status


def _form_current(node: Node | None, payload: dict[str, Any], version: int) -> dict[str, Any]:
    """What the user sent, to show it again beside the errors."""
    return {"props": {**(dict(node.props) if node else {}), **payload}, "version": version,
            "areas": payload["areas"], "communities": payload["communities"],
            "themes": {t["id"]: t["weight"] for t in payload["themes"]},
            "offers": payload["offers"], "needs": payload["needs"]}


@bp.route("/organisations/<actor_id>/edit", methods=["GET", "POST"])
def edit(actor_id: str) -> ResponseReturnValue:
    viewer = require_organisation_access(actor_id)
    snap = services().snapshot()
    node = snap.node(actor_id, "Organisation")
    if request.method == "GET":
        if viewer.may_see_confidential(actor_id):
            record("view", actor_id, ["contact_persons"], "profile edit form")
        return _render_form(snap, node, [], 200)
    payload = payload_from_form(node)
    raw_version = request.form.get("expected_version", "0") or "0"
    if not raw_version.isdigit() or len(raw_version) > 15:
        return _render_form(snap, node, [_("The form is out of date; reload the page and make your change "
                                           "again.")], 400, _form_current(node, payload, node.version))
    version = int(raw_version)
    try:
        update_profile(services().store, snap, actor_id, payload, services().vocab,
                       expected_version=version)
    except InvalidInput as exc:
        return _render_form(snap, node, exc.errors or [exc.message], 400,
                            _form_current(node, payload, version))
    except Conflict:
        return _render_form(snap, node, [_("Someone else changed this profile in the meantime. "
                                           "This is the profile as it is now; make your change "
                                           "again.")], 409)
    record("change", actor_id, ["contact_persons"], "profile edit")
    flash(_("The profile is saved. Every change is in the history, where it can be undone."), "ok")
    return redirect(url_for("pages.actor", actor_id=actor_id))


# -- creating an organisation ------------------------------------------------------------------
def _region(snap: Snapshot, organisations: frozenset[str]) -> set[str]:
    """A coach's region: the districts of the areas of the organisations it coaches."""
    return {snap.top_area(a) for o in organisations if o in snap.nodes
            for a in snap.targets("ACTIVE_IN", o)}


def _create(payload: Any) -> Node:
    viewer, snap = current_viewer(), services().snapshot()
    if viewer.role == "coach":
        region = _region(snap, viewer.organisations)
        areas = payload.get("areas") if isinstance(payload, dict) else None
        if not areas:
            raise InvalidInput("Check areas: a coach names the areas of a new organisation, in "
                               "the region of the organisations it coaches.", errors=["areas"])
        for code in areas:
            try:
                inside = snap.top_area(snap.area(str(code)).id) in region
            except Exception:  # an unknown area: the profile check names it
                continue
            if not inside:
                raise Forbidden(f"The area {code!r} is outside the region you coach in.")
    node = create_organisation(services().store, snap, payload, services().vocab)
    account = current_account()
    if viewer.role == "coach" and account is not None:
        services().accounts.update(account.username,
                                   organisations=sorted({*account.organisations, node.id}))
    return node


@bp.route("/organisations/new", methods=["GET", "POST"])
@require_role("coach")
def new() -> ResponseReturnValue:
    snap = services().snapshot()
    if request.method == "GET":
        return _render_form(snap, None, [], 200)
    payload = payload_from_form(None)
    try:
        node = _create(payload)
    except (InvalidInput, Forbidden) as exc:
        return _render_form(snap, None, exc.errors or [exc.message], exc.status,
                            _form_current(None, payload, 0))
    flash(_("The organisation is created."), "ok")
    return redirect(url_for("pages.actor", actor_id=node.id))


@bp.post("/api/v1/organisations")
@require_role("coach")
def api_create() -> ResponseReturnValue:
    node = _create(request.get_json(silent=True))
    return ok({"organisation": visible_node(node, current_viewer())}, 201)


@bp.patch("/api/v1/organisations/<path:actor_id>")
def api_update(actor_id: str) -> ResponseReturnValue:
    viewer = require_organisation_access(actor_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise InvalidInput("Send the changed fields as a JSON object with 'expected_version'.")
    snap = services().snapshot()
    node = update_profile(services().store, snap, actor_id, payload, services().vocab,
                          expected_version=payload.get("expected_version"))
    if "contact_persons" in payload:
        record("change", actor_id, ["contact_persons"], "profile edit (API)")
    return ok({"organisation": visible_node(node, viewer)})


# -- themes proposed in free text, for the admin -----------------------------------------------
def _proposed_themes() -> list[dict[str, Any]]:
    snap = services().snapshot()
    rows = [{"id": o, "name": snap.name(o), "themes": list(snap.nodes[o].props.get("proposed_themes") or [])}
            for o in snap.labelled("Organisation")]
    return sorted((r for r in rows if r["themes"]), key=lambda r: normalise_name(str(r["name"])))


@bp.get("/admin/proposed-themes")
@require_role("admin")
def proposed_themes() -> ResponseReturnValue:
    return render_template("proposed_themes.html", rows=_proposed_themes())


@bp.get("/api/v1/proposed-themes")
@require_role("admin")
def api_proposed_themes() -> ResponseReturnValue:
    return ok({"items": _proposed_themes()})
