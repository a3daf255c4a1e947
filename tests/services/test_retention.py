"""Retention erases only old, unmatched travel records, and logs the erasure."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from factories import add_flag, add_offender, add_run, add_travel
from sqlalchemy import Index, func, select

from tracker.db import transaction
from tracker.models import AuditEvent, Link, TravelRecord
from tracker.services.retention import erase_unmatched_travel


def _travel_on(s, day: date, record_id: str):
    return add_travel(
        s, record_id=record_id, departure_time=datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    )


@pytest.fixture
def secondary_index(sessions):
    """A secondary index on travel records, in the metadata and the database: the schema
    keeps none (migration 0002), yet the big-erasure path must still set aside and rebuild
    any a later schema adds."""
    table = TravelRecord.__table__
    index = Index("ix_test_travel_local_date", table.c.departure_local_date)
    try:
        with transaction(sessions) as s:
            index.create(s.connection())
        yield index
    finally:
        table.indexes.discard(index)
        with transaction(sessions) as s:
            index.drop(s.connection(), checkfirst=True)


def test_only_old_unmatched_records_are_erased_and_logged(sessions):
    as_of = date(2026, 3, 31)
    with transaction(sessions) as s:
        run = add_run(s, as_of)
        offender = add_offender(s)
        _travel_on(s, date(2026, 1, 10), "old-unmatched")
        _travel_on(s, date(2026, 3, 20), "recent-unmatched")
        linked = _travel_on(s, date(2026, 1, 11), "old-linked")
        s.add(
            Link(
                run_id=run.id,
                travel_pk=linked.id,
                offender_pk=offender.id,
                match_probability=0.99,
                match_weight=12.0,
                band="match",
                explanation={},
            )
        )
        flagged = _travel_on(s, date(2026, 1, 12), "old-flagged")
        add_flag(s, offender, run, travel_pk=flagged.id)
    with transaction(sessions) as s:
        outcome = erase_unmatched_travel(s, as_of, days=30)
    assert outcome.erased == 1 and outcome.oldest == date(2026, 1, 10)
    with transaction(sessions) as s:
        left = set(s.scalars(select(TravelRecord.record_id)))
        assert left == {"recent-unmatched", "old-linked", "old-flagged"}
        event = s.scalars(select(AuditEvent).filter_by(action="erasure")).one()
        assert event.details["erased"] == 1
        assert "old-unmatched" not in str(event.details)


def test_running_it_again_erases_nothing_more(sessions):
    with transaction(sessions) as s:
        _travel_on(s, date(2026, 1, 10), "old")
    with transaction(sessions) as s:
        assert erase_unmatched_travel(s, date(2026, 3, 31)).erased == 1
    with transaction(sessions) as s:
        assert erase_unmatched_travel(s, date(2026, 3, 31)).erased == 0


def test_erasing_most_of_the_table_rebuilds_its_indexes_intact(
    sessions, monkeypatch, secondary_index
):
    from sqlalchemy import inspect

    import tracker.services.retention as retention

    monkeypatch.setattr(retention, "BULK_INDEX_THRESHOLD_ROWS", 1)  # big-erasure path at once

    def indexes(s) -> list:
        found = inspect(s.connection()).get_indexes("travel_records")
        return sorted((i["name"], tuple(i["column_names"])) for i in found)

    with transaction(sessions) as s:
        before = indexes(s)
        assert (secondary_index.name, ("departure_local_date",)) in before
        for i in range(5):
            _travel_on(s, date(2026, 1, 10), f"old-{i}")
        _travel_on(s, date(2026, 3, 20), "recent")
    with transaction(sessions) as s:
        assert erase_unmatched_travel(s, date(2026, 3, 31)).erased == 5
    with transaction(sessions) as s:
        assert indexes(s) == before
        assert set(s.scalars(select(TravelRecord.record_id))) == {"recent"}


def test_a_failed_erasure_leaves_the_indexes_and_the_records_in_place(
    sessions, monkeypatch, secondary_index
):
    from sqlalchemy import inspect

    import tracker.services.retention as retention

    monkeypatch.setattr(retention, "BULK_INDEX_THRESHOLD_ROWS", 1)  # the index-dropping path

    def indexes(s) -> list:
        return sorted(i["name"] for i in inspect(s.connection()).get_indexes("travel_records"))

    with transaction(sessions) as s:
        before = indexes(s)
        assert secondary_index.name in before
        for i in range(4):
            _travel_on(s, date(2026, 1, 10), f"old-{i}")

    def fail(*_args, **_kwargs):
        raise RuntimeError("the audit trail could not be written")

    monkeypatch.setattr(retention, "record_event", fail)
    with pytest.raises(RuntimeError), transaction(sessions) as s:
        erase_unmatched_travel(s, date(2026, 3, 31))
    with transaction(sessions) as s:
        assert indexes(s) == before
        assert s.scalar(select(func.count()).select_from(TravelRecord)) == 4
