"""The demo's institutions, funds, ladder sessions and neighbourhood agenda items (all invented).

Area fields hold two-letter wijk codes or a district letter (``E``, ``F``); cluster fields name
the clusters of :data:`graphsvc.demo.places.CLUSTERS` an actor mostly works with.
"""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = [
    "InstRow", "FundRow", "SessionRow", "AgendaRow",
    "INSTITUTIONS", "FUNDS", "SESSIONS", "AGENDA", "SECTOR_OFFERS", "SECTOR_NEEDS",
]


class InstRow(NamedTuple):
    slug: str
    name: str
    sector: str
    areas: str
    themes: str
    clusters: str


class FundRow(NamedTuple):
    slug: str
    name: str
    fund_type: str
    clusters: str
    priorities: str
    low: int  # smallest grant (EUR)
    high: int  # largest grant (EUR)


class SessionRow(NamedTuple):
    slug: str
    name: str
    date: str
    area: str
    clusters: str


class AgendaRow(NamedTuple):
    slug: str
    name: str
    status: str  # proposed | adopted | in_progress | done
    period: str
    session: str
    interests: str
    area: str
    committers: str  # org slugs, or inst:<slug> for an institution


# What institutions of a sector typically offer organisations, and the "gold" they lack.
SECTOR_OFFERS: Final = {
    "care": ("doorverwijzing", "training"),
    "welfare": ("vergaderruimte", "doorverwijzing", "vrijwilligers"),
    "health": ("doorverwijzing", "training"),
    "housing": ("huisvesting", "vergaderruimte"),
    "education": ("vergaderruimte", "training"),
    "work-and-income": ("training", "juridisch-advies"),
    "municipal": ("vergaderruimte", "communicatie"),
}
SECTOR_NEEDS: Final = {
    "care": ("vroegsignalering", "vertrouwensnetwerk", "vertaling"),
    "welfare": ("vertrouwensnetwerk", "ervaringskennis"),
    "health": ("intermediair", "vertaling"),
    "housing": ("vroegsignalering", "intermediair"),
    "education": ("intermediair", "vertrouwenspersonen"),
    "work-and-income": ("vertrouwensnetwerk", "intermediair"),
    "municipal": ("ervaringskennis", "vroegsignalering"),
}

