"""The Fellegi-Sunter model: u, m, the prior, term frequencies and the conflict rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tracker.matching.compare import FIELDS, Comparisons
from tracker.matching.dates import DOB_EXACT
from tracker.matching.estimate import estimate_u, fit_model, strangers_only
from tracker.matching.frequencies import name_frequencies, term_frequencies
from tracker.matching.model import UNSIGNED_FIELDS, MatchParameters, conflict_adjustment
from tracker.matching.name_levels import GIVEN_EXACT, GIVEN_SAME_FIRST
from tracker.matching.prior import one_to_one_prior
from tracker.matching.scoring import rescore_with_prior, score


def _comparisons(rows: list[dict]) -> Comparisons:
    frame = pd.DataFrame(rows)
    for name in FIELDS:
        frame[name] = frame.get(name, -1)
    frame["t"] = np.arange(len(frame))
    frame["o"] = np.arange(len(frame))
    frame["family_value"] = frame.get("family_value", "SMITH")
    frame["given_value"] = frame.get("given_value", "JOHN")
    return Comparisons(frame.astype({name: np.int8 for name in FIELDS}))


MATCH = {
    "family_name": 3,
    "given_names": GIVEN_EXACT,
    "name_order": 2,
    "date_of_birth": DOB_EXACT,
    "document": 2,
    "sex": 1,
    "nationality": 1,
}
NON_MATCH = {
    "family_name": 0,
    "given_names": 0,
    "name_order": 2,
    "date_of_birth": 0,
    "document": 0,
    "sex": 0,
    "nationality": 0,
}


@pytest.fixture
def trained() -> MatchParameters:
    rng = np.random.default_rng(3)
    rows = [dict(MATCH) for _ in range(300)]
    for row in rows[:60]:
        row["document"] = 0  # new passports
    for row in rows[60:100]:
        row["given_names"] = GIVEN_SAME_FIRST  # middle name dropped
    noise = [{f: int(rng.integers(0, 2)) for f in FIELDS} for _ in range(3000)]
    u = estimate_u(_comparisons([dict(NON_MATCH) for _ in range(5000)] + noise[:500]))
    return fit_model(_comparisons(rows + noise), u)


def test_agreement_weighs_for_and_disagreement_against(trained):
    table = trained.weight_table()
    for name in FIELDS:
        if name in UNSIGNED_FIELDS:
            continue
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
    comparisons = _comparisons(
        [dict(pair, family_value="SMITH"), dict(pair, family_value="QUENNEVILLE")]
    )
    frequencies = term_frequencies(pd.Series(["SMITH"] * 500 + ["QUENNEVILLE"] + ["X"] * 499))
    weights = score(comparisons, trained, {"family_name": frequencies})["w_family_name"].to_numpy()
    assert weights[1] > weights[0] + 5


def test_a_namesake_in_all_but_name_is_held_below_the_cap(trained):
    namesake = dict(MATCH, date_of_birth=0, given_names=0, document=0)
    scored = score(_comparisons([namesake]), trained)
    assert scored["match_weight"].iloc[0] <= trained.conflict_cap
    assert scored["match_probability"].iloc[0] < 0.01


def test_a_single_conflict_is_weighed_not_capped(trained):
    # A birth date keyed wrongly beyond any slip is strong evidence against, but no veto.
    scored = score(_comparisons([dict(MATCH, date_of_birth=0), dict(MATCH)]), trained)
    assert scored["w_conflict"].tolist() == [0.0, 0.0]
    assert scored["w_date_of_birth"].iloc[0] < 0 < scored["w_date_of_birth"].iloc[1]


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
    # Two conflicts (birth date and given names) on the first two pairs, none on the third.
    levels = {
        "date_of_birth": np.array([0, 0, DOB_EXACT]),
        "given_names": np.array([0, 0, 7]),
        "family_name": np.array([3, 3, 3]),
        "sex": np.array([1, 1, 1]),
        "document": np.array([-1, -1, -1]),
    }
    adjustment = conflict_adjustment(total, levels, cap=-10.0)
    assert adjustment.tolist() == [-30.0, 0.0, 0.0]


def test_analysts_labels_are_fixed_evidence(trained):
    rows = [dict(MATCH) for _ in range(50)] + [dict(NON_MATCH) for _ in range(500)]
    comparisons = _comparisons(rows)
    labels = pd.DataFrame({"t": [0, 1], "o": [0, 1], "is_match": [True, False]})
    fitted = fit_model(comparisons, trained.u, labels)
    assert fitted.labelled_pairs == 2


# --- whole-name frequency -------------------------------------------------------------------


def _records(rows: list[tuple[str, str, str, str, int]]) -> pd.DataFrame:
    """Travel records: family_core, given, sex, nationality, dob (first given = first word)."""
    frame = pd.DataFrame(rows, columns=["family_core", "given", "sex", "nationality", "dob"])
    frame["first_given"] = frame["given"].str.split(" ").str[0]
    return frame


def test_name_parts_that_travel_together_are_counted_together():
    # KHAN and MOHAMMED are each 1 in 10 of all records, but every KHAN is a MOHAMMED: the
    # joint share is 1 in 10, not the 1 in 100 their separate shares multiply to.
    rows = [("KHAN", "MOHAMMED", "M", "PAK", 19800101 + i) for i in range(100)]
    rows += [(f"FAMILY{i}", f"GIVEN{i}", "F", "GBR", 19700101) for i in range(900)]
    names = name_frequencies(_records(rows))
    shared = names.others_sharing(("full", 0, 0), np.array([0]), np.array([-1]))
    assert shared[0] == 99  # the other 99: the record itself is left out


def test_the_offenders_own_trips_do_not_count_as_namesakes():
    rows = [("NOVAK", "PETRA", "F", "CZE", 19850312)] * 4 + [
        ("NOVAK", "PETRA", "F", "CZE", 19900101)
    ]
    names = name_frequencies(_records(rows))
    others = names.others_sharing(("full", 1, 1), np.array([0, 0]), np.array([19850312, -1]))
    # Her own four trips are not namesakes; with no register birth date, all the others count.
    assert others.tolist() == [1, 4]


def test_a_common_full_name_without_birth_date_is_not_a_confident_match(trained):
    # Half the travellers are JOHN SMITH: agreeing on that name (no birth date, no document)
    # is no evidence at all, whatever the separate field weights say.
    rows = [("SMITH", "JOHN", "M", "GBR", -1)] * 500 + [
        (f"F{i}", f"G{i}", "M", "GBR", -1) for i in range(500)
    ]
    names = name_frequencies(_records(rows))
    pair = {
        "family_name": 3,
        "given_names": GIVEN_EXACT,
        "name_order": 2,
        "date_of_birth": -1,
        "document": -1,
        "sex": 1,
        "nationality": 1,
    }
    comparisons = _comparisons([pair])
    without = score(comparisons, trained)
    with_joint = score(comparisons, trained, None, names, np.array([19700101]))
    assert with_joint["w_name_frequency"].iloc[0] < 0
    assert with_joint["match_weight"].iloc[0] < without["match_weight"].iloc[0]
    assert with_joint["match_weight"].iloc[0] == pytest.approx(
        without["match_weight"].iloc[0] + with_joint["w_name_frequency"].iloc[0]
    )


def test_the_whole_name_adjustment_never_raises_a_weight(trained):
    rows = [("QUENNEVILLE", "ARMAND", "M", "FRA", 19600101)] + [
        (f"F{i}", f"G{i}", "M", "GBR", -1) for i in range(999)
    ]
    names = name_frequencies(_records(rows))
    pair = dict(MATCH, date_of_birth=-1, document=-1)
    scored = score(_comparisons([pair]), trained, None, names, np.array([-1]))
    assert scored["w_name_frequency"].iloc[0] <= 0


# --- the prior, one travel record per person ---------------------------------------------------


def _with_prior(prior: float) -> MatchParameters:
    return MatchParameters(prior=prior, m={}, u={})


def test_look_alikes_cannot_add_up_to_more_matches_than_one_per_record():
    # EM over candidate pairs expected 2,000 matches among these 1,000 records (look-alikes
    # blocked against several namesakes each). Ten records surely match; 990 look-alikes sit at
    # even odds. Once the prior must give back the matches it predicts, one per record at
    # most, the look-alikes' odds fall with it: about twenty matches remain, not 2,000 or 505.
    best = np.concatenate([np.full(10, 40.0), np.zeros(990)])
    fitted = one_to_one_prior(
        _with_prior(2000 / 1e6), best, np.zeros(1000, bool), np.arange(1000), 1_000_000
    )
    assert 10 / 1e6 < fitted.prior < 25 / 1e6
    assert fitted.notes["em_prior"] == pytest.approx(2000 / 1e6)
    shift = fitted.prior_weight - _with_prior(2000 / 1e6).prior_weight
    expected = (1 / (1 + np.exp2(-(best + shift)))).sum()
    assert expected == pytest.approx(fitted.prior * 1e6, rel=1e-3)  # a fixed point


def test_pairs_held_at_the_cap_do_not_rise_with_the_prior_and_the_prior_never_exceeds_em():
    # 100 sure matches; 100,000 records whose only candidate the conflict rule holds at -10
    # although its weight before the rule is +5. Only the sure matches count.
    capped_n = 100_000
    before = np.concatenate([np.full(100, 40.0), np.full(capped_n, 5.0)])
    capped = np.concatenate([np.zeros(100, bool), np.ones(capped_n, bool)])
    records = np.arange(100 + capped_n)
    fitted = one_to_one_prior(_with_prior(10_000 / 1e9), before, capped, records, 1_000_000_000)
    # The capped pairs stay at the cap (probability 1/1025 each) as the prior falls.
    assert fitted.prior * 1e9 == pytest.approx(100 + capped_n / (1 + 2**10), rel=0.02)
    # And the prior never rises above EM's: here EM's 100 is below the 198 the records give.
    low = one_to_one_prior(_with_prior(100 / 1e9), before, capped, records, 1_000_000_000)
    assert low.prior == pytest.approx(100 / 1e9)


def test_each_record_counts_once_through_its_best_candidate():
    # One record, three candidates at even odds: one expected match at most, not 1.5.
    before = np.zeros(3)
    fitted = one_to_one_prior(
        _with_prior(3 / 1e6), before, np.zeros(3, bool), np.array([7, 7, 7]), 1_000_000
    )
    assert fitted.prior * 1e6 < 1.0


def test_sure_matches_keep_their_prior():
    best = np.full(100, 40.0)
    fitted = one_to_one_prior(
        _with_prior(100 / 1e6), best, np.zeros(100, bool), np.arange(100), 1_000_000
    )
    assert fitted.prior == pytest.approx(100 / 1e6, rel=1e-3)


# --- u among people who share a first name -------------------------------------------------


def test_strangers_only_drops_pairs_whose_birth_date_or_document_agrees():
    rows = [
        dict(NON_MATCH),
        dict(NON_MATCH, date_of_birth=3),
        dict(NON_MATCH, document=2),
        dict(NON_MATCH, date_of_birth=1),
    ]
    kept = strangers_only(_comparisons(rows)).frame
    assert kept["date_of_birth"].tolist() == [0, 1]


def test_sharing_a_given_name_weighs_sex_and_nationality_with_their_own_u(trained):
    import copy

    conditional = copy.deepcopy(trained)
    conditional.u_given_agrees = {"sex": {0: 0.01, 1: 0.99}, "nationality": {0: 0.2, 1: 0.8}}
    pair = dict(MATCH, document=-1)
    plain = score(_comparisons([pair]), trained)
    given_agrees = score(_comparisons([pair]), conditional)
    assert given_agrees["w_sex"].iloc[0] < plain["w_sex"].iloc[0]
    assert given_agrees["w_nationality"].iloc[0] < plain["w_nationality"].iloc[0]
    other = dict(pair, given_names=0)  # no given name in common: the plain u
    assert score(_comparisons([other]), conditional)["w_sex"].iloc[0] == pytest.approx(
        plain["w_sex"].iloc[0]
    )
    again = MatchParameters.from_dict(conditional.to_dict())
    assert again.u_given_agrees == conditional.u_given_agrees


def test_rescoring_with_a_new_prior_equals_scoring_afresh(trained):
    import copy

    rows = [
        dict(MATCH),
        dict(MATCH, document=-1, date_of_birth=-1),
        dict(MATCH, given_names=0, document=-1),
        dict(NON_MATCH),
    ]
    comparisons = _comparisons(rows)
    first = score(comparisons, trained)
    moved = copy.deepcopy(trained)
    moved.prior = trained.prior / 37
    again = rescore_with_prior(first, comparisons.frame, trained.prior_weight, moved)
    fresh = score(comparisons, moved)
    for column in ("match_weight", "match_probability", "w_conflict"):
        assert again[column].to_numpy() == pytest.approx(fresh[column].to_numpy()), column
