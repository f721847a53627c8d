"""Areas, communities and the thematic clusters the demo network is built around.

Area names are the real wijk names of Amsterdam West (district ``E``) and Nieuw-West (``F``).
The two-letter wijk codes were *chosen to follow the official pattern* of the 2022 area division
(first letter = district, CBS code ``WK0363`` + the two letters, e.g. ``WK0363FC`` Slotermeer-West);
apart from ``FC`` they were not checked against the municipal register, so do not use them as a
reference. Buurt codes invented by the generator follow ``BU0363`` + wijk code + two digits.
"""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = [
    "CBS_MUNICIPALITY",
    "DISTRICTS",
    "EXTRA_DISTRICTS",
    "WIJKEN",
    "COMMUNITIES",
    "CLUSTERS",
    "Wijk",
    "CommunityRow",
    "Cluster",
]

CBS_MUNICIPALITY: Final = "0363"  # Amsterdam's CBS municipality code


class Wijk(NamedTuple):
    code: str  # the two-letter Amsterdam wijk code
    name: str


class CommunityRow(NamedTuple):
    slug: str
    nl: str
    en: str
    phrase: str  # how the Dutch description names the group after "voor"


class Cluster(NamedTuple):
    """A planted group of organisations sharing themes and areas (what clustering should find)."""

    id: str
    wijken: tuple[str, ...]
    themes: tuple[str, ...]  # core themes, most central first
    extra: tuple[str, ...]  # occasional themes; the rare ones live here
    offers: tuple[str, ...]  # practical capabilities typical for the cluster
    core_business: tuple[str, ...]
    flavour: tuple[str, ...]


DISTRICTS: Final = (("E", "West"), ("F", "Nieuw-West"))

# The generator adds these when it needs more area than West and Nieuw-West hold.
EXTRA_DISTRICTS: Final = (
    ("K", "Zuid"), ("M", "Oost"), ("N", "Noord"), ("T", "Zuidoost"), ("A", "Centrum"), ("S", "Weesp"),
)

WIJKEN: Final = (
    Wijk("EA", "Houthavens"),
    Wijk("EB", "Spaarndammer- en Zeeheldenbuurt"),
    Wijk("EC", "Staatsliedenbuurt"),
    Wijk("EE", "Frederik Hendrikbuurt"),
    Wijk("EG", "Landlust"),
    Wijk("EJ", "De Kolenkit"),
    Wijk("EL", "Van Galenbuurt"),
    Wijk("EN", "Westindische Buurt"),
    Wijk("EP", "Chassébuurt"),
    Wijk("ET", "Kinkerbuurt"),
    Wijk("EW", "Overtoomse Sluis"),
    Wijk("FB", "Geuzenveld"),
    Wijk("FC", "Slotermeer-West"),
    Wijk("FD", "Slotermeer-Noordoost"),
    Wijk("FE", "Slotermeer-Zuidoost"),
    Wijk("FF", "Eendracht"),
    Wijk("FH", "Osdorp-Oost"),
    Wijk("FJ", "Osdorp-Midden"),
    Wijk("FK", "De Punt"),
    Wijk("FM", "Slotervaart Noord"),
    Wijk("FN", "Overtoomse Veld"),
    Wijk("FQ", "Sloter-/Riekerpolder"),
)

