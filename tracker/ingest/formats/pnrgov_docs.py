"""A traveller's document as a booking holds it: the SSR DOCS free text
(``P/GBR/123456789/GBR/12JUL80/M/23JAN30/SMITH/JOHN``), in the order AIRIMP gives it.

Fields, slash-separated: document type, issuing country, number, nationality, birth date
(DDMMMYY), sex (M, F, U, X; MI/FI for an infant), expiry, surname, first given name, second
given name, and a multi-passenger passport holder mark. Older systems write two-letter
countries (``KR``): they become the ISO alpha-3 code the contract holds.
"""

from __future__ import annotations

from datetime import date, datetime

import pycountry

from tracker.ingest.formats.paxlst_segments import Segment

DOCUMENT_TYPES = {"P": "P", "I": "I", "V": "V", "D": "D"}
FREE_TEXT_COMPONENT = 8  # SSR+DOCS:HK:1:SQ:::::<free text>: the ninth component of element 1
TRAVELLER_REFERENCE = (1, 2)  # SSR+DOCS...+::3: the traveller it is for, by TIF reference
INFANT_SEXES = {"MI": "M", "FI": "F", "UI": "U"}
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}


class DocsProblem(ValueError):
    """A DOCS field that cannot be read: (field, reason) in ``args``."""


def is_docs(segment: Segment) -> bool:
    return segment.tag == "SSR" and segment.element(0).strip().upper() == "DOCS"


def docs_reference(segment: Segment) -> str:
    """The TIF reference an SSR DOCS names (``+::3``), '' when it names none."""
    return segment.element(*TRAVELLER_REFERENCE).strip()


def docs_text(segment: Segment) -> str:
    """The DOCS free text: its usual place, else the component that holds slashes."""
    text = segment.element(0, FREE_TEXT_COMPONENT)
    if "/" in text:
        return text
    return next((part for part in segment.components(0)[1:] if part.count("/") >= 3), "")


def document_values(text: str, today: date) -> dict[str, str]:
    """The travel fields a DOCS text gives (only those it holds); raises DocsProblem for a
    birth date that is not one."""
    fields = [part.strip() for part in text.strip().lstrip("/").split("/")]
    fields += [""] * (10 - len(fields))
    kind, issuer, number, nationality, born, sex, _expiry, surname, first, second = fields[:10]
    values = {
        "doc_type": DOCUMENT_TYPES.get(kind.upper(), "O") if kind and number else "",
        "doc_number": number.upper() if kind and number else "",
        "doc_issuing_country": alpha3(issuer) if kind and number else "",
        "nationality": alpha3(nationality),
        "sex": INFANT_SEXES.get(sex.upper(), sex.upper()),
        "family_name": surname,
        "given_names": " ".join(part for part in (first, second) if part),
    }
    if born:
        birth = birth_date(born, today)
        if birth is None:
            raise DocsProblem(
                "date_of_birth", f"{born!r} in SSR DOCS is not a date (expected DDMMMYY)"
            )
        values["date_of_birth"] = birth.isoformat()
    return {name: value for name, value in values.items() if value}


def alpha3(code: str) -> str:
    """An ISO alpha-2 code as its alpha-3 (``KR`` -> ``KOR``); anything else as written."""
    text = code.strip().upper()
    if len(text) == 2 and text.isalpha():
        country = pycountry.countries.get(alpha_2=text)
        if country is not None:
            return country.alpha_3
    return text


def birth_date(value: str, today: date) -> date | None:
    """DDMMMYY (``12JUL80``) in the century that puts it in the past, or DDMMMYYYY."""
    text = value.strip().upper()
    if len(text) not in (7, 9) or not (text[:2].isdigit() and text[5:].isdigit()):
        return None
    month = _MONTHS.get(text[2:5])
    if month is None:
        return None
    day = int(text[:2])
    if len(text) == 9:
        return _date(int(text[5:]), month, day)
    for century in (2000, 1900):
        found = _date(century + int(text[5:]), month, day)
        if found is not None and found <= today:
            return found
    return None


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return datetime(year, month, day).date()
    except ValueError:
        return None
