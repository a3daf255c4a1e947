"""Training: u from random pairs, m and the share of matches by EM over the candidate pairs,
started from anchor pairs that other fields already prove, analysts' labels fixed evidence."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.matching.compare import FIELDS, Comparisons
from tracker.matching.dates import DOB_EXACT, DOB_ONE_DIGIT
from tracker.matching.documents import DOC_EXACT
from tracker.matching.m_prior import M_PRIOR
from tracker.matching.model import (
    DEFAULT_CONFLICT_CAP,
    DOCUMENT_AGREES_FROM,
    UNSIGNED_FIELDS,
    MatchParameters,
    conflict_adjustment,
    level_distribution,
    level_lookup,
    levels_of,
)
from tracker.matching.name_levels import (
    FAMILY_CLOSE,
    FAMILY_EXACT,
    GIVEN_SAME_FIRST,
    NULL,
)


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
_SAME_PERSON = {
    "document": DOC_EXACT,
    "date_of_birth": DOB_EXACT,
    "family_name": FAMILY_CLOSE,
    "given_names": GIVEN_SAME_FIRST,
}
ANCHOR_RULES: dict[str, dict[str, int]] = {
    "family_name": {
        "document": DOC_EXACT,
        "date_of_birth": DOB_EXACT,
        "given_names": GIVEN_SAME_FIRST,
    },
    "given_names": {"document": DOC_EXACT, "date_of_birth": DOB_EXACT, "family_name": FAMILY_CLOSE},
    "name_order": {"document": DOC_EXACT, "date_of_birth": DOB_EXACT},
    "date_of_birth": {
        "document": DOC_EXACT,
        "family_name": FAMILY_CLOSE,
        "given_names": GIVEN_SAME_FIRST,
    },
    "document": {
        "family_name": FAMILY_EXACT,
        "given_names": GIVEN_SAME_FIRST,
        "date_of_birth": DOB_EXACT,
    },
    "sex": _SAME_PERSON,
    "nationality": _SAME_PERSON,
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
            m[name] = level_distribution(levels, name, prior=M_PRIOR[name])
    return m, counts


def _plausible(parameters: MatchParameters) -> bool:
    """A fitted model must find full agreement for, and disagreement against, a match."""
    table = parameters.weight_table()
    for name in FIELDS:
        levels = levels_of(name)
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
        lowest = levels_of(name)[0]
        if m[name][lowest] > DRIFT_FACTOR * anchors[name][lowest]:
            drifted.append(name)
    return drifted


def _patterns(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Distinct comparison vectors and how many pairs share each: EM runs on these."""
    grouped = frame.groupby(list(FIELDS), sort=False).size()
    return np.array(grouped.index.tolist(), dtype=np.int8).reshape(-1, len(FIELDS)), (
        grouped.to_numpy(dtype=np.float64)
    )


def _pattern_weights(patterns: np.ndarray, parameters: MatchParameters) -> np.ndarray:
    """Total match weight (prior included, conflict rule applied) of each comparison pattern."""
    table = parameters.weight_table()
    total = np.full(len(patterns), parameters.prior_weight)
    for j, name in enumerate(FIELDS):
        total += level_lookup(table, name)[patterns[:, j]]
    levels = {name: patterns[:, j] for j, name in enumerate(FIELDS)}
    return total + conflict_adjustment(total, levels, parameters.conflict_cap)


def fit_model(
    comparisons: Comparisons,
    u: dict[str, dict[int, float]],
    labels: pd.DataFrame | None = None,
    max_iterations: int = 100,
    tolerance: float = 1e-6,
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
    m, prior, cap = anchors, 0.05, DEFAULT_CONFLICT_CAP
    fitted, iterations = _expectation_maximisation(
        patterns,
        counts,
        fixed_patterns,
        fixed_posterior,
        m,
        u,
        prior,
        cap,
        max_iterations,
        tolerance,
        update_m=True,
    )
    notes: dict = {"anchors": anchor_counts, "fallback": None, "drifted_fields": []}
    if not _plausible(fitted):
        # EM wandered to a pattern that is not "the same person": keep the anchors' m and
        # estimate only the prior.
        fitted, iterations = _expectation_maximisation(
            patterns,
            counts,
            fixed_patterns,
            fixed_posterior,
            anchors,
            u,
            0.05,
            cap,
            max_iterations,
            tolerance,
            update_m=False,
        )
        notes["fallback"] = "EM m rejected as implausible; m from anchor pairs"
    else:
        drifted = _drifted_fields(fitted.m, anchors, anchor_counts)
        if drifted:
            # EM let a common look-alike pattern (say, same first name and birth date, other
            # surname) into the match class for these fields: take their m from the anchors
            # and estimate the prior again with m held.
            m = {name: anchors[name] if name in drifted else fitted.m[name] for name in FIELDS}
            fitted, more = _expectation_maximisation(
                patterns,
                counts,
                fixed_patterns,
                fixed_posterior,
                m,
                u,
                fitted.candidate_prior,
                cap,
                max_iterations,
                tolerance,
                update_m=False,
            )
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
