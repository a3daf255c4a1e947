"""Family-name and given-name comparison levels, graded rather than all-or-nothing.

Each level is a kind of agreement a carrier's record of the same person shows (a typo in a
short name, a nickname, an initial, a name written in another order), so its weight is
learned from the data instead of every imperfection counting as a conflict. Everything works
on the integer codes both sides share; text comparisons run once per distinct pair of names.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from tracker.matching.codes import EMPTY, SharedCodes, contains
from tracker.matching.names import nickname_group

NULL = -1

FAMILY_EXACT, FAMILY_CLOSE, FAMILY_SIMILAR, FAMILY_DIFFERENT = 3, 2, 1, 0
FAMILY_LEVEL_NAMES = {
    FAMILY_EXACT: "exact",
    FAMILY_CLOSE: "one letter off or close spelling (Jaro-Winkler >= 0.92)",
    FAMILY_SIMILAR: "sounds alike or similar (Jaro-Winkler >= 0.84)",
    FAMILY_DIFFERENT: "different",
}
GIVEN_EXACT, GIVEN_SAME_FIRST, GIVEN_NICKNAME, GIVEN_ONE_EDIT = 7, 6, 5, 4
GIVEN_LATER_NAME, GIVEN_SOUNDS_ALIKE, GIVEN_INITIAL, GIVEN_DIFFERENT = 3, 2, 1, 0
GIVEN_LEVEL_NAMES = {
    GIVEN_EXACT: "exact",
    GIVEN_SAME_FIRST: "same first name (middle dropped or cut short)",
    GIVEN_NICKNAME: "nickname or formal form of the first name (BOB for ROBERT)",
    GIVEN_ONE_EDIT: "first name one letter off (a typo)",
    GIVEN_LATER_NAME: "goes by a later given name (the register's middle name)",
    GIVEN_SOUNDS_ALIKE: "first name sounds alike or is spelt close",
    GIVEN_INITIAL: "initial only (one side gives just the initial)",
    GIVEN_DIFFERENT: "different",
    NULL: "missing",
}
ORDER_AS_REGISTERED, ORDER_SWAPPED, ORDER_JOINED = 2, 1, 0
ORDER_LEVEL_NAMES = {
    ORDER_AS_REGISTERED: "family and given names in their fields",
    ORDER_SWAPPED: "family and given names swapped between fields",
    ORDER_JOINED: "whole name in one field or in native order (family name first or last)",
}

FAMILY_CLOSE_SIMILARITY, FAMILY_SIMILAR_SIMILARITY = 0.92, 0.84
GIVEN_CLOSE_SIMILARITY = 0.88
ONE_EDIT_MIN_LENGTH = 2  # one edit of a one-letter name is any other letter


def equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Equal and not empty, on shared codes."""
    return (a == b) & (a != EMPTY)


