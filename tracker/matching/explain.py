"""Why a pair was linked: each field's level and weight, the prior and the total.

Stored with every link, so `tracker review show` (and the web page's waterfall) can tell an
analyst exactly which fields agreed, without rerunning the matcher.
"""

from __future__ import annotations

import pandas as pd

from tracker.matching.compare import FIELD_LEVELS, FIELDS
from tracker.matching.model import MatchParameters
from tracker.matching.prepare import PreparedRegister


def explain_links(
    chosen: pd.DataFrame, parameters: MatchParameters, register: PreparedRegister
) -> list[dict]:
    """One explanation dict per chosen pair (JSON-ready)."""
    sources = register.variants["source"].to_numpy(object)
    variant_family = register.variants["family"].to_numpy(object)
    variant_given = register.variants["given"].to_numpy(object)
    prior = round(parameters.prior_weight, 4)
    explanations = []
    columns = {name: chosen[name].to_numpy() for name in FIELDS}
    weights = {name: chosen[f"w_{name}"].to_numpy() for name in FIELDS}
    conflict = chosen["w_conflict"].to_numpy()
    name_frequency = chosen["w_name_frequency"].to_numpy()
    variant = chosen["variant"].to_numpy()
    swapped = chosen["swapped"].to_numpy()
    total = chosen["match_weight"].to_numpy()
    probability = chosen["match_probability"].to_numpy()
    for i in range(len(chosen)):
        fields = []
        for name in FIELDS:
            level = int(columns[name][i])
            fields.append(
                {
                    "field": name,
                    "level": level,
                    "label": FIELD_LEVELS[name][level],
                    "weight": round(float(weights[name][i]), 4),
                }
            )
        if name_frequency[i] < 0:
            fields.append(
                {
                    "field": "name_frequency",
                    "level": None,
                    "label": "whole name shared by other travellers (names, sex and "
                    "nationality counted together, not one by one)",
                    "weight": round(float(name_frequency[i]), 4),
                }
            )
        if conflict[i] < 0:
            fields.append(
                {
                    "field": "conflict",
                    "level": None,
                    "label": "birth date or given names conflict and no document agrees",
                    "weight": round(float(conflict[i]), 4),
                }
            )
        v = int(variant[i])
        explanations.append(
            {
                "prior_weight": prior,
                "fields": fields,
                "total_weight": round(float(total[i]), 4),
                "probability": round(float(probability[i]), 6),
                "name_used": {
                    "source": str(sources[v]) if v >= 0 else None,
                    "family": str(variant_family[v]) if v >= 0 else None,
                    "given": str(variant_given[v]) if v >= 0 else None,
                },
                "order_swapped": bool(swapped[i]),
            }
        )
    return explanations


def agreeing_fields(explanation: dict) -> list[str]:
    """Fields that spoke for the match (positive weight): what a package's evidence lists."""
    return [f["field"] for f in explanation.get("fields", []) if f["weight"] > 0]
