"""Bulk writes store exactly what an ORM insert would, and fill in the same defaults."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Date, select
from sqlalchemy.dialects import sqlite

from tracker.db import transaction
from tracker.ingest.bulk import BulkWriter, iso_date, sqlite_utc_datetime
from tracker.models import Offender
from tracker.models.base import UTCDateTime


@pytest.mark.parametrize(
    "value",
    [date(1985, 4, 12), date(1, 1, 1), date(9999, 12, 31), None],
)
def test_dates_are_stored_as_sqlalchemy_stores_them_on_sqlite(value):
    dialect = sqlite.dialect()
    processor = Date().dialect_impl(dialect).bind_processor(dialect)
    assert iso_date(value) == processor(value)


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 3, 1, 6, 40, tzinfo=UTC),
        datetime(2026, 3, 1, 23, 40, 5, 123456, tzinfo=timezone(timedelta(hours=-5))),
        datetime(2026, 3, 1, 0, 0, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        None,
    ],
)
def test_instants_are_stored_as_utc_datetime_stores_them_on_sqlite(value):
    dialect = sqlite.dialect()
    processor = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert sqlite_utc_datetime(value) == processor(value)


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError, match="an offset is required"):
        sqlite_utc_datetime(datetime(2026, 3, 1, 6, 40))


def test_bulk_inserted_rows_read_back_like_orm_rows(sessions):
    record = {
        "offender_id": "VR-1",
        "family_name": "Zoë",
        "given_names": "Ann",
        "date_of_birth": date(1980, 1, 31),
        "sex": None,
        "nationalities": "GBR|D",
        "requirement_start": date(2020, 5, 1),
        "notification_period": "P10Y",
        "jurisdiction": "uk-ew",
        "tier": None,
        "risk_level": None,
        "managing_force": "Kent",
        "status": "active",
        "wanted_since": None,
        "fixed_abode": False,
        "address_line": None,
        "postcode": None,
        "last_known_area": None,
        "offence_category": None,
        "height_cm": 180,
        "description": None,
        "public_id": "p1",
    }
    with transaction(sessions) as s:
        BulkWriter(s.connection(), Offender.__table__).insert([record])
    with transaction(sessions) as s:
        offender = s.scalars(select(Offender)).one()
    assert offender.date_of_birth == date(1980, 1, 31) and offender.fixed_abode is False
    assert offender.created_at.tzinfo is not None  # the default, as the ORM would give it
    assert offender.family_name == "Zoë" and offender.photo_ref is None


def test_check_constraints_still_hold_after_a_validated_insert(sessions):
    from sqlalchemy.exc import IntegrityError

    from tracker.models import TravelRecord

    record = {
        "source": "api-lhr",
        "record_id": "R1",
        "family_name": "A",
        "given_names": None,
        "date_of_birth": None,
        "sex": "M",
        "nationality": None,
        "doc_type": None,
        "doc_number": None,
        "doc_issuing_country": None,
        "direction": "out",
        "departure_port": None,
        "arrival_port": None,
        "departure_country": "GBR",
        "arrival_country": "THA",
        "departure_time": datetime(2026, 3, 1, tzinfo=UTC),
        "departure_local_date": date(2026, 3, 1),
        "carrier": None,
        "flight_number": None,
        "source_file_id": None,
    }
    with transaction(sessions) as s:
        BulkWriter(s.connection(), TravelRecord.__table__).insert([record], validated=True)
    with pytest.raises(IntegrityError), transaction(sessions) as s:
        BulkWriter(s.connection(), TravelRecord.__table__).insert(
            [{**record, "record_id": "R2", "direction": "bad"}]
        )