C = CommunityRow
COMMUNITIES: Final = (
    C("marokkaans", "Marokkaans-Nederlandse gemeenschap", "Moroccan-Dutch community",
      "de Marokkaans-Nederlandse gemeenschap"),
    C("amazigh", "Amazigh (Berberse) gemeenschap", "Amazigh (Berber) community", "Amazigh-families"),
    C("turks", "Turks-Nederlandse gemeenschap", "Turkish-Dutch community",
      "de Turks-Nederlandse gemeenschap"),
    C("koerdisch", "Koerdische gemeenschap", "Kurdish community", "Koerdische buurtgenoten"),
    C("surinaams", "Surinaamse gemeenschap", "Surinamese community", "de Surinaamse gemeenschap"),
    C("antilliaans", "Antilliaanse en Arubaanse gemeenschap", "Antillean and Aruban community",
      "Antillianen en Arubanen"),
    C("ghanees", "Ghanese gemeenschap", "Ghanaian community", "de Ghanese gemeenschap"),
    C("kaapverdisch", "Kaapverdische gemeenschap", "Cape Verdean community", "Kaapverdianen"),
    C("eritrees", "Eritrese gemeenschap (Tigrinya)", "Eritrean community (Tigrinya)",
      "Tigrinya-sprekende Eritreeërs"),
    C("syrisch", "Syrische gemeenschap", "Syrian community", "Syrische gezinnen"),
    C("somalisch", "Somalische gemeenschap", "Somali community", "de Somalische gemeenschap"),
    C("afghaans", "Afghaanse gemeenschap", "Afghan community", "Afghaanse gezinnen"),
    C("pools", "Poolse gemeenschap", "Polish community", "Poolse buurtgenoten"),
    C("vrouwen", "Vrouwen", "Women", "vrouwen"),
    C("jongeren", "Jongeren", "Young people", "jongeren"),
    C("ouderen", "Ouderen", "Older people", "ouderen"),
    C("nieuwkomers", "Nieuwkomers", "Newcomers", "nieuwkomers"),
    C("mantelzorgers", "Mantelzorgers", "Informal carers", "mantelzorgers"),
    C("lhbti", "Lhbti+ personen", "LGBTI+ people", "lhbti+ personen"),
    C("buurtbewoners", "Buurtbewoners", "Local residents", "buurtbewoners"),
)

