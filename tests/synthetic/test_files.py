"""The generated files follow the data contract: exact columns, valid vocabularies, countries
that agree with airports, and ground truth that points at records that exist."""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime

from tracker.synthetic.geo import ISO2_TO_ISO3, airport

CONTRACT = {
    "offenders.csv": [
        "offender_id",
        "family_name",
        "given_names",
        "date_of_birth",
        "sex",
        "nationalities",
        "requirement_start",
        "notification_period",
        "jurisdiction",
        "tier",
        "risk_level",
        "managing_force",
        "status",
        "wanted_since",
        "fixed_abode",
        "address_line",
        "postcode",
        "last_known_area",
        "offence_category",
        "height_cm",
        "description",
    ],
    "aliases.csv": ["offender_id", "family_name", "given_names", "kind"],
    "documents.csv": ["offender_id", "doc_type", "doc_number", "issuing_country", "expires_on"],
    "notifications.csv": [
        "notification_id",
        "offender_id",
        "kind",
        "notified_on",
        "effective_on",
        "departure_date",
        "return_date",
        "destination_countries",
        "departure_port",
        "arrival_port",
        "carrier",
    ],
    "travel.csv": [
        "record_id",
        "source",
        "family_name",
        "given_names",
        "date_of_birth",
        "sex",
        "nationality",
        "doc_type",
        "doc_number",
        "doc_issuing_country",
        "direction",
        "departure_port",
        "arrival_port",
        "departure_country",
        "arrival_country",
        "departure_time",
        "carrier",
        "flight_number",
    ],
    "truth_links.csv": [
        "travel_source",
        "travel_record_id",
        "offender_id",
        "category",
        "corruptions",
        "hard_negative_of",
    ],
    "truth_flags.csv": [
        "offender_id",
        "kind",
        "travel_source",
        "travel_record_id",
        "notification_id",
        "note",
    ],
}
CORRUPTIONS = {
    "exact",
    "case",
    "order_swap",
    "dropped_middle",
    "truncation",
    "transliteration",
    "alias",
    "nickname",
    "typo",
    "day_month_swap",
    "missing_dob",
    "new_passport",
    "doc_ocr",
    "no_document",
    "dob_year_off",
    "dob_digit_typo",
}
FLAG_KINDS = {
    "unnotified_travel",
    "late_travel_notification",
    "travel_details_mismatch",
    "missing_return_notification",
    "late_initial",
    "late_change",
    "overdue_periodic",
    "overdue_weekly",
    "whereabouts_unknown",
}
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2}|Z)$")


def test_every_csv_has_exactly_the_contract_columns(inbox):
    for name, columns in CONTRACT.items():
        with (inbox.path / name).open(encoding="utf-8", newline="") as f:
            assert next(csv.reader(f)) == columns, name


def test_jsonl_rows_use_the_travel_field_names(inbox):
    with (inbox.path / "travel-extra.jsonl").open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    assert rows
    assert all(list(r) == CONTRACT["travel.csv"] for r in rows)
    assert all(r["family_name"] and r["departure_time"] for r in rows)
    assert any(r["departure_time"].endswith("Z") for r in rows)


def test_names_are_never_empty(inbox):
    for frame in (inbox.offenders, inbox.aliases, inbox.travel):
        assert (frame["family_name"].str.strip() != "").all()
        assert (frame["given_names"].str.strip() != "").all()


def test_ids_are_unique_and_well_formed(inbox):
    assert inbox.offenders["offender_id"].str.fullmatch(r"VR-\d{7}").all()
    assert inbox.offenders["offender_id"].is_unique
    assert inbox.notifications["notification_id"].str.fullmatch(r"N-\d{8}").all()
    assert inbox.notifications["notification_id"].is_unique
    assert not inbox.travel.duplicated(["source", "record_id"]).any()
    keys = inbox.documents[["doc_type", "doc_number", "issuing_country"]]
    assert not keys.duplicated().any()


def test_countries_agree_with_airports(inbox):
    assert ISO2_TO_ISO3["GB"] == "GBR" and ISO2_TO_ISO3["TH"] == "THA"
    t = inbox.travel
    dep = t["departure_port"].map(lambda p: airport(p).country)
    arr = t["arrival_port"].map(lambda p: airport(p).country)
    assert (dep == t["departure_country"]).all()
    assert (arr == t["arrival_country"]).all()
    touches_uk = (t["departure_country"] == "GBR") ^ (t["arrival_country"] == "GBR")
    assert touches_uk.all()
    assert ((t["direction"] == "out") == (t["departure_country"] == "GBR")).all()


