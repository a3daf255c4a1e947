"""Hypothesis strategies for the feed screen's tests: invented register facts, the ways people
paraphrase them (the red team's seven successful tries and their relatives), and harmless
descriptions that must still pass. All data is synthetic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hypothesis import strategies as st

from tracker.models.enums import RISK_LEVELS

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
ONES = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
TEENS = (
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
ORDINALS = (
    "",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
)
STREET_NAMES = (
    "Mill",
    "Church",
    "Station",
    "Victoria",
    "Orchard",
    "Willow",
    "Beech",
    "Kingfisher",
    "Tannery",
    "Ropewalk",
)
STREET_TYPES = {
    "Lane": "Ln",
    "Road": "Rd",
    "Street": "St",
    "Avenue": "Ave",
    "Close": "Cl",
    "Drive": "Dr",
    "Crescent": "Cres",
    "Terrace": "Terr",
}
TOWNS = ("Harbourtown", "Northby", "Eastwick Vale", "Southmere")
OFFENCES = (
    "sexual offences against children",
    "indecent exposure",
    "voyeurism",
    "making indecent photographs",
    "rape",
)
GENERIC_OFFENCE = (
    "a convicted paedophile",
    "abused young girls",
    "registered sex offender",
    "known for grooming teenagers",
    "indecent images found",
    "Rapist",
)
RISK_TEXT = {
    "very_high": "very high risk",
    "high": "High-Risk",
    "medium": "medium risk",
    "low": "low RISK",
}
HARMLESS = (
    "Tall",
    "walks with a limp",
    "often seen near the seafront",
    "slim build",
    "short grey hair",
    "wears a dark blue cap",
    "scar on the left hand",
    "speaks with a northern accent",
    "usually carries a rucksack",
    "well groomed",
    "wears glasses",
    "full beard",
    "likes fishing off the pier",
)
HARMLESS_AREAS = ("Harbourtown", "Northby town centre", "the Southmere area", "Eastwick Vale")


@dataclass(frozen=True)
class Register:
    """One invented offender's restricted facts, as the register would hold them."""

    offender_id: str
    date_of_birth: date
    house: int
    house_letter: str
    street: str
    street_type: str
    town: str
    postcode: str
    document: str
    offence: str
    risk_level: str

    @property
    def address_line(self) -> str:
        return f"{self.house}{self.house_letter} {self.street} {self.street_type}, {self.town}"

    def offender_values(self) -> dict:
        return {
            "offender_id": self.offender_id,
            "date_of_birth": self.date_of_birth,
            "address_line": self.address_line,
            "postcode": self.postcode,
            "offence_category": self.offence,
            "risk_level": self.risk_level,
        }


def _letters(n: int) -> st.SearchStrategy[str]:
    return st.text("ABCDEFGHJKLMNPRSTUWXY", min_size=n, max_size=n)


@st.composite
def registers(draw) -> Register:
    outward = draw(_letters(draw(st.integers(1, 2)))) + str(draw(st.integers(1, 29)))
    inward = f"{draw(st.integers(0, 9))}{draw(_letters(2))}"
    return Register(
        offender_id=f"VR-{draw(st.integers(1000, 9_999_999)):07d}",
        date_of_birth=draw(st.dates(date(1940, 1, 1), date(2006, 12, 31))),
        house=draw(st.integers(1, 240)),
        house_letter=draw(st.sampled_from(["", "", "a", "B"])),
        street=draw(st.sampled_from(STREET_NAMES)),
        street_type=draw(st.sampled_from(sorted(STREET_TYPES))),
        town=draw(st.sampled_from(TOWNS)),
        postcode=f"{outward} {inward}",
        document=draw(
            st.one_of(
                st.integers(100_000_000, 999_999_999).map(str),
                st.builds(lambda a, n: f"{a}{n}", _letters(2), st.integers(1_000_000, 9_999_999)),
            )
        ),
        offence=draw(st.sampled_from(OFFENCES)),
        risk_level=draw(st.sampled_from(RISK_LEVELS)),
    )


