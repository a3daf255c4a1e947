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
    return (a == b) & (a != "")


def _expand(pair_o: np.ndarray, group_o: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each pair, the rows of a table sorted by ``o`` that belong to its offender.

    Returns (pair index, row index) arrays; pairs whose offender has no row are absent.
    """
    starts = np.searchsorted(group_o, pair_o, side="left")
    ends = np.searchsorted(group_o, pair_o, side="right")
    counts = ends - starts
    pair_index = np.repeat(np.arange(len(pair_o)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return pair_index, np.repeat(starts, counts) + offsets


def family_levels(
    travel_family: np.ndarray, travel_core: np.ndarray, travel_phonetic: np.ndarray,
    travel_compact: np.ndarray, reg_family: np.ndarray, reg_icao: np.ndarray,
    reg_core: np.ndarray, reg_phonetic: np.ndarray, reg_compact: np.ndarray,
) -> np.ndarray:  # fmt: skip
    similarity = np.maximum(
        _jaro_winkler(travel_family, reg_family), _jaro_winkler(travel_family, reg_icao)
    )
    level = np.zeros(len(travel_family), dtype=np.int8)
    level[(similarity >= FAMILY_SIMILAR) | _equal(travel_phonetic, reg_phonetic)] = 1
    level[similarity >= FAMILY_CLOSE] = 2
    exact = (
        _equal(travel_family, reg_family)
        | _equal(travel_family, reg_icao)
        | _equal(travel_core, reg_core)
        | _equal(travel_compact, reg_compact)
    )
    level[exact] = FAMILY_EXACT
    return level


def _distinct_pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes for the distinct (a, b) pairs and one row index per distinct pair: a pairwise
    check written in Python then runs once per distinct pair of names, not once per row."""
    keys = pd.util.hash_array(a, categorize=True) * np.uint64(0x9E3779B97F4A7C15)
    keys ^= pd.util.hash_array(b, categorize=True)
    codes, uniques = pd.factorize(keys)
    first_row = np.zeros(len(uniques), dtype=np.int64)
    first_row[codes[::-1]] = np.arange(len(codes))[::-1]
    return codes, first_row


def _pairwise(check, a: np.ndarray, b: np.ndarray, where: np.ndarray) -> np.ndarray:
    """``check(a_i, b_i)`` for the rows in ``where``, computed once per distinct pair."""
    result = np.zeros(len(a), dtype=bool)
    rows = np.flatnonzero(where)
    if len(rows) == 0:
        return result
    codes, first_row = _distinct_pairs(a[rows], b[rows])
    sample_a, sample_b = a[rows][first_row], b[rows][first_row]
    verdict = np.fromiter(
        (check(x, y) for x, y in zip(sample_a, sample_b, strict=True)), bool, len(first_row)
    )
    result[rows] = verdict[codes]
    return result


def _nickname_equivalent(a: np.ndarray, b: np.ndarray, where: np.ndarray) -> np.ndarray:
    """True where b is a nickname or formal form of a (BOB ~ ROBERT)."""
    where = where & (a != b) & (a != "") & (b != "")
    return _pairwise(lambda x, y: y in nickname_group(x), a, b, where)


def _single_letter(values: np.ndarray) -> np.ndarray:
    codes, uniques = pd.factorize(values)
    return (
        np.array([len(u) == 1 for u in uniques], dtype=bool)[codes]
        if len(uniques)
        else (np.zeros(len(values), dtype=bool))
    )


def _truncation_of(short: np.ndarray, full: np.ndarray, where: np.ndarray) -> np.ndarray:
    """True where ``short`` (3+ characters) is the start of ``full``: a field cut to length."""
    return _pairwise(lambda a, b: 2 < len(a) < len(b) and b.startswith(a), short, full, where)


def _first_word_among(short: np.ndarray, full: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For ``rows``: is the first word of ``short`` one of the words of ``full``? Split once
    per distinct string and answered with integer keys, so a million rows cost no Python
    loop; most candidate pairs fail it, and only the rest need the full check."""
    short_codes, short_values = pd.factorize(short[rows])
    full_codes, full_values = pd.factorize(full[rows])
    full_words = [value.split() for value in full_values]
    first_words = [value.split()[0] if value.strip() else "" for value in short_values]
    word_codes, _ = pd.factorize(np.array(
        [*first_words, *(w for words in full_words for w in words)], dtype=object
    ))  # fmt: skip
    first_code = word_codes[: len(first_words)].astype(np.int64)
    words_per_full = np.fromiter(map(len, full_words), np.int64, len(full_words))
    owner = np.repeat(np.arange(len(full_words), dtype=np.int64), words_per_full)
    span = int(word_codes.max(initial=0)) + 1
    known = np.unique(owner * span + word_codes[len(first_words) :])
    wanted = full_codes.astype(np.int64) * span + first_code[short_codes]
    return np.isin(wanted, known)


def _names_within(short: np.ndarray, full: np.ndarray, where: np.ndarray) -> np.ndarray:
    """True where every name in ``short`` is one of the names in ``full`` (some dropped)."""
    where = where & (short != "") & (full != "")
    rows = np.flatnonzero(where)
    if len(rows):
        where = np.zeros(len(short), dtype=bool)
        where[rows[_first_word_among(short, full, rows)]] = True
    return _pairwise(lambda x, y: set(x.split()) <= set(y.split()), short, full, where)


def given_levels(
    travel_given: np.ndarray, travel_first: np.ndarray, travel_compact: np.ndarray,
    travel_initial: np.ndarray, travel_sound: np.ndarray, reg_given: np.ndarray,
    reg_icao: np.ndarray, reg_first: np.ndarray, reg_compact: np.ndarray,
    reg_initial: np.ndarray, reg_sound: np.ndarray,
) -> np.ndarray:  # fmt: skip
    level = np.zeros(len(travel_given), dtype=np.int8)
    # "Initial only" is evidence only where one side really holds just an initial: two full
    # first names that merely share a letter (MICHAEL, MATTHEW) are different names.
    an_initial = _single_letter(travel_first) | _single_letter(reg_first)
    level[_equal(travel_initial, reg_initial) & an_initial] = 1
    close = (_jaro_winkler(travel_first, reg_first) >= GIVEN_CLOSE) | _equal(travel_sound,
                                                                           reg_sound)  # fmt: skip
    level[close] = 2
    exact = (
        _equal(travel_given, reg_given)
        | _equal(travel_given, reg_icao)
        | _equal(travel_compact, reg_compact)
    )
    same_first = _equal(travel_first, reg_first)
    undecided = ~exact & ~same_first
    same_first |= _nickname_equivalent(travel_first, reg_first, undecided)
    same_first |= _truncation_of(travel_given, reg_given, undecided & (level >= 1))
    # Every travelling given name is one of the register's, but not the first: SAMUEL for
    # ROSS SAMUEL. The person may go by a later name, or be a stranger whose first name is
    # the offender's middle one, so it is the weaker level.
    later = _names_within(travel_given, reg_given, undecided & ~same_first)
    level[later] = GIVEN_LATER_NAME
    level[same_first] = GIVEN_SAME_FIRST
    level[exact] = GIVEN_EXACT
    level[(travel_given == "") | (reg_given == "")] = NULL
    return level


@dataclass
class Comparisons:
    """One row per candidate pair: positions, a level per field, and what the levels rest on."""

    frame: pd.DataFrame  # t, o, <field levels>, variant, swapped, *_value

    def __len__(self) -> int:
        return len(self.frame)


def compare_pairs(
    pairs: CandidatePairs, travel: PreparedTravel, register: PreparedRegister
) -> Comparisons:
    """Levels for every field of every pair; names are the best over variants and orders."""
    t_all, o_all = pairs.t, pairs.o
    tr = travel.records
    variants = register.variants
    pair_index, variant_row = _expand(o_all, variants["o"].to_numpy())
    t = t_all[pair_index]

    def tcol(name: str) -> np.ndarray:
        return tr[name].to_numpy(object)[t]

    def vcol(name: str) -> np.ndarray:
        return variants[name].to_numpy(object)[variant_row]

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
                                    v_family_icao, v_core, v_phon, v_family_compact)  # fmt: skip
    straight_given = given_levels(
        t_given, t_first, t_given_compact, t_given_initial, t_given_sound, v_given, v_given_icao,
        v_first, v_given_compact, v_given_initial, v_given_sound,
    )  # fmt: skip
    # Swapped: the carrier's family field holds the given names and vice versa.
    no_phonetic = np.full(len(t_given), "", dtype=object)
    swapped_family = family_levels(t_given, t_given, no_phonetic, t_given_compact, v_family,
                                   v_family_icao, v_core, v_phon, v_family_compact)  # fmt: skip
    swapped_family[t_given == ""] = 0
    swapped_given = given_levels(
        t_family, t_family_first, t_family_compact, t_family_initial, t_family_sound, v_given,
        v_given_icao, v_first, v_given_compact, v_given_initial, v_given_sound,
    )  # fmt: skip

    later = variants["source"].to_numpy(object)[variant_row] == LATER_GIVEN_SOURCE
    for given_level in (straight_given, swapped_given):
        given_level[later & (given_level >= GIVEN_SAME_FIRST)] = GIVEN_LATER_NAME
    straight_score = straight_family.astype(np.int16) * 10 + np.maximum(straight_given, 0)
    swapped_score = swapped_family.astype(np.int16) * 10 + np.maximum(swapped_given, 0) - 1
    use_swap = swapped_score > straight_score
    family = np.where(use_swap, swapped_family, straight_family)
    given = np.where(use_swap, swapped_given, straight_given)
    score = np.maximum(straight_score, swapped_score)

    # Best variant per pair: highest score, the register's own name winning ties.
    order = np.lexsort((variant_row, -score, pair_index))
    first_of_pair = np.ones(len(order), dtype=bool)
    first_of_pair[1:] = pair_index[order][1:] != pair_index[order][:-1]
    best = order[first_of_pair]
    best_pair = pair_index[best]

    n = len(t_all)
    out = pd.DataFrame({"t": t_all, "o": o_all})
    out["family_name"] = np.zeros(n, np.int8)
    out["given_names"] = np.full(n, NULL, np.int8)
    out.loc[best_pair, "family_name"] = family[best]
    out.loc[best_pair, "given_names"] = given[best]
    out["variant"] = -1
    out.loc[best_pair, "variant"] = variant_row[best]
    out["swapped"] = False
    out.loc[best_pair, "swapped"] = use_swap[best]
    out["family_value"] = ""
    out.loc[best_pair, "family_value"] = np.where(use_swap[best], t_given[best], t_core[best])
    out["given_value"] = ""
    out.loc[best_pair, "given_value"] = np.where(use_swap[best], t_family[best], t_given[best])

    people = register.people
    out["date_of_birth"] = compare_dates(
        tr["dob"].to_numpy()[t_all], people["dob"].to_numpy()[o_all]
    )
    out["document"] = _document_levels(t_all, o_all, travel, register)
    out["sex"] = _binary_levels(
        tr["sex"].to_numpy(object)[t_all], people["sex"].to_numpy(object)[o_all]
    )
    out["nationality"] = _nationality_levels(t_all, o_all, travel, register)
    return Comparisons(out)


def _binary_levels(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    level = (a == b).astype(np.int8)
    level[(a == "") | (b == "")] = NULL
    return level


def _document_levels(t_all: np.ndarray, o_all: np.ndarray, travel: PreparedTravel,
                     register: PreparedRegister) -> np.ndarray:  # fmt: skip
    """Best level over the offender's documents; missing when either side holds none."""
    level = np.full(len(t_all), DOC_NULL, dtype=np.int8)
    docs = register.documents
    pair_index, doc_row = _expand(o_all, docs["o"].to_numpy())
    if len(pair_index) == 0:
        return level
    tr = travel.records
    t = t_all[pair_index]
    per_doc = compare_documents(
        tr["doc"].to_numpy(object)[t], tr["doc_ocr"].to_numpy(object)[t],
        tr["doc_country"].to_numpy(object)[t], docs["doc"].to_numpy(object)[doc_row],
        docs["doc_ocr"].to_numpy(object)[doc_row], docs["doc_country"].to_numpy(object)[doc_row],
    )  # fmt: skip
    np.maximum.at(level, pair_index, per_doc)
    return level


def _nationality_levels(t_all: np.ndarray, o_all: np.ndarray, travel: PreparedTravel,
                        register: PreparedRegister) -> np.ndarray:  # fmt: skip
    nats = register.nationalities
    travel_nat = travel.records["nationality"].to_numpy(object)[t_all]
    level = np.full(len(t_all), NULL, dtype=np.int8)
    has_register = np.isin(o_all, nats["o"].to_numpy())
    known = (travel_nat != "") & has_register
    listed = set(zip(nats["o"].to_numpy().tolist(), nats["nationality"].tolist(), strict=True))
    frame = pd.DataFrame({"o": o_all[known], "n": travel_nat[known]})
    distinct = frame.drop_duplicates()
    verdict = [(o, n) in listed for o, n in zip(distinct["o"], distinct["n"], strict=True)]
    merged = frame.merge(distinct.assign(v=verdict), on=["o", "n"], how="left")
    level[known] = merged["v"].to_numpy(dtype=np.int8)
    return level
