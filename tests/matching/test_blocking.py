"""Blocking keeps the true pairs (recall) while cutting the pairs to compare."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.matching.blocking import (
    PASSES,
    blocking_recall,
    combine,
    generate_candidates,
)
from tracker.matching.prepare import prepare_register, prepare_travel


def _prepared(population):
    register = prepare_register(
        population["register"], population["aliases"], population["documents"]
    )
    travel = prepare_travel(population["travel"])
    return register, travel


def _true_pairs(population, register, travel):
    truth = population["travel"]["true_offender"]
    known = truth.notna().to_numpy()
    position = pd.Series(np.arange(len(register)), index=register.people["offender_key"])
    return np.flatnonzero(known), position.loc[truth[known]].to_numpy()


def test_every_true_pair_survives_blocking(population):
    register, travel = _prepared(population)
    candidates = generate_candidates(travel, register)
    true_t, true_o = _true_pairs(population, register, travel)
    assert blocking_recall(candidates, true_t, true_o, len(register)) == 1.0


def test_blocking_compares_far_fewer_pairs_than_all(population):
    register, travel = _prepared(population)
    candidates = generate_candidates(travel, register)
    assert len(candidates) < 0.05 * len(register) * len(travel)


def test_candidate_pairs_are_unique(population):
    register, travel = _prepared(population)
    candidates = generate_candidates(travel, register)
    keys = candidates.t * len(register) + candidates.o
    assert len(np.unique(keys)) == len(keys)
    assert set(candidates.per_pass) == {p.name for p in PASSES}


def test_a_record_with_a_corrupted_birth_date_and_no_document_is_still_blocked(population):
    register, _ = _prepared(population)
    person = population["register"].iloc[0]
    year, month, day = person["date_of_birth"].split("-")
    travel = prepare_travel(
        pd.DataFrame(
            {
                "travel_key": ["x"],
                "family_name": [person["family_name"].upper()],
                "given_names": [person["given_names"].split(" ")[0]],
                "date_of_birth": [f"{int(year) + 1}-{month}-{day}"],
                "sex": [None],
                "nationality": [None],
                "doc_number": [None],
                "doc_issuing_country": [None],
            }
        )
    )
    candidates = generate_candidates(travel, register)
    assert 0 in set(candidates.o.tolist())


def test_combined_keys_depend_on_every_part_and_on_order():
    a = np.array(["SMITH", "SMITH"], dtype=object)
    b = np.array(["JOHN", "JON"], dtype=object)
    keys = combine(a, b)
    assert keys[0] != keys[1]
    assert combine(a, b)[0] != combine(b, a)[0]
    assert combine(np.array([1980]), a[:1])[0] == combine(np.array([1980]), a[:1])[0]
