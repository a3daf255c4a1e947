"""The run lock: one nightly at a time per database, stale holders taken over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from tracker.db import transaction
from tracker.models import RunLock
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
