"""Blocking passes on the family name and the birth date with its slips, no given name needed.

A traveller whose given name is missing, replaced, or a nickname, or whose birth date was keyed
a digit, a day or a year wrong, shares no key with his register entry in the passes that need
both names or the exact date. These passes pair on the family name (spelled, or its sound)
with the birth date as written, with one digit masked, or with the register date's slips.
"""

from __future__ import annotations

import numpy as np

from tracker.matching.blocking_keys import (
    Keys,
    concat_keys,
    hash_part,
    keys_where,
    mix,
    name_text_hash,
    variant_dob,
)
from tracker.matching.codes import EMPTY, SharedCodes
from tracker.matching.dates import MISSING, POWERS, slipped_dates
from tracker.matching.prepare import PreparedRegister, PreparedTravel


def masked_dates(dob: np.ndarray) -> list[np.ndarray]:
    """Per digit position, a key shared by every date that differs from ``dob`` only there:
    two dates one digit apart meet in one of the eight."""
    dob = dob.astype(np.int64)
    return [mix(hash_part(dob - (dob // power) % 10 * power), hash_part(np.full(len(dob), i)))
            for i, power in enumerate(POWERS)]  # fmt: skip


def family_birth_date_keys_travel(travel: PreparedTravel, codes: SharedCodes) -> Keys:
    """Family name (without particles) with the birth date, each digit masked in turn."""
    family = codes.travel_names["family_core"]
    dob = travel.records["dob"].to_numpy()
    valid = (dob != MISSING) & (family != EMPTY)
    name = name_text_hash(codes, family)
    position = np.arange(len(dob))
    return concat_keys([keys_where(position, mix(name, masked), valid)
                        for masked in masked_dates(dob)])  # fmt: skip


def family_birth_date_keys_register(register: PreparedRegister, codes: SharedCodes) -> Keys:
    family = codes.variant_names["family_core"]
    dob = variant_dob(register)
    valid = (dob != MISSING) & (family != EMPTY)
    name = name_text_hash(codes, family)
    o = register.variants["o"].to_numpy()
    return concat_keys([keys_where(o, mix(name, masked), valid) for masked in masked_dates(dob)])


def family_sound_slip_keys_travel(travel: PreparedTravel, codes: SharedCodes) -> Keys:
    """The sound of the family name's first word with the birth date as written."""
    sound = codes.travel_names["family_first_phonetic"]
    dob = travel.records["dob"].to_numpy()
    valid = (dob != MISSING) & (sound != EMPTY)
    return keys_where(np.arange(len(dob)),
                      mix(name_text_hash(codes, sound), hash_part(dob.astype(np.int64))), valid)


def family_sound_slip_keys_register(register: PreparedRegister, codes: SharedCodes) -> Keys:
    """The register side carries every slip of its birth date, so a one-day, one-year,
    swapped or transposed date still meets its traveller."""
    sound = name_text_hash(codes, codes.variant_names["family_first_phonetic"])
    dob = variant_dob(register)
    # Each distinct date's slips are worked out once (a register repeats birth dates).
    distinct, row = np.unique(dob, return_inverse=True)
    valid_name = codes.variant_names["family_first_phonetic"] != EMPTY
    o = register.variants["o"].to_numpy()
    parts = []
    for slipped in slipped_dates(distinct):
        per_row = slipped[row]
        valid = valid_name & (dob != MISSING) & (per_row > 0)
        parts.append(keys_where(o, mix(sound, hash_part(per_row)), valid))
    return concat_keys(parts)
