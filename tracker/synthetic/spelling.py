"""How one name gets spelt: a :class:`Part` keeps the register spelling (which may be
Cyrillic or carry diacritics) and the Latin spellings a carrier may write instead (passport
transliteration systems, Arabic and East Asian romanisation variants); the folds compare them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from anyascii import anyascii

from tracker.synthetic.datafiles import table


@dataclass(frozen=True, slots=True)
class Part:
    """One word-group of a name: ``text`` as the register holds it, ``forms`` as carriers
    write it (likeliest first). ``parallel`` forms are whole transliteration systems, so a
    record picks the same system for every part of the name."""

    text: str
    forms: tuple[str, ...]
    parallel: bool = False
    keep: float = 0.6  # chance a carrier writes forms[0] when forms are free variants


def plain(text: str) -> Part:
    return Part(text, (text,))


def join(parts: list[Part]) -> str:
    return " ".join(p.text for p in parts)


# --- folding -------------------------------------------------------------------------

_MRZ = str.maketrans(
    {
        "Ä": "AE",
        "Ö": "OE",
        "Ü": "UE",
        "ß": "SS",
        "Å": "AA",
        "Ø": "OE",
        "Æ": "AE",
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "å": "aa",
        "ø": "oe",
        "æ": "ae",
    }
)
_NOT_LETTER = re.compile(r"[^A-Z]")


def mrz_latin(text: str) -> str:
    """ICAO 9303 expansion of German/Nordic letters (Müller -> Mueller), then plain ASCII."""
    return anyascii(text.translate(_MRZ))


def fold(text: str) -> str:
    """Letters only, upper case, ASCII: the comparison key for 'same spelling'."""
    return _NOT_LETTER.sub("", anyascii(text).upper())


def carrier_upper(text: str, keep_punctuation: bool) -> str:
    """How a carrier keys a name: ASCII capitals; apostrophes and hyphens kept or dropped."""
    out = anyascii(unicodedata.normalize("NFC", text)).upper()
    if not keep_punctuation:
        out = out.replace("'", "").replace("-", " ")
    out = re.sub(r"[^A-Z0-9 '\-]", "", out)
    return re.sub(r" +", " ", out).strip()


# --- Cyrillic romanisation ------------------------------------------------------------

_VOWELS = set("аеёиоуыэюяієї")
#: the passport systems' tables (ICAO 9303 for Russian, the 2010 KMU table for Ukrainian)
_RU_ICAO: dict[str, str] = table("romanisation/russian-icao")
_RU_BGN = _RU_ICAO | {"й": "y", "ъ": "", "ю": "yu", "я": "ya", "ё": "yo"}
_RU_LEGACY = _RU_BGN | {"ж": "j", "х": "h", "щ": "sch", "ё": "e"}
_UK_KMU: dict[str, str] = table("romanisation/ukrainian-kmu")
_UK_KMU_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_UK_LEGACY = _UK_KMU | {"г": "g", "й": "y", "ю": "yu", "я": "ya", "є": "ye", "ї": "yi"}


def _title(text: str) -> str:
    return "-".join(
        " ".join(w[:1].upper() + w[1:] for w in chunk.split(" ")) for chunk in text.split("-")
    )


def _romanise(
    text: str,
    table: dict[str, str],
    initial: dict[str, str] | None = None,
    ye_rule: bool = False,
    final_iy: str | None = None,
) -> str:
    """One Cyrillic spelling in one system; words keep their separators."""
    words = re.split(r"([ -])", text.lower())
    out: list[str] = []
    for word in words:
        if word in (" ", "-", ""):
            out.append(word)
            continue
        tail = ""
        if final_iy is not None and word.endswith(("ий", "ій")):
            word, tail = word[:-2], final_iy
        chars: list[str] = []
        for i, ch in enumerate(word):
            prev = word[i - 1] if i else ""
            if ye_rule and ch == "е" and (not prev or prev in _VOWELS or prev in "йъь"):
                chars.append("ye")
            elif initial and not prev and ch in initial:
                chars.append(initial[ch])
            else:
                chars.append(table.get(ch, ch))
        out.append("".join(chars) + tail)
    return _title("".join(out))


def ru_icao(text: str) -> str:
    return _romanise(text, _RU_ICAO)


def ru_bgn(text: str) -> str:
    return _romanise(text, _RU_BGN, ye_rule=True, final_iy="iy")


def ru_legacy(text: str) -> str:
    return _romanise(text.replace("кс", "x").replace("Кс", "X"), _RU_LEGACY, final_iy="y")


def uk_kmu(text: str) -> str:
    return _romanise(text, _UK_KMU, initial=_UK_KMU_INITIAL)


def uk_legacy(text: str) -> str:
    return _romanise(text, _UK_LEGACY, final_iy="iy")
