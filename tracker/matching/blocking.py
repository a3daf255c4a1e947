"""Candidate pairs: several cheap passes, each catching what the others miss, unioned.

Comparing every travel record with every register entry is 10^11 pairs at national scale; each
pass instead joins the two sides on a key that a true match very probably shares. A pass is a
pair of key functions (travel side, register side); keys are exploded so one record can carry
several (both name orders, every alias, formal names behind a nickname).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tracker.matching.codes import EMPTY, SharedCodes, shared_codes, sorted_unique
from tracker.matching.dates import MISSING
from tracker.matching.names import formal_names
from tracker.matching.prepare import PreparedRegister, PreparedTravel

_MIX = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class Keys:
    """Blocking keys: per row a position (t or o) and a 64-bit key."""

    pos: np.ndarray
    key: np.ndarray

    def __len__(self) -> int:
        return len(self.pos)


def _hash(part: np.ndarray) -> np.ndarray:
    if part.dtype == object:
        return pd.util.hash_array(part, categorize=True)
    return pd.util.hash_array(part.astype(np.int64))


def _mix(*hashes: np.ndarray) -> np.ndarray:
    """One 64-bit key from the hashes of several parts, order mattering."""
    key = hashes[0]
    with np.errstate(over="ignore"):
        for hashed in hashes[1:]:
            key = (key * _MIX) ^ hashed
    return key


def combine(*parts: np.ndarray) -> np.ndarray:
    """One 64-bit key from several columns (strings or integers), computed in C: joining
    millions of rows on integers is many times faster than on concatenated strings."""
    return _mix(*(_hash(np.asarray(part)) for part in parts))


def _text(codes: SharedCodes, name_codes: np.ndarray) -> np.ndarray:
    """The hash of the text behind name codes: the very hash ``combine`` gives the text."""
    return codes.text_hash[name_codes]


def _keys(position: np.ndarray, key: np.ndarray, valid: np.ndarray | None = None) -> Keys:
    if valid is not None:
        position, key = position[valid], key[valid]
    return Keys(position, key)


def _concat(parts: list[Keys]) -> Keys:
    """The keys of every part, each (position, key) once: keys are numbered densely so a
    position and a key pack into one integer, deduplicated by sorting."""
    pos = np.concatenate([part.pos for part in parts]).astype(np.int64)
    key = np.concatenate([part.key for part in parts])
    if len(key) == 0:
        return Keys(pos, key)
    key_number, distinct_keys = pd.factorize(key)
    span = len(distinct_keys)
    packed = sorted_unique(pos * span + key_number)
    return Keys(packed // span, np.asarray(distinct_keys)[packed % span])


def _variant_dob(register: PreparedRegister) -> np.ndarray:
    return register.people["dob"].to_numpy()[register.variants["o"].to_numpy()]


def _exploded(position: np.ndarray, name_codes: np.ndarray, items: Callable[[str], Sequence[str]],
              codes: SharedCodes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Each row once per item of its text (``items(text)``, in order): the rows' positions,
    the items' hashes and whether each item is non-empty. ``items`` runs once per distinct
    text, not once per row."""
    row_text, distinct = pd.factorize(name_codes)
    per_text = [items(text) for text in codes.text[distinct]]
    counts = np.fromiter(map(len, per_text), dtype=np.int64, count=len(per_text))
    flat = np.array([item for text_items in per_text for item in text_items], dtype=object)
    flat_hash = _hash(flat) if len(flat) else np.zeros(0, dtype=np.uint64)
    first_item = np.cumsum(counts) - counts
    row_counts = counts[row_text]
    rows = np.repeat(np.arange(len(name_codes)), row_counts)
    within = np.arange(len(rows)) - np.repeat(np.cumsum(row_counts) - row_counts, row_counts)
    item = first_item[row_text[rows]] + within
    return position[rows], flat_hash[item], flat[item] != ""


def _words(text: str) -> list[str]:
    return text.split(" ")


# --- the passes -------------------------------------------------------------------------------


def document_keys_travel(travel: PreparedTravel, codes: SharedCodes) -> Keys:
    """The OCR-folded document number; numbers the register does not hold (ABSENT) can
    meet no register key, so they are left out."""
    doc = codes.travel_documents["doc_ocr"]
    return _keys(np.arange(len(doc)), _hash(doc), doc > EMPTY)


def document_keys_register(register: PreparedRegister, codes: SharedCodes) -> Keys:
    doc = codes.register_documents["doc_ocr"]
    return _keys(register.documents["o"].to_numpy(), _hash(doc), doc != EMPTY)


def _initials_pair(names: dict[str, np.ndarray], codes: SharedCodes,
                   family: str = "family_sound_initial",
                   given: str = "given_sound_initial") -> np.ndarray:  # fmt: skip
    """First letters of the two names' sounds, in alphabetical order: the same whichever field
    held which name, and for IBRAHIM / EBRAHIM or YURIY / IURII alike."""
    a, b = names[family], names[given]
    first = a <= b  # codes sort as their text does
    return _mix(_text(codes, np.where(first, a, b)), _text(codes, np.where(first, b, a)))


