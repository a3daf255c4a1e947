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

from tracker.matching.compare import FIELD_LEVELS, FIELDS, NULL, Comparisons

MODEL_FORMAT = 1
SMOOTHING = 0.5  # Laplace-style pseudo-count per level, so no level has probability zero
# Exact agreement on a common name (SMITH, JOHN) is weaker evidence than on a rare one: these
# levels take u from how often the travel record's own value occurs (term frequency).
TF_ADJUSTED = {"family_name": (3, "family_value"), "given_names": (4, "given_value")}

# Disagreements that independence underweights. A twin shares surname and birth date with the
# offender, a namesake shares the whole name: adding up the agreeing fields would link them.
# A birth date that differs beyond a slip, or given names that share nothing (no alias,
# nickname, initial or close spelling), mean another person unless the document agrees: such a
# pair's total weight is capped, so it is never linked on names and dates alone.
CONFLICT_FIELDS = ("date_of_birth", "given_names")
CONFLICT_LEVEL = 0
DOCUMENT_AGREES_FROM = 1  # document level "same number but for a misread character" or better
DEFAULT_CONFLICT_CAP = -10.0


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

    def weight_table(self) -> dict[str, dict[int, float]]:
        """log2(m/u) per field and level; missing (NULL) contributes nothing."""
        table: dict[str, dict[int, float]] = {}
        for name in FIELDS:
            table[name] = {
                level: math.log2(self.m[name][level] / self.u[name][level])
                for level in self.m[name]
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
        )


def _levels(name: str) -> list[int]:
    return sorted(level for level in FIELD_LEVELS[name] if level != NULL)


def level_distribution(levels: np.ndarray, name: str, weights: np.ndarray | None = None) -> dict:
    """Smoothed share of each non-missing level (weighted), for one field."""
    known = levels != NULL
    w = np.ones(len(levels)) if weights is None else weights
    counts = {lv: float(w[known & (levels == lv)].sum()) + SMOOTHING for lv in _levels(name)}
    total = sum(counts.values())
    return {lv: c / total for lv, c in counts.items()}


def estimate_u(random_comparisons: Comparisons) -> dict[str, dict[int, float]]:
    """u: how often two random (almost surely different) people agree at each level."""
    frame = random_comparisons.frame
    return {name: level_distribution(frame[name].to_numpy(), name) for name in FIELDS}


def _initial_m() -> dict[str, dict[int, float]]:
    """A start that believes matches agree: mass grows with the level."""
    m = {}
    for name in FIELDS:
        levels = _levels(name)
        raw = {lv: 4.0**i for i, lv in enumerate(levels)}
        total = sum(raw.values())
        m[name] = {lv: v / total for lv, v in raw.items()}
    return m


# Pairs that other fields already prove to be matches teach m for the remaining field without
# the EM having to find the match class on its own (it can latch onto any common pattern, e.g.
# "same first name, similar birth date" among pairs a birth-date blocking pass produced).
ANCHOR_RULES: dict[str, dict[str, int]] = {
    "family_name": {"document": 2, "date_of_birth": 3, "given_names": 3},
    "given_names": {"document": 2, "date_of_birth": 3, "family_name": 2},
    "date_of_birth": {"document": 2, "family_name": 2, "given_names": 3},
    "document": {"family_name": 3, "given_names": 3, "date_of_birth": 3},
    "sex": {"document": 2, "date_of_birth": 3, "family_name": 2, "given_names": 3},
    "nationality": {"document": 2, "date_of_birth": 3, "family_name": 2, "given_names": 3},
}
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
            m[name] = level_distribution(levels, name)
    return m, counts


def _plausible(parameters: MatchParameters) -> bool:
    """A fitted model must find full agreement for, and disagreement against, a match."""
    table = parameters.weight_table()
    for name in FIELDS:
        levels = _levels(name)
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


def conflict_adjustment(total: np.ndarray, levels: dict[str, np.ndarray], cap: float) -> np.ndarray:
    """How much to take off each pair's weight so conflicting pairs without a matching
    document stay at or below ``cap`` (zero for every other pair)."""
    conflict = np.zeros(len(total), dtype=bool)
    for name in CONFLICT_FIELDS:
        conflict |= levels[name] == CONFLICT_LEVEL
    capped = conflict & (levels["document"] < DOCUMENT_AGREES_FROM)
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
                name: level_distribution(all_patterns[:, j], name, weights)
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


def term_frequencies(values: pd.Series) -> pd.Series:
    """Share of records carrying each value: the chance two random people share it."""
    counts = values[values != ""].value_counts()
    return counts / max(int(counts.sum()), 1)


def score(
    comparisons: Comparisons,
    parameters: MatchParameters,
    frequencies: dict[str, pd.Series] | None = None,
) -> pd.DataFrame:
    """Per-field weights, total match weight and probability for every pair."""
    frame = comparisons.frame
    table = parameters.weight_table()
    out = pd.DataFrame(index=frame.index)
    total = np.full(len(frame), parameters.prior_weight)
    for name in FIELDS:
        levels = frame[name].to_numpy()
        weights = _level_lookup(table, name)[levels]
        table_of_values = (frequencies or {}).get(name)
        if name in TF_ADJUSTED and table_of_values is not None and len(table_of_values):
            level, value_column = TF_ADJUSTED[name]
            exact = levels == level
            freq = frame[value_column].map(table_of_values).to_numpy(dtype=float)
            u_average = parameters.u[name][level]
            u_tf = np.clip(np.nan_to_num(freq, nan=u_average), parameters.tf_min_u, None)
            weights = np.where(exact, np.log2(parameters.m[name][level] / u_tf), weights)
        out[f"w_{name}"] = weights
        total = total + weights
    levels = {name: frame[name].to_numpy() for name in FIELDS}
    out["w_conflict"] = conflict_adjustment(total, levels, parameters.conflict_cap)
    total = total + out["w_conflict"].to_numpy()
    out["match_weight"] = total
    out["match_probability"] = 1.0 / (1.0 + np.exp2(-np.clip(total, -60, 60)))
    return out
