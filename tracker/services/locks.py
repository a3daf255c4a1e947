"""One nightly run at a time per database: a lock row every machine sharing the database sees.

A row rather than a local file, so it holds for two operators' machines on one PostgreSQL
server. A run killed without releasing it leaves the row; the next run takes it over when the
holder is provably gone (same host, process no longer running) or its heartbeat is stale.
The run the dead holder was doing, still ``running``, is then marked ``failed`` with the
reason, in the audit trail too, so a killed night does not stay "running" for ever.
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

from tracker.audit import record_event
from tracker.db import changed_rows, transaction
from tracker.models import Run, RunLock

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
        values: dict[str, object] = {"heartbeat_at": datetime.now(UTC)}
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

    def __exit__(self, *exc: object) -> None:
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


def _take_over(sessions: sessionmaker[Session], current: RunLock, why: str) -> None:
    """Remove the dead holder's row and, in the same transaction, fail the run it left."""
    with transaction(sessions) as s:
        removed = changed_rows(
            s.execute(
                delete(RunLock).where(
                    RunLock.name == current.name, RunLock.holder == current.holder
                )
            )
        )
        if removed and current.run_id is not None:
            _fail_abandoned_run(s, current, why)


def _fail_abandoned_run(s: Session, current: RunLock, why: str) -> None:
    """``running`` -> ``failed`` for the run a taken-over lock named, with the reason."""
    now = datetime.now(UTC)
    reason = (
        f"the run stopped without finishing: its process {current.holder} {why} (last "
        f"heard of {current.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC); marked failed when "
        f"the next run took over its lock at {now:%Y-%m-%d %H:%M:%S} UTC"
    )
    changed = changed_rows(
        s.execute(
            update(Run)
            .where(Run.id == current.run_id, Run.status == "running")
            .values(status="failed", finished_at=now, error=reason)
        )
    )
    if changed:
        record_event(
            s,
            actor="system",
            action="alteration",
            object_type="run",
            object_id=current.run_id,
            justification=reason,
            run_id=current.run_id,
            details={
                "status": "running -> failed",
                "holder": current.holder,
                "last_heartbeat": current.heartbeat_at.isoformat(),
            },
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
        gone = _process_gone(current.holder)
        if gone or stale:
            _take_over(
                sessions,
                current,
                "is no longer running"
                if gone
                else f"sent no heartbeat for more than {stale_after}",
            )
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