def birth_date_keys_travel(travel: PreparedTravel, codes: SharedCodes) -> Keys:
    """Birth date (as written, and with day and month swapped) plus both names' initial
    sounds."""
    r = travel.records
    pos = np.arange(len(r))
    initials = _hash(_initials_pair(codes.travel_names, codes))
    return _concat(
        [_keys(pos, _mix(_hash(r[column].to_numpy()), initials), r[column].to_numpy() != MISSING)
         for column in ("dob", "dob_swapped")]
    )  # fmt: skip


def birth_date_keys_register(register: PreparedRegister, codes: SharedCodes) -> Keys:
    dob = _variant_dob(register)
    initials = _hash(_initials_pair(codes.variant_names, codes))
    return _concat([_keys(register.variants["o"].to_numpy(), _mix(_hash(dob), initials),
                          dob != MISSING)])  # fmt: skip


def phonetic_surname_year_keys_travel(travel: PreparedTravel, codes: SharedCodes) -> Keys:
    """Sound of each family-name word with the birth year and the given name's initial; and,
    in case the carrier swapped the fields, the first given name's sound with the family
    name's initial."""
    names = codes.travel_names
    dob = travel.records["dob"].to_numpy()
    pos = np.arange(len(dob))
    year = dob // 10000
    valid = dob != MISSING
    word_pos, words, has_word = _exploded(pos[valid], names["family_phonetic"][valid], _words,
                                          codes)  # fmt: skip
    initial = _text(codes, names["given_initial"][word_pos])
    straight = _keys(word_pos, _mix(words, _hash(year[word_pos]), initial), has_word)
    swapped = _keys(
        pos,
        _mix(_text(codes, names["first_given_phonetic"]), _hash(year),
             _text(codes, names["family_initial"])),
        valid & (names["first_given_phonetic"] != EMPTY),
    )  # fmt: skip
    return _concat([straight, swapped])


