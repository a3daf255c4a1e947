"""Fellegi-Sunter match weights: u from random pairs, m and the prior by EM, analysts' labels
as fixed evidence, and a term-frequency adjustment so a common surname counts for less.

A pair's match weight is log2 of the prior odds plus, per field, log2(m/u) of the level it
reached; its probability is 2^W / (1 + 2^W). The parameters are plain numbers, serialisable
to JSON, so a run can persist them and a later run (or an auditor) can reuse or inspect them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tracker.matching.compare import FIELD_LEVELS, FIELDS, Comparisons
from tracker.matching.dates import DOB_DIFFERENT, DOB_EXACT, DOB_ONE_DIGIT
from tracker.matching.documents import DOC_CLOSE, DOC_EXACT
from tracker.matching.name_levels import (
    FAMILY_CLOSE,
    FAMILY_DIFFERENT,
    FAMILY_EXACT,
    GIVEN_DIFFERENT,
    GIVEN_EXACT,
    GIVEN_LATER_NAME,
    GIVEN_NICKNAME,
    GIVEN_SAME_FIRST,
    NULL,
)
from tracker.matching.priors import M_PRIOR, M_PRIOR_PAIRS

# Fields whose u, for pairs that agree on a given name, comes from strangers who share a first
# name rather than from wholly random pairs (see link.first_name_pairs): surname similarity,
# sex and nationality go with the name's tradition, so the plain u overstates the evidence.
# (Birth dates and documents do not go with names, so they keep the plain u.)
CONDITIONAL_FIELDS = ("family_name", "sex", "nationality")
GIVEN_AGREES_FROM = GIVEN_LATER_NAME  # "goes by a later given name" and better
MODEL_FORMAT = 3  # 3: graded birth-date and given-name levels, the name-order field
SMOOTHING = 0.5  # Laplace-style pseudo-count per level, so no level has probability zero
# Exact agreement on a common name (SMITH, JOHN) is weaker evidence than on a rare one: these
# levels take u from how often the travel record's own value occurs (term frequency).
TF_ADJUSTED = {"family_name": (FAMILY_EXACT, "family_value"),
               "given_names": (GIVEN_EXACT, "given_value")}  # fmt: skip

# Disagreements that independence underweights. A twin shares surname and birth date with the
# offender but has another given name and sex; a sibling shares the surname alone. Two or more
# outright conflicts (birth date beyond any slip, given names, family name, sex) mean another
# person unless the document agrees: such a pair's total weight is capped, so it is never
# linked on what little remains. A single conflict is weighed like any other level, with its
# m learned: a woman under a new surname, or a birth date keyed wrongly, is still herself.
CONFLICTS = {"date_of_birth": DOB_DIFFERENT, "given_names": GIVEN_DIFFERENT,
             "family_name": FAMILY_DIFFERENT, "sex": 0}  # fmt: skip
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
            table[name] = {level: math.log2(self.m[name][level] / u[level])
                           for level in self.m[name]}  # fmt: skip
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
            "u_given_agrees": {f: {str(k): v for k, v in levels.items()}
                               for f, levels in self.u_given_agrees.items()},
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
            u_given_agrees={f: {int(k): v for k, v in levels.items()}
                            for f, levels in data.get("u_given_agrees", {}).items()},
        )


def _levels(name: str) -> list[int]:
    return sorted(level for level in FIELD_LEVELS[name] if level != NULL)


def level_distribution(levels: np.ndarray, name: str, weights: np.ndarray | None = None,
                       prior: dict[int, float] | None = None) -> dict:  # fmt: skip
    """Smoothed share of each non-missing level (weighted), for one field. ``prior``: expected
    shares, added as ``M_PRIOR_PAIRS`` pseudo-pairs, so a level the data seldom shows (a
    transposed birth date) keeps a sensible m instead of the smoothing's guess."""
    known = levels != NULL
    w = np.ones(len(levels)) if weights is None else weights
    counts = {lv: float(w[known & (levels == lv)].sum()) + SMOOTHING for lv in _levels(name)}
    if prior is not None:
        counts = {lv: c + M_PRIOR_PAIRS * prior.get(lv, 0.0) for lv, c in counts.items()}
    total = sum(counts.values())
    return {lv: c / total for lv, c in counts.items()}


def strangers_only(comparisons: Comparisons) -> Comparisons:
    """Drop pairs whose birth date or document agrees: in a sample of pairs chosen for sharing
    a first name, those are mostly the traveller and his own register entry, not strangers."""
    frame = comparisons.frame
    keep = (frame["date_of_birth"].to_numpy() <= DOB_ONE_DIGIT) & (
        frame["document"].to_numpy() < DOCUMENT_AGREES_FROM
    )
    return Comparisons(frame[keep].reset_index(drop=True))


