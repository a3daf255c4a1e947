"""Scoring: per-field weights, term-frequency and whole-name adjustments, the conflict rule,
and each candidate pair's total weight and probability under a model."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.matching.compare import FIELDS, Comparisons
from tracker.matching.frequencies import (
    NameFrequencies,
    frequency_floor,
    name_frequency_adjustment,
)
from tracker.matching.model import (
    GIVEN_AGREES_FROM,
    TF_ADJUSTED,
    MatchParameters,
    conflict_adjustment,
    level_lookup,
)


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
        weights = np.where(
            given_agrees,
            level_lookup(table_given_agrees, name)[levels],
            level_lookup(table, name)[levels],
        )
        table_of_values = (frequencies or {}).get(name)
        if name in TF_ADJUSTED and table_of_values is not None and len(table_of_values):
            level, value_column = TF_ADJUSTED[name]
            exact = levels == level
            freq = frame[value_column].map(table_of_values).to_numpy(dtype=float)
            u_average = parameters.u[name][level]
            floor = (
                frequency_floor(parameters, names.records)
                if names is not None
                else parameters.tf_min_u
            )
            u_tf = np.clip(np.nan_to_num(freq, nan=u_average), floor, None)
            weights = np.where(exact, np.log2(parameters.m[name][level] / u_tf), weights)
        out[f"w_{name}"] = weights
        total = total + weights
    out["w_name_frequency"] = (
        name_frequency_adjustment(
            frame, parameters, {n: out[f"w_{n}"].to_numpy() for n in FIELDS}, names, register_dob
        )
        if names is not None and register_dob is not None
        else 0.0
    )
    total = total + out["w_name_frequency"].to_numpy()
    _finish(out, frame, total, parameters)
    return out


def _finish(
    out: pd.DataFrame, frame: pd.DataFrame, total: np.ndarray, parameters: MatchParameters
) -> None:
    """The conflict rule, the total and the probability, from the total before the rule."""
    levels = {name: frame[name].to_numpy() for name in FIELDS}
    out["w_conflict"] = conflict_adjustment(total, levels, parameters.conflict_cap)
    total = total + out["w_conflict"].to_numpy()
    out["match_weight"] = total
    out["match_probability"] = 1.0 / (1.0 + np.exp2(-np.clip(total, -60, 60)))


def rescore_with_prior(
    scored: pd.DataFrame, frame: pd.DataFrame, old_prior_weight: float, parameters: MatchParameters
) -> pd.DataFrame:
    """``score``'s output again after only the prior changed: every field weight stands, the
    total moves by the prior's change and the conflict rule is applied afresh."""
    out = scored.copy()
    before_rule = (
        scored["match_weight"].to_numpy()
        - scored["w_conflict"].to_numpy()
        + (parameters.prior_weight - old_prior_weight)
    )
    _finish(out, frame, before_rule, parameters)
    return out
