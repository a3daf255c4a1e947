"""Candidate pairs: several cheap passes, each catching what the others miss, unioned.

Comparing every travel record with every register entry is 10^11 pairs at national scale; each
pass instead joins the two sides on a key that a true match very probably shares. A pass is a
pair of key functions (travel side, register side); keys are exploded so one record can carry
several (both name orders, every alias, formal names behind a nickname).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tracker.matching.blocking_join import join_keys, unique_pairs
from tracker.matching.blocking_keys import (
    Keys,
    combine,
    concat_keys,
    exploded,
    hash_part,
    keys_where,
    mix,
    name_text_hash,
    split_words,
    variant_dob,
)
from tracker.matching.blocking_slips import (
    family_sound_slip_keys_register,
    family_sound_slip_keys_travel,
)
from tracker.matching.codes import EMPTY, SharedCodes, shared_codes
from tracker.matching.dates import MISSING
from tracker.matching.names import formal_names
from tracker.matching.prepare import PreparedRegister, PreparedTravel

__all__ = ["Keys", "combine"]

# --- the passes -------------------------------------------------------------------------------


def document_keys_travel(travel: PreparedTravel, codes: SharedCodes) -> Keys:
    """The OCR-folded document number; numbers the register does not hold (ABSENT) can
    meet no register key, so they are left out."""
    doc = codes.travel_documents["doc_ocr"]
    return keys_where(np.arange(len(doc)), hash_part(doc), doc > EMPTY)


def document_keys_register(register: PreparedRegister, codes: SharedCodes) -> Keys:
    doc = codes.register_documents["doc_ocr"]
    return keys_where(register.documents["o"].to_numpy(), hash_part(doc), doc != EMPTY)


def _initials_pair(
    names: dict[str, np.ndarray],
    codes: SharedCodes,
    family: str = "family_sound_initial",
    given: str = "given_sound_initial",
) -> np.ndarray:
    """First letters of the two names' sounds, in alphabetical order: the same whichever field
    held which name, and for IBRAHIM / EBRAHIM or YURIY / IURII alike."""
    a, b = names[family], names[given]
    first = a <= b  # codes sort as their text does
    return mix(
        name_text_hash(codes, np.where(first, a, b)), name_text_hash(codes, np.where(first, b, a))
    )


def birth_date_keys_travel(travel: PreparedTravel, codes: SharedCodes) -> Keys:
    """Birth date (as written, and with day and month swapped) plus both names' initial
    sounds."""
    r = travel.records
    pos = np.arange(len(r))
    initials = hash_part(_initials_pair(codes.travel_names, codes))
    return concat_keys(
        [
            keys_where(
                pos, mix(hash_part(r[column].to_numpy()), initials), r[column].to_numpy() != MISSING
            )
            for column in ("dob", "dob_swapped")
        ]
    )


def birth_date_keys_register(register: PreparedRegister, codes: SharedCodes) -> Keys:
    dob = variant_dob(register)
    initials = hash_part(_initials_pair(codes.variant_names, codes))
    return concat_keys(
        [
            keys_where(
                register.variants["o"].to_numpy(), mix(hash_part(dob), initials), dob != MISSING
            )
        ]
    )


def phonetic_surname_year_keys_travel(travel: PreparedTravel, codes: SharedCodes) -> Keys:
    """Sound of each family-name word with the birth year and the given name's initial; and,
    in case the carrier swapped the fields, the first given name's sound with the family
    name's initial."""
    names = codes.travel_names
    dob = travel.records["dob"].to_numpy()
    pos = np.arange(len(dob))
    year = dob // 10000
    valid = dob != MISSING
    word_pos, words, has_word = exploded(
        pos[valid], names["family_phonetic"][valid], split_words, codes
    )
    initial = name_text_hash(codes, names["given_initial"][word_pos])
    straight = keys_where(word_pos, mix(words, hash_part(year[word_pos]), initial), has_word)
    swapped = keys_where(
        pos,
        mix(
            name_text_hash(codes, names["first_given_phonetic"]),
            hash_part(year),
            name_text_hash(codes, names["family_initial"]),
        ),
        valid & (names["first_given_phonetic"] != EMPTY),
    )
    return concat_keys([straight, swapped])