def phonetic_surname_year_keys_register(register: PreparedRegister, codes: SharedCodes) -> Keys:
    names = codes.variant_names
    dob = _variant_dob(register)
    valid = dob != MISSING
    position = np.arange(len(dob))
    word_row, words, has_word = _exploded(position[valid], names["family_phonetic"][valid],
                                          _words, codes)  # fmt: skip
    year = (dob // 10000)[word_row]
    initial = _text(codes, names["given_initial"][word_row])
    return _concat([_keys(register.variants["o"].to_numpy()[word_row],
                          _mix(words, _hash(year), initial), has_word)])  # fmt: skip


def _order_free(names: dict[str, np.ndarray], codes: SharedCodes,
                given_column: str = "first_given") -> np.ndarray:  # fmt: skip
    """Key of the last family word and the given name that ignores which field held which."""
    last_family = names["family_last"]
    first = names[given_column]
    family_first = last_family <= first  # codes sort as their text does
    return _mix(_text(codes, np.where(family_first, last_family, first)),
                _text(codes, np.where(family_first, first, last_family)))  # fmt: skip


def name_year_keys_travel(travel: PreparedTravel, codes: SharedCodes) -> Keys:
    """Order-free key of first given name and last family word, with the birth year."""
    names = codes.travel_names
    dob = travel.records["dob"].to_numpy()
    key = _mix(_hash(_order_free(names, codes)), _hash(dob // 10000))
    valid = (dob != MISSING) & (names["first_given"] != EMPTY)
    return _keys(np.arange(len(dob)), key, valid)


def name_year_keys_register(register: PreparedRegister, codes: SharedCodes) -> Keys:
    names = codes.variant_names
    dob = _variant_dob(register)
    key = _mix(_hash(_order_free(names, codes)), _hash(dob // 10000))
    valid = (dob != MISSING) & (names["first_given"] != EMPTY)
    return _keys(register.variants["o"].to_numpy(), key, valid)


def name_birthday_keys_travel(travel: PreparedTravel, codes: SharedCodes) -> Keys:
    """Order-free name key with birth month and day: survives a mistyped birth year."""
    names = codes.travel_names
    dob = travel.records["dob"].to_numpy()
    valid = (dob != MISSING) & (names["first_given"] != EMPTY)
    key = _mix(_hash(_order_free(names, codes)), _hash(dob % 10000))
    return _keys(np.arange(len(dob)), key, valid)


def name_birthday_keys_register(register: PreparedRegister, codes: SharedCodes) -> Keys:
    names = codes.variant_names
    dob = _variant_dob(register)
    valid = (dob != MISSING) & (names["first_given"] != EMPTY)
    key = _mix(_hash(_order_free(names, codes)), _hash(dob % 10000))
    return _keys(register.variants["o"].to_numpy(), key, valid)


def given_birth_date_keys_travel(travel: PreparedTravel, codes: SharedCodes) -> Keys:
    """Formal forms of the first given name (BOB -> ROBERT) with the birth date: survives a
    changed or misspelt surname. Either field may hold the given name."""
    dob = travel.records["dob"].to_numpy()
    position = np.arange(len(dob))
    parts = []
    for column in ("first_given", "family_first"):
        pos, formal, _ = _exploded(position, codes.travel_names[column], formal_names, codes)
        parts.append(_keys(pos, _mix(formal, _hash(dob[pos])), dob[pos] != MISSING))
    return _concat(parts)


def given_birth_date_keys_register(register: PreparedRegister, codes: SharedCodes) -> Keys:
    """The register side carries the year either side too, for a year that is off by one."""
    first_given = codes.variant_names["first_given"]
    dob = _variant_dob(register)
    valid = (dob != MISSING) & (first_given != EMPTY)
    name = _text(codes, first_given)
    o = register.variants["o"].to_numpy()
    return _concat([_keys(o, _mix(name, _hash(dob + shift)), valid)
                    for shift in (-10000, 0, 10000)])  # fmt: skip


def _order_free_sounds(names: dict[str, np.ndarray], codes: SharedCodes) -> np.ndarray:
    """Order-free key of the sounds of the family name and the first given name."""
    family, given = names["family_phonetic"], names["first_given_phonetic"]
    first = family <= given  # codes sort as their text does
    return _mix(_text(codes, np.where(first, family, given)),
                _text(codes, np.where(first, given, family)))  # fmt: skip


def _name_only_keys(position: np.ndarray, names: dict[str, np.ndarray], codes: SharedCodes,
                    valid: np.ndarray) -> Keys:  # fmt: skip
    return _concat(
        [
            _keys(position, _order_free(names, codes), valid),
            _keys(position, _order_free(names, codes, "given_compact"), valid),
            _keys(position, _order_free_sounds(names, codes), valid),
        ]
    )


def name_only_keys_travel(travel: PreparedTravel, codes: SharedCodes) -> Keys:
    """For records without a birth date only: order-free name keys, spelled and sounded."""
    names = codes.travel_names
    dob = travel.records["dob"].to_numpy()
    valid = (dob == MISSING) & (names["first_given"] != EMPTY)
    return _name_only_keys(np.arange(len(dob)), names, codes, valid)


def name_only_keys_register(register: PreparedRegister, codes: SharedCodes) -> Keys:
    names = codes.variant_names
    valid = names["first_given"] != EMPTY
    return _name_only_keys(register.variants["o"].to_numpy(), names, codes, valid)


@dataclass(frozen=True)
class BlockingPass:
    name: str
    travel_keys: Callable[[PreparedTravel, SharedCodes], Keys]
    register_keys: Callable[[PreparedRegister, SharedCodes], Keys]


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
)


@dataclass
class CandidatePairs:
    t: np.ndarray
    o: np.ndarray
    per_pass: dict[str, int]

    def __len__(self) -> int:
        return len(self.t)


def _join(travel_keys: Keys, register_keys: Keys, max_block: int) -> np.ndarray:
    """(t, o) pairs sharing a key, skipping keys so common on the register side that they say
    nothing (more than ``max_block`` people): the register's keys sorted into runs, each
    travel key looked up among them."""
    empty = np.zeros((2, 0), dtype=np.int64)
    if len(register_keys) == 0 or len(travel_keys) == 0:
        return empty
    order = np.argsort(register_keys.key, kind="stable")
    key, pos = register_keys.key[order], register_keys.pos[order]
    run_start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    run_size = np.diff(np.r_[run_start, len(key)])
    small = run_size <= max_block
    run_key, run_start, run_size = key[run_start][small], run_start[small], run_size[small]
    if len(run_key) == 0:
        return empty
    run = pd.Index(run_key).get_indexer(travel_keys.key)  # a hash table: no binary search
    hit = np.flatnonzero(run >= 0)
    size = run_size[run[hit]]
    within = np.arange(int(size.sum())) - np.repeat(np.cumsum(size) - size, size)
    t = np.repeat(travel_keys.pos[hit], size)
    o = pos[np.repeat(run_start[run[hit]], size) + within]
    return np.stack([t.astype(np.int64), o.astype(np.int64)])


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
    n_register = max(len(register), 1)
    collected: list[np.ndarray] = []
    per_pass: dict[str, int] = {}
    for blocking_pass in passes:
        pairs = _join(blocking_pass.travel_keys(travel, codes),
                      blocking_pass.register_keys(register, codes), max_block)  # fmt: skip
        per_pass[blocking_pass.name] = pairs.shape[1]
        collected.append(pairs[0] * n_register + pairs[1])
    combined = sorted_unique(np.concatenate(collected)) if collected else np.array([], np.int64)
    return CandidatePairs(combined // n_register, combined % n_register, per_pass)


def blocking_recall(
    candidates: CandidatePairs, true_t: np.ndarray, true_o: np.ndarray, n_register: int
) -> float:
    """Share of true (t, o) pairs that blocking kept: the ceiling on the matcher's recall."""
    if len(true_t) == 0:
        return 1.0
    kept = np.isin(true_t * n_register + true_o, candidates.t * n_register + candidates.o)
    return float(kept.mean())
