"""How common each name is among all travel held, kept in memory and moved by each manifest.

The nightly weighs an exact name agreement by how often the traveller's name occurs among
every travel record (term frequencies, and the joint whole-name counts of
``matching.frequencies``). Screening must give the same probabilities, so it keeps those
counts for the whole travel table (built once, from the database) and, for the travellers a
manifest stores or changes, takes their old values out and puts their new ones in. Per
record only small integer codes are kept, so a million records cost tens of megabytes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tracker.matching.frequencies import DOB_SPAN, NameFrequencies

PARTS = (("full", "given"), ("first", "first_given"))
TABLES = tuple((part, s, n) for part, _ in PARTS for s in (0, 1) for n in (0, 1))
TEXT_COLUMNS = ("family_core", "given", "first_given", "sex", "nationality")

NO_NAME = "\x00"  # a key no name form can equal

# (sex code, nationality code, birth date) -> records, per (family code, given code)
PeopleCounts = dict[tuple[int, int], Counter]


@dataclass
class TravelStatistics:
    """Name counts over every travel record held (see the module's docstring)."""

    vocabulary: dict[str, int] = field(default_factory=lambda: {"": 0})
    texts: list[str] = field(default_factory=lambda: [""])
    codes_by_pk: dict[int, tuple[int, int, int, int, int, int]] = field(default_factory=dict)
    family: Counter = field(default_factory=Counter)
    given: Counter = field(default_factory=Counter)
    totals: Counter = field(default_factory=Counter)
    people: dict[str, PeopleCounts] = field(
        default_factory=lambda: {part: defaultdict(Counter) for part, _ in PARTS}
    )

    @property
    def records(self) -> int:
        return len(self.codes_by_pk)

    def code(self, text: str) -> int:
        found = self.vocabulary.get(text)
        if found is None:
            found = self.vocabulary[text] = len(self.texts)
            self.texts.append(text)
        return found

    def put(self, records: pd.DataFrame) -> None:
        """Count prepared travel ``records`` (travel_key: the primary key), replacing what was
        counted for the same keys before."""
        values = [records[column].to_numpy(object) for column in TEXT_COLUMNS]
        dobs = records["dob"].to_numpy().astype(np.int64).tolist()
        code = self.code
        for pk, family, given, first, sex, nat, dob in zip(
            records["travel_key"].to_numpy().tolist(), *values, dobs, strict=True
        ):
            codes = (code(family), code(given), code(first), code(sex), code(nat), int(dob))
            old = self.codes_by_pk.get(int(pk))
            if old == codes:
                continue
            if old is not None:
                self._count(old, -1)
            self.codes_by_pk[int(pk)] = codes
            self._count(codes, 1)

    def _count(self, codes: tuple[int, int, int, int, int, int], step: int) -> None:
        family, given, first, sex, nat, dob = codes
        if family:
            self.family[family] += step
            self.totals["family_core"] += step
        if given:
            self.given[given] += step
            self.totals["given"] += step
        for (part, _), name in zip(PARTS, (given, first), strict=True):
            self.people[part][(family, name)][(sex, nat, dob)] += step

    # --- what the scoring asks --------------------------------------------------------------

    def term_frequencies(self, column: str, values: list[str]) -> pd.Series:
        """Each of ``values``' share among the records' non-empty ``column`` (family_core or
        given), as ``term_frequencies`` over the whole table gives it; the commonest value
        is always included, so the table is empty only when the whole table's is."""
        counts = self.family if column == "family_core" else self.given
        total = self.totals[column]
        if total == 0:
            return pd.Series(dtype=float)
        wanted = {self.vocabulary[v] for v in values if v in self.vocabulary}
        shares = {self.texts[c]: counts[c] / total for c in wanted if counts.get(c, 0) > 0}
        if not shares:  # no name of these is held, but some are: the table is not empty
            shares[NO_NAME] = 1 / total
        return pd.Series(shares, dtype=float)

    def name_frequencies(self, records: pd.DataFrame) -> NameFrequencies:
        """``NameFrequencies`` for these prepared travel records (positions t), with counts
        over the whole table, as ``name_frequencies`` of every record would give them."""
        vocabulary = self.vocabulary
        family = [vocabulary.get(v, -1) for v in records["family_core"].tolist()]
        sex = [vocabulary.get(v, -1) for v in records["sex"].tolist()]
        nat = [vocabulary.get(v, -1) for v in records["nationality"].tolist()]
        dob = records["dob"].to_numpy().astype(np.int64)
        keys, counts, key_dob = {}, {}, {}
        for part, column in PARTS:
            name = [vocabulary.get(v, -1) for v in records[column].tolist()]
            people = self.people[part]
            for with_sex in (0, 1):
                for with_nat in (0, 1):
                    table = (part, with_sex, with_nat)
                    wanted = [
                        (f, g, s if with_sex else None, n if with_nat else None)
                        for f, g, s, n in zip(family, name, sex, nat, strict=True)
                    ]
                    key, distinct = pd.factorize(pd.Series(wanted, dtype=object))
                    by_dob = [_by_birth_date(people, k) for k in distinct]
                    keys[table] = key.astype(np.int64)
                    totals = np.array([sum(d.values()) for d in by_dob], dtype=np.int64)
                    counts[table] = totals[key] if len(key) else key.astype(np.int64)
                    key_dob[table] = _key_dob_table(by_dob)
        return NameFrequencies(self.records, keys, counts, dob, key_dob)


def _by_birth_date(people: PeopleCounts, key: tuple) -> Counter:
    """Records per birth date sharing ``key`` (family, given, sex or None, nationality or
    None)."""
    family, given, sex, nat = key
    found: Counter = Counter()
    for (s, n, dob), count in people.get((family, given), Counter()).items():
        if count and (sex is None or s == sex) and (nat is None or n == nat):
            found[dob] += count
    return found


def _key_dob_table(by_dob: list[Counter]) -> tuple[np.ndarray, np.ndarray]:
    """Sorted (key * DOB_SPAN + birth date) of known birth dates, and their counts."""
    combos = [
        (key * DOB_SPAN + dob, count)
        for key, dates in enumerate(by_dob)
        for dob, count in dates.items()
        if dob >= 0 and count > 0
    ]
    combos.sort()
    return (
        np.array([c for c, _ in combos], dtype=np.int64),
        np.array([n for _, n in combos], dtype=np.int64),
    )
