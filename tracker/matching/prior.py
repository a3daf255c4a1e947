"""The prior: EM's share of matches among candidates spread over every pair, then moved until
each travel record accounts for at most one person."""

from __future__ import annotations

import math

import numpy as np

from tracker.matching.model import MatchParameters


def with_population_prior(
    parameters: MatchParameters, candidate_pairs: int, all_pairs: int
) -> MatchParameters:
    """The scoring prior: EM's expected number of matches spread over every possible pair."""
    expected_matches = parameters.candidate_prior * candidate_pairs
    prior = min(max(expected_matches / max(all_pairs, 1), 1e-12), 0.5)
    parameters.prior = prior
    return parameters


ONE_TO_ONE_ROUNDS = 50


def one_to_one_prior(
    parameters: MatchParameters,
    before_rule: np.ndarray,
    capped: np.ndarray,
    records: np.ndarray,
    all_pairs: int,
) -> MatchParameters:
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
