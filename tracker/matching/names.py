"""Names to comparable forms: the mess carriers make of names, undone one small step at a time.

Each function is pure and works on one string; ``name_forms`` applies them to a whole column,
computing each distinct value once (register and travel columns repeat names a great deal).
The raw text is never replaced: these forms are only for comparison.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from anyascii import anyascii
from doublemetaphone import doublemetaphone
from nicknames import NickNamer

# ICAO Doc 9303 part 3 transliterations that differ from a plain accent strip (Ä -> AE, ...).
ICAO_LATIN = {
    "Ä": "AE",
    "Æ": "AE",
    "Å": "AA",
    "Ö": "OE",
    "Ø": "OE",
    "Ü": "UE",
    "ß": "SS",
    "Þ": "TH",
    "Œ": "OE",
    "Ĳ": "IJ",
    "Ð": "D",
    "Ł": "L",
    "Ñ": "N",
}

# ICAO Doc 9303 transliteration of Cyrillic (the 2013 table used in Russian passports),
# which differs from the BGN/PCGN-like romanisation anyascii gives (Ю -> IU, not YU).
ICAO_CYRILLIC = {
    "А": "A",
    "Б": "B",
    "В": "V",
    "Г": "G",
    "Д": "D",
    "Е": "E",
    "Ё": "E",
    "Ж": "ZH",
    "З": "Z",
    "И": "I",
    "Й": "I",
    "К": "K",
    "Л": "L",
    "М": "M",
    "Н": "N",
    "О": "O",
    "П": "P",
    "Р": "R",
    "С": "S",
    "Т": "T",
    "У": "U",
    "Ф": "F",
    "Х": "KH",
    "Ц": "TS",
    "Ч": "CH",
    "Ш": "SH",
    "Щ": "SHCH",
    "Ъ": "IE",
    "Ы": "Y",
    "Ь": "",
    "Э": "E",
    "Ю": "IU",
    "Я": "IA",
    "І": "I",
    "Ї": "I",
    "Є": "IE",
    "Ґ": "G",
    "Ў": "U",
}

HONORIFICS = frozenset(
    {
        "MR",
        "MRS",
        "MS",
        "MISS",
        "MX",
        "DR",
        "PROF",
        "SIR",
        "DAME",
        "LORD",
        "LADY",
        "REV",
        "FR",
        "SHEIKH",
        "HAJI",
        "HAJJI",
    }
)
# Particles carriers drop, join or keep; comparing without them removes that variation.
PARTICLES = frozenset(
    {
        "AL",
        "EL",
        "UL",
        "BIN",
        "BEN",
        "IBN",
        "BINT",
        "ABU",
        "VAN",
        "VON",
        "DER",
        "DEN",
        "DE",
        "DA",
        "DI",
        "DO",
        "DOS",
        "DAS",
        "DEL",
        "DELLA",
        "LA",
        "LE",
        "DU",
        "TER",
        "TEN",
        "MAC",
    }
)

_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
_CJK = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af])")
_SPACES = re.compile(r"\s+")


def _is_missing(text: object) -> bool:
    return text is None or (isinstance(text, float) and text != text) or text is pd.NA


def _clean(ascii_text: str) -> str:
    upper = _APOSTROPHES.sub("", ascii_text.upper())
    return _SPACES.sub(" ", _NON_ALNUM.sub(" ", upper)).strip()


def fold_name(text: str | None) -> str:
    """Any script to plain upper-case ASCII words: what a carrier's system would print."""
    if _is_missing(text) or not text:
        return ""
    text = str(text)
    if text.isascii():  # nearly every name: no CJK, nothing to normalise or transliterate
        return _clean(text)
    spaced = _CJK.sub(r" \1 ", text)  # one word per CJK syllable, as romanised names are
    return _clean(anyascii(unicodedata.normalize("NFC", spaced)))


def icao_fold(text: str | None) -> str:
    """The machine-readable-zone spelling (ICAO 9303): MÜLLER -> MUELLER, Юрий -> IURII."""
    if _is_missing(text) or not text:
        return ""
    text = str(text)
    if text.isascii():  # the ICAO tables map only letters outside ASCII
        return fold_name(text)
    upper = unicodedata.normalize("NFC", text).upper()
    mapped = "".join(ICAO_LATIN.get(ch) or ICAO_CYRILLIC.get(ch) or ch for ch in upper)
    return fold_name(mapped)


def tokens(folded: str) -> list[str]:
    """Words of a folded name without honorifics."""
    return [t for t in folded.split() if t not in HONORIFICS]


def strip_particles(folded: str) -> str:
    """AL HASSAN -> HASSAN, VAN DER BERG -> BERG; keeps the name if only particles remain."""
    kept = [t for t in tokens(folded) if t not in PARTICLES]
    return " ".join(kept) if kept else " ".join(tokens(folded))


def compact(folded: str) -> str:
    """Without spaces: XIAO MING == XIAOMING, AL HASSAN == ALHASSAN."""
    return folded.replace(" ", "")


@lru_cache(maxsize=200_000)
def phonetic_codes(word: str) -> tuple[str, str]:
    """Double Metaphone primary and secondary codes of one word (MUHAMMAD == MOHAMED)."""
    if not word:
        return ("", "")
    primary, secondary = doublemetaphone(word)
    return (primary or "", secondary or primary or "")


