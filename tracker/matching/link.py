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

from tracker.matching.blocking import PASSES, generate_candidates
from tracker.matching.codes import shared_codes
from tracker.matching.compare import FIELDS, compare_pairs
from tracker.matching.explain import explain_links
from tracker.matching.frequencies import name_frequencies, term_frequencies
from tracker.matching.model import MatchParameters, conflict_rule_applies
from tracker.matching.prepare import (
    PreparedRegister,
    pair_positions,
    prepare_register,
    prepare_travel,
)
from tracker.matching.prior import one_to_one_prior
from tracker.matching.scoring import rescore_with_prior, score
from tracker.matching.settings import LinkSettings
from tracker.matching.train import estimate_u_by_sampling, fit_parameters


@dataclass
class LinkResult:
    # travel_key, offender_key, match_probability, match_weight, band, explanation
    links: pd.DataFrame
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


def prepare_register_in_key_order(
    register: pd.DataFrame, aliases: pd.DataFrame | None, documents: pd.DataFrame | None
) -> PreparedRegister:
    """The register prepared from its rows in key order (the night's and screening's own)."""
    return prepare_register(
        _in_key_order(register, ["offender_key"]),
        _in_key_order(aliases, ["offender_key", "family_name", "given_names", "kind"]),
        _in_key_order(documents, ["offender_key", "doc_number", "issuing_country"]),
    )


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
    prepared_register = prepare_register_in_key_order(register, aliases, documents)
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
    if model is None:
        u, u_given_agrees = estimate_u_by_sampling(
            prepared_travel, prepared_register, codes, settings
        )
        timer.lap("estimate_u")
        parameters = fit_parameters(
            comparisons, candidates, prepared_travel, prepared_register, u, u_given_agrees, labels
        )
        timer.lap("fit_m")
    else:
        parameters = model

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
        scored, pair_positions(suppressed, prepared_travel, prepared_register), settings
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
