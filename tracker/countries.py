"""Country codes as the data holds them, and the one way they are made comparable.

The contract accepts ISO 3166-1 alpha-3 and, where documents and nationalities are concerned,
a few ICAO 9303 codes; matching, the compliance rules and the packages all read codes through
``clean_country_code``, so that ``D`` and ``DEU`` are one country everywhere.
"""

from __future__ import annotations

import pycountry

# ICAO 9303 travel-document codes that stand for a country: D is Germany; the British
# nationality variants (overseas territories, nationals overseas, protected persons, subjects)
# are all the United Kingdom.
DOCUMENT_COUNTRY_CODES = {
    "D": "DEU",
    "GBD": "GBR",
    "GBN": "GBR",
    "GBO": "GBR",
    "GBP": "GBR",
    "GBS": "GBR",
}
ISO_COUNTRY_CODES = frozenset(c.alpha_3 for c in pycountry.countries)
COUNTRY_CODES = ISO_COUNTRY_CODES | frozenset(DOCUMENT_COUNTRY_CODES)
"""Every code the contract accepts, kept as given in storage."""

COUNTRY_LIST_SEPARATOR = "|"


def clean_country_code(code: object) -> str | None:
    """Upper case without spaces, an ICAO document code read as its country; None when there
    is no code (None, NaN, pandas' NA or blank text)."""
    if not isinstance(code, str):
        return None
    cleaned = code.strip().upper()
    if not cleaned:
        return None
    return DOCUMENT_COUNTRY_CODES.get(cleaned, cleaned)


def country_list(text: str | None) -> tuple[str, ...]:
    """A ``|``-joined list of countries, in order, each cleaned; blanks dropped."""
    if not text:
        return ()
    cleaned = (clean_country_code(part) for part in text.split(COUNTRY_LIST_SEPARATOR))
    return tuple(code for code in cleaned if code)


def country_name(code: str) -> str:
    """The name people use for an ISO alpha-3 country (``common_name`` where ISO has one)."""
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        raise LookupError(f"{code!r} is not an ISO 3166-1 alpha-3 country code")
    return getattr(country, "common_name", None) or country.name
