"""One nightly run at a time per database: a lock row every machine sharing the database sees.

A row rather than a local file, so it holds for two operators' machines on one PostgreSQL
server. A run killed without releasing it leaves the row; the next run takes it over when the
holder is provably gone (same host, process no longer running) or its heartbeat is stale.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tracker.db import transaction
from tracker.models import RunLock

DEFAULT_STALE_AFTER = timedelta(minutes=30)


class LockHeld(RuntimeError):
    """Another run holds the lock; the message says who, since when."""


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_gone(holder: str) -> bool:
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass
class RunLockHandle:
    sessions: sessionmaker[Session]
    name: str
    holder: str

    def heartbeat(self, run_id: int | None = None) -> None:
        """Say we are alive (each stage calls it), and name the run once it exists."""
        values = {"heartbeat_at": datetime.now(UTC)}
        if run_id is not None:
            values["run_id"] = run_id
        with transaction(self.sessions) as s:
            s.execute(
                update(RunLock)
                .where(RunLock.name == self.name, RunLock.holder == self.holder)
                .values(**values)
            )

    def release(self) -> None:
        with transaction(self.sessions) as s:
            s.execute(
                delete(RunLock).where(RunLock.name == self.name, RunLock.holder == self.holder)
            )

    def __enter__(self) -> RunLockHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _try_take(sessions: sessionmaker[Session], name: str, holder: str) -> RunLock | None:
    """Insert the lock row; on conflict return the row that holds it."""
    try:
        with transaction(sessions) as s:
            s.add(RunLock(name=name, holder=holder))
        return None
    except IntegrityError:
        with transaction(sessions) as s:
            return s.scalars(select(RunLock).where(RunLock.name == name)).one_or_none() or (
                RunLock(
                    name=name,
                    holder="?",
                    acquired_at=datetime.now(UTC),
                    heartbeat_at=datetime.now(UTC),
                )
            )


def _take_over(sessions: sessionmaker[Session], current: RunLock) -> None:
    with transaction(sessions) as s:
        s.execute(
            delete(RunLock).where(RunLock.name == current.name, RunLock.holder == current.holder)
        )


def acquire_run_lock(
    sessions: sessionmaker[Session],
    name: str = "nightly",
    wait_seconds: float = 0,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
    holder: str | None = None,
    poll_seconds: float = 1.0,
) -> RunLockHandle:
    """Take the lock, waiting up to ``wait_seconds`` for a live holder; refuse after that."""
    holder = holder or this_process()
    deadline = time.monotonic() + wait_seconds
    while True:
        current = _try_take(sessions, name, holder)
        if current is None:
            return RunLockHandle(sessions, name, holder)
        stale = datetime.now(UTC) - current.heartbeat_at > stale_after
        if _process_gone(current.holder) or stale:
            _take_over(sessions, current)
            continue
        if time.monotonic() >= deadline:
            run = f"run {current.run_id}, " if current.run_id else ""
            raise LockHeld(
                f"another {name} run ({run}process {current.holder}, started "
                f"{current.acquired_at:%Y-%m-%d %H:%M:%S} UTC, last heard of "
                f"{current.heartbeat_at:%H:%M:%S} UTC) is still working on this database; "
                f"wait for it, or use --wait SECONDS"
            )
        time.sleep(poll_seconds)
