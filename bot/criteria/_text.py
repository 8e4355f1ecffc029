"""Swedish-aware text analysis for the criteria search.

Words are lower-cased, stemmed with the Snowball Swedish stemmer and split into compound
parts ("städkemikalier" -> städ + kemikalier) against the vocabulary the library itself uses.
Everyday words and English words are mapped to the library's own terms by a small, editable
synonym table. Every step is cached per distinct word: a library has a few thousand.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[0-9a-zåäöéüæø]+")
_SWEDISH = snowballstemmer.stemmer("swedish")

# Words that carry no meaning for finding a criterion (question words, generic verbs, and the
# words every criterion shares such as "krav").
STOPWORDS = frozenset(
    """
    och i att det som en på är av för med till den har de inte om ett var vi kan jag du man
    ska skall vill får bör måste hur vad vilka vilken vilket när var varför vem eller men från
    så också sig sin sitt sina där här detta dessa denna ni oss vår våra mitt min mina din
    dina er era någon något några alla allt mer mest mycket bara även kunna göra gör ställa
    ställer ställs sätta sätter kräva kräver krävs krav kraven miljökrav miljökraven kriterium
    kriterier kriteriet kriterierna upphandling upphandlingen upphandla upphandlar vid under
    efter mot utan samt enligt inom hos över the a an of to for in on and or what which how
    can we i should do does is are be with about requirement requirements criteria criterion
    set procure procurement my our their when who finns ge ger få tips exempel fråga frågor
    hjälp behöver behov ha skriva skriver skrivs skrev formulera formulerar tänka tänker köpa
    köper köps kommun kommunen kommunens kommuner kommunerna region regionen vår vårt apply
    applies regarding need needs buy buying purchase tender tendering
    """.split()  # noqa: SIM905 - a word list reads best as text
)

# Everyday and English words -> words the library uses. Keys and values are plain words.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "mat": ("livsmedel", "måltid"),
    "maten": ("livsmedel", "måltid"),
    "skolmat": ("livsmedel", "måltid", "skola"),
    "lunch": ("måltid",),
    "kök": ("måltid", "livsmedel"),
    "bil": ("fordon", "personbil"),
    "bilar": ("fordon", "personbil"),
    "tjänstebil": ("personbil", "fordon"),
    "lastbil": ("fordon", "godstransporter"),
    "buss": ("fordon", "persontransporter"),
    "taxi": ("persontransporter", "fordon"),
    "laddinfrastruktur": ("elfordon", "laddhybrider", "fordon"),
    "laddstolpe": ("elfordon", "fordon"),
    "laddstolpar": ("elfordon", "fordon"),
    "laddning": ("elfordon", "fordon"),
    "elbil": ("elbilar", "elfordon", "personbil"),
    "elbilar": ("elfordon", "personbil"),
    "bensin": ("drivmedel",),
    "diesel": ("drivmedel",),
    "bränsle": ("drivmedel",),
    "städning": ("städtjänster", "städ"),
    "städa": ("städtjänster", "städ"),
    "lokalvård": ("städtjänster", "städ"),
    "rengöringsmedel": ("städkemikalier", "rengöringsmedel"),
    "dator": ("datorer", "it"),
    "laptop": ("datorer", "it"),
    "pc": ("datorer", "it"),
    "surfplatta": ("datorer", "it"),
    "telefon": ("mobiltelefoner",),
    "mobil": ("mobiltelefoner",),
    "server": ("servrar", "datacenter"),
    "moln": ("molntjänster", "datacenter"),
    "byggnad": ("bygg", "byggnaden"),
    "hus": ("bygg", "byggnaden"),
    "bygge": ("bygg", "entreprenad"),
    "entreprenör": ("entreprenad", "entreprenören"),
    "entreprenören": ("entreprenad",),
    "vägbygge": ("anläggningsentreprenad", "anläggning"),
    "väg": ("anläggning",),
    "kläder": ("textilier", "arbetskläder"),
    "stolar": ("möbler",),
    "bord": ("möbler",),
    "inredning": ("möbler", "textilier"),
    "skolor": ("skolor", "skola"),
    "sjukhus": ("vård",),
    "omsorg": ("vård", "omsorgen"),
    "äldreboende": ("omsorg", "byggnaden"),
    "handskar": ("engångshandskar",),
    "lampor": ("belysning", "armaturer"),
    "solpanel": ("solceller", "solenergi"),
    "solpaneler": ("solceller", "solenergi"),
    "solcell": ("solceller",),
    "sopbil": ("insamlingsfordon", "avfallsinsamling"),
    "sopbilar": ("insamlingsfordon", "avfallsinsamling"),
    "kopieringspapper": ("kontorspapper",),
    "skrivarpapper": ("kontorspapper",),
    "lampa": ("belysning", "armaturer"),
    "ljus": ("belysning",),
    "elektricitet": ("el",),
    "elavtal": ("el",),
    "elhandel": ("el",),
    "ström": ("el",),
    "sopor": ("avfall",),
    "skräp": ("avfall",),
    "sortera": ("sortering", "avfall"),
    "återvinna": ("återvinning",),
    "iso": ("miljöledningssystem", "iso"),
    "14001": ("miljöledningssystem",),
    "miljöcertifiering": ("miljöledningssystem",),
    "svanen": ("miljömärkt", "svanen"),
    "svanenmärkt": ("miljömärkt", "svanen"),
    "miljömärkning": ("miljömärkt",),
    "krav-märkt": ("ekologisk",),
    "krav-märkta": ("ekologisk",),
    "eko": ("ekologisk",),
    "ekologiskt": ("ekologisk",),
    "biogas": ("biogas", "förnybart", "drivmedel"),
    "hvo": ("hvo100", "förnybart", "drivmedel"),
    "fossilfri": ("förnybart",),
    "fossilfria": ("förnybart",),
    "klimat": ("klimatpåverkan",),
    "co2": ("klimatpåverkan", "utsläpp"),
    "koldioxid": ("klimatpåverkan", "utsläpp"),
    "avtryck": ("klimatpåverkan",),
    "klimatavtryck": ("klimatpåverkan",),
    "koldioxidavtryck": ("klimatpåverkan",),
    "klimatredovisning": ("klimatdeklaration",),
    "klimatberäkning": ("klimatdeklaration", "klimatpåverkan"),
    "livscykelanalys": ("klimatdeklaration", "klimatpåverkan"),
    "garanti": ("garanti", "livslängd"),
    "bevis": ("verifikat",),
    "intyg": ("verifikat",),
    "följa": ("uppföljning",),
    "följer": ("uppföljning",),
    "uppfölja": ("uppföljning",),
    # English
    "cleaning": ("städtjänster", "städ"),
    "cleaner": ("städtjänster",),
    "detergent": ("rengöringsmedel", "städkemikalier"),
    "detergents": ("rengöringsmedel", "städkemikalier"),
    "chemical": ("kemikalier", "kemiska"),
    "chemicals": ("kemikalier", "kemiska"),
    "food": ("livsmedel",),
    "meal": ("måltid",),
    "meals": ("måltid",),
    "school": ("skola", "skolor"),
    "schools": ("skola", "skolor"),
    "organic": ("ekologisk",),
    "meat": ("kött",),
    "fish": ("fisk",),
    "origin": ("ursprung",),
    "vehicle": ("fordon",),
    "vehicles": ("fordon",),
    "car": ("personbil", "fordon"),
    "cars": ("personbil", "fordon"),
    "fuel": ("drivmedel",),
    "fuels": ("drivmedel",),
    "renewable": ("förnybart", "förnybara"),
    "transport": ("transport", "transporter"),
    "freight": ("godstransporter",),
    "goods": ("godstransporter",),
    "computer": ("datorer", "it"),
    "computers": ("datorer", "it"),
    "energy": ("energi",),
    "efficient": ("effektiv", "energieffektiva"),
    "warranty": ("garanti",),
    "climate": ("klimatpåverkan", "klimat"),
    "impact": ("påverkan",),
    "construction": ("bygg", "entreprenad"),
    "building": ("byggnad", "bygg"),
    "buildings": ("byggnad", "bygg"),
    "contractor": ("entreprenad",),
    "environmental": ("miljö",),
    "management": ("ledningssystem",),
    "system": ("system",),
    "furniture": ("möbler",),
    "textile": ("textilier",),
    "textiles": ("textilier",),
    "workwear": ("arbetskläder",),
    "clothes": ("arbetskläder", "textilier"),
    "gloves": ("engångshandskar",),
    "healthcare": ("vård",),
    "hospital": ("vård",),
    "lighting": ("belysning",),
    "electricity": ("el",),
    "waste": ("avfall",),
    "recycling": ("återvinning",),
    "paper": ("papper", "kontorspapper"),
    "ecolabel": ("miljömärkt",),
    "ecolabelled": ("miljömärkt",),
    "proof": ("verifikat",),
    "verification": ("verifikat",),
    "follow": ("uppföljning",),
    "service": ("tjänst", "tjänster"),
    "services": ("tjänst", "tjänster"),
    "monitor": ("uppföljning",),
    "gmo": ("gmo",),
    "biocides": ("biocider",),
    "biocide": ("biocider",),
}

# Words that name a level or a criterion type: read as filters, not as search terms.
LEVEL_WORDS: dict[str, str] = {
    "basnivå": "bas", "basnivån": "bas", "basic": "bas", "baseline": "bas",
    "avancerad": "avancerad", "avancerade": "avancerad", "advanced": "avancerad",
    "spjutspets": "spjutspets", "spjutspetsnivå": "spjutspets", "spjutspetsnivån": "spjutspets",
    "spearhead": "spjutspets",
}  # fmt: skip
TYPE_WORDS: dict[str, str] = {
    "kvalificeringskrav": "kvalificeringskrav", "kvalificering": "kvalificeringskrav",
    "qualification": "kvalificeringskrav",
    "teknisk": "teknisk_specifikation", "specifikation": "teknisk_specifikation",
    "technical": "teknisk_specifikation",
    "tilldelningskriterium": "tilldelningskriterium",
    "tilldelningskriterier": "tilldelningskriterium",
    "tilldelning": "tilldelningskriterium",
    "utvärderingskriterium": "tilldelningskriterium",
    "poäng": "tilldelningskriterium", "poängsätta": "tilldelningskriterium",
    "poängsätter": "tilldelningskriterium", "award": "tilldelningskriterium",
    "kontraktsvillkor": "sarskilt_kontraktsvillkor", "avtalsvillkor": "sarskilt_kontraktsvillkor",
    "contract": "sarskilt_kontraktsvillkor",
}  # fmt: skip


def normalize(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


# Bounds on the analysis of one text, so no input costs more than a fixed amount of work per
# word: Swedish compounds in procurement stay well below 48 letters ("avfallshanterings-
# entreprenadupphandling" is 39); a longer "word" is noise and is not analysed at all.
MAX_WORD_CHARS = 48
# A question is read up to this many distinct words; real ones have fewer than 30.
MAX_QUERY_WORDS = 64


def words(text: str) -> list[str]:
    """The words of a text, lower-cased; words longer than MAX_WORD_CHARS are left out."""
    return [word for word in _WORD.findall(normalize(text)) if len(word) <= MAX_WORD_CHARS]


def query_words(text: str) -> list[str]:
    """The distinct words of a question in order, at most MAX_QUERY_WORDS of them."""
    return list(dict.fromkeys(words(text)))[:MAX_QUERY_WORDS]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball's Swedish stem, taken twice: once is not always a fixed point
    ("kontoret" -> "kontor" but "kontor" -> "kont"), twice makes the forms meet."""
    return str(_SWEDISH.stemWord(_SWEDISH.stemWord(word)))


def synonyms_of(word: str) -> tuple[str, ...]:
    """Library words for an everyday or English word, matched as typed or by its stem."""
    return SYNONYMS.get(word) or _SYNONYMS_BY_STEM.get(stem(word), ())


_SYNONYMS_BY_STEM: dict[str, tuple[str, ...]] = {}
for _key, _targets in SYNONYMS.items():
    _SYNONYMS_BY_STEM.setdefault(stem(_key), _targets)
