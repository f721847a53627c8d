"""An organisation's profile edited by the organisation itself, its coach or an admin.

One function checks a (partial) profile against the vocabularies and the graph and says which
fields are wrong; :func:`create_organisation` and :func:`update_profile` then write it in one
transaction: the node's fields and its areas, communities, themes (with weight), offers and
needs, so the history lists every change (who, when, old → new) and each can be undone. A
free-text theme is not added to the vocabulary: it is kept as ``proposed_themes`` for an admin.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from graphsvc.clock import utc_now
from graphsvc.errors import InvalidInput, NotFound
from graphsvc.model import Node, Relationship
from graphsvc.snapshot import Snapshot
from graphsvc.store.base import GraphStore
from graphsvc.vocab import Vocabulary

__all__ = ["ProfileEdit", "check_profile", "create_organisation", "update_profile", "PROFILE_FIELDS",
           "REL_FIELDS"]

MAX_NAME: Final = 200
MAX_TEXT: Final = 5000
MAX_ITEMS: Final = 200
#: Node fields a profile edit may set.
PROFILE_FIELDS: Final = ("name", "description", "website", "kind", "contact_persons", "proposed_themes")
#: List fields and the relationship each becomes.
REL_FIELDS: Final = {"areas": "ACTIVE_IN", "communities": "SERVES", "themes": "WORKS_ON",
                     "offers": "OFFERS", "needs": "NEEDS"}
_CONTACT_KEYS: Final = ("name", "role", "email", "phone")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/?#]+\.[^\s]*$|^https?://localhost[^\s]*$", re.IGNORECASE)


@dataclass
class ProfileEdit:
    """A checked edit: node fields to set (None: remove) and, per relationship type given,
    the targets it should have with their properties."""

    props: dict[str, Any] = field(default_factory=dict)
    rels: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    new_terms: dict[str, Node] = field(default_factory=dict)


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, fld: str, text: str) -> None:
        self.items.append((fld, text))

    def raise_if_any(self) -> None:
        if self.items:
            names = ", ".join(dict.fromkeys(f for f, _ in self.items))
            raise InvalidInput(f"Check {names}: {self.items[0][1]}",
                               errors=[f"{f}: {t}" for f, t in self.items])


def _text(value: Any, fld: str, limit: int, problems: _Problems, *, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip() and not required):
        return None
    if not isinstance(value, str):
        problems.add(fld, "must be text.")
        return None
    text = value.strip()
    if required and not text:
        problems.add(fld, f"between 1 and {limit} characters, not empty.")
    elif len(text) > limit:
        problems.add(fld, f"at most {limit} characters, not {len(text)}.")
    return text


def _id_list(value: Any, fld: str, problems: _Problems) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        problems.add(fld, f"a list of ids (at most {MAX_ITEMS}).")
        return []
    return [str(v).strip() for v in value if isinstance(v, str | int) and str(v).strip()]


def _term_node(term_id: str, label: str, vocab: Vocabulary) -> Node | None:
    terms = vocab.interests if label == "Interest" else vocab.capabilities
    for term in terms:
        if term.id == term_id:
            props = {"name": term.nl, "name_en": term.en}
            if term.group:
                props["group"] = term.group
            return Node(term.id, label, props)
    return None


def _terms(ids: list[str], fld: str, label: str, snap: Snapshot, vocab: Vocabulary,
           edit: ProfileEdit, problems: _Problems) -> list[str]:
    known = []
    for term_id in ids:
        node = snap.nodes.get(term_id)
        if node is not None and node.label == label:
            known.append(term_id)
        elif node is None and (term := _term_node(term_id, label, vocab)) is not None:
            edit.new_terms[term_id] = term
            known.append(term_id)
        else:
            what = "theme" if label == "Interest" else "capability"
            problems.add(fld, f"there is no {what} with id {term_id!r}.")
    return known


def _themes(value: Any, snap: Snapshot, vocab: Vocabulary, edit: ProfileEdit,
            problems: _Problems) -> dict[str, dict[str, Any]]:
    """Themes as ``[{"id": ..., "weight": 1-3}]``, ``{id: weight}`` or plain ids (weight 2)."""
    pairs: list[tuple[str, Any]] = []
    if isinstance(value, Mapping):
        pairs = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, list) and len(value) <= MAX_ITEMS:
        for item in value:
            if isinstance(item, Mapping):
                pairs.append((str(item.get("id", "")), item.get("weight", 2)))
            else:
                pairs.append((str(item), 2))
    else:
        problems.add("themes", "a list of {\"id\", \"weight\"}.")
    out: dict[str, dict[str, Any]] = {}
    for term_id in _terms([p[0] for p in pairs], "themes", "Interest", snap, vocab, edit, problems):
        weight = dict(pairs)[term_id]
        if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 3:
            problems.add("themes", f"the weight of {term_id!r} must be 1, 2 or 3, not {weight!r}.")
        out[term_id] = {"weight": weight}
    return out


def _contacts(value: Any, problems: _Problems) -> list[dict[str, str]]:
    if not isinstance(value, list) or len(value) > 20:
        problems.add("contact_persons", "a list of at most 20 {name, role, email, phone}.")
        return []
    people = []
    for i, item in enumerate(value, 1):
        if not isinstance(item, Mapping):
            problems.add("contact_persons", f"person {i} must be an object.")
            continue
        person = {k: str(item.get(k) or "").strip()[:MAX_NAME] for k in _CONTACT_KEYS}
        if not any(person.values()):
            continue
        if not person["name"]:
            problems.add("contact_persons", f"person {i} needs a name.")
        if person["email"] and not _EMAIL.match(person["email"]):
            problems.add("contact_persons", f"person {i}: {person['email']!r} is no e-mail address.")
        people.append({k: v for k, v in person.items() if v})
    return people


def _simple(payload: Mapping[str, Any], vocab: Vocabulary, edit: ProfileEdit,
            problems: _Problems, creating: bool) -> None:
    if "name" in payload or creating:
        edit.props["name"] = _text(payload.get("name"), "name", MAX_NAME, problems, required=True)
    if "description" in payload:
        edit.props["description"] = _text(payload["description"], "description", MAX_TEXT, problems)
    if "website" in payload:
        url = _text(payload["website"], "website", 500, problems)
        if url and not _URL.match(url):
            problems.add("website", "an http:// or https:// address.")
        edit.props["website"] = url
    if "kind" in payload:
        kind = _text(payload["kind"], "kind", 80, problems)
        if kind and kind not in {t.id for t in vocab.kinds.get("organisation_kinds", ())}:
            problems.add("kind", f"there is no kind of organisation {kind!r}.")
        edit.props["kind"] = kind
    if "contact_persons" in payload:
        edit.props["contact_persons"] = _contacts(payload["contact_persons"], problems) or None
    if "proposed_themes" in payload:
        texts = [_text(t, "proposed_themes", MAX_NAME, problems) for t in
                 (payload["proposed_themes"] if isinstance(payload["proposed_themes"], list) else [])]
        edit.props["proposed_themes"] = [t for t in texts if t][:20] or None


def check_profile(payload: Any, snap: Snapshot, vocab: Vocabulary, *, creating: bool = False) -> ProfileEdit:
    """Check a (partial) profile; raise InvalidInput naming every wrong field, else the edit.

    Examples
    --------
    >>> from graphsvc.store.base import GraphData
    >>> from graphsvc.vocab import load_vocabulary
    >>> snap = Snapshot(GraphData(1, [Node("w", "Neighbourhood", {"name": "West", "code": "E"})], [], []))
    >>> edit = check_profile({"name": "Buurtvrouwen", "areas": ["E"], "themes": {"eenzaamheid": 3}},
    ...                      snap, load_vocabulary())
    >>> edit.props["name"], edit.rels["ACTIVE_IN"], edit.rels["WORKS_ON"]
    ('Buurtvrouwen', {'w': {}}, {'eenzaamheid': {'weight': 3}})
    >>> check_profile({"website": "javascript:alert(1)"}, snap, load_vocabulary())
    Traceback (most recent call last):
    ...
    graphsvc.errors.InvalidInput: Check website: an http:// or https:// address.
    """
    if not isinstance(payload, Mapping):
        raise InvalidInput("Send the profile as a JSON object.")
    problems, edit = _Problems(), ProfileEdit()
    unknown = sorted(set(payload) - set(PROFILE_FIELDS) - set(REL_FIELDS) - {"expected_version"})
    for key in unknown:
        problems.add(str(key)[:40], "is not a profile field.")
    _simple(payload, vocab, edit, problems, creating)
    if "areas" in payload:
        areas: dict[str, dict[str, Any]] = {}
        for code in _id_list(payload["areas"], "areas", problems):
            try:
                areas[snap.area(code).id] = {}
            except NotFound:
                problems.add("areas", f"there is no area with code {code!r}.")
        edit.rels["ACTIVE_IN"] = areas
    if "communities" in payload:
        ids = _id_list(payload["communities"], "communities", problems)
        for bad in [c for c in ids if c not in snap.nodes or snap.nodes[c].label != "Community"]:
            problems.add("communities", f"there is no community with id {bad!r}.")
        edit.rels["SERVES"] = {c: {} for c in ids if c in snap.nodes}
    if "themes" in payload:
        edit.rels["WORKS_ON"] = _themes(payload["themes"], snap, vocab, edit, problems)
    for fld, rel_type in (("offers", "OFFERS"), ("needs", "NEEDS")):
        if fld in payload:
            ids = _id_list(payload[fld], fld, problems)
            edit.rels[rel_type] = {c: {} for c in _terms(ids, fld, "Capability", snap, vocab, edit, problems)}
    problems.raise_if_any()
    return edit


def _write(store: GraphStore, snap: Snapshot, node: Node, edit: ProfileEdit,
           expected_version: int | None) -> None:
    props = {**node.props, **{k: v for k, v in edit.props.items() if v is not None},
             "profile_updated_at": utc_now()}
    for key in [k for k, v in edit.props.items() if v is None]:
        props.pop(key, None)
    with store.transaction(source="profile") as tx:
        tx.upsert_node(Node(node.id, node.label, props), expected_version=expected_version)
        for term in edit.new_terms.values():
            if tx.get_node(term.id) is None:
                tx.upsert_node(term)
        for rel_type, wanted in edit.rels.items():
            current = {other: dict(p) for other, p in snap.out(rel_type, node.id)}
            for other in sorted(set(current) - set(wanted)):
                tx.delete_relationship(rel_type, node.id, other)
            for other, extra in sorted(wanted.items()):
                merged = {**current.get(other, {}), **extra}
                merged.pop("key", None)
                tx.upsert_relationship(Relationship(rel_type, node.id, other, merged))


def update_profile(store: GraphStore, snap: Snapshot, organisation_id: str, payload: Any,
                   vocab: Vocabulary, *, expected_version: object) -> Node:
    """Apply a partial profile in one transaction; Conflict (with the current version) when the
    organisation changed since ``expected_version``."""
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise InvalidInput("'expected_version': send the version of the profile you edited.",
                           errors=["expected_version"])
    node = snap.node(organisation_id, "Organisation")
    edit = check_profile(payload, snap, vocab)
    _write(store, snap, store.get_node(node.id), edit, expected_version)
    return store.get_node(organisation_id)


def _slug(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:40] or "org"


def create_organisation(store: GraphStore, snap: Snapshot, payload: Any, vocab: Vocabulary) -> Node:
    """Create an organisation from a profile (``name`` required) in one transaction."""
    edit = check_profile(payload, snap, vocab, creating=True)
    org_id = f"org-{_slug(str(edit.props['name']))}-{uuid.uuid4().hex[:6]}"
    _write(store, snap, Node(org_id, "Organisation", {}), edit, 0)
    return store.get_node(org_id)