_I = InstRow
INSTITUTIONS: Final = (
    _I("wijkzorg-meerhoek", "Wijkzorgteam De Meerhoek", "care", "FC FD FE",
      "zorg-en-gezondheid ouderenzorg mantelzorg", "VS OO"),
    _I("thuiszorg-kleurrijk", "Thuiszorg Kleurrijk Zorgen", "care", "FH FJ FK", "ouderenzorg mantelzorg",
      "OO AC"),
    _I("ggz-kompasroos", "GGZ-team Kompasroos", "care", "FM FN FQ", "psychische-gezondheid", "NS AC"),
    _I("gezinsteam-geuzenpoort", "Jeugd- en gezinsteam Geuzenpoort", "care", "FB FF", "jeugd opvoeding",
      "JG VS"),
    _I("steunpunt-mantelzorg", "Steunpunt Mantelzorg Westerlicht", "care", "E F", "mantelzorg", "OO AC"),
    _I("zorgcentrum-meeuwenhorst", "Zorgcentrum Meeuwenhorst", "care", "FJ FK", "ouderenzorg eenzaamheid",
      "OO"),
    _I("welzijnshuis-de-wissel", "Welzijnshuis De Wissel", "welfare", "E", "participatie eenzaamheid",
      "BW DB AB"),
    _I("buurtcentrum-het-kwartier", "Buurtcentrum Het Kwartier", "welfare", "FC FD", "participatie", "VS WN"),
    _I("buurtteam-west-noord", "Buurtteam West-Noord", "welfare", "EB EC EG EJ", "armoede-en-schulden wonen",
      "AB BW"),
    _I("buurtteam-nw-oost", "Buurtteam Nieuw-West Oost", "welfare", "FM FN FQ",
      "armoede-en-schulden psychische-gezondheid", "NS"),
    _I("vrijwilligerscentrale-tweestroom", "Vrijwilligerscentrale Tweestroom", "welfare", "E F",
      "participatie", "AB BW NS OO"),
    _I("jongerenwerk-de-stroming", "Jongerenwerk De Stroming", "welfare", "FB FF FJ",
      "jeugd jeugdwerkloosheid sport", "JG WN"),
    _I("ouderenadvies-zilverlijn", "Ouderenadviespunt Zilverlijn", "welfare", "FH FJ", "ouderenzorg", "OO"),
    _I("gezondheidscentrum-lindehoek", "Gezondheidscentrum De Lindehoek", "health", "FD FE",
      "gezondheidsvaardigheden", "VS AC"),
    _I("huisartsen-kolenkade", "Huisartsenpraktijk Kolenkade", "health", "EJ EL", "zorg-en-gezondheid",
      "AB AC"),
    _I("jeugdgezondheid-osdorp", "Jeugdgezondheidspunt Osdorp", "health", "FH FJ", "opvoeding jeugd", "OO JG"),
    _I("verloskunde-sloterveld", "Verloskundigenpraktijk Sloterveld", "health", "FC FD",
      "gezondheidsvaardigheden vrouwenemancipatie", "VS"),
    _I("beweegpunt-baarsjes", "Beweegpunt Baarsjes", "health", "EN EP", "leefstijl-en-bewegen", "DB AC"),
    _I("preventieteam-psyche", "Preventieteam Psyche & Buurt", "health", "F",
      "psychische-gezondheid huiselijk-geweld", "NS VS"),
    _I("woonstichting-nieuw-thuis", "Woonstichting Nieuw Thuis", "housing", "F", "wonen", "OO WN"),
    _I("woningcorporatie-stadsgracht", "Woningcorporatie Stadsgracht", "housing", "E", "wonen veiligheid",
      "BW AB"),
    _I("huurteam-west", "Huurteam West", "housing", "E", "wonen", "BW"),
    _I("basisschool-regenboogbrug", "Basisschool De Regenboogbrug", "education", "FB", "onderwijs opvoeding",
      "JG VS"),
    _I("vakcollege-de-akker", "Vakcollege De Akker", "education", "FJ", "onderwijs jeugdwerkloosheid",
      "JG WN"),
    _I("mbo-westpoort", "MBO-college Westpoort", "education", "E F", "onderwijs arbeidsmarkttoeleiding",
      "WN JG"),
    _I("taalschool-woord-en-wereld", "Taalschool Woord & Wereld", "education", "FM FN", "taal inburgering",
      "NS"),
    _I("bibliotheek-meerplein", "Bibliotheek Meerplein", "education", "FD",
      "laaggeletterdheid digitale-vaardigheden", "VS WN"),
    _I("brede-school-kinkerkwartier", "Brede School Kinkerkwartier", "education", "ET EW", "onderwijs", "DB"),
    _I("werkplein-west", "Werkplein West", "work-and-income", "E", "arbeidsmarkttoeleiding werk-en-inkomen",
      "AB DB"),
    _I("werkplein-nieuw-west", "Werkplein Nieuw-West", "work-and-income", "F", "arbeidsmarkttoeleiding",
      "WN NS"),
    _I("geldzorgenloket-west", "Geldzorgenloket West", "work-and-income", "E", "armoede-en-schulden", "AB"),
    _I("ondernemershuis-nw", "Ondernemershuis Nieuw-West", "work-and-income", "F", "ondernemerschap",
      "WN AC"),
    _I("gebiedsteam-west", "Gebiedsteam West", "municipal", "E", "participatie wonen", "AB BW DB"),
    _I("gebiedsteam-nieuw-west", "Gebiedsteam Nieuw-West", "municipal", "F", "participatie",
      "VS JG OO NS WN"),
    _I("veiligheidsteam-slotervaart", "Veiligheidsteam Slotervaart", "municipal", "FM FN FQ",
      "veiligheid radicalisering", "NS JG"),
    _I("participatieloket-osdorp", "Participatieloket Osdorp", "municipal", "FH FJ",
      "participatie werk-en-inkomen", "OO WN"),
)