def _spoken(n: int) -> str:
    """1..99 in words: "eighty-one"."""
    if n < 10:
        return ONES[n]
    if n < 20:
        return TEENS[n - 10]
    return TENS[n // 10] + (f"-{ONES[n % 10]}" if n % 10 else "")


def _ordinal(day: int) -> str:
    """1..31 as an ordinal in words: "twenty-first"."""
    if day <= 20:
        return ORDINALS[day]
    if day == 30:
        return "thirtieth"
    return f"{TENS[day // 10]}-{ORDINALS[day % 10]}"


def _suffixed(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def date_paraphrases(born: date) -> list[str]:
    """The date of birth as people write it (never the plain ISO form alone)."""
    d, m, y = born.day, born.month, born.year
    month, mon = MONTHS[m - 1], MONTHS[m - 1][:3]
    yy = f"{y % 100:02d}"
    return [
        born.isoformat(),
        f"{d}/{m}/{y}",
        f"{d:02d}/{m:02d}/{y}",
        f"{m}/{d}/{y}",
        f"{d}.{m}.{yy}",
        f"{d:02d}-{m:02d}-{yy}",
        f"{y}/{m:02d}/{d:02d}",
        f"{y}.{m}.{d}",
        born.strftime("%d%m%Y"),
        born.strftime("%Y%m%d"),
        born.strftime("%d%m%y"),
        f"{d} {month} {y}",
        f"{month} {_suffixed(d)}, {y}",
        f"{_suffixed(d)} of {month} {y}",
        f"the {_suffixed(d)} of {mon.upper()} {yy}",
        f"{mon} {d} {y}",
        f"{d}-{mon}-{y}",
        f"{_ordinal(d)} of {month}",
        f"{month} {y}",
        f"{month.lower()} '{yy}",
        f"{_ordinal(d)} of {month} {_spoken(y // 100)} {_spoken(y % 100)}",
        f"birthday: {d} {month}",
    ]


def address_paraphrases(r: Register) -> list[str]:
    n, street, kind = f"{r.house}{r.house_letter}", r.street, r.street_type
    short = STREET_TYPES[kind]
    return [
        f"{n} {street} {kind}",
        f"{street} {kind}, number {n}",
        f"{street} {kind} {n}",
        f"no. {n} {street} {short}",
        f"{street.upper()} {short.upper()} ({n})",
        f"number {r.house} on {street}",
        f"{street} {short}",
        f"lives on {street} {kind}",
        f"{street.lower()} {kind.lower()} no {r.house}",
    ]


def postcode_paraphrases(r: Register) -> list[str]:
    compact = r.postcode.replace(" ", "")
    outward, inward = r.postcode.split(" ")
    return [
        r.postcode,
        compact,
        compact.lower(),
        r.postcode.lower(),
        f"{outward}  {inward}",
        f"{outward}-{inward}",
    ]


def reference_paraphrases(r: Register) -> list[str]:
    prefix, digits = r.offender_id.split("-")
    return [
        r.offender_id,
        f"{prefix.lower()} {digits}",
        f"{prefix}{digits}",
        f"ref {int(digits)}",
        f"{prefix}/{digits}",
    ]


def document_paraphrases(r: Register) -> list[str]:
    doc = r.document
    return [
        doc,
        "-".join([doc[:3], doc[3:6], doc[6:]]),
        " ".join(doc),
        doc.lower(),
        f"{doc[:4]}.{doc[4:]}",
    ]


def offence_paraphrases(r: Register) -> list[str]:
    return [r.offence, r.offence.upper(), r.offence.title(), *GENERIC_OFFENCE]


def risk_paraphrases(r: Register) -> list[str]:
    return [RISK_TEXT[r.risk_level], "very high risk", "a MAPPA case", "dangerous", "tier 3"]


PARAPHRASERS = {
    "the date of birth": lambda r: date_paraphrases(r.date_of_birth),
    "the address": address_paraphrases,
    "the postcode": postcode_paraphrases,
    "the register reference": reference_paraphrases,
    "a document number": document_paraphrases,
    "the offence": offence_paraphrases,
    "the risk": risk_paraphrases,
}


@st.composite
def paraphrases(draw, register: Register) -> tuple[str, str]:
    """(which fact, how it is written) for one of the register's restricted facts."""
    fact = draw(st.sampled_from(sorted(PARAPHRASERS)))
    return fact, draw(st.sampled_from(PARAPHRASERS[fact](register)))


harmless_descriptions = st.lists(
    st.sampled_from(HARMLESS), min_size=1, max_size=4, unique=True
).map(", ".join)
harmless_areas = st.sampled_from(HARMLESS_AREAS)


@st.composite
def mixed(draw, paraphrase: str) -> str:
    """The paraphrase somewhere among harmless words, as a supervisor might write it."""
    before = draw(st.lists(st.sampled_from(HARMLESS), max_size=2))
    after = draw(st.lists(st.sampled_from(HARMLESS), max_size=2))
    joiner = draw(st.sampled_from([", ", "; ", ". ", " - "]))
    return joiner.join([*before, paraphrase, *after])
