"""A blocking pass on the family name and the birth date with its slips, no given name needed.

A traveller whose given name is missing, replaced, or a nickname, or whose birth date was keyed
a day or a year wrong, swapped or transposed, shares no key with his register entry in the
passes that need both names or the exact date. This pass pairs the family name's sound with
the birth date as written on one side and every slip of it on the other.
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
from tracker.matching.dates import MISSING, slipped_dates
from tracker.matching.prepare import PreparedRegister, PreparedTravel


def family_sound_slip_keys_travel(travel: PreparedTravel, codes: SharedCodes) -> Keys:
    """The sound of the family name's first word with the birth date as written."""
    sound = codes.travel_names["family_first_phonetic"]
    dob = travel.records["dob"].to_numpy()
    valid = (dob != MISSING) & (sound != EMPTY)
    return keys_where(
        np.arange(len(dob)),
        mix(name_text_hash(codes, sound), hash_part(dob.astype(np.int64))),
        valid,
    )


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
