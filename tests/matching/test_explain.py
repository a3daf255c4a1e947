"""The matcher writes each link's explanation as a typed value whose stored JSON is exactly the
form links have always held (pinned here from the writer before the type existed)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd

from tracker.matching.compare import FIELDS
from tracker.matching.explain import explain_links
from tracker.schemas.explanation import LinkExplanation

LEVELS = {
    "family_name": [3, 0],
    "given_names": [5, 0],
    "name_order": [1, 2],
    "date_of_birth": [6, 0],
    "document": [-1, 0],
    "sex": [1, 0],
    "nationality": [1, -1],
}
WEIGHTS = {
    "family_name": [5.58971234, -4.1],
    "given_names": [8.28366, -2.00004],
    "name_order": [-0.53081, 0.00042],
    "date_of_birth": [11.43879, -6.2],
    "document": [0.0, -0.89234],
    "sex": [0.99937, -3.3],
    "nationality": [2.635889, 0.0],
}
CHOSEN = pd.DataFrame(
    {
        **{name: np.array(LEVELS[name], dtype=np.int8) for name in FIELDS},
        **{f"w_{name}": np.array(WEIGHTS[name]) for name in FIELDS},
        "w_conflict": [0.0, -3.00001],
        "w_name_frequency": [-10.80514, 0.0],
        "variant": [1, -1],
        "swapped": [True, False],
        "match_weight": [5.886512, -30.123456],
        "match_probability": [0.98337712, 8.5e-10],
    }
)
REGISTER = SimpleNamespace(
    variants=pd.DataFrame(
        {
            "source": ["register name", "previous_name"],
            "family": ["NOVAK", "MARCHETTI"],
            "given": ["PETRA", "ELOISE"],
        }
    )
)
PARAMETERS = SimpleNamespace(prior_weight=-11.725123)

WRITTEN = [
    '{"prior_weight": -11.7251, "fields": [{"field": "family_name", "level": 3, "label": '
    '"exact", "weight": 5.5897}, {"field": "given_names", "level": 5, "label": "nickname or '
    'formal form of the first name (BOB for ROBERT)", "weight": 8.2837}, {"field": '
    '"name_order", "level": 1, "label": "family and given names swapped between fields", '
    '"weight": -0.5308}, {"field": "date_of_birth", "level": 6, "label": "exact", "weight": '
    '11.4388}, {"field": "document", "level": -1, "label": "missing", "weight": 0.0}, '
    '{"field": "sex", "level": 1, "label": "same", "weight": 0.9994}, {"field": '
    '"nationality", "level": 1, "label": "one of the register\'s", "weight": 2.6359}, '
    '{"field": "name_frequency", "level": null, "label": "whole name shared by other '
    'travellers (names, sex and nationality counted together, not one by one)", '
    '"weight": -10.8051}], "total_weight": 5.8865, "probability": 0.983377, "name_used": '
    '{"source": "previous_name", "family": "MARCHETTI", "given": "ELOISE"}, '
    '"order_swapped": true}',
    '{"prior_weight": -11.7251, "fields": [{"field": "family_name", "level": 0, "label": '
    '"different", "weight": -4.1}, {"field": "given_names", "level": 0, "label": '
    '"different", "weight": -2.0}, {"field": "name_order", "level": 2, "label": "family and '
    'given names in their fields", "weight": 0.0004}, {"field": "date_of_birth", "level": 0, '
    '"label": "different (not a slip)", "weight": -6.2}, {"field": "document", "level": 0, '
    '"label": "different document", "weight": -0.8923}, {"field": "sex", "level": 0, '
    '"label": "different", "weight": -3.3}, {"field": "nationality", "level": -1, "label": '
    '"missing", "weight": 0.0}, {"field": "conflict", "level": null, "label": "birth date or '
    'given names conflict and no document agrees", "weight": -3.0}], "total_weight": '
    '-30.1235, "probability": 0.0, "name_used": {"source": null, "family": null, "given": '
    'null}, "order_swapped": false}',
]


def test_each_chosen_pair_gets_a_typed_explanation():
    explanations = explain_links(CHOSEN, PARAMETERS, REGISTER)
    assert all(isinstance(e, LinkExplanation) for e in explanations)
    assert [e.order_swapped for e in explanations] == [True, False]
    assert explanations[0].name_used.source == "previous_name"
    assert [row.field for row in explanations[1].fields][-1] == "conflict"


def test_the_written_json_is_the_form_links_have_always_held():
    written = [json.dumps(e.to_json()) for e in explain_links(CHOSEN, PARAMETERS, REGISTER)]
    assert written == WRITTEN


def test_a_weight_rounding_to_minus_zero_is_written_as_before():
    chosen = CHOSEN.assign(name_order=np.array([2, 2], dtype=np.int8), w_name_order=[-3e-05, 2e-05])
    written = [e.to_json() for e in explain_links(chosen, PARAMETERS, REGISTER)]
    weights = [json.dumps(e["fields"][FIELDS.index("name_order")]["weight"]) for e in written]
    assert weights == ["-0.0", "0.0"]
