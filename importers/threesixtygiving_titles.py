"""360Giving spreadsheets with titled columns (``Recipient Org:Identifier``) → grant objects.

The standard's spreadsheet form names columns by their titles, ``Section:Field``; this module
maps the titles Goudkaart uses to the JSON shape of a grant, the way ``flattentool unflatten
--convert-titles`` would for these fields (other columns are ignored). Titles compare without
regard to case, spaces or a trailing unit such as ``(months)``.
"""

from __future__ import annotations

import re
from typing import Any, Final

from importers.tables import Table

__all__ = ["TITLES", "grant_from_row", "is_titled", "title_key"]

# normalised title -> (section or "", field); section "" = a top-level grant field
TITLES: Final[dict[str, tuple[str, str]]] = {
    "identifier": ("", "id"),
    "title": ("", "title"),
    "description": ("", "description"),
    "currency": ("", "currency"),
    "amount awarded": ("", "amountAwarded"),
    "award date": ("", "awardDate"),
    "recipient org:identifier": ("recipientOrganization", "id"),
    "recipient org:name": ("recipientOrganization", "name"),
    "recipient org:charity number": ("recipientOrganization", "charityNumber"),
    "recipient org:company number": ("recipientOrganization", "companyNumber"),
    "recipient org:postal code": ("recipientOrganization", "postalCode"),
    "recipient org:city": ("recipientOrganization", "addressLocality"),
    "recipient ind:identifier": ("recipientIndividual", "id"),
    "funding org:identifier": ("fundingOrganization", "id"),
    "funding org:name": ("fundingOrganization", "name"),
    "planned dates:start date": ("plannedDates", "startDate"),
    "planned dates:end date": ("plannedDates", "endDate"),
    "planned dates:duration": ("plannedDates", "duration"),
    "beneficiary location:name": ("beneficiaryLocation", "name"),
    "beneficiary location:geographic code": ("beneficiaryLocation", "geoCode"),
    "beneficiary location:geographic code type": ("beneficiaryLocation", "geoCodeType"),
    "classifications:title": ("classifications", "title"),
    "classifications:code": ("classifications", "code"),
    "classifications:vocabulary": ("classifications", "vocabulary"),
    "grant programme:title": ("grantProgramme", "title"),
    "grant programme:code": ("grantProgramme", "code"),
}
_REQUIRED_TITLES: Final = ("identifier", "amount awarded")


def title_key(title: str) -> str:
    """A column title as looked up in :data:`TITLES`.

    Examples
    --------
    >>> title_key(" Planned Dates:Duration (months) "), title_key("Amount  Awarded")
    ('planned dates:duration', 'amount awarded')
    """
    text = re.sub(r"\s*\([^)]*\)\s*$", "", title.strip().lower())
    text = re.sub(r"\s*:\s*", ":", re.sub(r"\s+", " ", text))
    if text.startswith("classification:") and text not in TITLES:
        return "classifications:title"  # e.g. "Classification:Grant Programme"
    return text


def is_titled(table: Table) -> bool:
    """True when a table's header reads like a 360Giving spreadsheet."""
    keys = {title_key(h) for h in table.header}
    return all(t in keys for t in _REQUIRED_TITLES) and any(k.startswith("funding org:") for k in keys)


def grant_from_row(header: list[str], cells: list[str]) -> dict[str, Any]:
    """One spreadsheet row as a grant object (only the fields in :data:`TITLES`).

    Examples
    --------
    >>> grant_from_row(["Identifier", "Recipient Org:Name", "Amount Awarded"], ["G1", "Al Amal", "500"])
    {'id': 'G1', 'recipientOrganization': [{'name': 'Al Amal'}], 'amountAwarded': '500'}
    """
    grant: dict[str, Any] = {}
    for title, cell in zip(header, cells, strict=False):
        place = TITLES.get(title_key(title))
        if place is None or not cell:
            continue
        section, field = place
        if not section:
            grant[field] = cell
        else:
            grant.setdefault(section, [{}])[0].setdefault(field, cell)
    return grant
