"""The matching run end to end on DataFrames: hard cases linked, look-alikes not."""

from __future__ import annotations

import pandas as pd
import pytest

from tracker.matching.evaluate import evaluate_links
from tracker.matching.link import link_travel_to_register
from tracker.matching.settings import LinkSettings

SETTINGS = LinkSettings(u_sample_pairs=50_000)
REGISTER_EXTRA = pd.DataFrame(
    [
        ("VR-9000001", "Müller", "Hans Peter", "1980-02-29", "M", "DEU"),
        ("VR-9000002", "Жуков", "Юрий", "1979-06-17", "M", "RUS"),
        ("VR-9000003", "Okonkwo-Bright", "Robert Chukwuemeka", "1975-03-04", "M", "NGA"),
        ("VR-9000004", "Haddad", "Muhammad Karim", "1988-11-23", "M", "GBR"),
        ("VR-9000005", "Quenneville", "Eloise", "1991-07-15", "F", "FRA"),
        ("VR-9000006", "Vandersloot", "Augustin", "1966-05-09", "M", "NLD"),
    ],
    columns=["offender_key", "family_name", "given_names", "date_of_birth", "sex", "nationalities"],
)
ALIASES = pd.DataFrame(
    [("VR-9000005", "Marchetti", "Eloise", "previous_name")],
    columns=["offender_key", "family_name", "given_names", "kind"],
)
DOCUMENTS_EXTRA = pd.DataFrame(
    [("VR-9000001", "C01X00T47", "D"), ("VR-9000006", "NL1234567", "NLD")],
    columns=["offender_key", "doc_number", "issuing_country"],
)

HARD = [
    # travel_key, family, given, dob, sex, nationality, doc, doc country, true offender
    ("hard/mrz", "MUELLER", "HANS PETER", "1980-02-29", "M", "DEU", "C01X00T47", "D", "VR-9000001"),
    ("hard/translit", "ZHUKOV", "IURII", "1979-06-17", "M", "RUS", None, None, "VR-9000002"),
    ("hard/swap+nick", "BOB", "OKONKWO-BRIGHT", "1975-03-04", "M", "NGA", None, None, "VR-9000003"),
    ("hard/spelling", "HADDAD", "MOHAMED", "1988-11-23", "M", "GBR", None, None, "VR-9000004"),
    ("hard/alias", "MARCHETTI", "ELOISE", "1991-07-15", "F", "FRA", None, None, "VR-9000005"),
    ("hard/day-month", "QUENNEVILLE", "ELOISE", "1991-15-07", "F", "FRA", None, None, "VR-9000005"),
    ("hard/no-dob", "VANDERSLOOT", "AUGUSTIN", None, "M", "NLD", "NL1234567", "NLD", "VR-9000006"),
    (
        "hard/ocr",
        "VANDERSLOOT",
        "AUGUSTIN",
        "1966-05-09",
        "M",
        "NLD",
        "NLI234567",
        "NLD",
        "VR-9000006",
    ),
    (
        "hard/truncated",
        "OKONKWO-BRIGH",
        "ROBERT CHUKWU",
        "1975-03-04",
        "M",
        "NGA",
        None,
        None,
        "VR-9000003",
    ),
    # a namesake: the same rare name, another birth date, another passport
    (
        "neg/namesake",
        "HADDAD",
        "MUHAMMAD KARIM",
        "1961-02-14",
        "M",
        "GBR",
        "555000111",
        "GBR",
        None,
    ),
    # a twin: same family name and birth date, other given name and sex
    ("neg/twin", "QUENNEVILLE", "MARGOT", "1991-07-15", "F", "FRA", "FR9988776", "FRA", None),
]


def _travel_with_hard_cases(population) -> pd.DataFrame:
    hard = pd.DataFrame(HARD, columns=list(population["travel"].columns))
    hard["date_of_birth"] = hard["date_of_birth"].where(
        hard["travel_key"] != "hard/day-month", "1991-15-07"
    )
    return pd.concat([population["travel"], hard], ignore_index=True)


@pytest.fixture(scope="module")
def linked(population):
    register = pd.concat([population["register"], REGISTER_EXTRA], ignore_index=True)
    documents = pd.concat([population["documents"], DOCUMENTS_EXTRA], ignore_index=True)
    travel = _travel_with_hard_cases(population)
    result = link_travel_to_register(register, travel, ALIASES, documents, settings=SETTINGS)
    return result, travel


def _link_of(result, travel_key: str):
    rows = result.links[result.links["travel_key"] == travel_key]
    return None if rows.empty else rows.iloc[0]


@pytest.mark.parametrize(
    ("travel_key", "offender"),
    [(row[0], row[8]) for row in HARD if row[8] is not None],
)
def test_hard_cases_link_to_the_right_person(linked, travel_key, offender):
    result, _ = linked
    link = _link_of(result, travel_key)
    assert link is not None, f"{travel_key} was not linked"
    assert link["offender_key"] == offender