F = FundRow
FUNDS: Final = (
    F("buurtbudget-west", "Buurtbudget Stadsdeel West", "municipality", "AB BW DB",
      "participatie wonen eenzaamheid", 2_500, 25_000),
    F("wijkfonds-nieuw-west", "Wijkfonds Nieuw-West", "municipality", "VS JG OO NS WN",
      "participatie jeugd eenzaamheid", 2_500, 30_000),
    F("regeling-zelforganisaties", "Gemeentelijke Regeling Zelforganisaties", "municipality", "VS NS AC DB",
      "vrouwenemancipatie inburgering participatie", 5_000, 40_000),
    F("inburgering-dichtbij", "Rijksregeling Inburgering Dichtbij", "national-government", "NS",
      "inburgering taal", 20_000, 120_000),
    F("gezonde-wijk", "Landelijk Programma Gezonde Wijk", "national-government", "AC OO",
      "gezondheidsvaardigheden leefstijl-en-bewegen", 15_000, 90_000),
    F("goede-buren-loterijfonds", "Goede Buren Loterijfonds", "lottery", "BW AB OO",
      "eenzaamheid participatie duurzaamheid", 5_000, 50_000),
    F("kleurrijk-cultuurfonds", "Kleurrijk Cultuurloterijfonds", "lottery", "DB AC",
      "cultuur-en-religie lhbti-acceptatie", 3_000, 35_000),
    F("fonds-kinkerhof", "Fonds Kinkerhof", "private-fund", "DB JG",
      "onderwijs laaggeletterdheid digitale-vaardigheden", 1_000, 15_000),
    F("zilveren-handen", "Stichting Zilveren Handen Fonds", "private-fund", "OO",
      "ouderenzorg mantelzorg eenzaamheid", 1_500, 20_000),
    F("fonds-vrouwenkracht", "Fonds Vrouwenkracht", "private-fund", "VS WN",
      "vrouwenemancipatie huiselijk-geweld", 2_000, 25_000),
    F("jeugdkansen-west", "Jeugdkansen Fonds West", "private-fund", "JG",
      "jeugdwerkloosheid sport jeugd", 1_500, 20_000),
    F("havenbank-fonds", "Havenbank Maatschappelijk Fonds", "corporate", "WN AB",
      "ondernemerschap armoede-en-schulden digitale-vaardigheden", 2_000, 15_000),
    F("stroomopwaarts", "Stroomopwaarts Bedrijfsfonds", "corporate", "BW", "duurzaamheid", 1_000, 10_000),
    F("solidariteitsfonds-amstelstad", "Solidariteitsfonds Amstelstad", "private-fund", "NS AB",
      "armoede-en-schulden psychische-gezondheid voedsel", 2_000, 20_000),
)

S = SessionRow
SESSIONS: Final = (
    S("2023-slotermeer", "Bindingsladder Slotermeer: startbijeenkomst", "2023-03-14", "FD", "VS WN"),
    S("2023-bos-en-lommer", "Wijktafel Bos en Lommer", "2023-06-20", "EJ", "AB"),
    S("2023-osdorp", "Ladderbijeenkomst Osdorp", "2023-10-05", "FJ", "OO"),
    S("2024-slotervaart", "Nieuwkomersplatform Slotervaart", "2024-02-08", "FN", "NS"),
    S("2024-westerpark", "Buurtagenda Westerpark", "2024-05-16", "EC", "BW"),
    S("2024-slotermeer", "Bindingsladder Slotermeer: tweede ronde", "2024-09-26", "FD", "VS JG"),
    S("2025-baarsjes", "Dialoogtafel De Baarsjes", "2025-01-22", "ET", "DB"),
    S("2025-bos-en-lommer", "Wijktafel Bos en Lommer: van eiland naar agenda", "2025-03-13", "EJ", "AB AC"),
    S("2025-geuzenveld", "Jongerenagenda Geuzenveld", "2025-04-10", "FB", "JG"),
    S("2025-osdorp", "Ladderbijeenkomst Osdorp: tweede ronde", "2025-06-12", "FJ", "OO AC"),
    S("2025-nieuw-west", "Agenda van de Toekomst Nieuw-West", "2025-10-02", "F", "VS NS WN OO JG"),
    S("2026-west", "Agenda van de Toekomst West", "2026-03-19", "E", "AB BW DB AC"),
    S("2026-slotervaart", "Nieuwkomersplatform Slotervaart: derde ronde", "2026-09-24", "FN", "NS"),
)