def distinct_pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (a, b) pairs of two code arrays and, per row, which of them it is: a
    pairwise check on the texts then runs once per distinct pair of names, not once per row."""
    span = int(max(a.max(initial=0), b.max(initial=0))) + 1
    row_pair, distinct = pd.factorize(a.astype(np.int64) * span + b)
    return row_pair, distinct // span, distinct % span


def _per_distinct_pair(
    scorers, a: np.ndarray, b: np.ndarray, where: np.ndarray, codes: SharedCodes
) -> list[np.ndarray]:
    """Each of ``scorers`` ((scorer, dtype, default) triples) on the texts behind codes ``a``
    and ``b`` in the rows of ``where`` (``default`` in the others), vectorised by rapidfuzz once
    per distinct pair; the distinct pairs are found once for every scorer."""
    results = [np.full(len(a), default, dtype=dtype) for _, dtype, default in scorers]
    rows = np.flatnonzero(where)
    if len(rows):
        row_pair, first, second = distinct_pairs(a[rows], b[rows])
        left, right = codes.text[first], codes.text[second]
        for result, (scorer, dtype, _) in zip(results, scorers, strict=True):
            result[rows] = process.cpdist(left, right, scorer=scorer, workers=-1, dtype=dtype)[
                row_pair
            ]
    return results


_JARO_WINKLER = (JaroWinkler.normalized_similarity, np.float32, 0.0)
_EDITS = (DamerauLevenshtein.distance, np.int32, 99)


def similarity(a: np.ndarray, b: np.ndarray, where: np.ndarray, codes: SharedCodes) -> np.ndarray:
    """Jaro-Winkler similarity (0 outside ``where``)."""
    return _per_distinct_pair([_JARO_WINKLER], a, b, where, codes)[0]


def similarity_and_one_edit(
    a: np.ndarray, b: np.ndarray, where: np.ndarray, codes: SharedCodes
) -> tuple[np.ndarray, np.ndarray]:
    """Jaro-Winkler similarity, and whether the names are at most one insertion, deletion,
    substitution or transposition of neighbours apart (Damerau-Levenshtein: TOMN for TOM, EVS
    for EVA), both at least two letters long. One pass over the distinct pairs for both."""
    jaro_winkler, edits = _per_distinct_pair([_JARO_WINKLER, _EDITS], a, b, where, codes)
    long_enough = (codes.text_length[a] >= ONE_EDIT_MIN_LENGTH) & (
        codes.text_length[b] >= ONE_EDIT_MIN_LENGTH
    )
    return jaro_winkler, (edits <= 1) & long_enough & (a != EMPTY) & (b != EMPTY)


def family_levels(
    travel_family: np.ndarray,
    travel_core: np.ndarray,
    travel_phonetic: np.ndarray,
    travel_compact: np.ndarray,
    reg_family: np.ndarray,
    reg_icao: np.ndarray,
    reg_core: np.ndarray,
    reg_phonetic: np.ndarray,
    reg_compact: np.ndarray,
    codes: SharedCodes,
) -> np.ndarray:
    """Family-name level per row; spelling is only compared where the names do not agree
    exactly (exact agreement decides the level)."""
    exact = (
        equal(travel_family, reg_family)
        | equal(travel_family, reg_icao)
        | equal(travel_core, reg_core)
        | equal(travel_compact, reg_compact)
    )
    close_spelling, typo = similarity_and_one_edit(travel_compact, reg_compact, ~exact, codes)
    # The ICAO spelling differs from the folded one only for names written outside ASCII.
    icao_differs = ~exact & (reg_icao != reg_family)
    close_spelling = np.maximum(
        close_spelling, similarity(travel_family, reg_icao, icao_differs, codes)
    )
    level = np.zeros(len(travel_family), dtype=np.int8)
    level[(close_spelling >= FAMILY_SIMILAR_SIMILARITY) | equal(travel_phonetic, reg_phonetic)] = (
        FAMILY_SIMILAR
    )
    level[(close_spelling >= FAMILY_CLOSE_SIMILARITY) | typo] = FAMILY_CLOSE
    level[exact] = FAMILY_EXACT
    return level


def _pairwise(
    check, a: np.ndarray, b: np.ndarray, where: np.ndarray, codes: SharedCodes
) -> np.ndarray:
    """``check(text_a, text_b)`` for the rows in ``where``, computed once per distinct pair."""
    result = np.zeros(len(a), dtype=bool)
    rows = np.flatnonzero(where)
    if len(rows) == 0:
        return result
    row_pair, first, second = distinct_pairs(a[rows], b[rows])
    verdict = np.fromiter(
        (check(x, y) for x, y in zip(codes.text[first], codes.text[second], strict=True)),
        bool,
        len(first),
    )
    result[rows] = verdict[row_pair]
    return result


def _nickname_equivalent(
    a: np.ndarray, b: np.ndarray, where: np.ndarray, codes: SharedCodes
) -> np.ndarray:
    """True where b is a nickname or formal form of a (BOB ~ ROBERT)."""
    where = where & (a != b) & (a != EMPTY) & (b != EMPTY)
    return _pairwise(lambda x, y: y in nickname_group(x), a, b, where, codes)


def _single_letter(values: np.ndarray, codes: SharedCodes) -> np.ndarray:
    return codes.text_length[values] == 1


def _truncation_of(
    short: np.ndarray, full: np.ndarray, where: np.ndarray, codes: SharedCodes
) -> np.ndarray:
    """True where ``short`` (3+ characters) is the start of ``full``: a field cut to length."""
    return _pairwise(
        lambda a, b: 2 < len(a) < len(b) and b.startswith(a), short, full, where, codes
    )


def _first_word_among(
    short: np.ndarray, full: np.ndarray, rows: np.ndarray, text: np.ndarray
) -> np.ndarray:
    """For ``rows``: is the first word of ``short`` one of the words of ``full``? Split once
    per distinct string and answered with integer keys, so most candidate pairs (which fail
    it) need no Python loop."""
    short_codes, short_values = pd.factorize(short[rows])
    full_codes, full_values = pd.factorize(full[rows])
    full_words = [value.split() for value in text[full_values]]
    first_words = [value.split()[0] if value.strip() else "" for value in text[short_values]]
    word_codes, _ = pd.factorize(
        np.array([*first_words, *(w for words in full_words for w in words)], dtype=object)
    )
    first_code = word_codes[: len(first_words)].astype(np.int64)
    words_per_full = np.fromiter(map(len, full_words), np.int64, len(full_words))
    owner = np.repeat(np.arange(len(full_words), dtype=np.int64), words_per_full)
    span = int(word_codes.max(initial=0)) + 1
    known = owner * span + word_codes[len(first_words) :]
    wanted = full_codes.astype(np.int64) * span + first_code[short_codes]
    return contains(known, wanted)


def _names_within(
    short: np.ndarray, full: np.ndarray, where: np.ndarray, codes: SharedCodes
) -> np.ndarray:
    """True where every name in ``short`` is one of the names in ``full`` (some dropped)."""
    where = where & (short != EMPTY) & (full != EMPTY)
    rows = np.flatnonzero(where)
    if len(rows):
        where = np.zeros(len(short), dtype=bool)
        where[rows[_first_word_among(short, full, rows, codes.text)]] = True
    return _pairwise(lambda x, y: set(x.split()) <= set(y.split()), short, full, where, codes)


def given_levels(
    travel_given: np.ndarray,
    travel_first: np.ndarray,
    travel_compact: np.ndarray,
    travel_initial: np.ndarray,
    travel_sound: np.ndarray,
    reg_given: np.ndarray,
    reg_icao: np.ndarray,
    reg_first: np.ndarray,
    reg_compact: np.ndarray,
    reg_initial: np.ndarray,
    reg_sound: np.ndarray,
    codes: SharedCodes,
) -> np.ndarray:
    """Given-names level per row. Exact agreement and the same first name decide a row's level
    outright, so the costlier checks only run for the rest; the best level found wins."""
    exact = (
        equal(travel_given, reg_given)
        | equal(travel_given, reg_icao)
        | equal(travel_compact, reg_compact)
    )
    same_first = equal(travel_first, reg_first)
    undecided = ~exact & ~same_first
    level = np.zeros(len(travel_given), dtype=np.int8)
    # "Initial only" is evidence only where one side really holds just an initial: two full
    # first names that merely share a letter (MICHAEL, MATTHEW) are different names.
    an_initial = _single_letter(travel_first, codes) | _single_letter(reg_first, codes)
    level[equal(travel_initial, reg_initial) & an_initial] = GIVEN_INITIAL
    first_similarity, first_typo = similarity_and_one_edit(
        travel_first, reg_first, undecided, codes
    )
    sounds = (first_similarity >= GIVEN_CLOSE_SIMILARITY) | (
        equal(travel_sound, reg_sound) & ~an_initial
    )
    level[sounds & undecided] = GIVEN_SOUNDS_ALIKE
    same_first |= _truncation_of(
        travel_given, reg_given, undecided & (level >= GIVEN_INITIAL), codes
    )
    undecided &= ~same_first
    nickname = _nickname_equivalent(travel_first, reg_first, undecided, codes)
    # Every travelling given name is one of the register's, but not the first: SAMUEL for
    # ROSS SAMUEL. The person may go by a later name, or be a stranger whose first name is
    # the offender's middle one, so it is a weaker level than a nickname or a typo.
    later = _names_within(travel_given, reg_given, undecided & ~nickname, codes)
    level[later] = GIVEN_LATER_NAME
    level[first_typo & undecided & ~nickname] = GIVEN_ONE_EDIT
    level[nickname] = GIVEN_NICKNAME
    level[same_first] = GIVEN_SAME_FIRST
    level[exact] = GIVEN_EXACT
    level[(travel_given == EMPTY) | (reg_given == EMPTY)] = NULL
    return level


def joined_name_agrees(
    travel_full: tuple[np.ndarray, np.ndarray], variant_full: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    """The whole name agrees once the fields are run together in either order: CHEN XIAOMING in
    one field for CHEN / XIAO MING, HUNG / NGUYEN VAN for NGUYEN / VAN HUNG. Arguments are
    (family then given, given then family) codes of the compact whole name."""
    travel_fg, travel_gf = travel_full
    variant_fg, variant_gf = variant_full
    return (
        equal(travel_fg, variant_fg) | equal(travel_fg, variant_gf) | equal(travel_gf, variant_fg)
    )
