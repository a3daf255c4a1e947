"""Each input row kind carries every rule of the data contract, with the message a sender reads."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from tracker.models.enums import INPUT_KINDS
from tracker.schemas import (
    KNOWN_OFFENDERS,
    ROW_MODELS,
    AliasRow,
    DocumentRow,
    NotificationRow,
    OffenderRow,
    TravelRow,
    required_columns_of,
    row_problems,
)

OFFENDER = {
    "offender_id": "VR-0001234",
    "family_name": "O'Brien",
    "given_names": "Mary Ann",
    "date_of_birth": "1980-01-31",
    "requirement_start": "2020-05-01",
    "notification_period": "P10Y",
    "managing_force": "Kent Police",
}
NOTIFICATION = {
    "notification_id": "N-1",
    "offender_id": "VR-0001234",
    "kind": "periodic",
    "notified_on": "2026-03-01",
}
TRAVEL = {
    "record_id": "R1",
    "source": "api-lhr",
    "family_name": "SMITH",
    "direction": "out",
    "departure_country": "GBR",
    "arrival_country": "THA",
    "departure_time": "2026-03-01T23:40:00-05:00",
}


def problems(model, values, context=None) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(values, context=context)
    return [f"{column}: {reason}" for column, reason in row_problems(caught.value, model)]


def test_there_is_one_model_per_input_kind():
    assert set(ROW_MODELS) == set(INPUT_KINDS)


# --- offenders ---------------------------------------------------------------------------------


def test_an_offender_gets_the_contract_defaults():
    row = OffenderRow.model_validate(OFFENDER)
    assert (row.jurisdiction, row.status, row.fixed_abode, row.tier) == (
        "uk-ew",
        "active",
        True,
        None,
    )


def test_an_offender_needs_every_required_column():
    assert set(required_columns_of(OffenderRow)) == set(OFFENDER)
    for column in OFFENDER:
        values = {k: v for k, v in OFFENDER.items() if k != column}
        assert problems(OffenderRow, values) == [f"{column}: required, but empty or missing"]


@pytest.mark.parametrize(
    "name",
    [
        "王小明",
        "Ó Súilleabháin",
        "Robert'); DROP TABLE offenders;--",
        "<b>Zoë</b>",
        "Ахмед",
        "محمد",
        '"Quoted"',
    ],
)
def test_names_in_any_script_or_shape_are_kept_exactly(name):
    row = OffenderRow.model_validate({**OFFENDER, "family_name": name, "given_names": name})
    assert row.family_name == name and row.given_names == name


def test_tiers_belong_to_us_sorna_only():
    assert problems(OffenderRow, {**OFFENDER, "tier": "2"}) == [
        "tier: '2' is given, but tiers apply only to us-sorna (jurisdiction is uk-ew)"
    ]
    row = OffenderRow.model_validate({**OFFENDER, "tier": "2", "jurisdiction": "us-sorna"})
    assert row.tier == 2
    assert problems(OffenderRow, {**OFFENDER, "tier": "4", "jurisdiction": "us-sorna"}) == [
        "tier: '4' is not one of 1, 2, 3"
    ]


def test_a_wanted_offender_needs_wanted_since():
    assert problems(OffenderRow, {**OFFENDER, "status": "wanted"}) == [
        "wanted_since: required when status is wanted"
    ]
    row = OffenderRow.model_validate({**OFFENDER, "status": "wanted", "wanted_since": "2026-01-02"})
    assert row.wanted_since == date(2026, 1, 2)


def test_no_fixed_abode_is_fixed_abode_no():
    assert OffenderRow.model_validate({**OFFENDER, "fixed_abode": "no"}).fixed_abode is False


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("date_of_birth", "1985-13-01", "'1985-13-01' is not a date (expected YYYY-MM-DD)"),
        ("sex", "male", "'male' is not one of M, F, X"),
        ("nationalities", "GBR|XXX", "'XXX' in 'GBR|XXX' is not an ISO 3166-1 alpha-3"),
        ("notification_period", "ten years", "'ten years' is not a notification period"),
        ("jurisdiction", "scotland", "'scotland' is not one of uk-ew, us-sorna"),
        ("risk_level", "extreme", "'extreme' is not one of low, medium, high, very_high"),
        ("status", "missing", "'missing' is not one of active, in_custody, wanted, deceased"),
        ("height_cm", "180.5", "'180.5' is not a whole number"),
        ("height_cm", "1800", "'1800' is not a height in centimetres (expected 30 to 300)"),
        ("fixed_abode", "sometimes", "'sometimes' is not yes or no"),
        ("offender_id", "V" * 65, "is longer than 64 characters"),
    ],
)
def test_each_offender_rule_names_the_column_and_value(column, value, message):
    [found] = problems(OffenderRow, {**OFFENDER, column: value})
    assert found.startswith(f"{column}: ") and message in found


def test_several_broken_rules_are_all_reported_in_column_order():
    assert problems(OffenderRow, {**OFFENDER, "sex": "Q", "date_of_birth": "x"}) == [
        "date_of_birth: 'x' is not a date (expected YYYY-MM-DD)",
        "sex: 'Q' is not one of M, F, X",
    ]


# --- aliases, documents ------------------------------------------------------------------------


def test_an_alias_is_an_alias_unless_said_otherwise():
    row = AliasRow.model_validate({"offender_id": "VR-1", "family_name": "A", "given_names": "B"})
    assert row.kind == "alias"
    assert problems(
        AliasRow,
        {"offender_id": "VR-1", "family_name": "A", "given_names": "B", "kind": "stage_name"},
    ) == ["kind: 'stage_name' is not one of alias, previous_name, nickname, transliteration"]


def test_a_document_needs_a_known_type_and_country():
    values = {
        "offender_id": "VR-1",
        "doc_type": "P",
        "doc_number": "123",
        "issuing_country": "D",
        "expires_on": "2031-01-01",
    }
    assert DocumentRow.model_validate(values).issuing_country == "D"
    assert problems(DocumentRow, {**values, "doc_type": "X"}) == [
        "doc_type: 'X' is not one of P, I, V, D, O"
    ]


def test_a_row_of_the_register_needs_its_offender_when_the_register_is_known():
    values = {"offender_id": "VR-9", "family_name": "A", "given_names": "B"}
    assert problems(AliasRow, values, {KNOWN_OFFENDERS: {"VR-1": 1}}) == [
        "offender_id: 'VR-9' is not in the register (load it with the offenders file first)"
    ]
    assert AliasRow.model_validate(values, context={KNOWN_OFFENDERS: {"VR-9": 3}})
    assert AliasRow.model_validate(values)  # without the register the rule waits for ingest


# --- notifications -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["initial", "change_name", "change_address", "change_other"])
def test_initial_and_change_notifications_need_the_effective_date(kind):
    assert problems(NotificationRow, {**NOTIFICATION, "kind": kind}) == [
        f"effective_on: required for a {kind} notification"
    ]


def test_foreign_travel_needs_the_departure_date_and_destinations():
    travel = {**NOTIFICATION, "kind": "foreign_travel"}
    assert problems(NotificationRow, travel) == [
        "departure_date: required for a foreign_travel notification"
    ]
    assert problems(NotificationRow, {**travel, "departure_date": "2026-04-01"}) == [
        "destination_countries: required for a foreign_travel notification"
    ]
    row = NotificationRow.model_validate(
        {
            **travel,
            "departure_date": "2026-04-01",
            "destination_countries": "THA|VNM",
            "departure_port": "lhr",
            "arrival_port": "BKK",
        }
    )
    assert row.destination_countries == "THA|VNM" and row.departure_port == "LHR"


def test_notified_on_may_be_a_moment_whose_date_is_taken_at_its_offset():
    row = NotificationRow.model_validate(
        {**NOTIFICATION, "notified_on": "2026-03-01T23:30:00-05:00"}
    )
    assert row.notified_date == date(2026, 3, 1)
    assert row.notified_at == datetime(2026, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    plain = NotificationRow.model_validate(NOTIFICATION)
    assert plain.notified_date == date(2026, 3, 1) and plain.notified_at is None


def test_a_notification_moment_without_offset_is_rejected():
    [found] = problems(NotificationRow, {**NOTIFICATION, "notified_on": "2026-03-01T10:00:00"})
    assert found.startswith("notified_on: '2026-03-01T10:00:00' has no UTC offset")


def test_a_notification_for_someone_not_on_the_register_is_rejected():
    assert problems(NotificationRow, NOTIFICATION, {KNOWN_OFFENDERS: set()}) == [
        "offender_id: 'VR-0001234' is not in the register (load it with the offenders file first)"
    ]


# --- travel ------------------------------------------------------------------------------------


def test_a_travel_record_needs_only_the_contract_required_fields():
    row = TravelRow.model_validate(TRAVEL)
    assert row.given_names is None and row.sex is None


def test_the_departure_date_is_the_calendar_date_at_the_offset_given():
    row = TravelRow.model_validate(TRAVEL)
    assert row.departure_local_date == date(2026, 3, 1)  # 04:40 on 2 March in UTC


def test_names_and_free_text_have_the_contracts_length_limits():
    assert TravelRow.model_validate({**TRAVEL, "family_name": "N" * 200}).family_name
    [found] = problems(TravelRow, {**TRAVEL, "family_name": "N" * 10_000_000})
    assert found.startswith("family_name: 'NNN") and found.endswith(
        "is longer than 200 characters, the contract's limit for names"
    )
    assert len(found) < 200  # the value is shown cut short
    [found] = problems(TravelRow, {**TRAVEL, "carrier": "c" * 2_001})
    assert found.endswith("is longer than 2,000 characters, the contract's limit for free text")


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("direction", "outbound", "'outbound' is not one of out, in"),
        ("sex", "Q", "'Q' is not one of M, F, X, U"),
        ("nationality", "GBR|IRL", "'GBR|IRL' is not an ISO 3166-1 alpha-3 country code"),
        ("departure_time", "2026-03-01 23:40", "has no UTC offset"),
        ("departure_port", "Heathrow", "is not an airport or port code"),
        ("record_id", "R" * 65, "is longer than 64 characters"),  # the contract 1.1 limit
        ("flight_number", "F" * 21, "is longer than 20 characters"),
    ],
)
def test_each_travel_rule_names_the_column_and_value(column, value, message):
    [found] = problems(TravelRow, {**TRAVEL, column: value})
    assert found.startswith(f"{column}: ") and message in found


def test_travel_sex_may_be_unknown():
    assert TravelRow.model_validate({**TRAVEL, "sex": "U"}).sex == "U"