A = AgendaRow
AGENDA: Final = (
    A("opvoeding-eigen-taal", "Opvoedondersteuning in de eigen taal", "adopted", "2024-2025",
      "2024-slotermeer", "opvoeding taal", "FD",
      "dar-al-hikma anne-cocuk sterke-moeders ouderplatform-samen-sterk inst:wijkzorg-meerhoek"),
    A("voedsel-en-schuldenroute", "Eén route voor voedselhulp en schuldhulp", "in_progress", "2025-2026",
      "2025-bos-en-lommer", "armoede-en-schulden voedsel", "EJ",
      "voedselpunt-landlust schuldhulpmaatjes-bl al-karama de-brug-west inst:geldzorgenloket-west"),
    A("niemand-alleen-osdorp", "Niemand alleen in Osdorp", "in_progress", "2025-2026", "2025-osdorp",
      "eenzaamheid ouderenzorg", "FJ",
      "zilveren-draad yaslilar-evi al-baraka-senioren mantelzorg-in-kleur samen-eten-osdorp"),
    A("nieuwkomers-wegwijs", "Nieuwkomers wegwijs in Slotervaart", "done", "2024", "2024-slotervaart",
      "inburgering taal", "FN",
      "hibret-eritrea beitna taalmaatjes-slotervaart sleutelfiguren-nw inst:taalschool-woord-en-wereld"),
    A("stage-en-werk-geuzenveld", "Stage en werk voor jongeren uit Geuzenveld", "adopted", "2025-2026",
      "2025-geuzenveld", "jeugdwerkloosheid jeugd", "FB",
      "young-geuzen gencler-birligi toekomst-talenten meester-en-gezel inst:jongerenwerk-de-stroming"),
    A("leefbare-staatsliedenbuurt", "Leefbare Staatsliedenbuurt voor oud en nieuw", "adopted", "2024-2025",
      "2024-westerpark", "wonen eenzaamheid", "EC",
      "spaarndammer-buren huurders-staatslieden zeeheldenhuis platform-mo-west"),
    A("ontmoeten-over-grenzen", "Ontmoeten over grenzen heen", "proposed", "2025-2026", "2025-baarsjes",
      "cultuur-en-religie lhbti-acceptatie", "ET", "kerk-en-moskee pride-west kinkerbuurt-dialoog"),
    A("mantelzorg-in-de-keten", "Mantelzorg in kleur erkend in de zorgketen", "in_progress", "2025-2027",
      "2025-nieuw-west", "mantelzorg", "F",
      "mantelzorg-in-kleur rahma-mantelzorg hayat-bakim mama-africa inst:steunpunt-mantelzorg"),
    A("gezondheid-dichtbij", "Gezondheidsvaardigheden dichtbij", "proposed", "2026-2027", "2026-west",
      "gezondheidsvaardigheden", "E", "akwaaba-health gezondheidsvoorlichters-kleurrijk de-brug-west"),
    A("vrouwen-aan-het-werk", "Vrouwen aan het werk in Nieuw-West", "proposed", "2026-2027",
      "2025-nieuw-west", "vrouwenemancipatie arbeidsmarkttoeleiding", "F",
      "vrouwennetwerk-nw iste-kadin sew-and-grow"),
)