def estimate_u(random_comparisons: Comparisons) -> dict[str, dict[int, float]]:
    """u: how often two random (almost surely different) people agree at each level."""
    frame = random_comparisons.frame
    return {name: level_distribution(frame[name].to_numpy(), name) for name in FIELDS}


def _initial_m() -> dict[str, dict[int, float]]:
    """A start that believes matches agree: the expected shares among true matches."""
    return {name: dict(M_PRIOR[name]) for name in FIELDS}


# Pairs that other fields already prove to be matches teach m for the remaining field without
# the EM having to find the match class on its own (it can latch onto any common pattern, e.g.
# "same first name, similar birth date" among pairs a birth-date blocking pass produced).
_SAME_PERSON = {"document": DOC_EXACT, "date_of_birth": DOB_EXACT, "family_name": FAMILY_CLOSE,
                "given_names": GIVEN_SAME_FIRST}  # fmt: skip
ANCHOR_RULES: dict[str, dict[str, int]] = {
    "family_name": {"document": DOC_EXACT, "date_of_birth": DOB_EXACT,
                    "given_names": GIVEN_SAME_FIRST},
    "given_names": {"document": DOC_EXACT, "date_of_birth": DOB_EXACT,
                    "family_name": FAMILY_CLOSE},
    "name_order": {"document": DOC_EXACT, "date_of_birth": DOB_EXACT},
    "date_of_birth": {"document": DOC_EXACT, "family_name": FAMILY_CLOSE,
                      "given_names": GIVEN_SAME_FIRST},
    "document": {"family_name": FAMILY_EXACT, "given_names": GIVEN_SAME_FIRST,
                 "date_of_birth": DOB_EXACT},
    "sex": _SAME_PERSON,
    "nationality": _SAME_PERSON,
}  # fmt: skip
MIN_ANCHORS = 30


def anchor_m(frame: pd.DataFrame) -> tuple[dict[str, dict[int, float]], dict[str, int]]:
    """m per field from pairs whose other fields agree so well they are surely matches."""
    m = _initial_m()
    counts: dict[str, int] = {}
    for name, rule in ANCHOR_RULES.items():
        surely = np.ones(len(frame), dtype=bool)
        for other, minimum in rule.items():
            surely &= frame[other].to_numpy() >= minimum
        levels = frame[name].to_numpy()[surely]
        counts[name] = int((levels != NULL).sum())
        if counts[name] >= MIN_ANCHORS:
            m[name] = level_distribution(levels, name, prior=M_PRIOR[name])
    return m, counts


def _plausible(parameters: MatchParameters) -> bool:
    """A fitted model must find full agreement for, and disagreement against, a match."""
    table = parameters.weight_table()
    for name in FIELDS:
        levels = _levels(name)
        if name in UNSIGNED_FIELDS:
            continue
        if table[name][levels[-1]] <= 0 or table[name][levels[0]] >= 0:
            return False
    return True


DRIFT_FACTOR = 3.0


def _drifted_fields(m: dict, anchors: dict, anchor_counts: dict[str, int]) -> list[str]:
    """Fields whose EM m puts far more weight on full disagreement than the anchor pairs do."""
    drifted = []
    for name in FIELDS:
        if anchor_counts.get(name, 0) < MIN_ANCHORS:
            continue
        lowest = _levels(name)[0]
        if m[name][lowest] > DRIFT_FACTOR * anchors[name][lowest]:
            drifted.append(name)
    return drifted