def phonetic_surname_year_keys_register(register: PreparedRegister, codes: SharedCodes) -> Keys:
    names = codes.variant_names
    dob = variant_dob(register)
    valid = dob != MISSING
    position = np.arange(len(dob))
    word_row, words, has_word = exploded(
        position[valid], names["family_phonetic"][valid], split_words, codes
    )
    year = (dob // 10000)[word_row]
    initial = name_text_hash(codes, names["given_initial"][word_row])
    return concat_keys(
        [
            keys_where(
                register.variants["o"].to_numpy()[word_row],
                mix(words, hash_part(year), initial),
                has_word,
            )
        ]
    )


def _order_free(
    names: dict[str, np.ndarray], codes: SharedCodes, given_column: str = "first_given"
) -> np.ndarray:
    """Key of the last family word and the given name that ignores which field held which."""
    last_family = names["family_last"]
    first = names[given_column]
    family_first = last_family <= first  # codes sort as their text does
    return mix(
        name_text_hash(codes, np.where(family_first, last_family, first)),
        name_text_hash(codes, np.where(family_first, first, last_family)),
    )


def name_year_keys_travel(travel: PreparedTravel, codes: SharedCodes) -> Keys:
    """Order-free key of first given name and last family word, with the birth year."""
    names = codes.travel_names
    dob = travel.records["dob"].to_numpy()
    key = mix(hash_part(_order_free(names, codes)), hash_part(dob // 10000))
    valid = (dob != MISSING) & (names["first_given"] != EMPTY)
    return keys_where(np.arange(len(dob)), key, valid)


def name_year_keys_register(register: PreparedRegister, codes: SharedCodes) -> Keys:
    names = codes.variant_names
    dob = variant_dob(register)
    key = mix(hash_part(_order_free(names, codes)), hash_part(dob // 10000))
    valid = (dob != MISSING) & (names["first_given"] != EMPTY)
    return keys_where(register.variants["o"].to_numpy(), key, valid)


def name_birthday_keys_travel(travel: PreparedTravel, codes: SharedCodes) -> Keys:
    """Order-free name key with birth month and day: survives a mistyped birth year."""
    names = codes.travel_names
    dob = travel.records["dob"].to_numpy()
    valid = (dob != MISSING) & (names["first_given"] != EMPTY)
    key = mix(hash_part(_order_free(names, codes)), hash_part(dob % 10000))
    return keys_where(np.arange(len(dob)), key, valid)


def name_birthday_keys_register(register: PreparedRegister, codes: SharedCodes) -> Keys:
    names = codes.variant_names
    dob = variant_dob(register)
    valid = (dob != MISSING) & (names["first_given"] != EMPTY)
    key = mix(hash_part(_order_free(names, codes)), hash_part(dob % 10000))
    return keys_where(register.variants["o"].to_numpy(), key, valid)


def given_birth_date_keys_travel(travel: PreparedTravel, codes: SharedCodes) -> Keys:
    """Formal forms of the first given name (BOB -> ROBERT) with the birth date: survives a
    changed or misspelt surname. Either field may hold the given name."""
    dob = travel.records["dob"].to_numpy()
    position = np.arange(len(dob))
    parts = []
    for column in ("first_given", "family_first"):
        pos, formal, _ = exploded(position, codes.travel_names[column], formal_names, codes)
        parts.append(keys_where(pos, mix(formal, hash_part(dob[pos])), dob[pos] != MISSING))
    return concat_keys(parts)


def given_birth_date_keys_register(register: PreparedRegister, codes: SharedCodes) -> Keys:
    """The register side carries the year either side too, for a year that is off by one."""
    first_given = codes.variant_names["first_given"]
    dob = variant_dob(register)
    valid = (dob != MISSING) & (first_given != EMPTY)
    name = name_text_hash(codes, first_given)
    o = register.variants["o"].to_numpy()
    return concat_keys(
        [keys_where(o, mix(name, hash_part(dob + shift)), valid) for shift in (-10000, 0, 10000)]
    )


def _order_free_sounds(names: dict[str, np.ndarray], codes: SharedCodes) -> np.ndarray:
    """Order-free key of the sounds of the family name and the first given name."""
    family, given = names["family_phonetic"], names["first_given_phonetic"]
    first = family <= given  # codes sort as their text does
    return mix(
        name_text_hash(codes, np.where(first, family, given)),
        name_text_hash(codes, np.where(first, given, family)),
    )


def _name_only_keys(
    position: np.ndarray, names: dict[str, np.ndarray], codes: SharedCodes, valid: np.ndarray
) -> Keys:
    return concat_keys(
        [
            keys_where(position, _order_free(names, codes), valid),
            keys_where(position, _order_free(names, codes, "given_compact"), valid),
            keys_where(position, _order_free_sounds(names, codes), valid),
        ]
    )


def name_only_keys_travel(travel: PreparedTravel, codes: SharedCodes) -> Keys:
    """For records without a birth date only: order-free name keys, spelled and sounded."""
    names = codes.travel_names
    dob = travel.records["dob"].to_numpy()
    valid = (dob == MISSING) & (names["first_given"] != EMPTY)
    return _name_only_keys(np.arange(len(dob)), names, codes, valid)


def full_name_keys_travel(travel: PreparedTravel, codes: SharedCodes) -> Keys:
    """Every record, whatever its birth date says: the order-free spelled name. Paired only
    with a name one register person alone holds (``RARE_NAME_BLOCK``): such a name is worth
    comparing even when the birth date was keyed wrongly beyond any slip."""
    names = codes.travel_names
    valid = names["first_given"] != EMPTY
    return keys_where(np.arange(len(valid)), _order_free(names, codes), valid)


def full_name_keys_register(register: PreparedRegister, codes: SharedCodes) -> Keys:
    names = codes.variant_names
    valid = names["first_given"] != EMPTY
    return keys_where(register.variants["o"].to_numpy(), _order_free(names, codes), valid)


def name_only_keys_register(register: PreparedRegister, codes: SharedCodes) -> Keys:
    names = codes.variant_names
    valid = names["first_given"] != EMPTY
    return _name_only_keys(register.variants["o"].to_numpy(), names, codes, valid)


@dataclass(frozen=True)
class BlockingPass:
    name: str
    travel_keys: Callable[[PreparedTravel, SharedCodes], Keys]
    register_keys: Callable[[PreparedRegister, SharedCodes], Keys]
    max_block: int | None = None  # register people per key, at most (None: the run's setting)


RARE_NAME_BLOCK = 1


PASSES: tuple[BlockingPass, ...] = (
    BlockingPass("document number", document_keys_travel, document_keys_register),
    BlockingPass("birth date + initial sounds", birth_date_keys_travel, birth_date_keys_register),
    BlockingPass(
        "phonetic surname + birth year + initial",
        phonetic_surname_year_keys_travel,
        phonetic_surname_year_keys_register,
    ),
    BlockingPass("order-free name + birth year", name_year_keys_travel, name_year_keys_register),
    BlockingPass(
        "order-free name + birth day", name_birthday_keys_travel, name_birthday_keys_register
    ),
    BlockingPass(
        "given name + birth date (year +-1)",
        given_birth_date_keys_travel,
        given_birth_date_keys_register,
    ),
    BlockingPass("name, no birth date", name_only_keys_travel, name_only_keys_register),
    BlockingPass(
        "rare full name, any birth date",
        full_name_keys_travel,
        full_name_keys_register,
        RARE_NAME_BLOCK,
    ),
    BlockingPass(
        "family name sound + birth date or its slips",
        family_sound_slip_keys_travel,
        family_sound_slip_keys_register,
    ),
)


@dataclass
class CandidatePairs:
    t: np.ndarray
    o: np.ndarray
    per_pass: dict[str, int]

    def __len__(self) -> int:
        return len(self.t)


def pass_block(blocking_pass: BlockingPass, max_block: int) -> int:
    """Register people per key, at most, in this pass under the run's ``max_block``."""
    return min(max_block, blocking_pass.max_block or max_block)


def generate_candidates(
    travel: PreparedTravel,
    register: PreparedRegister,
    passes: tuple[BlockingPass, ...] = PASSES,
    max_block: int = 500,
    codes: SharedCodes | None = None,
) -> CandidatePairs:
    """The union of every pass's pairs, each pair once. ``codes``: both sides' shared codes,
    when the caller has them already."""
    codes = codes if codes is not None else shared_codes(travel, register)
    collected: list[np.ndarray] = []
    per_pass: dict[str, int] = {}
    for blocking_pass in passes:
        pairs = join_keys(
            blocking_pass.travel_keys(travel, codes),
            blocking_pass.register_keys(register, codes),
            pass_block(blocking_pass, max_block),
        )
        per_pass[blocking_pass.name] = pairs.shape[1]
        collected.append(pairs)
    t, o = unique_pairs(collected, max(len(register), 1))
    return CandidatePairs(t, o, per_pass)


def blocking_recall(
    candidates: CandidatePairs, true_t: np.ndarray, true_o: np.ndarray, n_register: int
) -> float:
    """Share of true (t, o) pairs that blocking kept: the ceiling on the matcher's recall."""
    if len(true_t) == 0:
        return 1.0
    kept = np.isin(true_t * n_register + true_o, candidates.t * n_register + candidates.o)
    return float(kept.mean())
