"""Traveller names as a booking holds them (PNRGOV TIF), made comparable with a register's.

Reservation systems write the given name with the title glued on (``JOHNMR``, ``ANNMRS``,
``KONG CHUN MRS``) and sometimes a child or infant marker (``CHD``, ``INF``); AIRIMP doubles
a single-letter surname (Miss Moan Y is ``YY/MOANMISS``). The title is stripped, the
surname undoubled; the sex a title states is kept for a traveller whose booking holds no
document (SSR DOCS), which states it better.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Markers of a child or infant seat, after the given name and title (``JOHNMSTR CHD``).
AGE_MARKERS = ("(CHD)", "(INF)", "(ADT)", "CHD", "INF")
# Titles written after a given name, with the sex each states (None: says nothing of sex).
TITLES: dict[str, str | None] = {
    "MSTR": "M",
    "MISS": "F",
    "MRS": "F",
    "MR": "M",
    "MS": "F",
    "DR": None,
    "PROF": None,
    "REV": None,
    "CAPT": None,
    "SIR": "M",
    "LADY": "F",
}
# Titles a reservation system glues to the given name, longest first so MRS is not read as MR.
GLUED_TITLES = ("MSTR", "MISS", "PROF", "MRS", "MR", "MS", "DR")
# Given names that end like a title and are not one: never cut (ALEKSANDR is not ALEKSAN DR).
NAMES_ENDING_LIKE_A_TITLE = frozenset(
    {"ALEKSANDR", "ALEXANDR", "OLEKSANDR", "SANDR", "ISKANDR", "AMR", "OMR", "WILLIAMS", "ADAMS"}
)
SHORTEST_NAME_LEFT = 2  # a glued title is cut only if at least this much name is left
GROUP_QUALIFIER = "G"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class BookedName:
    family_name: str
    given_names: str | None
    sex: str | None


def given_without_title(given: str) -> tuple[str, str | None]:
    """(the given names without title or age marker, the sex the title states)."""
    words = _SPACES.sub(" ", given.strip().upper()).split(" ") if given.strip() else []
    if words:
        words[-1] = _without_marker(words[-1])
        if not words[-1]:
            words.pop()
    if not words:
        return "", None
    last = words[-1]
    if last in TITLES and len(words) > 1:  # a title as a word of its own: ``KONG CHUN MRS``
        return " ".join(words[:-1]), TITLES[last]
    if last in TITLES and len(words) == 1:  # nothing but a title: no given name
        return "", TITLES[last]
    cut, sex = _glued_title(last)
    words[-1] = cut
    return " ".join(words), sex


def _without_marker(word: str) -> str:
    for marker in AGE_MARKERS:
        if word.endswith(marker) and word != marker:
            return word[: -len(marker)]
        if word == marker:
            return ""
    return word


def _glued_title(word: str) -> tuple[str, str | None]:
    """``JOHNMR`` -> (``JOHN``, ``M``); a name that only ends like a title is left whole."""
    if word in NAMES_ENDING_LIKE_A_TITLE:
        return word, None
    for title in GLUED_TITLES:
        if word.endswith(title) and len(word) - len(title) >= SHORTEST_NAME_LEFT:
            return word[: -len(title)], TITLES[title]
    return word, None


def undoubled_surname(family: str) -> str:
    """AIRIMP writes a one-letter surname twice (``YY``): the register holds it once."""
    text = family.strip().upper()
    if len(text) == 2 and text[0] == text[1] and text.isalpha():
        return text[0]
    return family.strip()


def booked_name(family: str, given: str) -> BookedName:
    """The name a TIF books, as the register would hold it."""
    given_names, sex = given_without_title(given)
    return BookedName(undoubled_surname(family), given_names or None, sex)


def group_without_names(qualifier: str, quantity: str, given: str) -> str | None:
    """Why a TIF names no one (a group booking: qualifier G, or a count and no given name);
    None for a TIF that names a traveller."""
    seats = quantity.strip()
    counted = f" of {seats} seats" if seats.isdecimal() and len(seats) <= 4 else ""
    if qualifier.strip().upper() == GROUP_QUALIFIER:
        return f"is a group booking{counted} (TIF qualifier G) with no individual names"
    if not given.strip() and seats.isdecimal() and len(seats) <= 4 and int(seats) > 1:
        return f"books {seats} seats under one name with no given name (a group booking)"
    return None
