"""The run lock: one nightly at a time per database, stale holders taken over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from factories import add_run
from sqlalchemy import select, update

from tracker.db import transaction
from tracker.models import AuditEvent, Run, RunLock
from tracker.services.locks import LockHeld, acquire_run_lock


def test_a_second_run_is_refused_with_who_holds_the_lock(sessions):
    with acquire_run_lock(sessions, holder="otherhost:4242") as first:
        first.heartbeat(run_id=None)
        with pytest.raises(LockHeld, match="otherhost:4242"):
            acquire_run_lock(sessions, holder="thishost:1")


def test_the_lock_is_free_again_after_release(sessions):
    acquire_run_lock(sessions, holder="otherhost:1").release()
    acquire_run_lock(sessions, holder="otherhost:2").release()


def test_waiting_gives_up_after_the_given_time(sessions):
    with acquire_run_lock(sessions, holder="otherhost:1"):
        started = datetime.now(UTC)
        with pytest.raises(LockHeld):
            acquire_run_lock(sessions, holder="x:2", wait_seconds=0.3, poll_seconds=0.1)
        assert datetime.now(UTC) - started >= timedelta(seconds=0.3)


def test_a_stale_lock_is_taken_over(sessions):
    acquire_run_lock(sessions, holder="crashedhost:99")
    with transaction(sessions) as s:
        s.execute(update(RunLock).values(heartbeat_at=datetime.now(UTC) - timedelta(hours=2)))
    handle = acquire_run_lock(sessions, holder="thishost:1")
    assert handle.holder == "thishost:1"
    handle.release()


def test_a_dead_process_on_this_host_loses_its_lock(sessions):
    import socket

    acquire_run_lock(sessions, holder=f"{socket.gethostname()}:999999999")
    acquire_run_lock(sessions, holder="thishost:1").release()


def _running_run(sessions) -> int:
    with transaction(sessions) as s:
        return add_run(s).id


def _run(sessions, run_id):
    with transaction(sessions) as s:
        run = s.get(Run, run_id)
        events = s.scalars(select(AuditEvent).where(AuditEvent.object_type == "run")).all()
        return (
            run.status,
            run.finished_at,
            run.error,
            [(e.actor, e.action, e.object_id, e.details["status"]) for e in events],
        )


def test_a_killed_run_is_marked_failed_when_its_lock_is_taken_over(sessions):
    import socket

    run_id = _running_run(sessions)
    dead = f"{socket.gethostname()}:999999999"
    acquire_run_lock(sessions, holder=dead).heartbeat(run_id)
    acquire_run_lock(sessions, holder="thishost:1").release()
    status, finished_at, error, events = _run(sessions, run_id)
    assert status == "failed" and finished_at is not None
    assert dead in error and "no longer running" in error and "took over its lock" in error
    assert events == [("system", "alteration", str(run_id), "running -> failed")]


def test_a_silent_runs_record_is_marked_failed_when_its_stale_lock_is_taken_over(sessions):
    run_id = _running_run(sessions)
    acquire_run_lock(sessions, holder="crashedhost:99").heartbeat(run_id)
    with transaction(sessions) as s:
        s.execute(update(RunLock).values(heartbeat_at=datetime.now(UTC) - timedelta(hours=2)))
    acquire_run_lock(sessions, holder="thishost:1").release()
    status, _, error, events = _run(sessions, run_id)
    assert status == "failed" and "sent no heartbeat" in error and len(events) == 1


def test_a_finished_run_keeps_its_status_when_its_leftover_lock_is_taken_over(sessions):
    run_id = _running_run(sessions)
    with transaction(sessions) as s:
        s.get(Run, run_id).status = "succeeded"
    acquire_run_lock(sessions, holder="crashedhost:99").heartbeat(run_id)
    with transaction(sessions) as s:
        s.execute(update(RunLock).values(heartbeat_at=datetime.now(UTC) - timedelta(hours=2)))
    acquire_run_lock(sessions, holder="thishost:1").release()
    assert _run(sessions, run_id)[0] == "succeeded" and _run(sessions, run_id)[3] == []
