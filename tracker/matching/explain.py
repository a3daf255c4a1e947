"""Why a pair was linked: each field's level and weight, the prior and the total.

Stored with every link, so `tracker review show` (and the web page's waterfall) can tell an
analyst exactly which fields agreed, without rerunning the matcher.
"""

from __future__ import annotations

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
    sources = register.variants["source"].to_numpy(object)
    variant_family = register.variants["family"].to_numpy(object)
    variant_given = register.variants["given"].to_numpy(object)
    prior = round(parameters.prior_weight, 4)
    # Python lists, not numpy scalars, inside the loop: a night explains tens of thousands.
    levels = {name: chosen[name].to_numpy().tolist() for name in FIELDS}
    weights = {name: chosen[f"w_{name}"].to_numpy().tolist() for name in FIELDS}
    conflict = chosen["w_conflict"].to_numpy().tolist()
    name_frequency = chosen["w_name_frequency"].to_numpy().tolist()
    variant = chosen["variant"].to_numpy().tolist()
    swapped = chosen["swapped"].to_numpy().tolist()
    total = chosen["match_weight"].to_numpy().tolist()
    probability = chosen["match_probability"].to_numpy().tolist()
    explanations = []
    for i in range(len(chosen)):
        fields = [
            ExplainedField(
                name,
                int(levels[name][i]),
                FIELD_LEVELS[name][int(levels[name][i])],
                round(float(weights[name][i]), 4),
            )
            for name in FIELDS
        ]
        if name_frequency[i] < 0:
            fields.append(
                ExplainedField(
                    "name_frequency",
                    None,
                    NAME_FREQUENCY_LABEL,
                    round(float(name_frequency[i]), 4),
                )
            )
        if conflict[i] < 0:
            fields.append(
                ExplainedField("conflict", None, CONFLICT_LABEL, round(float(conflict[i]), 4))
            )
        v = int(variant[i])
        explanations.append(
            LinkExplanation(
                prior_weight=prior,
                fields=tuple(fields),
                total_weight=round(float(total[i]), 4),
                probability=round(float(probability[i]), 6),
                name_used=(
                    NameUsed(str(sources[v]), str(variant_family[v]), str(variant_given[v]))
                    if v >= 0
                    else NO_NAME_USED
                ),
                order_swapped=bool(swapped[i]),
            )
        )
    return explanations
