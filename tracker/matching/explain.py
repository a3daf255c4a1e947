"""Why a pair was linked: each field's level and weight, the prior and the total.

Stored with every link, so `tracker review show` (and the web page's waterfall) can tell an
analyst exactly which fields agreed, without rerunning the matcher.
"""

from __future__ import annotations

import math

import pandas as pd

from tracker.matching.compare import FIELD_LEVELS, FIELDS
from tracker.matching.model import MatchParameters
from tracker.matching.prepare import PreparedRegister
from tracker.schemas.explanation import ExplainedField, LinkExplanation, NameUsed

NAME_FREQUENCY_LABEL = (
    "whole name shared by other travellers (names, sex and nationality counted together, "
    "not one by one)"
)
CONFLICT_LABEL = "birth date or given names conflict and no document agrees"
NO_NAME_USED = NameUsed(None, None, None)


def explain_links(
    chosen: pd.DataFrame, parameters: MatchParameters, register: PreparedRegister
) -> list[LinkExplanation]:
    """One explanation per chosen pair, in the pairs' order."""
    # Built column by column from Python lists (not numpy scalars), and each distinct row made
    # once: a night explains tens of thousands of links, most fields with a few weights.
    rows_by_field = [
        _rows(name, chosen[name].to_numpy().tolist(), chosen[f"w_{name}"].to_numpy().tolist())
        for name in FIELDS
    ]
    name_frequency = chosen["w_name_frequency"].to_numpy().tolist()
    conflict = chosen["w_conflict"].to_numpy().tolist()
    sources = register.variants["source"].to_numpy(object)
    variant_family = register.variants["family"].to_numpy(object)
    variant_given = register.variants["given"].to_numpy(object)
    prior = round(parameters.prior_weight, 4)
    explanations = []
    for i, (variant, swapped, total, probability) in enumerate(
        zip(
            chosen["variant"].to_numpy().tolist(),
            chosen["swapped"].to_numpy().tolist(),
            chosen["match_weight"].to_numpy().tolist(),
            chosen["match_probability"].to_numpy().tolist(),
            strict=True,
        )
    ):
        fields = [rows[i] for rows in rows_by_field]
        if name_frequency[i] < 0:
            fields.append(
                ExplainedField(
                    "name_frequency", None, NAME_FREQUENCY_LABEL, round(name_frequency[i], 4)
                )
            )
        if conflict[i] < 0:
            fields.append(ExplainedField("conflict", None, CONFLICT_LABEL, round(conflict[i], 4)))
        explanations.append(
            LinkExplanation(
                prior_weight=prior,
                fields=tuple(fields),
                total_weight=round(total, 4),
                probability=round(probability, 6),
                name_used=(
                    NameUsed(
                        str(sources[variant]),
                        str(variant_family[variant]),
                        str(variant_given[variant]),
                    )
                    if variant >= 0
                    else NO_NAME_USED
                ),
                order_swapped=bool(swapped),
            )
        )
    return explanations


def _rows(name: str, levels: list[int], weights: list[float]) -> list[ExplainedField]:
    """A field's row for each pair; pairs with the same level and weight share one."""
    labels = FIELD_LEVELS[name]
    made: dict[tuple, ExplainedField] = {}
    rows = []
    for level, weight in zip(levels, weights, strict=True):
        rounded = round(weight, 4)
        # -0.0 equals 0.0 as a key but is written "-0.0": its sign keeps them apart.
        key = (level, rounded) if rounded else (level, rounded, math.copysign(1.0, rounded))
        row = made.get(key)
        if row is None:
            row = made[key] = ExplainedField(name, level, labels[level], rounded)
        rows.append(row)
    return rows