def _patterns(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Distinct comparison vectors and how many pairs share each: EM runs on these."""
    grouped = frame.groupby(list(FIELDS), sort=False).size()
    return np.array(grouped.index.tolist(), dtype=np.int8).reshape(-1, len(FIELDS)), (
        grouped.to_numpy(dtype=np.float64)
    )


def _level_lookup(table: dict[str, dict[int, float]], name: str) -> np.ndarray:
    """Array indexed by level; NULL (-1) reads the last slot, which stays 0."""
    lookup = np.zeros(max(table[name]) + 2)
    for level, w in table[name].items():
        lookup[level] = w
    return lookup


def conflict_rule_applies(levels: dict[str, np.ndarray]) -> np.ndarray:
    """Pairs with two or more outright conflicts whose document does not agree (or agrees while
    sex and birth date both conflict): their total weight is held at or below the cap."""
    conflicts = np.zeros(len(levels["document"]), dtype=np.int8)
    for name, level in CONFLICTS.items():
        conflicts += levels[name] == level
    # Another given name on the same family name and birth date is a twin's pattern, not a
    # typo's: it counts as the two conflicts it is.
    conflicts += ((levels["given_names"] == GIVEN_DIFFERENT)
                  & (levels["family_name"] == FAMILY_EXACT)
                  & (levels["date_of_birth"] == DOB_EXACT))  # fmt: skip
    document_agrees = (levels["document"] >= DOCUMENT_AGREES_FROM) & ~(
        (levels["sex"] == 0) & (levels["date_of_birth"] == DOB_DIFFERENT)
    )
    return (conflicts >= CONFLICTS_CAPPED_FROM) & ~document_agrees


def conflict_adjustment(total: np.ndarray, levels: dict[str, np.ndarray], cap: float) -> np.ndarray:
    """How much to take off each pair's weight so conflicting pairs without a matching
    document stay at or below ``cap`` (zero for every other pair)."""
    capped = conflict_rule_applies(levels)
    return np.where(capped, np.minimum(cap - total, 0.0), 0.0)


def _pattern_weights(patterns: np.ndarray, parameters: MatchParameters) -> np.ndarray:
    """Total match weight (prior included, conflict rule applied) of each comparison pattern."""
    table = parameters.weight_table()
    total = np.full(len(patterns), parameters.prior_weight)
    for j, name in enumerate(FIELDS):
        total += _level_lookup(table, name)[patterns[:, j]]
    levels = {name: patterns[:, j] for j, name in enumerate(FIELDS)}
    return total + conflict_adjustment(total, levels, parameters.conflict_cap)


def fit_model(
    comparisons: Comparisons,
    u: dict[str, dict[int, float]],
    labels: pd.DataFrame | None = None,
    max_iterations: int = 100,
    tolerance: float = 1e-6,
    initial: MatchParameters | None = None,
) -> MatchParameters:
    """m and the prior by expectation-maximisation over the candidate pairs, u held fixed.

    ``labels`` (columns t, o, is_match) are analysts' decisions: their pairs keep a posterior
    of 1 or 0 instead of the model's guess, so every confirmation and dismissal teaches it.
    """
    frame = comparisons.frame
    labelled_count = 0
    fixed_patterns = np.zeros((0, len(FIELDS)), dtype=np.int8)
    fixed_posterior = np.zeros(0)
    if labels is not None and len(labels):
        keyed = frame.merge(labels[["t", "o", "is_match"]], on=["t", "o"], how="left")
        is_labelled = keyed["is_match"].notna().to_numpy()
        labelled = keyed[is_labelled]
        labelled_count = len(labelled)
        frame = frame[~is_labelled]
        if labelled_count:
            fixed_patterns = labelled[list(FIELDS)].to_numpy(dtype=np.int8)
            fixed_posterior = labelled["is_match"].astype(float).to_numpy()
    patterns, counts = _patterns(frame)

    anchors, anchor_counts = anchor_m(frame)
    m = initial.m if initial else anchors
    prior = initial.candidate_prior if initial else 0.05
    cap = initial.conflict_cap if initial else DEFAULT_CONFLICT_CAP
    fitted, iterations = _expectation_maximisation(
        patterns, counts, fixed_patterns, fixed_posterior, m, u, prior, cap,
        max_iterations, tolerance, update_m=True,
    )  # fmt: skip
    notes: dict = {"anchors": anchor_counts, "fallback": None, "drifted_fields": []}
    if not _plausible(fitted):
        # EM wandered to a pattern that is not "the same person": keep the anchors' m and
        # estimate only the prior.
        fitted, iterations = _expectation_maximisation(
            patterns, counts, fixed_patterns, fixed_posterior, anchors, u, 0.05, cap,
            max_iterations, tolerance, update_m=False,
        )  # fmt: skip
        notes["fallback"] = "EM m rejected as implausible; m from anchor pairs"
    else:
        drifted = _drifted_fields(fitted.m, anchors, anchor_counts)
        if drifted:
            # EM let a common look-alike pattern (say, same first name and birth date, other
            # surname) into the match class for these fields: take their m from the anchors
            # and estimate the prior again with m held.
            m = {name: anchors[name] if name in drifted else fitted.m[name] for name in FIELDS}
            fitted, more = _expectation_maximisation(
                patterns, counts, fixed_patterns, fixed_posterior, m, u, fitted.candidate_prior,
                cap, max_iterations, tolerance, update_m=False,
            )  # fmt: skip
            iterations += more
            notes["drifted_fields"] = drifted
    fitted.em_iterations = iterations
    fitted.trained_pairs = int(counts.sum()) + labelled_count
    fitted.labelled_pairs = labelled_count
    fitted.notes = notes
    return fitted


def _expectation_maximisation(
    patterns: np.ndarray,
    counts: np.ndarray,
    fixed_patterns: np.ndarray,
    fixed_posterior: np.ndarray,
    m: dict[str, dict[int, float]],
    u: dict[str, dict[int, float]],
    prior: float,
    cap: float,
    max_iterations: int,
    tolerance: float,
    update_m: bool,
) -> tuple[MatchParameters, int]:
    all_patterns = np.concatenate([patterns, fixed_patterns])
    all_counts = np.concatenate([counts, np.ones(len(fixed_patterns))])
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 - reported afterwards
        current = MatchParameters(prior=prior, m=m, u=u, conflict_cap=cap)
        log2_odds = _pattern_weights(patterns, current)
        posterior = np.concatenate(
            [1.0 / (1.0 + np.exp2(-np.clip(log2_odds, -1000, 1000))), fixed_posterior]
        )
        weights = posterior * all_counts
        new_prior = min(max(float(weights.sum() / all_counts.sum()), 1e-9), 1 - 1e-9)
        new_m = (
            {
                name: level_distribution(all_patterns[:, j], name, weights, M_PRIOR[name])
                for j, name in enumerate(FIELDS)
            }
            if update_m
            else m
        )
        change = max(
            abs(new_prior - prior),
            *(abs(new_m[f][lv] - m[f][lv]) for f in FIELDS for lv in m[f]),
        )
        m, prior = new_m, new_prior
        if change < tolerance:
            break
    return MatchParameters(
        prior=prior, m=m, u=u, conflict_cap=cap, candidate_prior=prior
    ), iterations


def with_population_prior(
    parameters: MatchParameters, candidate_pairs: int, all_pairs: int
) -> MatchParameters:
    """The scoring prior: EM's expected number of matches spread over every possible pair."""
    expected_matches = parameters.candidate_prior * candidate_pairs
    prior = min(max(expected_matches / max(all_pairs, 1), 1e-12), 0.5)
    parameters.prior = prior
    return parameters


ONE_TO_ONE_ROUNDS = 50


def one_to_one_prior(parameters: MatchParameters, before_rule: np.ndarray, capped: np.ndarray,
                     records: np.ndarray, all_pairs: int) -> MatchParameters:  # fmt: skip
    """The prior again, knowing that a travel record is at most one person's.

    EM over candidate pairs counts every look-alike pair as part match: a traveller with a
    common name and no birth date, blocked against five registered namesakes, adds up to more
    than one expected match. Here the expected number of matches is the sum, over travel
    records, of the probability of each record's best candidate, and the prior is moved until
    it gives back that number (a fixed point, reached in a few rounds; never above EM's own
    prior, which is the count this corrects downwards).

    Per candidate pair: ``before_rule`` is its total weight under the current prior before the
    conflict rule, ``capped`` whether the rule holds it at the cap (those stay there whatever
    the prior), ``records`` its travel record.
    """
    if len(before_rule) == 0 or all_pairs <= 0:
        return parameters
    order = np.argsort(records, kind="stable")
    sorted_records = records[order]
    starts = np.flatnonzero(np.r_[True, sorted_records[1:] != sorted_records[:-1]])
    before_sorted, capped_sorted = before_rule[order], capped[order]
    cap = parameters.conflict_cap
    em_prior = parameters.prior
    start = parameters.prior_weight
    prior = em_prior
    for _ in range(ONE_TO_ONE_ROUNDS):
        shift = math.log2(prior / (1.0 - prior)) - start
        weights = before_sorted + shift
        weights = np.where(capped_sorted, np.minimum(weights, cap), weights)
        best = np.maximum.reduceat(weights, starts)
        expected = float((1.0 / (1.0 + np.exp2(-np.clip(best, -60, 60)))).sum())
        new_prior = min(max(expected / all_pairs, 1e-12), em_prior)
        converged = abs(new_prior - prior) <= 1e-4 * prior
        prior = new_prior
        if converged:
            break
    parameters.notes["em_prior"] = em_prior
    parameters.prior = prior
    return parameters


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

    def others_sharing(self, table: tuple[str, int, int], t: np.ndarray,
                       register_dob: np.ndarray) -> np.ndarray:  # fmt: skip
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
JOINT_GIVEN_LEVELS = {GIVEN_EXACT: "full", GIVEN_SAME_FIRST: "first", GIVEN_NICKNAME: "first",
                      GIVEN_LATER_NAME: "first"}  # fmt: skip


def name_frequency_adjustment(frame: pd.DataFrame, parameters: MatchParameters,
                              field_weights: dict[str, np.ndarray], names: NameFrequencies,
                              register_dob: np.ndarray) -> np.ndarray:  # fmt: skip
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
                # Half a record added: a name no other traveller carries is rare, not unique.
                share[here] = (names.others_sharing(
                    (which, with_sex, with_nat), t[rows[here]], register_dob[rows[here]]
                ) + UNSEEN_NAME_RECORDS) / max(names.records, 1)  # fmt: skip
        m_joint = (m["family_name"][JOINT_FAMILY_LEVEL] * m["given_names"][level]
                   * np.where(sex_agrees[rows] == 1, m["sex"][1], 1.0)
                   * np.where(nat_agrees[rows] == 1, m["nationality"][1], 1.0))  # fmt: skip
        joint = np.log2(m_joint / np.clip(share, _frequency_floor(parameters, names.records),
                                          None))  # fmt: skip
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


UNSEEN_NAME_RECORDS = 0.5


def _frequency_floor(parameters: MatchParameters, records: int) -> float:
    """The smallest share a name can be given: half a record in the records seen. A name seen
    once among 3,000 travellers is not shown to be rarer than that, however rare it looks."""
    return max(parameters.tf_min_u, UNSEEN_NAME_RECORDS / max(records, 1))


def term_frequencies(values: pd.Series) -> pd.Series:
    """Share of records carrying each value: the chance two random people share it."""
    counts = values[values != ""].value_counts()
    return counts / max(int(counts.sum()), 1)


def score(
    comparisons: Comparisons,
    parameters: MatchParameters,
    frequencies: dict[str, pd.Series] | None = None,
    names: NameFrequencies | None = None,
    register_dob: np.ndarray | None = None,
) -> pd.DataFrame:
    """Per-field weights, total match weight and probability for every pair."""
    frame = comparisons.frame
    table = parameters.weight_table()
    table_given_agrees = parameters.weight_table(given_agrees=True)
    given_agrees = frame["given_names"].to_numpy() >= GIVEN_AGREES_FROM
    out = pd.DataFrame(index=frame.index)
    total = np.full(len(frame), parameters.prior_weight)
    for name in FIELDS:
        levels = frame[name].to_numpy()
        weights = np.where(given_agrees, _level_lookup(table_given_agrees, name)[levels],
                           _level_lookup(table, name)[levels])  # fmt: skip
        table_of_values = (frequencies or {}).get(name)
        if name in TF_ADJUSTED and table_of_values is not None and len(table_of_values):
            level, value_column = TF_ADJUSTED[name]
            exact = levels == level
            freq = frame[value_column].map(table_of_values).to_numpy(dtype=float)
            u_average = parameters.u[name][level]
            floor = (_frequency_floor(parameters, names.records) if names is not None
                     else parameters.tf_min_u)  # fmt: skip
            u_tf = np.clip(np.nan_to_num(freq, nan=u_average), floor, None)
            weights = np.where(exact, np.log2(parameters.m[name][level] / u_tf), weights)
        out[f"w_{name}"] = weights
        total = total + weights
    out["w_name_frequency"] = (
        name_frequency_adjustment(frame, parameters, {n: out[f"w_{n}"].to_numpy() for n in FIELDS},
                                  names, register_dob)
        if names is not None and register_dob is not None else 0.0
    )  # fmt: skip
    total = total + out["w_name_frequency"].to_numpy()
    _finish(out, frame, total, parameters)
    return out


def _finish(out: pd.DataFrame, frame: pd.DataFrame, total: np.ndarray,
            parameters: MatchParameters) -> None:  # fmt: skip
    """The conflict rule, the total and the probability, from the total before the rule."""
    levels = {name: frame[name].to_numpy() for name in FIELDS}
    out["w_conflict"] = conflict_adjustment(total, levels, parameters.conflict_cap)
    total = total + out["w_conflict"].to_numpy()
    out["match_weight"] = total
    out["match_probability"] = 1.0 / (1.0 + np.exp2(-np.clip(total, -60, 60)))


def rescore_with_prior(scored: pd.DataFrame, frame: pd.DataFrame, old_prior_weight: float,
                       parameters: MatchParameters) -> pd.DataFrame:  # fmt: skip
    """``score``'s output again after only the prior changed: every field weight stands, the
    total moves by the prior's change and the conflict rule is applied afresh."""
    out = scored.copy()
    before_rule = (scored["match_weight"].to_numpy() - scored["w_conflict"].to_numpy()
                   + (parameters.prior_weight - old_prior_weight))  # fmt: skip
    _finish(out, frame, before_rule, parameters)
    return out
