"""How common a name is among the night's travellers: term frequencies per field, and joint
whole-name counts that stop a common full name being weighed as if its parts were independent."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tracker.matching.model import MatchParameters
from tracker.matching.name_levels import (
    FAMILY_EXACT,
    GIVEN_EXACT,
    GIVEN_LATER_NAME,
    GIVEN_NICKNAME,
    GIVEN_SAME_FIRST,
)

DOB_SPAN = 100_000_000  # date codes are YYYYMMDD, below this


@dataclass(frozen=True)
class NameFrequencies:
    """How many travel records carry each record's whole name, alone and together with its
    sex and nationality, and how many of those also carry a given birth date.

    Family and given names are not independent (they come in traditions: a MOHAMMED is far
    likelier to be a KHAN than a SMITH, and a JOHN is male), so multiplying their separate
    frequencies makes a common full name look rare and a namesake look like a match. The
    joint counts are what two different people agreeing on the whole name really costs.
    Tables are keyed ``(part, with_sex, with_nationality)``, part ``full`` (all given names)
    or ``first`` (the first given name, for the level "same first name").
    """

    records: int
    keys: dict[tuple[str, int, int], np.ndarray]  # per record: its name key in that table
    counts: dict[tuple[str, int, int], np.ndarray]  # per record: records sharing that key
    dob: np.ndarray  # per record: date code
    key_dob: dict[tuple[str, int, int], tuple[np.ndarray, np.ndarray]]  # sorted (key, dob), n

    def others_sharing(
        self, table: tuple[str, int, int], t: np.ndarray, register_dob: np.ndarray
    ) -> np.ndarray:
        """Other records sharing record ``t``'s name key: less the record itself and those that
        carry the register entry's birth date (as a rule the offender's own other trips;
        counting them would make a frequent traveller look like his own namesake)."""
        keys = self.keys[table][t]
        shared = self.counts[table][t].astype(np.float64)
        combos, sizes = self.key_dob[table]
        own = np.zeros(len(t), dtype=np.int64)
        if len(combos):
            wanted = keys * DOB_SPAN + np.maximum(register_dob, 0)
            at = np.clip(np.searchsorted(combos, wanted), 0, len(combos) - 1)
            own = np.where((combos[at] == wanted) & (register_dob >= 0), sizes[at], 0)
        # Leave the record itself out too (unless it was already left out as one of the
        # offender's own): under "not the offender" it is the very record being weighed.
        itself = ~((self.dob[t] == register_dob) & (register_dob >= 0))
        return np.maximum(shared - own - itself, 0)


def _codes(values: pd.Series) -> np.ndarray:
    return pd.factorize(values.fillna(""), sort=False)[0].astype(np.int64)


def name_frequencies(records: pd.DataFrame) -> NameFrequencies:
    """Joint name counts over the travel records (columns family_core, given, first_given,
    sex, nationality, dob), on integer codes so a million records take about a second."""
    family = _codes(records["family_core"])
    sex = _codes(records["sex"])
    nationality = _codes(records["nationality"])
    dob = records["dob"].to_numpy().astype(np.int64)
    keys, counts, key_dob = {}, {}, {}
    for part, column in (("full", "given"), ("first", "first_given")):
        given = _codes(records[column])
        name_key = family * (int(given.max(initial=0)) + 1) + given
        for with_sex in (0, 1):
            for with_nat in (0, 1):
                key = name_key
                if with_sex:
                    key = key * (int(sex.max(initial=0)) + 1) + sex
                if with_nat:
                    key = key * (int(nationality.max(initial=0)) + 1) + nationality
                key = pd.factorize(key)[0].astype(np.int64)
                table = (part, with_sex, with_nat)
                keys[table] = key
                counts[table] = np.bincount(key)[key] if len(key) else key
                known = np.unique(key[dob >= 0] * DOB_SPAN + dob[dob >= 0], return_counts=True)
                key_dob[table] = known
    return NameFrequencies(len(records), keys, counts, dob, key_dob)


# Name levels the joint frequency applies to: the whole family name exactly, and the given
# names exactly (full given names), the same first name (middle dropped or truncated) or the
# traveller's first name being a later one of the register's.
JOINT_FAMILY_LEVEL = FAMILY_EXACT
JOINT_GIVEN_LEVELS = {
    GIVEN_EXACT: "full",
    GIVEN_SAME_FIRST: "first",
    GIVEN_NICKNAME: "first",
    GIVEN_LATER_NAME: "first",
}


def name_frequency_adjustment(
    frame: pd.DataFrame,
    parameters: MatchParameters,
    field_weights: dict[str, np.ndarray],
    names: NameFrequencies,
    register_dob: np.ndarray,
) -> np.ndarray:
    """What to add to each pair's weight so that a full-name agreement (with sex and
    nationality when they agree too) costs what it does among travellers: log2 of the
    product of m over the joint share, instead of the sum of separate field weights."""
    adjustment = np.zeros(len(frame))
    t = frame["t"].to_numpy()
    family = frame["family_name"].to_numpy()
    given = frame["given_names"].to_numpy()
    sex_agrees = (frame["sex"].to_numpy() == 1).astype(np.int64)
    nat_agrees = (frame["nationality"].to_numpy() == 1).astype(np.int64)
    m = parameters.m
    for level, which in JOINT_GIVEN_LEVELS.items():
        rows = np.flatnonzero((family == JOINT_FAMILY_LEVEL) & (given == level))
        if not rows.size:
            continue
        share = np.empty(rows.size)
        for with_sex in (0, 1):
            for with_nat in (0, 1):
                here = (sex_agrees[rows] == with_sex) & (nat_agrees[rows] == with_nat)
                # A tenth of a record added: a name no other traveller carries is rare, not
                # unique (docs/decisions.md has the figures behind the tenth).
                share[here] = (
                    names.others_sharing(
                        (which, with_sex, with_nat), t[rows[here]], register_dob[rows[here]]
                    )
                    + UNSEEN_NAME_RECORDS
                ) / max(names.records, 1)
        m_joint = (
            m["family_name"][JOINT_FAMILY_LEVEL]
            * m["given_names"][level]
            * np.where(sex_agrees[rows] == 1, m["sex"][1], 1.0)
            * np.where(nat_agrees[rows] == 1, m["nationality"][1], 1.0)
        )
        joint = np.log2(m_joint / np.clip(share, frequency_floor(parameters, names.records), None))
        separate = (
            field_weights["family_name"][rows]
            + field_weights["given_names"][rows]
            + np.where(sex_agrees[rows] == 1, field_weights["sex"][rows], 0.0)
            + np.where(nat_agrees[rows] == 1, field_weights["nationality"][rows], 0.0)
        )
        # Only ever lowers the weight: a rare full name is already rewarded by the fields'
        # own term frequencies, and the joint share is there to stop double counting.
        adjustment[rows] = np.minimum(joint - separate, 0.0)
    return adjustment


UNSEEN_NAME_RECORDS = 0.1


def frequency_floor(parameters: MatchParameters, records: int) -> float:
    """The smallest share a name can be given: a tenth of a record in the records seen. A name
    seen once among 3,000 travellers is not shown to be rarer than that, however rare it looks."""
    return max(parameters.tf_min_u, UNSEEN_NAME_RECORDS / max(records, 1))


def term_frequencies(values: pd.Series) -> pd.Series:
    """Share of records carrying each value: the chance two random people share it."""
    counts = values[values != ""].value_counts()
    return counts / max(int(counts.sum()), 1)
