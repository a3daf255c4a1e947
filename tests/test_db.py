"""Connection settings and the time type behave the same on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError

from tracker.db import DatabaseURLError, make_engine, transaction
from tracker.models import Offender, Run


def _offender(**overrides) -> Offender:
    values = dict(
        offender_id="VR-0000001",
        family_name="Example",
        given_names="Test Person",
        date_of_birth=date(1980, 2, 29),
        requirement_start=date(2020, 1, 1),
        notification_period="P10Y",
        managing_force="Test Constabulary",
        public_id="pub-1",
    )
    values.update(overrides)
    return Offender(**values)


def test_sqlite_has_foreign_keys_and_wal(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_sqlite_url_in_a_missing_folder_is_named(tmp_path):
    with pytest.raises(DatabaseURLError, match="does not exist"):
        make_engine(f"sqlite:///{tmp_path / 'nowhere' / 'x.db'}")


def test_instants_come_back_aware_and_in_utc(sessions):
    started = datetime(2026, 3, 1, 6, 40, tzinfo=timezone(timedelta(hours=2)))
    with transaction(sessions) as s:
        s.add(Run(as_of=date(2026, 3, 1), started_at=started))
    with transaction(sessions) as s:
        run = s.query(Run).one()
    assert run.started_at == started
    assert run.started_at.tzinfo is not None
    assert run.started_at.utcoffset() == timedelta(0)


def test_naive_instants_are_refused(sessions):
    with pytest.raises(StatementError, match="offset is required"), transaction(sessions) as s:
        s.add(Run(as_of=date(2026, 3, 1), started_at=datetime(2026, 3, 1, 6, 40)))


def test_check_constraint_refuses_a_status_outside_the_contract(sessions):
    with pytest.raises(IntegrityError), transaction(sessions) as s:
        s.add(_offender(status="escaped"))


def test_offender_id_is_unique(sessions):
    with transaction(sessions) as s:
        s.add(_offender())
    with pytest.raises(IntegrityError), transaction(sessions) as s:
        s.add(_offender(public_id="pub-2"))


def test_text_is_stored_exactly_as_given(sessions):
    awkward = "O'Brien\"); DROP TABLE offenders;-- <script>alert(1)</script> Ωμέγα 王"
    with transaction(sessions) as s:
        s.add(_offender(family_name=awkward))
    with transaction(sessions) as s:
        assert s.query(Offender).one().family_name == awkward


def test_foreign_keys_are_enforced(sessions):
    from tracker.models import Alias

    with pytest.raises(IntegrityError), transaction(sessions) as s:
        s.add(Alias(offender_pk=999, family_name="X", given_names="Y"))


def test_utc_now_default(sessions):
    with transaction(sessions) as s:
        s.add(Run(as_of=date(2026, 3, 1)))
    with transaction(sessions) as s:
        run = s.query(Run).one()
    assert abs(run.started_at - datetime.now(UTC)) < timedelta(minutes=5)
