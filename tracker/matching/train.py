"""Training a model on the night's data: u from seeded samples of pairs, m and the share of
matches by EM from anchor pairs (``estimate``), then the prior over every possible pair
(``prior``). Never from an earlier model, so training is a function of the data, the
analysts' labels and the settings alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.matching.blocking import CandidatePairs
from tracker.matching.codes import SharedCodes
from tracker.matching.compare import Comparisons, compare_pairs
from tracker.matching.dates import date_level_shares
from tracker.matching.estimate import estimate_u, fit_model, strangers_only
from tracker.matching.model import CONDITIONAL_FIELDS, MatchParameters
from tracker.matching.prepare import (
    REGISTER_NAME_SOURCE,
    PreparedRegister,
    PreparedTravel,
    pair_positions,
)
from tracker.matching.prior import with_population_prior
from tracker.matching.settings import LinkSettings

MIN_STRANGERS = 1_000  # pairs sharing a first name needed to estimate u among them


def canonical_order(keys: pd.Series) -> np.ndarray:
    """Positions in the order of their keys' hashes: whatever order the rows came in, a seeded
    sample drawn through it picks the same records (sorting a million text keys costs seconds,
    hashing them a tenth of one)."""
    return np.argsort(pd.util.hash_array(keys.to_numpy()), kind="stable")


def random_pairs(
    n_travel: int, n_register: int, count: int, seed: int, travel_order: np.ndarray | None = None
) -> CandidatePairs:
    """Uniform random (t, o) pairs: almost all non-matches, so their agreement rates are u.
    ``travel_order``: the travel records' canonical order, so the sample ignores row order."""
    rng = np.random.default_rng(seed)
    count = min(count, n_travel * n_register)
    t = rng.integers(0, n_travel, count)
    if travel_order is not None:
        t = travel_order[t]
    return CandidatePairs(t, rng.integers(0, n_register, count), {"random": count})


def first_name_pairs(
    travel: PreparedTravel,
    register: PreparedRegister,
    count: int,
    seed: int,
    travel_order: np.ndarray | None = None,
) -> CandidatePairs:
    """Random (t, o) pairs that share a first given name: almost all different people, so
    their agreement rates are u *given that the first names agree*.

    People who share a first name are not strangers drawn at random: they tend to share a
    naming tradition, hence a surname like each other's, a sex and a nationality. Weighing
    those fields with u from wholly random pairs counts the same coincidence twice.
    """
    own = register.variants[register.variants["source"] == REGISTER_NAME_SOURCE]
    names = own["first_given"].to_numpy(object)
    keep = names != ""
    codes, uniques = pd.factorize(names[keep])
    people = own["o"].to_numpy()[keep]
    order = np.argsort(codes, kind="stable")
    codes, people = codes[order], people[order]
    lookup = pd.Index(uniques)
    travel_codes = lookup.get_indexer(travel.records["first_given"].to_numpy(object))
    order = travel_order if travel_order is not None else np.arange(len(travel_codes))
    candidates = order[travel_codes[order] >= 0]
    if candidates.size == 0 or count <= 0:
        empty = np.array([], dtype=np.int64)
        return CandidatePairs(empty, empty, {"first name": 0})
    rng = np.random.default_rng(seed + 1)
    t = rng.choice(candidates, size=count)
    start = np.searchsorted(codes, travel_codes[t], side="left")
    end = np.searchsorted(codes, travel_codes[t], side="right")
    o = people[start + (rng.random(count) * (end - start)).astype(np.int64)]
    return CandidatePairs(t, o, {"first name": count})


def estimate_u_by_sampling(
    travel: PreparedTravel, register: PreparedRegister, codes: SharedCodes, settings: LinkSettings
) -> tuple[dict[str, dict[int, float]], dict[str, dict[int, float]]]:
    """u from seeded random pairs, and u among strangers who share a first name (empty when
    there are too few of them)."""
    travel_order = canonical_order(travel.records["travel_key"])
    sample = random_pairs(
        len(travel), len(register), settings.u_sample_pairs, settings.seed, travel_order
    )
    u = estimate_u(compare_pairs(sample, travel, register, codes))
    u["date_of_birth"] = date_level_shares(
        travel.records["dob"].to_numpy(), register.people["dob"].to_numpy()
    )
    same_first = first_name_pairs(
        travel, register, settings.u_sample_pairs, settings.seed, travel_order
    )
    strangers = strangers_only(compare_pairs(same_first, travel, register, codes))
    # Too few strangers sharing a first name (a small database): their smoothed shares would be
    # guesses, so such pairs keep the plain u.
    u_given_agrees = estimate_u(strangers) if len(strangers) >= MIN_STRANGERS else {}
    return u, u_given_agrees


def fit_parameters(
    comparisons: Comparisons,
    candidates: CandidatePairs,
    travel: PreparedTravel,
    register: PreparedRegister,
    u: dict[str, dict[int, float]],
    u_given_agrees: dict[str, dict[int, float]],
    labels: pd.DataFrame | None,
) -> MatchParameters:
    """m and the share of matches by EM over the candidates (labels fixed evidence), then the
    prior spread over every possible pair."""
    parameters = fit_model(comparisons, u, pair_positions(labels, travel, register))
    parameters.u_given_agrees = {
        name: u_given_agrees[name] for name in CONDITIONAL_FIELDS if name in u_given_agrees
    }
    return with_population_prior(parameters, len(candidates), len(travel) * len(register))
