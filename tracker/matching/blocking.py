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
import pandas as pd

from tracker.matching.dates import MISSING
from tracker.matching.names import formal_names
from tracker.matching.prepare import PreparedRegister, PreparedTravel

KeyFrame = pd.DataFrame  # columns: pos (t or o), key (uint64 hash of the key's parts)

_MIX = np.uint64(0x9E3779B97F4A7C15)


def _hash(part: np.ndarray) -> np.ndarray:
    if part.dtype == object:
        return pd.util.hash_array(part, categorize=True)
    return pd.util.hash_array(part.astype(np.int64))


def combine(*parts: np.ndarray) -> np.ndarray:
    """One 64-bit key from several columns (strings or integers), computed in C: joining
    millions of rows on integers is many times faster than on concatenated strings."""
    key = _hash(np.asarray(parts[0]))
    with np.errstate(over="ignore"):
        for part in parts[1:]:
            key = (key * _MIX) ^ _hash(np.asarray(part))
    return key


def _keys(position: np.ndarray, key: np.ndarray, valid: np.ndarray | None = None) -> KeyFrame:
    if valid is not None:
        position, key = position[valid], key[valid]
    return pd.DataFrame({"pos": position, "key": key})


def _concat(frames: list[KeyFrame]) -> KeyFrame:
    return pd.concat(frames, ignore_index=True).drop_duplicates()


def _variant_dob(register: PreparedRegister) -> np.ndarray:
    return register.people["dob"].to_numpy()[register.variants["o"].to_numpy()]


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy(object)


_INITIAL_OF = {"family_core": "family_initial", "first_given": "given_initial"}


def _initial(frame: pd.DataFrame, name_column: str) -> np.ndarray:
    return _column(frame, _INITIAL_OF[name_column])


# --- the passes -------------------------------------------------------------------------------


def document_keys_travel(travel: PreparedTravel) -> KeyFrame:
    r = travel.records
    doc = r["doc_ocr"].to_numpy(object)
    return _keys(r.index.to_numpy(), combine(doc), doc != "")


def document_keys_register(register: PreparedRegister) -> KeyFrame:
    d = register.documents
    doc = d["doc_ocr"].to_numpy(object)
    return _keys(d["o"].to_numpy(), combine(doc), doc != "")


def _initials_pair(frame: pd.DataFrame, family: str = "family_sound_initial",
                   given: str = "given_sound_initial") -> np.ndarray:  # fmt: skip
    """First letters of the two names' sounds, in alphabetical order: the same whichever field
    held which name, and for IBRAHIM / EBRAHIM or YURIY / IURII alike."""
    a, b = _column(frame, family), _column(frame, given)
    first = a <= b
    return combine(np.where(first, a, b), np.where(first, b, a))


def birth_date_keys_travel(travel: PreparedTravel) -> KeyFrame:
    """Birth date (as written, and with day and month swapped) plus both names' initial
    sounds."""
    r = travel.records
    pos = r.index.to_numpy()
    initials = _initials_pair(r)
    return _concat(
        [_keys(pos, combine(r[column].to_numpy(), initials), r[column].to_numpy() != MISSING)
         for column in ("dob", "dob_swapped")]
    )  # fmt: skip


def birth_date_keys_register(register: PreparedRegister) -> KeyFrame:
    v = register.variants
    dob = _variant_dob(register)
    return _concat([_keys(v["o"].to_numpy(), combine(dob, _initials_pair(v)), dob != MISSING)])


