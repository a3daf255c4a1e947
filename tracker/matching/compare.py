"""Comparison levels per field for every candidate pair, vectorised.

Names are compared against every name the register holds for the person (register name, each
alias, their ICAO spellings), in both orders (carriers swap family and given names), and the
best-agreeing name is kept. Dates, documents, sex and nationality each get their own levels.
The levels are what the model weighs; nothing here knows about weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from tracker.matching.blocking import CandidatePairs
from tracker.matching.codes import (
    ABSENT,
    EMPTY,
    SharedCodes,
    contains,
    shared_codes,
)
from tracker.matching.dates import DOB_LEVEL_NAMES, compare_dates
from tracker.matching.documents import DOC_LEVEL_NAMES, DOC_NULL, compare_documents
from tracker.matching.names import nickname_group
from tracker.matching.prepare import LATER_GIVEN_SOURCE, PreparedRegister, PreparedTravel

NULL = -1

FAMILY_LEVEL_NAMES = {
    3: "exact",
    2: "close spelling (Jaro-Winkler >= 0.92)",
    1: "sounds alike or similar (Jaro-Winkler >= 0.84)",
    0: "different",
}
GIVEN_LEVEL_NAMES = {
    5: "exact",
    4: "same first name (middle dropped, truncated or nickname)",
    3: "goes by a later given name (the register's middle name)",
    2: "close first name",
    1: "initial only (one side gives just the initial)",
    0: "different",
    NULL: "missing",
}
SEX_LEVEL_NAMES = {1: "same", 0: "different", NULL: "missing"}
NATIONALITY_LEVEL_NAMES = {1: "one of the register's", 0: "different", NULL: "missing"}

FIELD_LEVELS: dict[str, dict[int, str]] = {
    "family_name": FAMILY_LEVEL_NAMES,
    "given_names": GIVEN_LEVEL_NAMES,
    "date_of_birth": DOB_LEVEL_NAMES,
    "document": DOC_LEVEL_NAMES,
    "sex": SEX_LEVEL_NAMES,
    "nationality": NATIONALITY_LEVEL_NAMES,
}
FIELDS = tuple(FIELD_LEVELS)

FAMILY_CLOSE, FAMILY_SIMILAR = 0.92, 0.84
FAMILY_EXACT = 3
# Agreeing with the register variant that drops the first given name (people who go by a later
# one) is weaker evidence than agreeing with the first name: among strangers, someone's first
# name is often someone else's middle name, so it has a level (and a weight) of its own.
GIVEN_EXACT, GIVEN_SAME_FIRST, GIVEN_LATER_NAME = 5, 4, 3
GIVEN_CLOSE = 0.88


def _jaro_winkler(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if len(a) == 0:
        return np.zeros(0, dtype=np.float32)
    return process.cpdist(
        a, b, scorer=JaroWinkler.normalized_similarity, workers=-1, dtype=np.float32
    )


def _equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Equal and not empty, on shared codes."""
    return (a == b) & (a != EMPTY)