@pytest.mark.parametrize("travel_key", ["neg/namesake", "neg/twin"])
def test_namesakes_and_relatives_are_not_linked(linked, travel_key):
    result, _ = linked
    assert _link_of(result, travel_key) is None


def test_precision_and_recall_floor_on_the_labelled_population(linked):
    result, travel = linked
    truth = travel.rename(columns={"true_offender": "offender_key"})[["travel_key", "offender_key"]]
    evaluation = evaluate_links(result.links, truth)
    assert evaluation.bands["match"].precision >= 0.98
    assert evaluation.bands["match + review"].recall >= 0.97


def test_every_link_carries_an_explanation(linked):
    result, _ = linked
    explanation = _link_of(result, "hard/swap+nick")["explanation"]
    assert explanation.order_swapped is True
    fields = {f.field: f for f in explanation.fields}
    assert (
        {
            "family_name",
            "given_names",
            "name_order",
            "date_of_birth",
            "document",
            "sex",
            "nationality",
        }
        <= set(fields)
        <= {
            "family_name",
            "given_names",
            "name_order",
            "date_of_birth",
            "document",
            "sex",
            "nationality",
            "name_frequency",
            "conflict",
        }
    )
    assert fields["name_order"].label == "family and given names swapped between fields"
    total = explanation.prior_weight + sum(f.weight for f in explanation.fields)
    assert total == pytest.approx(explanation.total_weight, abs=1e-3)


def test_alias_link_names_the_alias(linked):
    result, _ = linked
    explanation = _link_of(result, "hard/alias")["explanation"]
    assert explanation.name_used.source == "previous_name"


def test_dismissed_pairs_are_never_linked_again(population):
    register = pd.concat([population["register"], REGISTER_EXTRA], ignore_index=True)
    documents = pd.concat([population["documents"], DOCUMENTS_EXTRA], ignore_index=True)
    travel = _travel_with_hard_cases(population)
    dismissed = pd.DataFrame({"travel_key": ["hard/mrz"], "offender_key": ["VR-9000001"]})
    result = link_travel_to_register(
        register, travel, ALIASES, documents, suppressed=dismissed, settings=SETTINGS
    )
    link = _link_of(result, "hard/mrz")
    assert link is None or link["offender_key"] != "VR-9000001"


def test_each_travel_record_links_to_at_most_one_offender(linked):
    result, _ = linked
    assert not result.links["travel_key"].duplicated().any()


def test_a_common_full_name_alone_is_not_a_confident_link(population):
    # Forty travellers called PETRA NOVAK (no birth date, no document on any of them) and one
    # registered PETRA NOVAK: each is one of forty look-alikes, not a match.
    register = pd.concat(
        [
            population["register"],
            pd.DataFrame(
                [("VR-9000007", "Novak", "Petra", "1984-04-04", "F", "CZE")],
                columns=REGISTER_EXTRA.columns,
            ),
        ],
        ignore_index=True,
    )
    crowd = pd.DataFrame(
        [(f"crowd/{i}", "NOVAK", "PETRA", None, "F", "CZE", None, None, None) for i in range(40)],
        columns=list(population["travel"].columns),
    )
    travel = pd.concat([population["travel"], crowd], ignore_index=True)
    result = link_travel_to_register(register, travel, settings=SETTINGS)
    linked = result.links[result.links["travel_key"].str.startswith("crowd/")]
    assert (linked["band"] != "match").all()
    assert (linked["match_probability"] < 0.5).all()
    if len(linked):
        rows = {f.field: f for f in linked.iloc[0]["explanation"].fields}
        assert rows["name_frequency"].weight < 0


def test_row_order_changes_nothing(population):
    register = pd.concat([population["register"], REGISTER_EXTRA], ignore_index=True)
    documents = pd.concat([population["documents"], DOCUMENTS_EXTRA], ignore_index=True)
    travel = _travel_with_hard_cases(population)
    first = link_travel_to_register(register, travel, ALIASES, documents, settings=SETTINGS)
    shuffled = link_travel_to_register(
        register.sample(frac=1, random_state=3),
        travel.sample(frac=1, random_state=4),
        ALIASES,
        documents.sample(frac=1, random_state=5),
        settings=SETTINGS,
    )
    columns = ["travel_key", "offender_key", "band", "match_probability"]
    pd.testing.assert_frame_equal(
        first.links[columns].sort_values("travel_key").reset_index(drop=True),
        shuffled.links[columns].sort_values("travel_key").reset_index(drop=True),
    )


def test_a_stored_model_scores_without_training(population):
    travel = _travel_with_hard_cases(population)
    register = pd.concat([population["register"], REGISTER_EXTRA], ignore_index=True)
    trained = link_travel_to_register(register, travel, settings=SETTINGS)
    scored = link_travel_to_register(register, travel, model=trained.parameters, settings=SETTINGS)
    assert trained.trained and not scored.trained
    assert "fit_m" not in scored.timings
    pd.testing.assert_frame_equal(
        trained.links.drop(columns="explanation"), scored.links.drop(columns="explanation")
    )
