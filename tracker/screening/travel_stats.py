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

# per (family code, given code): records by (sex code, nationality code)
PeopleCounts = dict[tuple[int, int], Counter]
# per (family code, given code, sex code, nationality code, birth date): records
DatedCounts = Counter


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
    dated: dict[str, DatedCounts] = field(
        default_factory=lambda: {part: Counter() for part, _ in PARTS}
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
            self.people[part][(family, name)][(sex, nat)] += step
            if dob >= 0:
                self.dated[part][(family, name, sex, nat, dob)] += step

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

    def name_frequencies(
        self, records: pd.DataFrame, pair_t: np.ndarray, pair_dob: np.ndarray
    ) -> NameFrequencies:
        """``NameFrequencies`` for these prepared travel records (positions t), with counts
        over the whole table, as ``name_frequencies`` of every record would give them; the
        birth-date counts only for the (record, register birth date) pairs to be scored."""
        vocabulary = self.vocabulary
        family = [vocabulary.get(v, -1) for v in records["family_core"].tolist()]
        sex = [vocabulary.get(v, -1) for v in records["sex"].tolist()]
        nat = [vocabulary.get(v, -1) for v in records["nationality"].tolist()]
        dob = records["dob"].to_numpy().astype(np.int64)
        asked = sorted({(int(t), int(d)) for t, d in zip(pair_t, pair_dob, strict=True) if d >= 0})
        keys, counts, key_dob = {}, {}, {}
        for part, column in PARTS:
            name = [vocabulary.get(v, -1) for v in records[column].tolist()]
            held = [self.people[part].get(pair, EMPTY) for pair in zip(family, name, strict=True)]
            dated = self.dated[part]
            for with_sex in (0, 1):
                for with_nat in (0, 1):
                    table = (part, with_sex, with_nat)
                    wanted = [
                        (f, g, s if with_sex else None, n if with_nat else None)
                        for f, g, s, n in zip(family, name, sex, nat, strict=True)
                    ]
                    key, distinct = pd.factorize(pd.Series(wanted, dtype=object))
                    key = key.astype(np.int64)
                    keys[table] = key
                    counts[table] = np.array(
                        [
                            _matching(held[t], with_sex, sex[t], with_nat, nat[t])
                            for t in range(len(key))
                        ],
                        dtype=np.int64,
                    )
                    combos: dict[int, int] = {}
                    for t, d in asked:
                        found = sum(
                            dated.get((family[t], name[t], sx, nt, d), 0)
                            for sx, nt in held[t]
                            if (not with_sex or sx == sex[t]) and (not with_nat or nt == nat[t])
                        )
                        if found:
                            combos[int(key[t]) * DOB_SPAN + d] = found
                    ordered = sorted(combos)
                    key_dob[table] = (
                        np.array(ordered, dtype=np.int64),
                        np.array([combos[c] for c in ordered], dtype=np.int64),
                    )
        return NameFrequencies(self.records, keys, counts, dob, key_dob)


EMPTY: Counter = Counter()


def _matching(held: Counter, with_sex: int, sex: int, with_nat: int, nat: int) -> int:
    """Records of one name whose sex and nationality agree where the table asks."""
    return sum(
        count
        for (s, n), count in held.items()
        if (not with_sex or s == sex) and (not with_nat or n == nat)
    )
