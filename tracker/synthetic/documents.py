"""Travel-document numbers in each issuing country's shape, never issued twice.

The register, the carriers' 'new passport' numbers and the public share one ledger, so a
document number identifies one person only, as it would in life.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from tracker.synthetic.rand import Draw

_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_DIGITS = "0123456789"
_GERMAN = "CFGHJKLMNPRTVWXYZ0123456789"  # German passports avoid vowels and look-alikes

#: Passport number shape per issuing code: a string of D (digit), L (letter), G (German set).
PASSPORT_SHAPE = {
    "GBR": "DDDDDDDDD",
    "GBD": "DDDDDDDDD",
    "GBN": "LDDDDDDDD",
    "GBO": "DDDDDDDDD",
    "USA": "DDDDDDDDD",
    "D": "GGGGGGGGG",
    "POL": "LLDDDDDDD",
    "IRL": "LLDDDDDDD",
    "IND": "LDDDDDDD",
    "CHN": "LDDDDDDDD",
    "HKG": "LDDDDDDDD",
    "NGA": "LDDDDDDDD",
    "ESP": "LLLDDDDDD",
    "PRT": "LDDDDDD",
    "TUR": "LDDDDDDDD",
    "ROU": "DDDDDDDDD",
    "NLD": "LLGGGGGGD",
    "VNM": "LDDDDDDD",
    "RUS": "DDDDDDDDD",
    "UKR": "LLDDDDDD",
}
DEFAULT_SHAPE = "LLDDDDDDD"
ID_CARD_SHAPE = "LLLDDDDDD"
EU = frozenset(
    {
        "POL",
        "DEU",
        "D",
        "ROU",
        "ESP",
        "PRT",
        "NLD",
        "IRL",
        "LVA",
        "LTU",
        "CYP",
        "FRA",
        "ITA",
        "GRC",
        "BGR",
        "HUN",
        "CZE",
        "MLT",
    }
)


@dataclass(frozen=True, slots=True)
class Document:
    doc_type: str  # P, I, D ...
    number: str
    country: str  # issuing code as printed: GBR, D, GBD ...
    expires: date | None


def passport_code(nationality: str, draw: Draw) -> str:
    """The issuing code printed on a passport of a national of ``nationality``."""
    if nationality == "DEU":
        return "D"
    if nationality == "GBR":
        r = draw.random()
        return "GBR" if r < 0.975 else "GBD" if r < 0.985 else "GBO" if r < 0.993 else "GBN"
    if nationality == "HKG":
        return "GBN" if draw.chance(0.3) else "HKG"
    return nationality


def comparable(country: str) -> str:
    return "DEU" if country == "D" else country


class Ledger:
    """Issues unique document numbers; remembers every one handed out."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def _draw(self, shape: str, draw: Draw) -> str:
        out = []
        for ch in shape:
            pool = _DIGITS if ch == "D" else _LETTERS if ch == "L" else _GERMAN
            out.append(draw.pick(pool))
        if shape[0] == "D" and out[0] == "0":
            out[0] = str(draw.between(1, 9))
        return "".join(out)

    def passport(self, country: str, draw: Draw) -> str:
        return self.issue(PASSPORT_SHAPE.get(country, DEFAULT_SHAPE), draw)

    def id_card(self, draw: Draw) -> str:
        return self.issue(ID_CARD_SHAPE, draw)

    def issue(self, shape: str, draw: Draw) -> str:
        while True:
            number = self._draw(shape, draw)
            if number not in self.used:
                self.used.add(number)
                return number

    def driving_licence(self, family_fold: str, dob: date, initials: str, draw: Draw) -> str:
        """UK licence number: surname, decade, month, day, year, initials, check, digits."""
        head = (family_fold + "99999")[:5]
        body = f"{dob.year % 100 // 10}{dob.month:02d}{dob.day:02d}{dob.year % 10}"
        tail = (initials + "9")[:2]
        while True:
            number = f"{head}{body}{tail}9{draw.pick(_LETTERS)}{draw.pick(_LETTERS)}"
            if number not in self.used:
                self.used.add(number)
                return number

    def bulk_passports(self, countries: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Vectorised numbers for the public, skipping any already issued."""
        out = np.empty(len(countries), dtype=object)
        for code in np.unique(countries):
            sel = np.flatnonzero(countries == code)
            shape = PASSPORT_SHAPE.get(str(code), DEFAULT_SHAPE)
            out[sel] = _bulk(shape, sel.size, rng)
        clash = np.fromiter((n in self.used for n in out), dtype=bool, count=len(out))
        for i in np.flatnonzero(clash):  # astronomically rare; re-draw one by one
            shape = PASSPORT_SHAPE.get(str(countries[i]), DEFAULT_SHAPE)
            while out[i] in self.used:
                out[i] = _bulk(shape, 1, rng)[0]
        return out


def _bulk(shape: str, n: int, rng: np.random.Generator) -> np.ndarray:
    codes = np.empty((n, len(shape)), dtype=np.uint8)
    for j, ch in enumerate(shape):
        pool = _DIGITS if ch == "D" else _LETTERS if ch == "L" else _GERMAN
        alphabet = np.frombuffer(pool.encode(), dtype=np.uint8)
        low = 1 if (j == 0 and ch == "D") else 0
        codes[:, j] = alphabet[rng.integers(low, len(alphabet), n)]
    return codes.view(f"S{len(shape)}").ravel().astype(str).astype(object)


_OCR = {"O": "0", "0": "O", "I": "1", "1": "I", "B": "8", "8": "B"}


def ocr_misread(number: str, draw: Draw) -> str | None:
    """One O/0, I/1 or B/8 confusion, as a passport reader makes; None if none possible."""
    spots = [i for i, ch in enumerate(number) if ch in _OCR]
    if not spots:
        return None
    i = draw.pick(spots)
    return number[:i] + _OCR[number[i]] + number[i + 1 :]