def _exploded_words(position: np.ndarray, words: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    split = words.str.split(" ")
    lengths = split.str.len().fillna(0).to_numpy(dtype=np.int64)
    flat = (
        np.array([w for ws in split for w in ws], dtype=object)
        if lengths.sum()
        else (np.array([], dtype=object))
    )
    return np.repeat(position, lengths), flat


def phonetic_surname_year_keys_travel(travel: PreparedTravel) -> KeyFrame:
    """Sound of each family-name word with the birth year and the given name's initial; and,
    in case the carrier swapped the fields, the first given name's sound with the family
    name's initial."""
    r = travel.records
    pos = r.index.to_numpy()
    year = r["dob"].to_numpy() // 10000
    valid = r["dob"].to_numpy() != MISSING
    word_pos, words = _exploded_words(pos[valid], r.loc[valid, "family_phonetic"])
    initial = _initial(r, "first_given")[word_pos]
    straight = _keys(word_pos, combine(words, year[word_pos], initial), words != "")
    swapped = _keys(
        pos,
        combine(_column(r, "first_given_phonetic"), year, _initial(r, "family_core")),
        valid & (r["first_given_phonetic"] != "").to_numpy(),
    )
    return _concat([straight, swapped])


def phonetic_surname_year_keys_register(register: PreparedRegister) -> KeyFrame:
    v = register.variants
    dob = _variant_dob(register)
    valid = dob != MISSING
    position = np.arange(len(v))
    word_row, words = _exploded_words(position[valid], v.loc[valid, "family_phonetic"])
    year = (dob // 10000)[word_row]
    initial = _initial(v, "first_given")[word_row]
    return _concat([_keys(v["o"].to_numpy()[word_row], combine(words, year, initial), words != "")])


def _order_free(frame: pd.DataFrame, given_column: str = "first_given") -> np.ndarray:
    """Key of the last family word and the given name that ignores which field held which."""
    last_family = _column(frame, "family_last")
    first = _column(frame, given_column)
    family_first = last_family <= first
    return combine(np.where(family_first, last_family, first), np.where(family_first, first,
                                                                       last_family))  # fmt: skip


def name_year_keys_travel(travel: PreparedTravel) -> KeyFrame:
    """Order-free key of first given name and last family word, with the birth year."""
    r = travel.records
    key = combine(_order_free(r), r["dob"].to_numpy() // 10000)
    valid = (r["dob"].to_numpy() != MISSING) & (r["first_given"] != "").to_numpy()
    return _keys(r.index.to_numpy(), key, valid)


def name_year_keys_register(register: PreparedRegister) -> KeyFrame:
    v = register.variants
    dob = _variant_dob(register)
    key = combine(_order_free(v), dob // 10000)
    valid = (dob != MISSING) & (v["first_given"] != "").to_numpy()
    return _keys(v["o"].to_numpy(), key, valid)


def name_birthday_keys_travel(travel: PreparedTravel) -> KeyFrame:
    """Order-free name key with birth month and day: survives a mistyped birth year."""
    r = travel.records
    dob = r["dob"].to_numpy()
    valid = (dob != MISSING) & (r["first_given"] != "").to_numpy()
    return _keys(r.index.to_numpy(), combine(_order_free(r), dob % 10000), valid)


def name_birthday_keys_register(register: PreparedRegister) -> KeyFrame:
    v = register.variants
    dob = _variant_dob(register)
    valid = (dob != MISSING) & (v["first_given"] != "").to_numpy()
    return _keys(v["o"].to_numpy(), combine(_order_free(v), dob % 10000), valid)


def given_birth_date_keys_travel(travel: PreparedTravel) -> KeyFrame:
    """Formal forms of the first given name (BOB -> ROBERT) with the birth date: survives a
    changed or misspelt surname. Either field may hold the given name."""
    r = travel.records
    frames = []
    for column in ("first_given", "family_first"):
        first = r[column]
        distinct = pd.unique(first)
        formal = pd.Series([formal_names(n) for n in distinct], index=distinct)
        names = first.map(formal)
        lengths = names.str.len().fillna(0).to_numpy(dtype=np.int64)
        flat = np.array([n for ns in names for n in ns], dtype=object)
        pos = np.repeat(r.index.to_numpy(), lengths)
        dob = r["dob"].to_numpy()[pos]
        frames.append(_keys(pos, combine(flat, dob), dob != MISSING))
    return _concat(frames)


def given_birth_date_keys_register(register: PreparedRegister) -> KeyFrame:
    """The register side carries the year either side too, for a year that is off by one."""
    v = register.variants
    dob = _variant_dob(register)
    valid = (dob != MISSING) & (v["first_given"] != "").to_numpy()
    frames = [
        _keys(v["o"].to_numpy(), combine(v["first_given"].to_numpy(object), dob + shift), valid)
        for shift in (-10000, 0, 10000)
    ]
    return _concat(frames)


def _order_free_sounds(frame: pd.DataFrame) -> np.ndarray:
    """Order-free key of the sounds of the family name and the first given name."""
    family = _column(frame, "family_phonetic")
    given = _column(frame, "first_given_phonetic")
    first = family <= given
    return combine(np.where(first, family, given), np.where(first, given, family))


def name_only_keys_travel(travel: PreparedTravel) -> KeyFrame:
    """For records without a birth date only: order-free name keys, spelled and sounded."""
    r = travel.records
    pos = r.index.to_numpy()
    valid = (r["dob"].to_numpy() == MISSING) & (r["first_given"] != "").to_numpy()
    return _concat(
        [
            _keys(pos, _order_free(r), valid),
            _keys(pos, _order_free(r, "given_compact"), valid),
            _keys(pos, _order_free_sounds(r), valid),
        ]
    )


def name_only_keys_register(register: PreparedRegister) -> KeyFrame:
    v = register.variants
    o = v["o"].to_numpy()
    valid = (v["first_given"] != "").to_numpy()
    return _concat(
        [
            _keys(o, _order_free(v), valid),
            _keys(o, _order_free(v, "given_compact"), valid),
            _keys(o, _order_free_sounds(v), valid),
        ]
    )


@dataclass(frozen=True)
class BlockingPass:
    name: str
    travel_keys: Callable[[PreparedTravel], KeyFrame]
    register_keys: Callable[[PreparedRegister], KeyFrame]


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


def _join(travel_keys: KeyFrame, register_keys: KeyFrame, max_block: int) -> np.ndarray:
    """(t, o) pairs sharing a key, skipping keys so common on the register side that they say
    nothing (more than ``max_block`` people)."""
    sizes = register_keys["key"].value_counts()
    register = register_keys[~register_keys["key"].isin(sizes.index[sizes > max_block])]
    joined = travel_keys.merge(register, on="key", suffixes=("_t", "_o"))
    return np.stack([joined["pos_t"].to_numpy(np.int64), joined["pos_o"].to_numpy(np.int64)])


def generate_candidates(
    travel: PreparedTravel,
    register: PreparedRegister,
    passes: tuple[BlockingPass, ...] = PASSES,
    max_block: int = 500,
) -> CandidatePairs:
    """The union of every pass's pairs, each pair once."""
    n_register = max(len(register), 1)
    collected: list[np.ndarray] = []
    per_pass: dict[str, int] = {}
    for blocking_pass in passes:
        pairs = _join(
            blocking_pass.travel_keys(travel), blocking_pass.register_keys(register), max_block
        )
        per_pass[blocking_pass.name] = pairs.shape[1]
        collected.append(pairs[0] * n_register + pairs[1])
    combined = np.unique(np.concatenate(collected)) if collected else np.array([], np.int64)
    return CandidatePairs(combined // n_register, combined % n_register, per_pass)


def blocking_recall(
    candidates: CandidatePairs, true_t: np.ndarray, true_o: np.ndarray, n_register: int
) -> float:
    """Share of true (t, o) pairs that blocking kept: the ceiling on the matcher's recall."""
    if len(true_t) == 0:
        return 1.0
    kept = np.isin(true_t * n_register + true_o, candidates.t * n_register + candidates.o)
    return float(kept.mean())
