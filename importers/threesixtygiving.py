"""Import 360Giving 1.4 grants: funder → ``Fund``, recipient → ``Organisation``, grant → ``FUNDS``.

Reads the JSON package (``{"grants": [...]}``) and titled CSV/XLSX sheets. Recipient org-ids
``NL-KVK-…`` give the KvK number; placeholder ids such as ``DUMMY01`` count as no id (the
recipient is then known by name). Each grant becomes a ``FUNDS`` relationship keyed by the grant
id, with amount, currency, award date, planned dates, title and programme. Beneficiary location
codes that match an area place the recipient there; classifications become themes through the
mapping table. Real-world quirks — ``"12 months"`` durations, ``dd/mm/yyyy`` dates — are
accepted with a warning; ``08/2013``, ``2013`` and ``19 April 2013`` keep their precision (see
:mod:`importers.dates`). Every message about a grant starts with the grant's id, and one summary
line per kind of message says how many grants, recipients and funders it concerns.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from graphsvc.errors import ImportFailed
from graphsvc.model import Node, Relationship
from graphsvc.vocab import Vocabulary, load_vocabulary
from importers.batch import ImportBatch, Where
from importers.cells import CellError, parse_amount
from importers.dates import parse_grant_date
from importers.dump_read import json_error
from importers.limits import CLI_LIMITS, Limits
from importers.mapping import TermMapping, load_term_mapping
from importers.tabular import read_tables
from importers.threesixtygiving_orgs import OrgKeys, is_placeholder_id
from importers.threesixtygiving_tally import Tally
from importers.threesixtygiving_titles import grant_from_row, is_titled

__all__ = ["read_360giving", "is_360giving_json", "is_placeholder_id"]

_KVK: Final = re.compile(r"^NL-KVK-(\d{8})$", re.IGNORECASE)
_DURATION: Final = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(months?|maanden)?\s*$", re.IGNORECASE)


def is_360giving_json(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("grants"), list)


def read_360giving(path: str | Path, *, name: str = "", limits: Limits = CLI_LIMITS,
                   vocab: Vocabulary | None = None, mapping: TermMapping | None = None) -> ImportBatch:
    """Read a 360Giving JSON package or titled CSV/XLSX file into an import batch.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "grants.json"
    >>> grant = {"id": "360G-demo-1", "title": "Buurtkamer", "description": "Een jaar huur",
    ...          "currency": "EUR", "amountAwarded": 9500, "awardDate": "2024-03-01",
    ...          "recipientOrganization": [{"id": "NL-KVK-12345678", "name": "Stichting Buurtkamer"}],
    ...          "fundingOrganization": [{"id": "NL-KVK-87654321", "name": "Fonds West"}]}
    >>> _ = path.write_text(json.dumps({"grants": [grant]}))
    >>> batch = read_360giving(path)
    >>> [(r.rel.type, r.rel.props["amount"]) for r in batch.rels if r.rel.type == "FUNDS"]
    [('FUNDS', 9500)]
    """
    source = Path(path)
    file = name or source.name
    limits.check_size(source, file)
    batch = ImportBatch(file, "360giving", loose_refs=True, fill_on_loose_match=True,
                        prop_columns={"amount": "amountAwarded", "year": "awardDate"})
    grants = _grants(source, file, batch, limits)
    vocab = vocab or load_vocabulary()
    _GrantReader(batch, mapping or load_term_mapping(vocab), {t.id: t for t in vocab.interests}).read(grants)
    return batch


def _grants(source: Path, file: str, batch: ImportBatch, limits: Limits) -> list[tuple[Where, dict[str, Any]]]:
    if source.suffix.lower() == ".json":
        try:
            data = json.loads(source.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError:
            raise ImportFailed(f"{file} is not UTF-8 text. / {file} is geen UTF-8-tekst.") from None
        except json.JSONDecodeError as exc:
            json_error(batch.problems, exc)
            return []
        if not is_360giving_json(data):
            batch.error(Where(), "Geen 360Giving-pakket: de lijst \"grants\" ontbreekt.",
                        "Not a 360Giving package: the list \"grants\" is missing.")
            return []
        limits.check_rows(file, len(data["grants"]))
        return [(Where("grants", i), g) for i, g in enumerate(data["grants"], 1) if isinstance(g, dict)]
    out: list[tuple[Where, dict[str, Any]]] = []
    for table in read_tables(source, file, batch, limits):
        if not is_titled(table):
            continue
        out.extend((Where(table.name, row), grant_from_row(table.header, cells)) for row, cells in table.rows
                   if any(cells))
    if not out and not batch.problems.has_errors:
        batch.error(Where(), "Geen 360Giving-kolommen gevonden (Identifier, Amount Awarded, Funding Org:…).",
                    "No 360Giving columns found (Identifier, Amount Awarded, Funding Org:…).")
    return out


def _first(grant: dict[str, Any], key: str) -> dict[str, Any]:
    value = grant.get(key)
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0]
    return value if isinstance(value, dict) else {}


def _text(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    return "" if value is None else str(value).strip()


@dataclass
class _Actor:
    node_id: str
    label: str
    props: dict[str, Any]
    where: Where
    areas: set[str] = field(default_factory=set)


class _GrantReader:
    def __init__(self, batch: ImportBatch, mapping: TermMapping, interests: dict[str, Any]) -> None:
        self.batch, self.mapping, self.interests = batch, mapping, interests
        self.actors: dict[str, _Actor] = {}
        self.seen: dict[str, tuple[Where, dict[str, Any]]] = {}
        self.tally = Tally(batch)
        self.keys = OrgKeys(())

    def read(self, grants: list[tuple[Where, dict[str, Any]]]) -> None:
        self.keys = OrgKeys(g for _, g in grants)
        for where, grant in grants:
            self._grant(grant, where)
        self.tally.begin("", "", "")
        for kind, nl, en in self.keys.messages():
            self.batch.warn(Where(), nl, en, kind=kind)
        self.tally.summarise()
        for actor in self.actors.values():
            self.batch.add_node(Node(actor.node_id, actor.label, actor.props), actor.where,
                                areas=tuple(sorted(actor.areas)))

    def _grant(self, grant: dict[str, Any], where: Where) -> None:
        grant_id = _text(grant, "id")
        recipient, funder = (_first(grant, key) for key in ("recipientOrganization", "fundingOrganization"))
        self.tally.begin(grant_id or f"#{where.row}", self._who(recipient, "Organisation"), self._who(funder, "Fund"))
        if not grant_id:
            self.tally.error(where.at("id"), "Deze toekenning heeft geen id.", "This grant has no id.",
                             "no id", ("toekenning zonder id", "grant without id"))
            return
        before = self.seen.setdefault(grant_id, (where, grant))
        if before[1] is not grant:
            if before[1] != grant:
                self.tally.error(where.at("id"), f"staat ook op rij {before[0].row}, met andere gegevens.",
                                 f"is also on row {before[0].row}, with different values.", "twice",
                                 ("dubbel id", "duplicate id"))
            return
        if _first(grant, "recipientIndividual") and not recipient:
            self.tally.warn(where.at("recipientIndividual"), "Toekenning aan een persoon: overgeslagen.",
                            "Grant to an individual: skipped.", "individual",
                            ("toekenningen aan personen, overgeslagen", "grants to individuals, skipped"))
            return
        fund = self._actor(funder, "Fund", where.at("fundingOrganization"))
        org = self._actor(recipient, "Organisation", where.at("recipientOrganization"))
        props = self._funds_props(grant, where)
        if fund is None or org is None or props is None:
            return
        self.batch.add_rel(Relationship("FUNDS", fund, org, props, grant_id), where,
                           ("fundingOrganization", "recipientOrganization"))
        self._places(grant, org, where)
        self._themes(grant, org, where)

    def _who(self, obj: dict[str, Any], label: str) -> str:
        """The node a funder or recipient becomes: what the summary counts."""
        org_id, name = _text(obj, "id"), _text(obj, "name")
        return self.keys.key(label, org_id, name).node_id if org_id or name else ""

    def _actor(self, obj: dict[str, Any], label: str, where: Where) -> str | None:
        org_id, name = _text(obj, "id"), _text(obj, "name")
        if not (org_id and not is_placeholder_id(org_id)) and not name:
            who = ("financier", "funder") if label == "Fund" else ("ontvanger", "recipient")
            self.tally.error(where, f"De {who[0]} heeft geen id en geen naam.",
                             f"The {who[1]} has no id and no name.", f"nameless {label}",
                             (f"{who[0]} zonder id en naam", f"{who[1]} without id or name"))
            return None
        key = self.keys.key(label, org_id, name)
        actor = self.actors.get(key.node_id)
        if actor is None:
            actor = self.actors[key.node_id] = _Actor(key.node_id, label, {"name": name or key.org_id}, where)
        if key.org_id:
            kvk = _KVK.match(key.org_id)
            if kvk and key.mergeable and label == "Organisation":
                actor.props["kvk"] = kvk.group(1)
            ids = set(actor.props.get("identifiers", [])) | {key.org_id}
            actor.props["identifiers"] = sorted(ids)
        if _text(obj, "addressLocality") and label == "Organisation":
            actor.props.setdefault("city", _text(obj, "addressLocality"))
        return key.node_id

    def _funds_props(self, grant: dict[str, Any], where: Where) -> dict[str, Any] | None:
        props: dict[str, Any] = {"status": "awarded"}
        try:
            props["amount"] = parse_amount(str(grant.get("amountAwarded", "")))
        except CellError as exc:
            self.tally.error(where.at("amountAwarded"), exc.nl, exc.en, "amount", ("bedrag", "amount"))
            return None
        currency = _text(grant, "currency").upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            self.tally.error(where.at("currency"), f"Valuta {currency!r} is geen ISO-code zoals EUR of GBP.",
                             f"Currency {currency!r} is not an ISO code such as EUR or GBP.", "currency",
                             ("valuta", "currency"))
            return None
        props["currency"] = currency
        for key, target in (("title", "title"), ("description", "description")):
            if _text(grant, key):
                props[target] = _text(grant, key)
        award = self._date(grant, "awardDate", where)
        planned = _first(grant, "plannedDates")
        dates = [self._date(planned, key, where.at("plannedDates")) for key in ("startDate", "endDate")]
        if award is False or False in dates:
            return None
        if isinstance(award, str):
            props["award_date"], props["year"] = award, int(award[:4])
        for target, value in zip(("start", "end"), dates, strict=True):
            if isinstance(value, str):
                props[target] = value
        duration = self._duration(planned, where)
        if duration is not None:
            props["duration_months"] = duration
        programme = _first(grant, "grantProgramme")
        if _text(programme, "title"):
            props["programme"] = _text(programme, "title")
        return props

    def _date(self, obj: dict[str, Any], key: str, where: Where) -> str | None | bool:
        """The date in ``obj[key]`` with its precision; None when absent, False after an error."""
        text = _text(obj, key)
        if not text:
            return None
        try:
            found = parse_grant_date(text)
        except CellError as exc:
            self.tally.error(where.at(key), f"{key}: {exc.nl}", f"{key}: {exc.en}", f"date {key}",
                             (f"onleesbare of onmogelijke {key}", f"unreadable or impossible {key}"))
            return False
        if found.day_first:
            self.tally.warn(where.at(key), f"Datum {text!r} gelezen als dag/maand/jaar: {found.value}.",
                            f"Date {text!r} read as day/month/year: {found.value}.", "dd/mm/yyyy",
                            ("datums gelezen als dag/maand/jaar", "dates read as day/month/year"))
        return found.value

    def _duration(self, planned: dict[str, Any], where: Where) -> int | float | None:
        raw = planned.get("duration")
        if raw in (None, ""):
            return None
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return raw
        match = _DURATION.match(str(raw))
        if match is None:
            self.tally.warn(where.at("plannedDates.duration"), f"Looptijd {raw!r} is onleesbaar; weggelaten.",
                            f"Duration {raw!r} is unreadable; left out.", "bad duration",
                            ("onleesbare looptijden", "unreadable durations"))
            return None
        number = float(match.group(1))
        if match.group(2):
            self.tally.warn(where.at("plannedDates.duration"),
                            f"Looptijd {raw!r} gelezen als {number:g} maanden (de standaard wil een getal).",
                            f"Duration {raw!r} read as {number:g} months (the standard wants a number).",
                            "duration text", ("looptijden als tekst", "durations as text"))
        return int(number) if number.is_integer() else number

    def _places(self, grant: dict[str, Any], org: str, where: Where) -> None:
        locations = grant.get("beneficiaryLocation")
        for loc in locations if isinstance(locations, list) else []:
            code = _text(loc, "geoCode") if isinstance(loc, dict) else ""
            if code:
                self.actors[org].areas.add(code)
                self.batch.add_rel(Relationship("ACTIVE_IN", org, code), where,
                                   ("recipientOrganization", "beneficiaryLocation.geoCode"), optional=True)

    def _themes(self, grant: dict[str, Any], org: str, where: Where) -> None:
        classes = grant.get("classifications")
        for cls in classes if isinstance(classes, list) else []:
            if not isinstance(cls, dict):
                continue
            title = _text(cls, "title") or _text(cls, "code")
            interest = self.mapping.interest(_text(cls, "vocabulary"), _text(cls, "code"), title)
            if interest is None:
                self.tally.warn(where.at("classifications"),
                                f"Classificatie {title!r} staat niet in de koppeltabel; overgeslagen.",
                                f"Classification {title!r} is not in the mapping table; skipped.",
                                f"class {title}", (f"classificatie {title!r} niet gekoppeld",
                                                   f"classification {title!r} not mapped"))
                continue
            term = self.interests[interest]
            self.batch.add_node(Node(term.id, "Interest", {"name": term.nl, "name_en": term.en}), where,
                                ensure_only=True)
            self.batch.add_rel(Relationship("WORKS_ON", org, term.id), where,
                               ("recipientOrganization", "classifications"))
