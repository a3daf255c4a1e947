"""Known people in the travel data: corruption labels say what really differs from the
register, and the hard negatives (namesakes, relatives) look like offenders but are not."""

from __future__ import annotations

import numpy as np
import pandas as pd
from anyascii import anyascii

from tracker.synthetic.names import is_blocked, nicknames_for
from tracker.synthetic.rand import Draw
from tracker.synthetic.spelling import ru_bgn, ru_icao, uk_kmu

OCR = str.maketrans({"O": "0", "I": "1", "B": "8"})


def _known(inbox, category: str):
    truth = inbox.truth_links[inbox.truth_links["category"] == category]
    rows = truth.merge(
        inbox.travel,
        left_on=["travel_source", "travel_record_id"],
        right_on=["source", "record_id"],
    )
    return rows.assign(labels=rows["corruptions"].str.split("|"))


def test_hard_negatives_are_present_and_hard(inbox):
    offenders = inbox.offenders.set_index("offender_id")
    namesakes, relatives = _known(inbox, "namesake"), _known(inbox, "relative")
    assert len(namesakes) >= 4 and len(relatives) >= 4
    for _, row in namesakes.iterrows():
        assert row["date_of_birth"] != offenders.loc[row["hard_negative_of"], "date_of_birth"]
    same_dob = 0
    for _, row in relatives.iterrows():
        twin = offenders.loc[row["hard_negative_of"]]
        same_dob += row["date_of_birth"] == twin["date_of_birth"]
    assert same_dob >= len(relatives) * 0.7  # the rest carry a date-of-birth error
    docs = set(inbox.documents["doc_number"])
    negatives = pd.concat([namesakes, relatives])
    assert not set(negatives["doc_number"]) & docs


def test_corruption_labels_match_what_differs(inbox):
    rows = _known(inbox, "offender")
    offenders = inbox.offenders.set_index("offender_id")
    docs = inbox.documents
    registered = set(docs["doc_number"])
    by_ocr = {n.translate(OCR) for n in registered}
    for _, row in rows.iterrows():
        person = offenders.loc[row["offender_id"]]
        labels = set(row["labels"])
        if "exact" in labels:
            assert labels == {"exact"}
            assert (row["family_name"], row["given_names"]) == (
                person["family_name"],
                person["given_names"],
            )
        if "missing_dob" in labels:
            assert row["date_of_birth"] == ""
        elif not labels & {"day_month_swap", "dob_year_off", "dob_digit_typo"}:
            assert row["date_of_birth"] == person["date_of_birth"]
        if "no_document" in labels:
            assert row["doc_number"] == ""
        elif "new_passport" in labels and "doc_ocr" not in labels:
            assert row["doc_number"] not in registered
        elif "doc_ocr" in labels and "new_passport" not in labels:
            assert row["doc_number"] not in registered
            assert row["doc_number"].translate(OCR) in by_ocr
        elif "new_passport" not in labels:
            assert row["doc_number"] in registered
        if "day_month_swap" in labels:
            y, m, d = person["date_of_birth"].split("-")
            assert row["date_of_birth"] == f"{y}-{d}-{m}"


def test_corruption_frequencies_are_realistic(inbox):
    rows = _known(inbox, "offender")
    share = {
        k: rows["labels"].map(lambda ls, k=k: k in ls).mean()
        for k in ("case", "order_swap", "dropped_middle", "new_passport", "transliteration")
    }
    assert share["case"] > 0.85
    assert 0.08 < share["order_swap"] < 0.3
    assert 0.08 < share["dropped_middle"] < 0.35
    assert 0.05 < share["new_passport"] < 0.35
    assert share["transliteration"] > 0.03
    alias_or_nick = rows["labels"].map(lambda ls: "alias" in ls or "nickname" in ls).mean()
    assert 0.03 < alias_or_nick < 0.2


def test_transliteration_systems():
    assert ru_icao("Юрий Жуков") == "Iurii Zhukov"
    assert ru_bgn("Юрий Жуков") == "Yuriy Zhukov"
    assert uk_kmu("Олександр") == "Oleksandr"
    assert "Bob" in nicknames_for("Robert")
    assert is_blocked("Thomas", "Müller")
    assert not is_blocked("Thomas", "Weber")


def test_travel_names_are_latin_and_mostly_upper_case(inbox):
    names = inbox.travel["family_name"] + " " + inbox.travel["given_names"]
    assert not names.str.contains(r"[\u0400-\u04FF]").any()
    assert (names == names.str.upper()).mean() > 0.95
    sample = names.sample(500, random_state=2)
    assert (sample.map(anyascii) == sample).mean() > 0.98


def test_draw_helpers_are_deterministic():
    a, b = Draw(np.random.default_rng(1)), Draw(np.random.default_rng(1))
    assert [a.between(1, 6) for _ in range(50)] == [b.between(1, 6) for _ in range(50)]
    assert all(1 <= a.between(1, 6) <= 6 for _ in range(1000))
