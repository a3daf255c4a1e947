"""Checkpoints between nights: taken when the trail moved and the interval passed, and only of
a trail whose entries since the latest checkpoint follow on from it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from tracker.audit import record_event
from tracker.audit_anchor import checkpoint_now, checkpoints_path
from tracker.audit_anchor_key import AnchorError, create_key
from tracker.audit_checkpointing import checkpoint_if_due
from tracker.db import transaction

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
INTERVAL = timedelta(minutes=15)


@pytest.fixture
def folders(tmp_path):
    return tmp_path / "keys", tmp_path / "data"


def _write(sessions, n: int = 1) -> None:
    with transaction(sessions) as s:
        for i in range(n):
            record_event(s, actor="ada", action="decision", object_type="flag", object_id=i)


def _lines(folders) -> int:
    path = checkpoints_path(folders[1])
    return len(path.read_text().splitlines()) if path.exists() else 0


def _due(sessions, folders, now):
    return checkpoint_if_due(sessions, *folders, now=now, interval=INTERVAL)


def test_nothing_is_checkpointed_before_the_installation_is_anchored(sessions, folders):
    _write(sessions)
    assert _due(sessions, folders, T0) is None
    assert _lines(folders) == 0 and not folders[0].exists()


def test_a_moved_trail_is_checkpointed_once_the_interval_passed(sessions, folders):
    _write(sessions)
    create_key(folders[0])
    with transaction(sessions) as s:
        checkpoint_now(s, *folders, now=T0)
    assert _due(sessions, folders, T0 + timedelta(hours=1)) is None  # only its own entry since
    _write(sessions, 2)
    assert _due(sessions, folders, T0 + timedelta(minutes=14)) is None
    taken = _due(sessions, folders, T0 + timedelta(minutes=15))
    assert taken.event_id == 4 and _lines(folders) == 2  # 1, its checkpoint's entry, 3 and 4


def test_a_tail_that_does_not_follow_on_is_not_checkpointed(engine, sessions, folders, backend):
    _write(sessions)
    create_key(folders[0])
    with transaction(sessions) as s:
        checkpoint_now(s, *folders, now=T0)
    _write(sessions, 2)
    with engine.begin() as conn:  # the owner edits an entry of the tail
        if backend == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_refuse_update"))
        conn.execute(text("UPDATE audit_events SET actor = 'someone' WHERE id = 3"))
        if backend == "postgresql":
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
    with pytest.raises(
        AnchorError, match="the audit trail is broken at entry 3: entry 3 was altered"
    ):
        _due(sessions, folders, T0 + INTERVAL)
    assert _lines(folders) == 1
