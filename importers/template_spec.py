"""The spreadsheet templates as data: sheets, columns, what each column takes, notes and examples.

One table drives the template files (:mod:`importers.templates`), the import
(:mod:`importers.tabular`) and the CSV/XLSX export, so the three can never drift apart.
Multi-value cells separate their values with ``|``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from graphsvc.text import normalise_name

__all__ = ["Column", "Sheet", "SHEETS", "sheet_named", "IGNORED_SHEETS", "COMMENT"]

COMMENT: Final = "#"  # a row whose first cell starts with this is a note or an example


@dataclass(frozen=True)
class Column:
    """One column: its name, what it takes (``kind``), whether it is required, notes, example."""

    name: str
    kind: str
    required: bool
    note_nl: str
    note_en: str
    example: str = ""
    aliases: tuple[str, ...] = ()

    def note(self) -> str:
        need = "Verplicht / required. " if self.required else ""
        return f"{need}{self.note_nl} / {self.note_en}"


@dataclass(frozen=True)
class Sheet:
    """One sheet (or CSV file) of the template."""

    name: str
    name_nl: str
    label: str  # the node label its rows create, or "" for link sheets
    columns: tuple[Column, ...]
    note_nl: str
    note_en: str

    def column(self, name: str) -> Column | None:
        key = normalise_name(name).replace(" ", "_").replace("-", "_")
        for col in self.columns:
            if key == col.name or key in col.aliases:
                return col
        return None


def _c(name: str, kind: str, required: bool, nl: str, en: str, example: str = "",
       aliases: tuple[str, ...] = ()) -> Column:
    return Column(name, kind, required, nl, en, example, aliases)


_ID = _c("id", "id", False, "Uniek id (letters, cijfers, -). Leeg: Goudkaart maakt er een.",
         "Unique id (letters, digits, -). Empty: Goudkaart makes one.")
_NAME = _c("name", "text", True, "Naam zoals de organisatie zichzelf noemt.",
           "Name as the organisation calls itself.", aliases=("naam",))
_AREAS = _c("areas", "areas", False, "Gebiedscodes of -ids, gescheiden door |, bv. WK0363FC|E.",
            "Area codes or ids separated by |, e.g. WK0363FC|E.", "WK0363FC",
            aliases=("gebieden", "wijken"))
_DESCRIPTION = _c("description", "text", False, "Korte beschrijving.", "Short description.",
                  aliases=("beschrijving", "omschrijving"))

SHEETS: Final = (
    Sheet("organisations", "organisaties", "Organisation", (
        replace(_ID, example="org-de-brug"),
        replace(_NAME, example="Stichting De Brug"),
        _c("kvk", "kvk", False, "KvK-nummer: 8 cijfers.", "Chamber of Commerce number: 8 digits.",
           "12345678", ("kvk_nummer", "kvknummer")),
        _c("kind", "enum:organisation_kinds", False, "Soort, bv. migrant-self-organisation.",
           "Kind, e.g. migrant-self-organisation.", "volunteer-organisation", ("soort",)),
        _c("legal_form", "enum:legal_forms", False, "stichting, vereniging of informal.",
           "stichting, vereniging or informal.", "stichting", ("rechtsvorm",)),
        _c("founded", "year", False, "Jaar van oprichting.", "Year founded.", "2009", ("opgericht",)),
        _c("volunteers", "count", False, "Aantal vrijwilligers.", "Number of volunteers.", "25",
           ("vrijwilligers",)),
        _c("members", "count", False, "Aantal leden.", "Number of members.", "120", ("leden",)),
        _c("languages", "list", False, "Taalcodes, gescheiden door |.", "Language codes separated by |.",
           "nl|ar|tr", ("talen",)),
        _AREAS,
        _c("communities", "refs:Community", False, "Doelgroepen (id of naam), gescheiden door |.",
           "Communities served (id or name) separated by |.", "", ("doelgroepen", "gemeenschappen")),
        _c("website", "text", False, "Website.", "Website.", "https://example.org"),
        replace(_DESCRIPTION, example="Huiswerkbegeleiding en taalcafé in Slotermeer."),
        _c("core_business", "text", False, "Kerntaak in één zin.", "Core business in one sentence.",
           "Taal en ontmoeting", ("kerntaak",)),
    ), "Eén rij per organisatie.", "One row per organisation."),
    Sheet("institutions", "instellingen", "Institution", (
        replace(_ID, example="inst-buurtteam-west"),
        replace(_NAME, example="Buurtteam West"),
        _c("sector", "enum:institution_sectors", False, "Sector, bv. care, welfare.",
           "Sector, e.g. care, welfare.", "welfare"),
        _AREAS, _DESCRIPTION,
    ), "Eén rij per instelling.", "One row per institution."),
    Sheet("funds", "fondsen", "Fund", (
        replace(_ID, example="fund-buurtfonds"),
        replace(_NAME, example="Buurtfonds West"),
        _c("fund_type", "enum:fund_types", False, "Soort fonds, bv. private-fund, municipality.",
           "Fund type, e.g. private-fund, municipality.", "private-fund", ("soort_fonds",)),
        _c("priorities", "interests", False, "Thema's (id) die het fonds voorrang geeft, met |.",
           "Themes (id) the fund prioritises, separated by |.", "eenzaamheid|taal", ("prioriteiten",)),
        _DESCRIPTION,
    ), "Eén rij per fonds.", "One row per fund."),
    Sheet("areas", "gebieden", "Neighbourhood", (
        replace(_ID, example="area-wk0363fc"),
        replace(_NAME, example="Slotermeer-West"),
        _c("code", "text", True, "Officiële code, bv. WK0363FC of E.", "Official code, e.g. WK0363FC or E.",
           "WK0363FC"),
        _c("level", "enum:levels", False, "district, wijk of buurt.", "district, wijk or buurt.", "wijk",
           ("niveau",)),
        _c("district", "text", False, "Stadsdeelletter, bv. F.", "District letter, e.g. F.", "F",
           ("stadsdeel",)),
        _c("part_of", "area", False, "Ligt in (code of id), bv. F.", "Part of (code or id), e.g. F.", "F",
           ("ligt_in",)),
    ), "Gebieden die nog niet in de kaart staan.", "Areas not yet in the map."),
    Sheet("communities", "gemeenschappen", "Community", (
        replace(_ID, example="comm-eritrees"),
        replace(_NAME, example="Eritrese gemeenschap"),
        _c("name_en", "text", False, "Naam in het Engels.", "Name in English.", "Eritrean community",
           ("naam_en",)),
    ), "Doelgroepen en gemeenschappen.", "Target groups and communities."),
    Sheet("interests_offers_needs", "belangen_aanbod_behoeften", "", (
        _c("actor", "actor", True, "Organisatie of instelling: id, KvK-nummer of naam.",
           "Organisation or institution: id, KvK number or name.", "org-de-brug", ("organisatie",)),
        _c("interests", "interests", False, "Thema's (id), met | gescheiden; gewicht 1-3 na een :.",
           "Themes (id) separated by |; weight 1-3 after a colon.", "taal:3|eenzaamheid",
           ("belangen", "themas")),
        _c("offers", "capabilities", False, "Wat zij bieden (id), met |.", "What they offer (id), with |.",
           "vertrouwensnetwerk|vergaderruimte", ("biedt", "aanbod")),
        _c("needs", "capabilities", False, "Wat zij zoeken (id), met |.", "What they need (id), with |.",
           "fondsenwerving", ("zoekt", "behoeften")),
    ), "Thema's, aanbod en behoeften per actor.", "Themes, offers and needs per actor."),
    Sheet("ties", "banden", "", (
        _c("actor_a", "actor", True, "Eerste actor: id, KvK-nummer of naam.", "First actor: id, KvK or name.",
           "org-de-brug", ("actor_1",)),
        _c("actor_b", "actor", True, "Tweede actor.", "Second actor.", "inst-buurtteam-west", ("actor_2",)),
        _c("rung", "rung", True, "Trede 1-5 (kennen … samen agenderen).", "Rung 1-5 (knowing … co-owning).",
           "3", ("trede",)),
        _c("since", "date", False, "Sinds (jjjj-mm-dd).", "Since (yyyy-mm-dd).", "2024-03-14", ("sinds",)),
        _c("note", "text", False, "Toelichting.", "Note.", "Verwijzen gezinnen door", ("notitie",)),
        _c("declared_by", "enum:declared_by", False, "self, both of coach.", "self, both or coach.", "both",
           ("gemeld_door",)),
    ), "Eén rij per band tussen twee actoren.", "One row per tie between two actors."),
    Sheet("funding", "financiering", "", (
        _c("fund", "actor", True, "Fonds: id of naam.", "Fund: id or name.", "fund-buurtfonds", ("fonds",)),
        _c("organisation", "actor", True, "Organisatie: id, KvK-nummer of naam.",
           "Organisation: id, KvK number or name.", "org-de-brug", ("organisatie",)),
        _c("grant_id", "text", True, "Kenmerk van de toekenning.", "Grant id.", "BF-2025-014",
           ("kenmerk",)),
        _c("amount", "amount", False, "Bedrag in euro.", "Amount in EUR.", "12500", ("bedrag",)),
        _c("year", "year", False, "Jaar.", "Year.", "2025", ("jaar",)),
        _c("start", "date", False, "Begindatum.", "Start date.", "2025-01-01", ("begin",)),
        _c("end", "date", False, "Einddatum.", "End date.", "2025-12-31", ("eind",)),
        _c("status", "enum:grant_status", False,
           "pending, awarded, active, completed, rejected of withdrawn (of de Nederlandse naam).",
           "pending, awarded, active, completed, rejected or withdrawn (or the Dutch name).", "awarded"),
        _c("title", "text", False, "Titel van het project.", "Project title.", "Taalcafé", ("titel",)),
    ), "Eén rij per toekenning.", "One row per grant."),
)

IGNORED_SHEETS: Final = frozenset({"toelichting", "notes", "readme", "lees_mij", "uitleg"})


def sheet_named(name: str) -> Sheet | None:
    """The sheet a sheet or file name stands for, in English or Dutch.

    Examples
    --------
    >>> sheet_named("Banden").name, sheet_named("organisations").label
    ('ties', 'Organisation')
    """
    key = normalise_name(name).replace(" ", "_").replace("-", "_")
    for sheet in SHEETS:
        if key in (sheet.name, sheet.name_nl):
            return sheet
    return None
