"""The funder dashboard's tables, once: shown on the page and exported as CSV or XLSX.

Every cell of an export goes through :mod:`importers.spreadsheet_safety`, so a name such as
``=HYPERLINK(…)`` arrives in a funder's spreadsheet as text, never as a formula. Only the fields
a funder may see are in these tables: names, areas, themes, money, counts — no capacity
profiles, no contact persons, and no risk or fraud score.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from importers.spreadsheet_safety import neutralise_row, write_xlsx_row
from queries.clusters import ClusterDetail, ClusterReport
from queries.funding import Dependency, FundingFlows, GapMatrix

__all__ = ["Table", "TABLES", "clusters_table", "members_table", "gaps_table", "flows_table",
           "dependency_table", "to_csv", "to_xlsx"]

TABLES = ("clusters", "members", "gaps", "flows", "dependency")


@dataclass(frozen=True)
class Table:
    """A titled table: ``headers`` in the viewer's language, ``rows`` of plain values."""

    name: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def _names(parts: Sequence[Any], lang: str, n: int = 3) -> str:
    return ", ".join((p.name_en if lang == "en" else p.name) for p in parts[:n])


def clusters_table(report: ClusterReport, lang: str) -> Table:
    headers = (_("Cluster"), _("Name"), _("Organisations"), _("Themes"), _("Areas"), _("Funding (EUR)"),
               _("Funders"), _("Largest funder"), _("Largest share"), _("Herfindahl index"),
               _("Islands"), _("Brokers"), _("Summary"))
    rows = tuple(
        (p.id, p.name(lang), p.size, _names(p.themes, lang), _names(p.areas, lang),
         round(p.funding_total, 2), p.funder_count, p.funders[0].name if p.funders else "",
         round(p.largest_share, 4), round(p.herfindahl, 4), p.islands,
         ", ".join(b.name for b in p.brokers), p.summary(lang))
        for p in report.clusters)
    return Table("clusters", _("Clusters"), headers, rows)


def members_table(detail: ClusterDetail, lang: str) -> Table:
    headers = (_("Organisation id"), _("Name"), _("Kind"), _("Areas"), _("Themes"), _("Funding (EUR)"),
               _("Island"), _("Broker"))
    yes, no = _("yes"), _("no")
    rows = tuple((m.id, m.name, m.kind, ", ".join(m.areas), ", ".join(m.themes), round(m.funding, 2),
                  yes if m.island else no, yes if m.broker else no) for m in detail.members)
    return Table("members", f"{_('Members of')} {detail.profile.name(lang)}", headers, rows)


def gaps_table(matrix: GapMatrix, lang: str) -> Table:
    headers = (_("Theme"), _("Area"), _("Organisations in the area"), _("Working on the theme"),
               _("Expected"), _("Funded by this fund"), _("Other funders"), _("Gap"), _("Overlap"))
    yes, no = _("yes"), _("no")
    rows = tuple((c.theme_name, c.area_name, c.area_organisations, c.organisations, round(c.expected, 1),
                  c.funded_by_fund, ", ".join(f.name for f in c.other_funders), yes if c.gap else no,
                  yes if c.overlap else no) for c in matrix.cells)
    return Table("gaps", f"{_('Gaps')}: {matrix.fund_name}", headers, rows)


def flows_table(flows: FundingFlows, lang: str) -> Table:
    headers = (_("Fund"), _("To"), _("Target"), _("Amount (EUR)"), _("Grants"), _("Organisations"))
    area, theme = _("area"), _("theme")
    rows = tuple((f.fund_name, kind, f.target_name, round(f.amount, 2), f.grants, f.organisations)
                 for kind, group in ((area, flows.to_areas), (theme, flows.to_themes)) for f in group)
    return Table("flows", _("Funding flows"), headers, rows)


def dependency_table(deps: Sequence[Dependency], lang: str) -> Table:
    headers = (_("Organisation id"), _("Name"), _("Funding (EUR)"), _("Funders"), _("Largest funder"),
               _("Largest share"), _("Herfindahl index"))
    rows = tuple((d.organisation, d.name, round(d.total, 2), len(d.funders),
                  d.largest.name if d.largest else "", round(d.share, 4), round(d.herfindahl, 4))
                 for d in deps)
    return Table("dependency", _("Dependency on the largest funder"), headers, rows)


def to_csv(table: Table, lang: str = "en") -> bytes:
    """UTF-8 CSV with a byte-order mark (so Excel reads accents), every cell neutralised.

    For Dutch readers the separator is ``;`` and decimals carry a comma, as Dutch Excel expects.
    """
    dutch = lang == "nl"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if dutch else ",", lineterminator="\r\n")
    writer.writerow(neutralise_row(table.headers))
    for row in table.rows:
        cells = neutralise_row(row)
        writer.writerow([str(c).replace(".", ",") if dutch and isinstance(c, float) else c for c in cells])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table, lang: str = "en") -> bytes:
    """One worksheet; text cells are stored as text (never formulas), headers in bold."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = table.name[:31]
    write_xlsx_row(sheet, table.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        write_xlsx_row(sheet, row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


WRITERS: dict[str, tuple[Callable[[Table, str], bytes], str]] = {
    "csv": (to_csv, "text/csv; charset=utf-8"),
    "xlsx": (to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