def phonetic_key(folded: str) -> str:
    """Primary codes of the name's words without particles, joined: order-sensitive key."""
    return " ".join(phonetic_codes(t)[0] for t in strip_particles(folded).split())


@lru_cache(maxsize=1)
def _nick_namer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=200_000)
def nickname_group(first_given: str) -> frozenset[str]:
    """Every formal name and nickname this given name can stand for (BOB -> ROBERT, ...)."""
    if not first_given:
        return frozenset()
    namer = _nick_namer()
    lower = first_given.lower()
    group = {lower} | namer.canonicals_of(lower) | namer.nicknames_of(lower)
    return frozenset(name.upper() for name in group)


@lru_cache(maxsize=200_000)
def formal_names(first_given: str) -> tuple[str, ...]:
    """The name itself and the formal names it may be short for (BOB -> BOB, ROBERT, ...):
    the travel side's blocking keys, since a register holds the formal name."""
    if not first_given:
        return ()
    return (
        first_given,
        *sorted(n.upper() for n in _nick_namer().canonicals_of(first_given.lower())),
    )


FAMILY_COLUMNS = (
    "family",
    "family_icao",
    "family_core",
    "family_phonetic",
    "family_compact",
    "family_initial",
    "family_first",
    "family_last",
    "family_first_phonetic",
    "family_sound_initial",
)
GIVEN_COLUMNS = (
    "given",
    "given_icao",
    "first_given",
    "first_given_phonetic",
    "given_compact",
    "given_initial",
    "given_sound_initial",
)
NAME_COLUMNS = FAMILY_COLUMNS + GIVEN_COLUMNS


@lru_cache(maxsize=500_000)
def family_forms(family_name: str | None) -> tuple[str, ...]:
    """(folded, ICAO spelling, without particles, phonetic key, without spaces, and the
    initial, first and last word of the name without particles, the first word's sound and
    that sound's first letter)."""
    family = " ".join(tokens(fold_name(family_name)))
    core = strip_particles(family)
    words = core.split(" ")
    sound = phonetic_key(family)
    first_sound = sound.split(" ", 1)[0]
    return (
        family,
        " ".join(tokens(icao_fold(family_name))),
        core,
        sound,
        compact(family),
        core[:1],
        words[0],
        words[-1],
        first_sound,
        first_sound[:1],
    )


@lru_cache(maxsize=500_000)
def given_forms(given_names: str | None) -> tuple[str, ...]:
    """(folded, ICAO spelling, first given name, its sound, without spaces, its initial, the
    first letter of its sound)."""
    given = " ".join(tokens(fold_name(given_names)))
    first = given.split(" ", 1)[0] if given else ""
    sound = phonetic_codes(first)[0]
    return (
        given,
        " ".join(tokens(icao_fold(given_names))),
        first,
        sound,
        compact(given),
        first[:1],
        sound[:1],
    )


def _forms_table(
    values: pd.Series, forms, columns: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """``forms`` of each distinct value once: the table (a row per distinct value, the last for
    missing values) and, per row of ``values``, the table row it takes."""
    # On the object array: factorising pandas' own "str" values costs several times more.
    codes, uniques = pd.factorize(values.to_numpy(object), use_na_sentinel=True)
    table = [forms(v) for v in uniques] + [forms(None)]  # the last row serves missing values
    array = np.array(table, dtype=object).reshape(len(table), len(columns))
    return np.where(codes < 0, len(table) - 1, codes), array


@dataclass(frozen=True)
class CodedNames:
    """Name forms as text and as codes into a sorted vocabulary of every form's text."""

    frame: pd.DataFrame  # NAME_COLUMNS as text
    codes: pd.DataFrame  # NAME_COLUMNS as int32 codes into ``vocabulary``, same index
    vocabulary: np.ndarray  # object, sorted, starting with ""


def name_frame(family: pd.Series, given: pd.Series) -> pd.DataFrame:
    """Comparable name forms for every row; each distinct family or given value computed once."""
    return coded_name_frame(family, given).frame


def coded_name_frame(family: pd.Series, given: pd.Series) -> CodedNames:
    """``name_frame`` together with its codes. The vocabulary is taken from the small tables of
    distinct values' forms, so coding a million rows costs an integer take per column."""
    family_rows, family_table = _forms_table(family, family_forms, FAMILY_COLUMNS)
    given_rows, given_table = _forms_table(given, given_forms, GIVEN_COLUMNS)
    vocabulary = np.array(
        sorted({"", *family_table.ravel().tolist(), *given_table.ravel().tolist()}), dtype=object
    )
    lookup = pd.Index(vocabulary)
    text, codes = {}, {}
    for rows, table, columns in (
        (family_rows, family_table, FAMILY_COLUMNS),
        (given_rows, given_table, GIVEN_COLUMNS),
    ):
        table_codes = lookup.get_indexer(table.ravel()).astype(np.int32).reshape(table.shape)
        for j, column in enumerate(columns):
            text[column] = table[:, j][rows]
            codes[column] = table_codes[:, j][rows]
    index = family.index
    # copy=False: the columns are fresh arrays, and stacking them into one block copies them all
    return CodedNames(
        pd.DataFrame(text, index=index, dtype=object, copy=False),
        pd.DataFrame(codes, index=index, copy=False),
        vocabulary,
    )
