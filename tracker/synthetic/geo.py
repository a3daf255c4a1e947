"""Places: airports and their countries, carriers, UK police forces, synthetic addresses.

Airport countries and time zones come from ``airportsdata`` so a record's countries always
agree with its airports; the alpha-2 -> alpha-3 table covers exactly the countries used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import airportsdata

from tracker.synthetic.rand import Draw

ISO2_TO_ISO3 = {
    "GB": "GBR",
    "IE": "IRL",
    "PL": "POL",
    "DE": "DEU",
    "FR": "FRA",
    "NL": "NLD",
    "ES": "ESP",
    "PT": "PRT",
    "IT": "ITA",
    "GR": "GRC",
    "TR": "TUR",
    "AE": "ARE",
    "QA": "QAT",
    "TH": "THA",
    "PH": "PHL",
    "VN": "VNM",
    "CN": "CHN",
    "HK": "HKG",
    "SG": "SGP",
    "MY": "MYS",
    "IN": "IND",
    "PK": "PAK",
    "LK": "LKA",
    "BD": "BGD",
    "ID": "IDN",
    "KH": "KHM",
    "NG": "NGA",
    "GH": "GHA",
    "KE": "KEN",
    "ZA": "ZAF",
    "EG": "EGY",
    "MA": "MAR",
    "US": "USA",
    "CA": "CAN",
    "BR": "BRA",
    "MX": "MEX",
    "CO": "COL",
    "JM": "JAM",
    "AU": "AUS",
    "RO": "ROU",
    "BG": "BGR",
    "HU": "HUN",
    "CZ": "CZE",
    "LT": "LTU",
    "LV": "LVA",
    "CY": "CYP",
    "MT": "MLT",
    "JO": "JOR",
    "LB": "LBN",
}

CARRIER_NAMES = {
    "BA": "British Airways",
    "VS": "Virgin Atlantic",
    "U2": "easyJet",
    "FR": "Ryanair",
    "LS": "Jet2",
    "W6": "Wizz Air",
    "EK": "Emirates",
    "QR": "Qatar Airways",
    "TK": "Turkish Airlines",
    "LO": "LOT Polish Airlines",
    "LH": "Lufthansa",
    "AF": "Air France",
    "KL": "KLM",
    "IB": "Iberia",
    "TP": "TAP Air Portugal",
    "AZ": "ITA Airways",
    "A3": "Aegean Airlines",
    "EI": "Aer Lingus",
    "TG": "Thai Airways",
    "PR": "Philippine Airlines",
    "VN": "Vietnam Airlines",
    "CA": "Air China",
    "MU": "China Eastern",
    "CX": "Cathay Pacific",
    "SQ": "Singapore Airlines",
    "MH": "Malaysia Airlines",
    "AI": "Air India",
    "PK": "Pakistan International Airlines",
    "UL": "SriLankan Airlines",
    "BG": "Biman Bangladesh Airlines",
    "KQ": "Kenya Airways",
    "MS": "EgyptAir",
    "AT": "Royal Air Maroc",
    "AA": "American Airlines",
    "UA": "United Airlines",
    "DL": "Delta Air Lines",
    "AC": "Air Canada",
    "LA": "LATAM",
    "AM": "Aeromexico",
    "AV": "Avianca",
    "QF": "Qantas",
    "RO": "TAROM",
    "P4": "Air Peace",
    "RJ": "Royal Jordanian",
    "ME": "Middle East Airlines",
    "BT": "airBaltic",
    "FB": "Bulgaria Air",
    "CY": "Cyprus Airways",
    "KM": "KM Malta Airlines",
    "GA": "Garuda Indonesia",
    "JQ": "Jetstar",
    "OK": "Czech Airlines",
}


@dataclass(frozen=True)
class Foreign:
    iata: str
    weight: float  # share of public traffic
    carriers: tuple[str, ...]
    long_haul: bool = False
    watch: float = 1.0  # extra weight for registered offenders' trips


UK_AIRPORTS: tuple[tuple[str, float, bool], ...] = (
    ("LHR", 34, True),
    ("LGW", 14, True),
    ("MAN", 15, True),
    ("STN", 8, False),
    ("BHX", 7, False),
    ("EDI", 7, False),
    ("GLA", 5, False),
    ("BRS", 4, False),
    ("LTN", 4, False),
    ("NCL", 2, False),
)

FOREIGN: tuple[Foreign, ...] = (
    Foreign("CDG", 6, ("AF", "BA", "U2")),
    Foreign("AMS", 6, ("KL", "BA", "U2")),
    Foreign("FRA", 4, ("LH", "BA")),
    Foreign("MUC", 2, ("LH", "BA")),
    Foreign("MAD", 4, ("IB", "BA", "U2")),
    Foreign("BCN", 4, ("U2", "FR", "BA", "IB")),
    Foreign("AGP", 5, ("U2", "FR", "LS", "BA")),
    Foreign("ALC", 4, ("U2", "FR", "LS")),
    Foreign("PMI", 4, ("U2", "FR", "LS", "BA")),
    Foreign("LIS", 3, ("TP", "BA", "U2")),
    Foreign("FAO", 4, ("U2", "FR", "LS", "BA")),
    Foreign("FCO", 3, ("AZ", "BA", "U2", "FR")),
    Foreign("MXP", 1.5, ("U2", "BA")),
    Foreign("ATH", 2, ("A3", "BA", "U2")),
    Foreign("DUB", 3, ("EI", "FR", "BA")),
    Foreign("WAW", 2, ("LO", "W6", "FR")),
    Foreign("KRK", 2, ("FR", "U2", "W6")),
    Foreign("GDN", 1, ("W6", "FR")),
    Foreign("OTP", 1.5, ("RO", "W6", "BA")),
    Foreign("BUD", 1, ("W6", "BA", "FR")),
    Foreign("PRG", 1, ("OK", "BA", "U2")),
    Foreign("IST", 2.5, ("TK", "BA")),
    Foreign("AYT", 2.5, ("LS", "TK", "U2")),
    Foreign("LCA", 1.5, ("CY", "BA", "U2", "LS")),
    Foreign("MLA", 1, ("KM", "BA", "FR")),
    Foreign("VNO", 0.5, ("W6", "FR")),
    Foreign("RIX", 0.5, ("BT", "FR")),
    Foreign("SOF", 0.5, ("FB", "W6")),
    Foreign("DXB", 4, ("EK", "BA", "VS"), True, 1.5),
    Foreign("DOH", 1.5, ("QR", "BA"), True),
    Foreign("AMM", 0.3, ("RJ",), True),
    Foreign("BEY", 0.3, ("ME",), True),
    Foreign("BKK", 2, ("TG", "BA", "EK"), True, 6),
    Foreign("HKT", 1, ("TG", "QR"), True, 5),
    Foreign("MNL", 1, ("PR", "EK"), True, 6),
    Foreign("SGN", 0.5, ("VN", "QR"), True, 5),
    Foreign("HAN", 0.5, ("VN",), True, 4),
    Foreign("KTI", 0.2, ("TG", "QR"), True, 8),
    Foreign("PEK", 0.7, ("CA", "BA"), True),
    Foreign("PVG", 0.7, ("MU", "VS"), True),
    Foreign("HKG", 1.2, ("CX", "BA"), True),
    Foreign("SIN", 1, ("SQ", "BA"), True),
    Foreign("KUL", 0.5, ("MH",), True, 2),
    Foreign("DPS", 0.3, ("GA", "QR"), True, 3),
    Foreign("DEL", 1.5, ("AI", "BA", "VS"), True),
    Foreign("BOM", 1, ("AI", "BA"), True),
    Foreign("ISB", 0.8, ("PK", "BA"), True),
    Foreign("LHE", 0.5, ("PK", "VS"), True),
    Foreign("CMB", 0.4, ("UL",), True),
    Foreign("DAC", 0.4, ("BG",), True),
    Foreign("LOS", 0.8, ("BA", "VS", "P4"), True),
    Foreign("ABV", 0.3, ("BA",), True),
    Foreign("ACC", 0.6, ("BA",), True),
    Foreign("NBO", 0.4, ("KQ", "BA"), True, 2),
    Foreign("JNB", 0.6, ("BA", "VS"), True),
    Foreign("CPT", 0.5, ("BA",), True),
    Foreign("CAI", 0.6, ("MS", "BA"), True, 1.5),
    Foreign("RAK", 1, ("U2", "FR", "AT")),
    Foreign("CMN", 0.3, ("AT",)),
    Foreign("JFK", 2, ("BA", "VS", "AA", "DL"), True),
    Foreign("LAX", 0.7, ("BA", "VS", "UA"), True),
    Foreign("MCO", 1.2, ("VS", "BA"), True),
    Foreign("YYZ", 1, ("AC", "BA"), True),
    Foreign("GRU", 0.3, ("LA", "BA"), True),
    Foreign("MEX", 0.3, ("AM", "BA"), True),
    Foreign("BOG", 0.2, ("AV",), True, 2),
    Foreign("KIN", 0.3, ("BA",), True),
    Foreign("SYD", 0.5, ("QF", "BA"), True),
)

#: Airports an offender of a naming tradition is likelier to visit (family abroad).
HOME_AIRPORTS = {
    "irish": ("DUB",),
    "polish": ("WAW", "KRK", "GDN"),
    "romanian": ("OTP",),
    "german": ("FRA", "MUC"),
    "arabic": ("CAI", "AMM", "BEY", "DXB", "RAK", "CMN"),
    "russian": ("IST", "RIX", "VNO", "DXB"),
    "ukrainian": ("WAW", "KRK"),
    "chinese": ("PEK", "PVG", "HKG"),
    "vietnamese": ("SGN", "HAN"),
    "spanish": ("MAD", "BCN", "AGP", "BOG", "MEX"),
    "portuguese": ("LIS", "FAO", "GRU"),
    "turkish": ("IST", "AYT", "LCA"),
    "indian": ("DEL", "BOM"),
    "nigerian": ("LOS", "ABV"),
    "ghanaian": ("ACC",),
    "dutch": ("AMS",),
}


@dataclass(frozen=True)
class Airport:
    iata: str
    country: str  # ISO alpha-3
    tz: ZoneInfo
    lat: float
    lon: float


@cache
def _airportsdata() -> dict:
    return airportsdata.load("IATA")


@cache
def airport(iata: str) -> Airport:
    row = _airportsdata()[iata]
    iso2 = row["country"]
    if iso2 not in ISO2_TO_ISO3:
        raise KeyError(f"country {iso2} of airport {iata} is missing from ISO2_TO_ISO3")
    return Airport(iata, ISO2_TO_ISO3[iso2], ZoneInfo(row["tz"]), row["lat"], row["lon"])


def offset_text(tz: ZoneInfo, day: date, hour: int) -> str:
    """``+01:00`` style UTC offset of a local time (DST-aware)."""
    delta = tz.utcoffset(datetime(day.year, day.month, day.day, hour))
    assert delta is not None
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def flight_minutes(a: str, b: str) -> int:
    """Block time from great-circle distance: 800 km/h plus 40 minutes, to 5 minutes."""
    pa, pb = airport(a), airport(b)
    lat1, lon1, lat2, lon2 = map(math.radians, (pa.lat, pa.lon, pb.lat, pb.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    km = 2 * 6371 * math.asin(math.sqrt(h))
    return int(round((km / 800 * 60 + 40) / 5) * 5)


def arrival_local(dep: str, arr: str, departure: datetime) -> datetime:
    """Local arrival time at ``arr`` of a flight leaving ``dep`` at local ``departure``."""
    start = departure.replace(tzinfo=airport(dep).tz)
    landed = start + timedelta(minutes=flight_minutes(dep, arr))
    return landed.astimezone(airport(arr).tz).replace(tzinfo=None)


# --- UK police forces and addresses ------------------------------------------------------

FORCES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Metropolitan Police Service": (
        (
            "Croydon",
            "Lewisham",
            "Hackney",
            "Brixton",
            "Tottenham",
            "Ealing",
            "Walthamstow",
            "Peckham",
            "Barking",
            "Harrow",
        ),
        ("SE", "E", "N", "SW", "W", "NW", "CR", "IG", "HA"),
    ),
    "West Midlands Police": (
        (
            "Birmingham",
            "Coventry",
            "Wolverhampton",
            "Dudley",
            "Walsall",
            "West Bromwich",
            "Solihull",
        ),
        ("B", "CV", "WV", "DY", "WS"),
    ),
    "Greater Manchester Police": (
        ("Salford", "Oldham", "Bolton", "Stockport", "Wigan", "Rochdale", "Bury", "Manchester"),
        ("M", "OL", "BL", "SK", "WN"),
    ),
    "West Yorkshire Police": (
        ("Leeds", "Bradford", "Huddersfield", "Wakefield", "Halifax"),
        ("LS", "BD", "HD", "WF", "HX"),
    ),
    "Merseyside Police": (
        ("Liverpool", "Birkenhead", "St Helens", "Bootle", "Southport"),
        ("L", "CH", "WA", "PR"),
    ),
    "Thames Valley Police": (
        ("Reading", "Oxford", "Slough", "Milton Keynes", "High Wycombe"),
        ("RG", "OX", "SL", "MK", "HP"),
    ),
    "Kent Police": (
        ("Maidstone", "Canterbury", "Dartford", "Margate", "Ashford"),
        ("ME", "CT", "DA", "TN"),
    ),
    "Avon and Somerset Constabulary": (
        ("Bristol", "Bath", "Weston-super-Mare", "Taunton"),
        ("BS", "BA", "TA"),
    ),
    "South Wales Police": (("Cardiff", "Swansea", "Bridgend", "Merthyr Tydfil"), ("CF", "SA")),
    "Northumbria Police": (
        ("Newcastle upon Tyne", "Sunderland", "Gateshead", "North Shields"),
        ("NE", "SR"),
    ),
    "Lancashire Constabulary": (
        ("Preston", "Blackpool", "Blackburn", "Burnley", "Lancaster"),
        ("PR", "FY", "BB", "LA"),
    ),
    "Essex Police": (
        ("Chelmsford", "Colchester", "Basildon", "Southend-on-Sea"),
        ("CM", "CO", "SS"),
    ),
    "South Yorkshire Police": (("Sheffield", "Doncaster", "Rotherham", "Barnsley"), ("S", "DN")),
    "Hampshire and Isle of Wight Constabulary": (
        ("Southampton", "Portsmouth", "Basingstoke", "Winchester", "Newport"),
        ("SO", "PO", "RG"),
    ),
}
FORCE_NAMES = tuple(FORCES)
FORCE_WEIGHTS = (22, 10, 10, 8, 5, 7, 6, 6, 5, 5, 5, 6, 5, 5)

US_AGENCIES: dict[str, tuple[str, ...]] = {
    "U.S. Marshals Service": ("Arlington, VA", "Alexandria, VA"),
    "Florida Department of Law Enforcement": ("Tallahassee, FL", "Orlando, FL", "Tampa, FL"),
    "Texas Department of Public Safety": ("Austin, TX", "Houston, TX", "El Paso, TX"),
    "New York State Division of Criminal Justice Services": ("Albany, NY", "Buffalo, NY"),
}

STREETS = (
    "High Street",
    "Station Road",
    "Church Lane",
    "Victoria Road",
    "Green Lane",
    "Manor Road",
    "Park Avenue",
    "Mill Lane",
    "Kings Road",
    "Queens Road",
    "New Road",
    "Grange Road",
    "Albert Street",
    "Springfield Road",
    "Chapel Street",
    "Windsor Close",
    "Orchard Way",
    "Cedar Drive",
    "Elm Grove",
    "Beech Crescent",
    "Meadow View",
    "Willow Court",
    "Brook Street",
    "Castle Street",
)
US_STREETS = (
    "Oak Street",
    "Maple Avenue",
    "Pine Street",
    "Cedar Lane",
    "Elm Drive",
    "Washington Avenue",
    "Lakeview Drive",
    "Sunset Boulevard",
)
_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the inward-code letters the Royal Mail uses


def uk_address(force: str, draw: Draw) -> tuple[str, str, str]:
    """(address_line, postcode, last_known_area): a plausible-looking, invented address."""
    towns, areas = FORCES[force]
    k = draw.integers(0, len(towns))
    town, area = towns[k], areas[k % len(areas)]
    street = f"{draw.between(1, 240)} {draw.pick(STREETS)}"
    if draw.chance(0.2):
        street = f"Flat {draw.between(1, 24)}, {street}"
    inward = f"{draw.between(1, 9)}{draw.pick(_POSTCODE_LETTERS)}{draw.pick(_POSTCODE_LETTERS)}"
    postcode = f"{area}{draw.between(1, 28)} {inward}"
    return f"{street}, {town}", postcode, town


def us_address(agency: str, draw: Draw) -> tuple[str, str, str]:
    area = draw.pick(US_AGENCIES[agency])
    line = f"{draw.between(100, 9899)} {draw.pick(US_STREETS)}, {area}"
    return line, f"{draw.between(10000, 99950):05d}", area
