"""The Fellegi-Sunter model: its parameters (prior, m and u per comparison level) and the
conflict rule. Training is in ``estimate`` and ``prior``, scoring in ``scoring``.

A pair's match weight is log2 of the prior odds plus, per field, log2(m/u) of the level it
reached; its probability is 2^W / (1 + 2^W). The parameters are plain numbers, serialisable
to JSON, so a run can persist them and a later run (or an auditor) can reuse or inspect them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from tracker.matching.compare import FIELD_LEVELS, FIELDS
from tracker.matching.dates import DOB_DIFFERENT, DOB_EXACT
from tracker.matching.documents import DOC_CLOSE
from tracker.matching.m_prior import M_PRIOR_PAIRS
from tracker.matching.name_levels import (
    FAMILY_DIFFERENT,
    FAMILY_EXACT,
    GIVEN_DIFFERENT,
    GIVEN_EXACT,
    GIVEN_LATER_NAME,
    NULL,
)

# Fields whose u, for pairs that agree on a given name, comes from strangers who share a first
# name rather than from wholly random pairs (see train.first_name_pairs): surname similarity,
# sex and nationality go with the name's tradition, so the plain u overstates the evidence.
# (Birth dates and documents do not go with names, so they keep the plain u.)
CONDITIONAL_FIELDS = ("family_name", "sex", "nationality")
GIVEN_AGREES_FROM = GIVEN_LATER_NAME  # "goes by a later given name" and better
MODEL_FORMAT = 3  # 3: graded birth-date and given-name levels, the name-order field
SMOOTHING = 0.5  # Laplace-style pseudo-count per level, so no level has probability zero
# Exact agreement on a common name (SMITH, JOHN) is weaker evidence than on a rare one: these
# levels take u from how often the travel record's own value occurs (term frequency).
TF_ADJUSTED = {
    "family_name": (FAMILY_EXACT, "family_value"),
    "given_names": (GIVEN_EXACT, "given_value"),
}

# Disagreements that independence underweights. A twin shares surname and birth date with the
# offender but has another given name and sex; a sibling shares the surname alone. Two or more
# outright conflicts (birth date beyond any slip, given names, family name, sex) mean another
# person unless the document agrees: such a pair's total weight is capped, so it is never
# linked on what little remains. A single conflict is weighed like any other level, with its
# m learned: a woman under a new surname, or a birth date keyed wrongly, is still herself.
CONFLICTS = {
    "date_of_birth": DOB_DIFFERENT,
    "given_names": GIVEN_DIFFERENT,
    "family_name": FAMILY_DIFFERENT,
    "sex": 0,
}
CONFLICTS_CAPPED_FROM = 2
DOCUMENT_AGREES_FROM = DOC_CLOSE  # "same number but for a misread character" or better
DEFAULT_CONFLICT_CAP = -10.0
# Fields whose plausibility (full agreement for a match, disagreement against) is not a law:
# names written as registered are the rule among strangers too.
UNSIGNED_FIELDS = ("name_order",)


@dataclass
class MatchParameters:
    """Everything needed to weigh a comparison vector."""

    # lambda: the chance that two records drawn at random (one travel record, one register
    # entry) are the same person. It is the prior for scoring because u comes from random
    # pairs: a prior taken over blocked candidates would count the blocking agreement twice.
    prior: float
    m: dict[str, dict[int, float]]
    u: dict[str, dict[int, float]]
    em_iterations: int = 0
    trained_pairs: int = 0
    labelled_pairs: int = 0
    tf_min_u: float = 1e-6
    conflict_cap: float = DEFAULT_CONFLICT_CAP
    candidate_prior: float = 0.05  # EM's share of matches among the candidate pairs
    notes: dict = field(default_factory=dict)
    # u of the other fields among different people who agree on a given name (see
    # CONDITIONAL_FIELDS); empty: every pair is weighed with the plain u.
    u_given_agrees: dict[str, dict[int, float]] = field(default_factory=dict)

    def weight_table(self, given_agrees: bool = False) -> dict[str, dict[int, float]]:
        """log2(m/u) per field and level; missing (NULL) contributes nothing. With
        ``given_agrees``, u of the conditional fields is the one among strangers who share a
        given name."""
        table: dict[str, dict[int, float]] = {}
        for name in FIELDS:
            u = self.u[name]
            if given_agrees and name in self.u_given_agrees:
                u = self.u_given_agrees[name]
            table[name] = {
                level: math.log2(self.m[name][level] / u[level]) for level in self.m[name]
            }
            table[name][NULL] = 0.0
        return table

    @property
    def prior_weight(self) -> float:
        return math.log2(self.prior / (1.0 - self.prior))

    def to_dict(self) -> dict:
        return {
            "format": MODEL_FORMAT,
            "prior": self.prior,
            "m": {f: {str(k): v for k, v in levels.items()} for f, levels in self.m.items()},
            "u": {f: {str(k): v for k, v in levels.items()} for f, levels in self.u.items()},
            "em_iterations": self.em_iterations,
            "trained_pairs": self.trained_pairs,
            "labelled_pairs": self.labelled_pairs,
            "tf_min_u": self.tf_min_u,
            "conflict_cap": self.conflict_cap,
            "candidate_prior": self.candidate_prior,
            "notes": self.notes,
            "u_given_agrees": {
                f: {str(k): v for k, v in levels.items()}
                for f, levels in self.u_given_agrees.items()
            },
        }

    @classmethod
    def from_dict(cls, data: dict) -> MatchParameters:
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"unsupported match model format {data.get('format')!r}")
        return cls(
            prior=data["prior"],
            m={f: {int(k): v for k, v in levels.items()} for f, levels in data["m"].items()},
            u={f: {int(k): v for k, v in levels.items()} for f, levels in data["u"].items()},
            em_iterations=data.get("em_iterations", 0),
            trained_pairs=data.get("trained_pairs", 0),
            labelled_pairs=data.get("labelled_pairs", 0),
            tf_min_u=data.get("tf_min_u", 1e-6),
            conflict_cap=data.get("conflict_cap", DEFAULT_CONFLICT_CAP),
            candidate_prior=data.get("candidate_prior", 0.05),
            notes=data.get("notes", {}),
            u_given_agrees={
                f: {int(k): v for k, v in levels.items()}
                for f, levels in data.get("u_given_agrees", {}).items()
            },
        )


def levels_of(name: str) -> list[int]:
    return sorted(level for level in FIELD_LEVELS[name] if level != NULL)


def level_distribution(
    levels: np.ndarray,
    name: str,
    weights: np.ndarray | None = None,
    prior: dict[int, float] | None = None,
) -> dict:
    """Smoothed share of each non-missing level (weighted), for one field. ``prior``: expected
    shares, added as ``M_PRIOR_PAIRS`` pseudo-pairs, so a level the data seldom shows (a
    transposed birth date) keeps a sensible m instead of the smoothing's guess."""
    known = levels != NULL
    w = np.ones(len(levels)) if weights is None else weights
    counts = {lv: float(w[known & (levels == lv)].sum()) + SMOOTHING for lv in levels_of(name)}
    if prior is not None:
        counts = {lv: c + M_PRIOR_PAIRS * prior.get(lv, 0.0) for lv, c in counts.items()}
    total = sum(counts.values())
    return {lv: c / total for lv, c in counts.items()}