def test_departure_times_carry_the_airports_offset(inbox):
    t = inbox.travel[inbox.travel["file"] != ""]
    t = t[t["file"].isin(["travel.csv", "travel-extra.jsonl"])]
    assert t["departure_time"].str.match(DATETIME).all()
    for _, row in t.sample(300, random_state=1).iterrows():
        stamp = datetime.fromisoformat(row["departure_time"].replace("Z", "+00:00"))
        local = stamp.replace(tzinfo=None).replace(tzinfo=airport(row["departure_port"]).tz)
        assert local.utcoffset() == stamp.utcoffset(), row["departure_time"]


def test_truth_links_cover_every_travel_record_once(inbox):
    truth = inbox.truth_links
    keys = set(zip(truth["travel_source"], truth["travel_record_id"], strict=True))
    travel = set(zip(inbox.travel["source"], inbox.travel["record_id"], strict=True))
    assert len(truth) == len(keys) == len(travel) == inbox.manifest["args"]["travel"]
    assert keys == travel
    ids = set(inbox.offenders["offender_id"])
    linked = truth[truth["offender_id"] != ""]
    assert set(linked["offender_id"]) <= ids
    assert (linked["category"] == "offender").all()
    assert set(truth["category"]) == {"offender", "namesake", "relative", "public"}
    negatives = truth[truth["category"].isin(["namesake", "relative"])]
    assert (negatives["offender_id"] == "").all()
    assert set(negatives["hard_negative_of"]) <= ids
    labels = {x for s in truth["corruptions"] for x in s.split("|") if x}
    assert labels <= CORRUPTIONS
    assert (truth["category"] == "public").mean() > 0.88


def test_truth_flags_point_at_existing_evidence(inbox):
    flags = inbox.truth_flags
    assert set(flags["kind"]) == FLAG_KINDS
    assert set(flags["offender_id"]) <= set(inbox.offenders["offender_id"])
    owner = dict(
        zip(inbox.notifications["notification_id"], inbox.notifications["offender_id"], strict=True)
    )
    truth = inbox.truth_links.set_index(["travel_source", "travel_record_id"])["offender_id"]
    for _, f in flags.iterrows():
        if f["notification_id"]:
            assert owner[f["notification_id"]] == f["offender_id"]
        if f["kind"] in (
            "unnotified_travel",
            "late_travel_notification",
            "travel_details_mismatch",
            "missing_return_notification",
        ):
            assert truth[(f["travel_source"], f["travel_record_id"])] == f["offender_id"]
        else:
            assert f["travel_source"] == f["travel_record_id"] == ""


def test_manifest_counts_match_the_files(inbox):
    counts = inbox.manifest["counts"]
    assert counts["offenders.csv"] == len(inbox.offenders)
    assert counts["notifications.csv"] == len(inbox.notifications)
    assert counts["truth_links.csv"] == len(inbox.truth_links)
    assert counts["paxlst passengers"] == sum(m["passengers"] for m in inbox.paxlst)
    assert sorted(inbox.manifest["paxlst_files"]) == sorted({m["file"] for m in inbox.paxlst})


def test_register_has_the_variety_the_brief_asks_for(inbox):
    o = inbox.offenders
    assert {"active", "in_custody", "wanted", "deceased", "removed"} <= set(o["status"])
    assert (o.loc[o["status"] == "wanted", "wanted_since"] != "").all()
    sorna = o[o["jurisdiction"] == "us-sorna"]
    assert len(sorna) and sorna["tier"].isin(["1", "2", "3"]).all()
    assert (o.loc[o["jurisdiction"] == "uk-ew", "tier"] == "").all()
    assert "no" in set(o["fixed_abode"])
    assert set(o["notification_period"]) <= {
        "indefinite",
        "P10Y",
        "P7Y",
        "P5Y",
        "P2Y",
        "P2Y6M",
        "P15Y",
        "P25Y",
    }
    assert o["family_name"].str.contains("'").any()
    assert o["family_name"].str.contains(",").any()
    assert o["family_name"].str.contains(r"[\u0400-\u04FF]").any()
    assert o["description"].str.contains("DROP TABLE").any()
    assert o["description"].str.contains("<script>").any()
    assert (o["given_names"].str.contains(" ")).mean() > 0.25
    assert set(inbox.aliases["kind"]) >= {"alias", "previous_name", "nickname"}
    assert set(inbox.documents["doc_type"]) >= {"P", "I"}
    assert (inbox.documents["issuing_country"] == "GBR").mean() > 0.5
    for value in o["date_of_birth"].tolist() + o["requirement_start"].tolist():
        date.fromisoformat(value)
    assert not o["nationalities"].str.contains(r"[^A-Z|]").any()