CLUSTERS: Final = (
    Cluster(
        "VS", ("FC", "FD", "FE"),
        ("vrouwenemancipatie", "opvoeding", "taal"),
        ("huiselijk-geweld", "gezondheidsvaardigheden", "eenzaamheid"),
        ("vergaderruimte", "vertaling", "vertrouwenspersonen"),
        ("Ontmoeting, taal en opvoedingsondersteuning voor moeders",
         "Vrouwengroepen en voorlichting in de eigen taal",
         "Een veilige plek voor vrouwen om te leren en te praten"),
        ("Vrouwen vinden hier een vertrouwde plek om te leren, te praten en elkaar verder te helpen.",
         "Moeders komen hier eerst met hun vragen; de vrijwilligers kennen de weg naar hulp.",
         "Wat klein begon als koffieochtend is uitgegroeid tot een vast adres in de wijk."),
    ),
    Cluster(
        "JG", ("FB", "FF", "FC"),
        ("jeugd", "jeugdwerkloosheid", "sport"),
        ("onderwijs", "radicalisering", "opvoeding"),
        ("vrijwilligers", "training", "vergaderruimte"),
        ("Huiswerkbegeleiding, sport en begeleiding naar stage en werk",
         "Jongeren een plek en een rolmodel geven",
         "Talentontwikkeling en mentoring voor jongeren"),
        ("Jongeren worden hier gezien voordat het misgaat.",
         "Oudere jongeren begeleiden jongere: zo blijft de kennis in de wijk.",
         "Sport is de ingang, de gesprekken daarna zijn het eigenlijke werk."),
    ),
    Cluster(
        "OO", ("FH", "FJ", "FK"),
        ("ouderenzorg", "eenzaamheid", "mantelzorg"),
        ("gezondheidsvaardigheden", "leefstijl-en-bewegen", "digitale-vaardigheden"),
        ("vergaderruimte", "vertaling", "doorverwijzing"),
        ("Ontmoeting en activiteiten voor ouderen",
         "Steun voor mantelzorgers en hun naasten",
         "Huisbezoeken en samen eten tegen eenzaamheid"),
        ("Ouderen die de weg naar zorg niet vinden, vinden de weg hierheen wel.",
         "Vrijwilligers uit de eigen gemeenschap gaan op huisbezoek en signaleren vroeg.",
         "Mantelzorgers delen hier hun zorgen, in hun eigen taal."),
    ),
    Cluster(
        "NS", ("FM", "FN", "FQ"),
        ("inburgering", "taal", "psychische-gezondheid"),
        ("armoede-en-schulden", "arbeidsmarkttoeleiding", "lhbti-acceptatie"),
        ("vertaling", "juridisch-advies", "vertrouwenspersonen"),
        ("Wegwijs maken van nieuwkomers in Amsterdam",
         "Taalcafé en hulp bij brieven en formulieren",
         "Lotgenotengroepen en psychosociale steun"),
        ("Wie net in Nederland is, krijgt hier uitleg van iemand die het zelf heeft meegemaakt.",
         "De vrijwilligers tolken, vullen formulieren in en gaan mee naar afspraken.",
         "Ervaringsdeskundigen bouwen bruggen naar zorg en onderwijs."),
    ),
    Cluster(
        "AB", ("EG", "EJ", "EL"),
        ("armoede-en-schulden", "voedsel", "participatie"),
        ("wonen", "laaggeletterdheid", "duurzaamheid"),
        ("vrijwilligers", "doorverwijzing", "vergaderruimte"),
        ("Voedselhulp, kleding en schuldhulp dicht bij huis",
         "Samen koken, samen eten en hulp bij geldzaken",
         "Bewoners helpen bewoners in Bos en Lommer"),
        ("Mensen die zich schamen voor hun schulden stappen hier wel binnen.",
         "Bewoners draaien de diensten zelf; wie hulp kreeg, helpt later mee.",
         "De organisatie ziet armoede vroeg, aan de keukentafel."),
    ),
    Cluster(
        "BW", ("EA", "EB", "EC"),
        ("wonen", "participatie", "eenzaamheid"),
        ("duurzaamheid", "veiligheid", "cultuur-en-religie"),
        ("vergaderruimte", "vrijwilligers", "communicatie"),
        ("Bewoners organiseren activiteiten voor een leefbare buurt",
         "Ontmoeting tussen oude en nieuwe buurtbewoners",
         "Buurtprojecten rond wonen en groen"),
        ("Oude en nieuwe buren leren elkaar hier kennen.",
         "Een kleine groep bewoners trekt de kar, met veel hulp van buren.",
         "De buurt is snel veranderd; hier blijft iedereen welkom."),
    ),
    Cluster(
        "DB", ("EN", "EP", "ET", "EW"),
        ("cultuur-en-religie", "laaggeletterdheid", "jeugd"),
        ("lhbti-acceptatie", "digitale-vaardigheden", "taal"),
        ("vergaderruimte", "training", "communicatie"),
        ("Dialoog, cultuur en ontmoeting in De Baarsjes",
         "Taal- en digitale vaardigheden voor wie dat nodig heeft",
         "Culturele programma's die buurtgenoten verbinden"),
        ("Hier praten mensen mét elkaar in plaats van over elkaar.",
         "De organisatie zoekt het gesprek op, ook over lastige onderwerpen.",
         "Cultuur is het middel, ontmoeting het doel."),
    ),
    Cluster(
        "AC", ("FN", "EN", "FH", "EL"),
        ("zorg-en-gezondheid", "leefstijl-en-bewegen", "mantelzorg"),
        ("ondernemerschap", "psychische-gezondheid", "cultuur-en-religie"),
        ("vertrouwenspersonen", "training", "communicatie"),
        ("Gezondheidsvoorlichting en beweegactiviteiten in de eigen kring",
         "Culturele bijeenkomsten en steun voor gezinnen",
         "Ondernemen en gezondheid vanuit de gemeenschap"),
        ("Voorlichting komt beter aan van iemand uit de eigen kring.",
         "De organisatie verbindt kerk, familie en buurt.",
         "Diabetes, stress en mantelzorg worden hier bespreekbaar."),
    ),
    Cluster(
        "WN", ("FD", "FJ", "FM"),
        ("werk-en-inkomen", "ondernemerschap", "arbeidsmarkttoeleiding"),
        ("jeugdwerkloosheid", "digitale-vaardigheden", "vrouwenemancipatie"),
        ("training", "vrijwilligers", "communicatie"),
        ("Begeleiding naar werk en eigen onderneming",
         "Trainingen en netwerk voor (startende) ondernemers",
         "Werkervaring opdoen in de eigen wijk"),
        ("Wie ver van de arbeidsmarkt staat, krijgt hier een eerste opstap.",
         "Ondernemers uit de wijk helpen starters op weg.",
         "Het netwerk van de organisatie opent deuren die voor anderen dicht blijven."),
    ),
)
