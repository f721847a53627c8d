"""Word lists the generator combines into invented, multilingual names (organisations, areas, funds)."""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = ["NameStyle", "NAME_STYLES", "AREA_PARTS", "BUURT_PARTS", "INSTITUTION_WORDS", "FUND_WORDS"]


class NameStyle(NamedTuple):
    """How organisations of one language community tend to be named."""

    languages: tuple[str, ...]
    communities: tuple[str, ...]
    templates: tuple[str, ...]  # "{w}" is replaced by a word
    words: tuple[str, ...]


NAME_STYLES: Final = (
    NameStyle(("nl",), ("buurtbewoners", "ouderen", "jongeren", "vrouwen"),
              ("Stichting {w}", "Buurtgroep {w}", "Vereniging {w}", "{w} Netwerk", "Huis van {w}"),
              ("Samen Sterk", "De Brug", "Nieuwe Buren", "Hand in Hand", "De Verbinding", "Open Deur",
               "Het Anker", "Kompas", "Horizon", "De Sleutel", "Lichtpunt", "Buurtkracht")),
    NameStyle(("ar", "ber", "nl"), ("marokkaans", "syrisch"),
              ("Stichting {w}", "جمعية {w}", "{w} Vrouwen", "Jongeren {w}"),
              ("Al Amal", "Al Nour", "Al Baraka", "Al Karama", "Tawasul", "Ikhlas", "Salam", "Amana",
               "الأمل", "النور", "التواصل", "الوفاق")),
    NameStyle(("tr", "nl"), ("turks",),
              ("{w} Derneği", "{w} Vakfı", "{w} Buluşma Noktası"),
              ("Umut", "Dayanışma", "Bereket", "Kardeşlik", "Gençlik", "Birlik", "Dostluk",
               "Yardımlaşma")),
    NameStyle(("ti", "nl"), ("eritrees",),
              ("{w}", "{w} Gemeenschap", "Stichting {w}"),
              ("ሕብረት", "ሰላም", "ተስፋ", "ሓድነት", "ፍቕሪ", "Selam", "Tesfa", "Hidri")),
    NameStyle(("ber", "nl"), ("amazigh",),
              ("{w}", "Stichting {w}", "{w} Cultuurhuis"),
              ("ⵜⴰⵎⵓⵏⵜ", "ⵜⴰⵏⵎⵉⵔⵜ", "Tamunt", "Tanmirt", "Tiwizi", "Tafsut")),
    NameStyle(("so", "nl"), ("somalisch",),
              ("Ururka {w}", "{w} Foundation", "Jaaliyada {w}"),
              ("Horumar", "Midnimo", "Nabad", "Hiil", "Iftiin", "Hiddo iyo Dhaqan")),
    NameStyle(("pap", "nl"), ("antilliaans",),
              ("Fundashon {w}", "{w} West"),
              ("Union", "Esperansa", "Amistad", "Progreso", "Kriansa", "Ban Bai")),
    NameStyle(("pl", "nl"), ("pools",),
              ("Stowarzyszenie {w}", "Klub {w}", "{w} Amsterdam"),
              ("Polonia", "Nadzieja", "Wspólnota", "Razem", "Przyjaźń", "Pomoc Sąsiedzka")),
    NameStyle(("srn", "nl"), ("surinaams",),
              ("Stichting {w}", "{w} Collectief"),
              ("Wi Na Wan", "Kari Yu", "Makandra", "Gran Sma", "Tranga", "Pikin", "Bigi Famiri")),
    NameStyle(("kea", "pt", "nl"), ("kaapverdisch",),
              ("Associaçon {w}", "Grupo {w}"),
              ("Djuntu", "Morabeza", "Sodadi", "Kretcheu", "Mindelo Unidu")),
    NameStyle(("tw", "en", "nl"), ("ghanees",),
              ("{w} Community", "{w} Foundation", "{w} Women's Circle"),
              ("Nkabom", "Sankofa", "Akwaaba", "Ahotor", "Ɔdɔ", "Nyame Dua")),
    NameStyle(("fa", "ps", "nl"), ("afghaans",),
              ("انجمن {w}", "Stichting {w}"),
              ("امید", "همبستگی", "دوستی", "Omid", "Hambastagi")),
    NameStyle(("ku", "tr", "nl"), ("koerdisch",),
              ("Komeleya {w}", "Navenda {w}"),
              ("Hevgirtin", "Jiyan", "Ronahî", "Azadî")),
    NameStyle(("en", "nl"), ("jongeren", "nieuwkomers", "vrouwen", "lhbti"),
              ("{w} Foundation", "{w} Collective", "{w} Network", "Young {w}"),
              ("Rise", "Bridge", "Unity", "Hope", "Kinship", "Next Gen", "Common Ground", "Voices")),
)

# Invented area names for districts the demo does not cover (wijk = part + ending).
AREA_PARTS: Final = (
    ("Linden", "Meeuwen", "Riet", "Molen", "Water", "Polder", "Akker", "Wilgen", "Vlieder", "Beuken",
     "Zilver", "Eiken", "Hazel", "Klaver", "Dijk", "Sluis"),
    ("buurt", "park", "hof", "kwartier", "veld", "dorp", "kade", "wijk"),
)
BUURT_PARTS: Final = ("Noord", "Zuid", "Oost", "West", "Midden", "Park", "Plein", "Hof", "Kade", "Dorp")

INSTITUTION_WORDS: Final = {
    "care": ("Wijkzorgteam", "Thuiszorgteam", "Zorgcentrum", "Jeugd- en gezinsteam"),
    "welfare": ("Buurtcentrum", "Welzijnspunt", "Buurtteam", "Jongerenwerk"),
    "health": ("Gezondheidscentrum", "Huisartsenpraktijk", "GGZ-team", "Beweegpunt"),
    "housing": ("Woonstichting", "Huurteam", "Wooncorporatie"),
    "education": ("Basisschool", "Taalschool", "Bibliotheek", "Vakcollege"),
    "work-and-income": ("Werkpunt", "Geldzorgenloket", "Ondernemershuis"),
    "municipal": ("Gebiedsteam", "Participatieloket", "Veiligheidsteam"),
}

FUND_WORDS: Final = (
    ("Fonds", "Stichting", "Programma", "Regeling"),
    ("Buurtkracht", "Goede Buren", "Zilveren Handen", "Kansrijk", "Samen Verder", "Nieuwe Wegen",
     "Kleurrijk", "Stroomopwaarts", "Lichtbaken", "Vliegwiel"),
)