def conflict_rule_applies(levels: dict[str, np.ndarray]) -> np.ndarray:
    """Pairs with two or more outright conflicts whose document does not agree (or agrees while
    sex and birth date both conflict): their total weight is held at or below the cap."""
    conflicts = np.zeros(len(levels["document"]), dtype=np.int8)
    for name, level in CONFLICTS.items():
        conflicts += levels[name] == level
    # Another given name on the same family name and birth date is a twin's pattern, not a
    # typo's: it counts as the two conflicts it is.
    conflicts += (
        (levels["given_names"] == GIVEN_DIFFERENT)
        & (levels["family_name"] == FAMILY_EXACT)
        & (levels["date_of_birth"] == DOB_EXACT)
    )
    document_agrees = (levels["document"] >= DOCUMENT_AGREES_FROM) & ~(
        (levels["sex"] == 0) & (levels["date_of_birth"] == DOB_DIFFERENT)
    )
    return (conflicts >= CONFLICTS_CAPPED_FROM) & ~document_agrees


def conflict_adjustment(total: np.ndarray, levels: dict[str, np.ndarray], cap: float) -> np.ndarray:
    """How much to take off each pair's weight so conflicting pairs without a matching
    document stay at or below ``cap`` (zero for every other pair)."""
    capped = conflict_rule_applies(levels)
    return np.where(capped, np.minimum(cap - total, 0.0), 0.0)


def level_lookup(table: dict[str, dict[int, float]], name: str) -> np.ndarray:
    """Array indexed by level; NULL (-1) reads the last slot, which stays 0."""
    lookup = np.zeros(max(table[name]) + 2)
    for level, w in table[name].items():
        lookup[level] = w
    return lookup