def _distinct_pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (a, b) pairs of two code arrays and, per row, which of them it is: a
    pairwise check on the texts then runs once per distinct pair of names, not once per row."""
    span = int(max(a.max(initial=0), b.max(initial=0))) + 1
    row_pair, distinct = pd.factorize(a.astype(np.int64) * span + b)
    return row_pair, distinct // span, distinct % span


def _similarity(a: np.ndarray, b: np.ndarray, where: np.ndarray, codes: SharedCodes) -> np.ndarray:
    """Jaro-Winkler similarity of the texts behind codes ``a`` and ``b`` in the rows of
    ``where`` (0 in the others, whose level other checks decide), once per distinct pair."""
    similarity = np.zeros(len(a), dtype=np.float32)
    rows = np.flatnonzero(where)
    if len(rows):
        row_pair, first, second = _distinct_pairs(a[rows], b[rows])
        similarity[rows] = _jaro_winkler(codes.text[first], codes.text[second])[row_pair]
    return similarity


def _expand(pair_o: np.ndarray, group_o: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each pair, the rows of a table sorted by ``o`` that belong to its offender.

    Returns (pair index, row index) arrays; pairs whose offender has no row are absent. A
    pair's rows are contiguous and in table order.
    """
    size = int(max(group_o.max(initial=-1), pair_o.max(initial=-1))) + 1
    rows_of = np.bincount(group_o, minlength=size)  # counted, not searched: o is dense
    counts = rows_of[pair_o]
    starts = (np.cumsum(rows_of) - rows_of)[pair_o]
    pair_index = np.repeat(np.arange(len(pair_o)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return pair_index, np.repeat(starts, counts) + offsets


def family_levels(
    travel_family: np.ndarray, travel_core: np.ndarray, travel_phonetic: np.ndarray,
    travel_compact: np.ndarray, reg_family: np.ndarray, reg_icao: np.ndarray,
    reg_core: np.ndarray, reg_phonetic: np.ndarray, reg_compact: np.ndarray,
    codes: SharedCodes,
) -> np.ndarray:  # fmt: skip
    """Family-name level per row, from shared codes; spelling similarity is only computed
    where the names do not agree exactly (exact agreement decides the level)."""
    exact = (
        _equal(travel_family, reg_family)
        | _equal(travel_family, reg_icao)
        | _equal(travel_core, reg_core)
        | _equal(travel_compact, reg_compact)
    )
    similarity = np.maximum(
        _similarity(travel_family, reg_family, ~exact, codes),
        _similarity(travel_family, reg_icao, ~exact, codes),
    )
    level = np.zeros(len(travel_family), dtype=np.int8)
    level[(similarity >= FAMILY_SIMILAR) | _equal(travel_phonetic, reg_phonetic)] = 1
    level[similarity >= FAMILY_CLOSE] = 2
    level[exact] = FAMILY_EXACT
    return level


def _pairwise(check, a: np.ndarray, b: np.ndarray, where: np.ndarray,
              codes: SharedCodes) -> np.ndarray:  # fmt: skip
    """``check(text_a, text_b)`` for the rows in ``where``, computed once per distinct pair."""
    result = np.zeros(len(a), dtype=bool)
    rows = np.flatnonzero(where)
    if len(rows) == 0:
        return result
    row_pair, first, second = _distinct_pairs(a[rows], b[rows])
    verdict = np.fromiter(
        (check(x, y) for x, y in zip(codes.text[first], codes.text[second], strict=True)), bool,
        len(first),
    )  # fmt: skip
    result[rows] = verdict[row_pair]
    return result


def _nickname_equivalent(a: np.ndarray, b: np.ndarray, where: np.ndarray,
                         codes: SharedCodes) -> np.ndarray:  # fmt: skip
    """True where b is a nickname or formal form of a (BOB ~ ROBERT)."""
    where = where & (a != b) & (a != EMPTY) & (b != EMPTY)
    return _pairwise(lambda x, y: y in nickname_group(x), a, b, where, codes)


def _single_letter(values: np.ndarray, codes: SharedCodes) -> np.ndarray:
    return codes.text_length[values] == 1


def _truncation_of(short: np.ndarray, full: np.ndarray, where: np.ndarray,
                   codes: SharedCodes) -> np.ndarray:  # fmt: skip
    """True where ``short`` (3+ characters) is the start of ``full``: a field cut to length."""
    return _pairwise(lambda a, b: 2 < len(a) < len(b) and b.startswith(a), short, full, where,
                     codes)  # fmt: skip


def _first_word_among(short: np.ndarray, full: np.ndarray, rows: np.ndarray,
                      text: np.ndarray) -> np.ndarray:  # fmt: skip
    """For ``rows``: is the first word of ``short`` one of the words of ``full`` (codes into
    ``text``)? Split once per distinct string and answered with integer keys, so a million
    rows cost no Python loop; most candidate pairs fail it, and only the rest need the full
    check."""
    short_codes, short_values = pd.factorize(short[rows])
    full_codes, full_values = pd.factorize(full[rows])
    full_words = [value.split() for value in text[full_values]]
    first_words = [value.split()[0] if value.strip() else "" for value in text[short_values]]
    word_codes, _ = pd.factorize(np.array(
        [*first_words, *(w for words in full_words for w in words)], dtype=object
    ))  # fmt: skip
    first_code = word_codes[: len(first_words)].astype(np.int64)
    words_per_full = np.fromiter(map(len, full_words), np.int64, len(full_words))
    owner = np.repeat(np.arange(len(full_words), dtype=np.int64), words_per_full)
    span = int(word_codes.max(initial=0)) + 1
    known = owner * span + word_codes[len(first_words) :]
    wanted = full_codes.astype(np.int64) * span + first_code[short_codes]
    return contains(known, wanted)


def _names_within(short: np.ndarray, full: np.ndarray, where: np.ndarray,
                  codes: SharedCodes) -> np.ndarray:  # fmt: skip
    """True where every name in ``short`` is one of the names in ``full`` (some dropped)."""
    where = where & (short != EMPTY) & (full != EMPTY)
    rows = np.flatnonzero(where)
    if len(rows):
        where = np.zeros(len(short), dtype=bool)
        where[rows[_first_word_among(short, full, rows, codes.text)]] = True
    return _pairwise(lambda x, y: set(x.split()) <= set(y.split()), short, full, where, codes)


def given_levels(
    travel_given: np.ndarray, travel_first: np.ndarray, travel_compact: np.ndarray,
    travel_initial: np.ndarray, travel_sound: np.ndarray, reg_given: np.ndarray,
    reg_icao: np.ndarray, reg_first: np.ndarray, reg_compact: np.ndarray,
    reg_initial: np.ndarray, reg_sound: np.ndarray, codes: SharedCodes,
) -> np.ndarray:  # fmt: skip
    """Given-names level per row, from shared codes. Exact agreement and the same first name
    decide a row's level outright, so the spelling similarity is only computed for the rest."""
    exact = (
        _equal(travel_given, reg_given)
        | _equal(travel_given, reg_icao)
        | _equal(travel_compact, reg_compact)
    )
    same_first = _equal(travel_first, reg_first)
    undecided = ~exact & ~same_first
    level = np.zeros(len(travel_given), dtype=np.int8)
    # "Initial only" is evidence only where one side really holds just an initial: two full
    # first names that merely share a letter (MICHAEL, MATTHEW) are different names.
    an_initial = _single_letter(travel_first, codes) | _single_letter(reg_first, codes)
    level[_equal(travel_initial, reg_initial) & an_initial] = 1
    close = (_similarity(travel_first, reg_first, undecided, codes) >= GIVEN_CLOSE) | _equal(
        travel_sound, reg_sound
    )  # fmt: skip
    level[close] = 2
    same_first |= _nickname_equivalent(travel_first, reg_first, undecided, codes)
    same_first |= _truncation_of(travel_given, reg_given, undecided & (level >= 1), codes)
    # Every travelling given name is one of the register's, but not the first: SAMUEL for
    # ROSS SAMUEL. The person may go by a later name, or be a stranger whose first name is
    # the offender's middle one, so it is the weaker level.
    later = _names_within(travel_given, reg_given, undecided & ~same_first, codes)
    level[later] = GIVEN_LATER_NAME
    level[same_first] = GIVEN_SAME_FIRST
    level[exact] = GIVEN_EXACT
    level[(travel_given == EMPTY) | (reg_given == EMPTY)] = NULL
    return level


@dataclass
class Comparisons:
    """One row per candidate pair: positions, a level per field, and what the levels rest on."""

    frame: pd.DataFrame  # t, o, <field levels>, variant, swapped, *_value

    def __len__(self) -> int:
        return len(self.frame)


def _best_rows(pair_index: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Per pair, its row with the highest score, the earliest winning ties (rows of a pair
    are contiguous and in variant order, so the register's own name wins a tie)."""
    if len(pair_index) == 0:
        return np.zeros(0, dtype=np.int64)
    group_start = np.flatnonzero(np.r_[True, pair_index[1:] != pair_index[:-1]])
    group_size = np.diff(np.r_[group_start, len(pair_index)])
    is_best = score == np.repeat(np.maximum.reduceat(score, group_start), group_size)
    best = np.flatnonzero(is_best)
    return best[np.r_[True, pair_index[best[1:]] != pair_index[best[:-1]]]]


def compare_pairs(
    pairs: CandidatePairs, travel: PreparedTravel, register: PreparedRegister,
    codes: SharedCodes | None = None,
) -> Comparisons:  # fmt: skip
    """Levels for every field of every pair; names are the best over variants and orders.
    ``codes``: both sides' shared codes, when the caller has them already."""
    codes = codes if codes is not None else shared_codes(travel, register)
    t_all, o_all = pairs.t, pairs.o
    tr = travel.records
    variants = register.variants
    pair_index, variant_row = _expand(o_all, variants["o"].to_numpy())
    t = t_all[pair_index]

    def tcol(name: str) -> np.ndarray:
        return codes.travel_names[name][t]

    def vcol(name: str) -> np.ndarray:
        return codes.variant_names[name][variant_row]

    t_family, t_core, t_phon = tcol("family"), tcol("family_core"), tcol("family_phonetic")
    t_family_compact, t_family_initial = tcol("family_compact"), tcol("family_initial")
    t_given, t_first = tcol("given"), tcol("first_given")
    t_given_compact, t_given_initial = tcol("given_compact"), tcol("given_initial")
    v_family, v_family_icao, v_core = vcol("family"), vcol("family_icao"), vcol("family_core")
    v_phon, v_family_compact = vcol("family_phonetic"), vcol("family_compact")
    v_given, v_given_icao, v_first = vcol("given"), vcol("given_icao"), vcol("first_given")
    v_given_compact, v_given_initial = vcol("given_compact"), vcol("given_initial")
    t_given_sound, v_given_sound = tcol("first_given_phonetic"), vcol("first_given_phonetic")
    t_family_sound = tcol("family_first_phonetic")
    t_family_first = tcol("family_first")

    straight_family = family_levels(t_family, t_core, t_phon, t_family_compact, v_family,
                                    v_family_icao, v_core, v_phon, v_family_compact,
                                    codes)  # fmt: skip
    straight_given = given_levels(
        t_given, t_first, t_given_compact, t_given_initial, t_given_sound, v_given, v_given_icao,
        v_first, v_given_compact, v_given_initial, v_given_sound, codes,
    )  # fmt: skip
    # Swapped: the carrier's family field holds the given names and vice versa.
    no_phonetic = np.full(len(t_given), EMPTY, dtype=t_given.dtype)
    swapped_family = family_levels(t_given, t_given, no_phonetic, t_given_compact, v_family,
                                   v_family_icao, v_core, v_phon, v_family_compact,
                                   codes)  # fmt: skip
    swapped_family[t_given == EMPTY] = 0
    swapped_given = given_levels(
        t_family, t_family_first, t_family_compact, t_family_initial, t_family_sound, v_given,
        v_given_icao, v_first, v_given_compact, v_given_initial, v_given_sound, codes,
    )  # fmt: skip

    later = (variants["source"].to_numpy(object) == LATER_GIVEN_SOURCE)[variant_row]
    for given_level in (straight_given, swapped_given):
        given_level[later & (given_level >= GIVEN_SAME_FIRST)] = GIVEN_LATER_NAME
    straight_score = straight_family.astype(np.int16) * 10 + np.maximum(straight_given, 0)
    swapped_score = swapped_family.astype(np.int16) * 10 + np.maximum(swapped_given, 0) - 1
    use_swap = swapped_score > straight_score
    family = np.where(use_swap, swapped_family, straight_family)
    given = np.where(use_swap, swapped_given, straight_given)
    score = np.maximum(straight_score, swapped_score)

    # Best variant per pair: highest score, the register's own name winning ties.
    best = _best_rows(pair_index, score)
    best_pair = pair_index[best]

    n = len(t_all)
    family_level = np.zeros(n, np.int8)
    family_level[best_pair] = family[best]
    given_level = np.full(n, NULL, np.int8)
    given_level[best_pair] = given[best]
    variant = np.full(n, -1, np.int64)
    variant[best_pair] = variant_row[best]
    swapped = np.zeros(n, bool)
    swapped[best_pair] = use_swap[best]
    family_value = np.full(n, EMPTY, np.int64)
    family_value[best_pair] = np.where(use_swap[best], t_given[best], t_core[best])
    given_value = np.full(n, EMPTY, np.int64)
    given_value[best_pair] = np.where(use_swap[best], t_family[best], t_given[best])
    out = pd.DataFrame({"t": t_all, "o": o_all, "family_name": family_level,
                        "given_names": given_level, "variant": variant, "swapped": swapped})
    out["family_value"] = pd.array(codes.text[family_value], dtype="str")
    out["given_value"] = pd.array(codes.text[given_value], dtype="str")

    people = register.people
    out["date_of_birth"] = compare_dates(
        tr["dob"].to_numpy()[t_all], people["dob"].to_numpy()[o_all]
    )
    out["document"] = _document_levels(t_all, o_all, register, codes)
    out["sex"] = _binary_levels(codes.travel_sex[t_all], codes.register_sex[o_all])
    out["nationality"] = _nationality_levels(t_all, o_all, register, codes)
    return Comparisons(out)


def _binary_levels(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    level = (a == b).astype(np.int8)
    level[(a == EMPTY) | (b == EMPTY)] = NULL
    return level


def _document_levels(t_all: np.ndarray, o_all: np.ndarray, register: PreparedRegister,
                     codes: SharedCodes) -> np.ndarray:  # fmt: skip
    """Best level over the offender's documents; missing when either side holds none."""
    level = np.full(len(t_all), DOC_NULL, dtype=np.int8)
    pair_index, doc_row = _expand(o_all, register.documents["o"].to_numpy())
    if len(pair_index) == 0:
        return level
    t = t_all[pair_index]
    travel, held = codes.travel_documents, codes.register_documents
    per_doc = compare_documents(
        travel["doc"][t], travel["doc_ocr"][t], travel["doc_country"][t], held["doc"][doc_row],
        held["doc_ocr"][doc_row], held["doc_country"][doc_row], empty=EMPTY,
    )  # fmt: skip
    np.maximum.at(level, pair_index, per_doc)
    return level


def _nationality_levels(t_all: np.ndarray, o_all: np.ndarray, register: PreparedRegister,
                        codes: SharedCodes) -> np.ndarray:  # fmt: skip
    """One of the register's nationalities, or not; missing when either side has none."""
    listed_o = register.nationalities["o"].to_numpy().astype(np.int64)
    listed_nationality = codes.register_nationality
    travel_nationality = codes.travel_nationality[t_all]
    level = np.full(len(t_all), NULL, dtype=np.int8)
    has_register = np.zeros(len(register.people), dtype=bool)
    has_register[listed_o] = True
    known = (travel_nationality != EMPTY) & has_register[o_all]
    span = int(listed_nationality.max(initial=0)) + 1
    listed = listed_o * span + listed_nationality
    nationality = travel_nationality[known]
    held = nationality != ABSENT  # a nationality the register holds for no one is no one's
    verdict = np.zeros(len(nationality), dtype=bool)
    verdict[held] = contains(listed, o_all[known][held].astype(np.int64) * span
                             + nationality[held])  # fmt: skip
    level[known] = verdict.astype(np.int8)
    return level
