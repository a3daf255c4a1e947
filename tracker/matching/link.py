"""The matching run: travel records in, at most one register link per record out.

Stages, each timed: prepare both sides (in key order, so that row order never changes an
answer), block, compare, then either train (estimate u from seeded random pairs, fit m and the
prior by EM from anchor pairs, analysts' labels fixed) or take a stored model, score with the
night's term frequencies, pick each record's best candidate that no analyst dismissed, band it,
and explain it. Training and scoring are apart so the same model gives the same answer twice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from tracker.matching.blocking import PASSES, CandidatePairs, generate_candidates
from tracker.matching.codes import shared_codes
from tracker.matching.compare import FIELD_LEVELS, FIELDS, compare_pairs
from tracker.matching.dates import date_level_shares
from tracker.matching.estimate import estimate_u, fit_model, strangers_only
from tracker.matching.explain import explain_links
from tracker.matching.frequencies import name_frequencies, term_frequencies
from tracker.matching.model import CONDITIONAL_FIELDS, MatchParameters, conflict_rule_applies
from tracker.matching.prepare import (
    REGISTER_NAME_SOURCE,
    PreparedRegister,
    PreparedTravel,
    prepare_register,
    prepare_travel,
)
from tracker.matching.prior import one_to_one_prior, with_population_prior
from tracker.matching.scoring import rescore_with_prior, score

MIN_STRANGERS = 1_000  # pairs sharing a first name needed to estimate u among them


PASS_NAMES = tuple(blocking_pass.name for blocking_pass in PASSES)


class LinkSettings(BaseModel):
    """How the matcher blocks, compares and bands: data, stored with every model it trains."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    match_threshold: float = 0.95
    review_threshold: float = 0.5
    u_sample_pairs: int = Field(200_000, gt=0)
    max_block: int = Field(500, gt=0, description="register people per blocking key, at most")
    seed: int = 20_260_301
    blocking_passes: tuple[str, ...] = PASS_NAMES

    @model_validator(mode="after")
    def _coherent(self) -> LinkSettings:
        if not 0 < self.review_threshold <= self.match_threshold < 1:
            raise ValueError(
                "thresholds must satisfy 0 < review <= match < 1 "
                f"(review {self.review_threshold}, match {self.match_threshold})"
            )
        unknown = sorted(set(self.blocking_passes) - set(PASS_NAMES))
        if unknown:
            raise ValueError(
                f"unknown blocking pass(es) {', '.join(unknown)}; known: {', '.join(PASS_NAMES)}"
            )
        return self

    def describe(self) -> dict:
        """The settings and the comparison levels they imply, as a stored model keeps them."""
        return {
            **self.model_dump(mode="json"),
            "comparison_levels": {
                name: {str(level): label for level, label in levels.items()}
                for name, levels in FIELD_LEVELS.items()
            },
        }


@dataclass
class LinkResult:
    links: (
        pd.DataFrame
    )  # travel_key, offender_key, match_probability, match_weight, band, explanation
    parameters: MatchParameters
    candidate_pairs: int
    per_pass: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)
    scored: pd.DataFrame | None = None  # every candidate pair, for evaluation
    trained: bool = True  # False: scored with a model given by the caller


class _Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._start = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = round(now - self._start, 3)
        self._start = now


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


def _positions(keys: pd.Series, values: np.ndarray) -> pd.Series:
    return pd.Series(np.arange(len(keys)), index=keys.to_numpy()).reindex(values)


def _pair_positions(
    pairs: pd.DataFrame | None, travel: PreparedTravel, register: PreparedRegister
) -> pd.DataFrame:
    """(travel_key, offender_key, ...) rows as (t, o, ...) positions, unknown keys dropped."""
    if pairs is None or len(pairs) == 0:
        return pd.DataFrame({"t": np.array([], np.int64), "o": np.array([], np.int64)})
    t = _positions(travel.records["travel_key"], pairs["travel_key"].to_numpy())
    o = _positions(register.people["offender_key"], pairs["offender_key"].to_numpy())
    out = pairs.drop(columns=["travel_key", "offender_key"]).assign(t=t.to_numpy(), o=o.to_numpy())
    out = out.dropna(subset=["t", "o"])
    return out.astype({"t": np.int64, "o": np.int64})


def choose_best_links(
    scored: pd.DataFrame, suppressed: pd.DataFrame, settings: LinkSettings
) -> pd.DataFrame:
    """Each record's highest-weight candidate above the review threshold, dismissed pairs
    excluded (an analyst said no: never linked again)."""
    frame = scored
    if len(suppressed):
        keyed = frame.merge(
            suppressed[["t", "o"]].assign(_dismissed=True), on=["t", "o"], how="left"
        )
        frame = frame[keyed["_dismissed"].isna().to_numpy()]
    frame = frame[frame["match_probability"] >= settings.review_threshold]
    best = frame.sort_values(["t", "match_weight"], ascending=[True, False], kind="stable")
    best = best.drop_duplicates("t", keep="first")
    band = np.where(best["match_probability"] >= settings.match_threshold, "match", "review")
    return best.assign(band=band)


