"""The Fellegi-Sunter model: u, m, the prior, term frequencies and the conflict rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tracker.matching.compare import FIELDS, Comparisons
from tracker.matching.model import (
    MatchParameters,
    conflict_adjustment,
    estimate_u,
    fit_model,
    score,
    term_frequencies,
)


def _comparisons(rows: list[dict]) -> Comparisons:
    frame = pd.DataFrame(rows)
    for name in FIELDS:
        frame[name] = frame.get(name, -1)
    frame["t"] = np.arange(len(frame))
    frame["o"] = np.arange(len(frame))
    frame["family_value"] = frame.get("family_value", "SMITH")
    frame["given_value"] = frame.get("given_value", "JOHN")
    return Comparisons(frame.astype({name: np.int8 for name in FIELDS}))


MATCH = {"family_name": 3, "given_names": 4, "date_of_birth": 3, "document": 2, "sex": 1,
         "nationality": 1}  # fmt: skip
NON_MATCH = {"family_name": 0, "given_names": 0, "date_of_birth": 0, "document": 0, "sex": 0,
             "nationality": 0}  # fmt: skip


@pytest.fixture
def trained() -> MatchParameters:
    rng = np.random.default_rng(3)
    rows = [dict(MATCH) for _ in range(300)]
    for row in rows[:60]:
        row["document"] = 0  # new passports
    for row in rows[60:100]:
        row["given_names"] = 3  # middle name dropped
    noise = [{f: int(rng.integers(0, 2)) for f in FIELDS} for _ in range(3000)]
    u = estimate_u(_comparisons([dict(NON_MATCH) for _ in range(5000)] + noise[:500]))
    return fit_model(_comparisons(rows + noise), u)


def test_agreement_weighs_for_and_disagreement_against(trained):
    table = trained.weight_table()
    for name in FIELDS:
        levels = sorted(level for level in table[name] if level >= 0)
        assert table[name][levels[-1]] > 0 > table[name][levels[0]], name


def test_missing_values_weigh_nothing(trained):
    assert all(trained.weight_table()[name][-1] == 0 for name in FIELDS)


def test_prior_is_the_share_of_matches(trained):
    assert trained.prior == pytest.approx(300 / 3300, abs=0.03)


def test_parameters_survive_a_round_trip_through_json(trained):
    again = MatchParameters.from_dict(trained.to_dict())
    assert again.weight_table() == trained.weight_table()
    assert again.prior == trained.prior


def test_a_common_family_name_counts_for_less_than_a_rare_one(trained):
    pair = dict(MATCH, document=-1)
    comparisons = _comparisons([dict(pair, family_value="SMITH"),
                                dict(pair, family_value="QUENNEVILLE")])  # fmt: skip
    frequencies = term_frequencies(pd.Series(["SMITH"] * 500 + ["QUENNEVILLE"] + ["X"] * 499))
    weights = score(comparisons, trained, {"family_name": frequencies})["w_family_name"].to_numpy()
    assert weights[1] > weights[0] + 5


def test_namesake_with_another_birth_date_is_held_below_the_cap(trained):
    namesake = dict(MATCH, date_of_birth=0, document=0)
    scored = score(_comparisons([namesake]), trained)
    assert scored["match_weight"].iloc[0] <= trained.conflict_cap
    assert scored["match_probability"].iloc[0] < 0.01


def test_relative_with_other_given_names_is_held_below_the_cap(trained):
    twin = dict(MATCH, given_names=0, document=-1)
    scored = score(_comparisons([twin]), trained)
    assert scored["match_probability"].iloc[0] < 0.01


def test_a_matching_document_lifts_the_conflict(trained):
    renamed = dict(MATCH, given_names=0, document=2)
    scored = score(_comparisons([renamed]), trained)
    assert scored["w_conflict"].iloc[0] == 0
    assert scored["match_probability"].iloc[0] > 0.9


def test_conflict_adjustment_only_lowers():
    total = np.array([20.0, -30.0, 20.0])
    levels = {"date_of_birth": np.array([0, 0, 3]), "given_names": np.array([4, 4, 4]),
              "document": np.array([-1, -1, -1])}  # fmt: skip
    adjustment = conflict_adjustment(total, levels, cap=-10.0)
    assert adjustment.tolist() == [-30.0, 0.0, 0.0]


def test_analysts_labels_are_fixed_evidence(trained):
    rows = [dict(MATCH) for _ in range(50)] + [dict(NON_MATCH) for _ in range(500)]
    comparisons = _comparisons(rows)
    labels = pd.DataFrame({"t": [0, 1], "o": [0, 1], "is_match": [True, False]})
    fitted = fit_model(comparisons, trained.u, labels)
    assert fitted.labelled_pairs == 2
