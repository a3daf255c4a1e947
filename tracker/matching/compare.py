"""Comparison levels per field for every candidate pair, vectorised.

Names are compared against every name the register holds for the person (register name, each
alias, their ICAO spellings), in both orders (carriers swap family and given names) and run
together (a whole name in one field, or in native order), and the best-agreeing name is kept.
Dates, documents, sex and nationality each get their own levels. The levels are what the
model weighs; nothing here knows about weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

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
from tracker.matching.name_levels import (
    FAMILY_EXACT,
    FAMILY_LEVEL_NAMES,
    GIVEN_EXACT,
    GIVEN_LATER_NAME,
    GIVEN_LEVEL_NAMES,
    GIVEN_SAME_FIRST,
    NULL,
    ORDER_AS_REGISTERED,
    ORDER_JOINED,
    ORDER_LEVEL_NAMES,
    ORDER_SWAPPED,
    family_levels,
    given_levels,
    joined_name_agrees,
)
from tracker.matching.prepare import LATER_GIVEN_SOURCE, PreparedRegister, PreparedTravel

SEX_LEVEL_NAMES = {1: "same", 0: "different", NULL: "missing"}
NATIONALITY_LEVEL_NAMES = {1: "one of the register's", 0: "different", NULL: "missing"}

FIELD_LEVELS: dict[str, dict[int, str]] = {
    "family_name": FAMILY_LEVEL_NAMES,
    "given_names": GIVEN_LEVEL_NAMES,
    "name_order": ORDER_LEVEL_NAMES,
    "date_of_birth": DOB_LEVEL_NAMES,
    "document": DOC_LEVEL_NAMES,
    "sex": SEX_LEVEL_NAMES,
    "nationality": NATIONALITY_LEVEL_NAMES,
}
FIELDS = tuple(FIELD_LEVELS)
# Labels that links stored by earlier model formats carry: still the matcher's own words.
EARLIER_LEVEL_NAMES = {
    "family_name": {"close spelling (Jaro-Winkler >= 0.92)"},
    "given_names": {"same first name (middle dropped, truncated or nickname)", "close first name"},
    "date_of_birth": {"one digit or year off by one", "different"},
}
KNOWN_LABELS = {
    name: set(levels.values()) | EARLIER_LEVEL_NAMES.get(name, set())
    for name, levels in FIELD_LEVELS.items()
}


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
    pairs: CandidatePairs,
    travel: PreparedTravel,
    register: PreparedRegister,
    codes: SharedCodes | None = None,
) -> Comparisons:
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

    straight_family = family_levels(
        t_family,
        t_core,
        t_phon,
        t_family_compact,
        v_family,
        v_family_icao,
        v_core,
        v_phon,
        v_family_compact,
        codes,
    )
    straight_given = given_levels(
        t_given,
        t_first,
        t_given_compact,
        t_given_initial,
        t_given_sound,
        v_given,
        v_given_icao,
        v_first,
        v_given_compact,
        v_given_initial,
        v_given_sound,
        codes,
    )
    # Swapped: the carrier's family field holds the given names and vice versa.
    no_phonetic = np.full(len(t_given), EMPTY, dtype=t_given.dtype)
    swapped_family = family_levels(
        t_given,
        t_given,
        no_phonetic,
        t_given_compact,
        v_family,
        v_family_icao,
        v_core,
        v_phon,
        v_family_compact,
        codes,
    )
    swapped_family[t_given == EMPTY] = 0
    swapped_given = given_levels(
        t_family,
        t_family_first,
        t_family_compact,
        t_family_initial,
        t_family_sound,
        v_given,
        v_given_icao,
        v_first,
        v_given_compact,
        v_given_initial,
        v_given_sound,
        codes,
    )

    later = (variants["source"].to_numpy(object) == LATER_GIVEN_SOURCE)[variant_row]
    for given_level in (straight_given, swapped_given):
        given_level[later & (given_level >= GIVEN_SAME_FIRST)] = GIVEN_LATER_NAME
    straight_score = straight_family.astype(np.int16) * 10 + np.maximum(straight_given, 0)
    swapped_score = swapped_family.astype(np.int16) * 10 + np.maximum(swapped_given, 0) - 1
    use_swap = swapped_score > straight_score
    family = np.where(use_swap, swapped_family, straight_family)
    given = np.where(use_swap, swapped_given, straight_given)
    order = np.where(use_swap, ORDER_SWAPPED, ORDER_AS_REGISTERED).astype(np.int8)
    score = np.maximum(straight_score, swapped_score)
    # Run together: the whole name agrees once its fields are joined (native order, one field).
    (travel_fg, travel_gf), (variant_fg, variant_gf) = codes.whole_names
    joined = joined_name_agrees(
        (travel_fg[t], travel_gf[t]), (variant_fg[variant_row], variant_gf[variant_row])
    )
    joined &= (score < FAMILY_EXACT * 10 + GIVEN_SAME_FIRST - 1) & ~later
    joined_score = FAMILY_EXACT * 10 + GIVEN_SAME_FIRST - 2
    family[joined], given[joined], order[joined] = FAMILY_EXACT, GIVEN_EXACT, ORDER_JOINED
    score[joined] = joined_score

    # Best variant per pair: highest score, the register's own name winning ties.
    best = _best_rows(pair_index, score)
    best_pair = pair_index[best]

    n = len(t_all)
    family_level = np.zeros(n, np.int8)
    family_level[best_pair] = family[best]
    given_level = np.full(n, NULL, np.int8)
    given_level[best_pair] = given[best]
    order_level = np.full(n, ORDER_AS_REGISTERED, np.int8)
    order_level[best_pair] = order[best]
    variant = np.full(n, -1, np.int64)
    variant[best_pair] = variant_row[best]
    swapped = np.zeros(n, bool)
    swapped[best_pair] = use_swap[best]
    family_value = np.full(n, EMPTY, np.int64)
    family_value[best_pair] = np.where(use_swap[best], t_given[best], t_core[best])
    given_value = np.full(n, EMPTY, np.int64)
    given_value[best_pair] = np.where(use_swap[best], t_family[best], t_given[best])
    people = register.people
    # Built in one go: adding columns one by one copies the frame's block each time.
    out = pd.DataFrame(
        {
            "t": t_all,
            "o": o_all,
            "family_name": family_level,
            "given_names": given_level,
            "name_order": order_level,
            "variant": variant,
            "swapped": swapped,
            # the travel record's own values, as text, for their term frequencies
            "family_value": codes.text[family_value],
            "given_value": codes.text[given_value],
            "date_of_birth": compare_dates(
                tr["dob"].to_numpy()[t_all], people["dob"].to_numpy()[o_all]
            ),
            "document": _document_levels(t_all, o_all, register, codes),
            "sex": _binary_levels(codes.travel_sex[t_all], codes.register_sex[o_all]),
            "nationality": _nationality_levels(t_all, o_all, register, codes),
        },
        copy=False,
    )
    return Comparisons(out)


def _binary_levels(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    level = (a == b).astype(np.int8)
    level[(a == EMPTY) | (b == EMPTY)] = NULL
    return level


def _document_levels(
    t_all: np.ndarray, o_all: np.ndarray, register: PreparedRegister, codes: SharedCodes
) -> np.ndarray:
    """Best level over the offender's documents; missing when either side holds none."""
    level = np.full(len(t_all), DOC_NULL, dtype=np.int8)
    pair_index, doc_row = _expand(o_all, register.documents["o"].to_numpy())
    if len(pair_index) == 0:
        return level
    t = t_all[pair_index]
    travel, held = codes.travel_documents, codes.register_documents
    per_doc = compare_documents(
        travel["doc"][t],
        travel["doc_ocr"][t],
        travel["doc_country"][t],
        held["doc"][doc_row],
        held["doc_ocr"][doc_row],
        held["doc_country"][doc_row],
        empty=EMPTY,
    )
    np.maximum.at(level, pair_index, per_doc)
    return level


def _nationality_levels(
    t_all: np.ndarray, o_all: np.ndarray, register: PreparedRegister, codes: SharedCodes
) -> np.ndarray:
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
    verdict[held] = contains(listed, o_all[known][held].astype(np.int64) * span + nationality[held])
    level[known] = verdict.astype(np.int8)
    return level