def _in_key_order(frame: pd.DataFrame | None, keys: list[str]) -> pd.DataFrame | None:
    """Register rows sorted by their keys: positions, and so every seeded sample and every tie
    between two people, never depend on the order a database or a file gave them in."""
    if frame is None or len(frame) == 0:
        return frame
    present = [key for key in keys if key in frame.columns]
    return frame.sort_values(present, kind="stable", na_position="last").reset_index(drop=True)


def train_parameters(
    comparisons,
    candidates: CandidatePairs,
    travel: PreparedTravel,
    register: PreparedRegister,
    codes,
    labels: pd.DataFrame | None,
    settings: LinkSettings,
    timer: _Timer,
) -> MatchParameters:
    """u from seeded random pairs, m and the prior by EM from anchor pairs (never from an
    earlier model, so training is a function of the data, labels and settings alone)."""
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
    timer.lap("estimate_u")
    parameters = fit_model(comparisons, u, _pair_positions(labels, travel, register))
    parameters.u_given_agrees = {
        name: u_given_agrees[name] for name in CONDITIONAL_FIELDS if name in u_given_agrees
    }
    parameters = with_population_prior(parameters, len(candidates), len(travel) * len(register))
    timer.lap("fit_m")
    return parameters


def link_travel_to_register(
    register: pd.DataFrame,
    travel: pd.DataFrame,
    aliases: pd.DataFrame | None = None,
    documents: pd.DataFrame | None = None,
    *,
    labels: pd.DataFrame | None = None,
    suppressed: pd.DataFrame | None = None,
    model: MatchParameters | None = None,
    settings: LinkSettings | None = None,
    keep_scored: bool = False,
) -> LinkResult:
    """Link each travel record to at most one register entry.

    ``labels``: travel_key, offender_key, is_match (analysts' confirmations and dismissals);
    ``suppressed``: travel_key, offender_key pairs that must never be linked; ``model``: score
    with these stored parameters instead of training (the same model gives the same links).
    """
    settings = settings or LinkSettings()
    timer = _Timer()
    prepared_register = prepare_register(
        _in_key_order(register, ["offender_key"]),
        _in_key_order(aliases, ["offender_key", "family_name", "given_names", "kind"]),
        _in_key_order(documents, ["offender_key", "doc_number", "issuing_country"]),
    )
    # Travel stays in the order given (a million rows): its samples go through canonical_order.
    prepared_travel = prepare_travel(travel)
    codes = shared_codes(prepared_travel, prepared_register)
    timer.lap("prepare")

    empty = pd.DataFrame(
        columns=[
            "travel_key",
            "offender_key",
            "match_probability",
            "match_weight",
            "band",
            "explanation",
        ]
    )
    if len(prepared_register) == 0 or len(prepared_travel) == 0:
        parameters = model or MatchParameters(prior=0.5, m={}, u={})
        return LinkResult(empty, parameters, 0, {}, timer.timings, trained=model is None)

    passes = tuple(p for p in PASSES if p.name in settings.blocking_passes)
    candidates = generate_candidates(
        prepared_travel, prepared_register, passes, max_block=settings.max_block, codes=codes
    )
    timer.lap("block")
    comparisons = compare_pairs(candidates, prepared_travel, prepared_register, codes)
    timer.lap("compare")
    trained = model is None
    parameters = (
        model
        if model is not None
        else train_parameters(
            comparisons,
            candidates,
            prepared_travel,
            prepared_register,
            codes,
            labels,
            settings,
            timer,
        )
    )

    frequencies = {
        "family_name": term_frequencies(prepared_travel.records["family_core"]),
        "given_names": term_frequencies(prepared_travel.records["given"]),
    }
    frame = comparisons.frame
    register_dob = prepared_register.people["dob"].to_numpy()[frame["o"].to_numpy()]
    names = name_frequencies(prepared_travel.records)
    weights = score(comparisons, parameters, frequencies, names, register_dob)
    if trained:
        em_prior_weight = parameters.prior_weight
        parameters = one_to_one_prior(
            parameters,
            weights["match_weight"].to_numpy() - weights["w_conflict"].to_numpy(),
            conflict_rule_applies({name: frame[name].to_numpy() for name in FIELDS}),
            frame["t"].to_numpy(),
            len(prepared_travel) * len(prepared_register),
        )
        weights = rescore_with_prior(weights, frame, em_prior_weight, parameters)
    scored = pd.concat([frame, weights], axis=1)
    timer.lap("score")

    chosen = choose_best_links(
        scored, _pair_positions(suppressed, prepared_travel, prepared_register), settings
    )
    explanations = explain_links(chosen, parameters, prepared_register)
    links = pd.DataFrame(
        {
            "travel_key": prepared_travel.records["travel_key"].to_numpy()[chosen["t"].to_numpy()],
            "offender_key": prepared_register.people["offender_key"].to_numpy()[
                chosen["o"].to_numpy()
            ],
            "match_probability": chosen["match_probability"].to_numpy(),
            "match_weight": chosen["match_weight"].to_numpy(),
            "band": chosen["band"].to_numpy(),
            "explanation": explanations,
        }
    )
    timer.lap("link")
    return LinkResult(
        links,
        parameters,
        len(candidates),
        candidates.per_pass,
        timer.timings,
        scored if keep_scored else None,
        trained,
    )
