"""When the trail is checkpointed between nights: a day's tail must not be left for whoever
owns the database to cut or rewrite before the nightly run vouches for it.

A checkpoint is taken only of a trail that verifies: the entries since the latest checkpoint
must follow on from it (the full check is `tracker audit verify`'s and the nightly's). The web
server checks every minute and checkpoints when 15 minutes have passed since the latest
checkpoint and the trail moved on; each CLI command that moved the trail checkpoints at its
end (``checkpoint_after_command``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from tracker.audit import verify_chain
from tracker.audit_anchor import (
    Checkpoint,
    checkpoint_now,
    checkpoints_path,
    current_head,
    is_genuine,
    parsed,
    verify_anchor,
)
from tracker.audit_anchor_key import AnchorError, load_key
from tracker.db import transaction

WEB_INTERVAL = timedelta(minutes=15)
WEB_POLL_SECONDS = 60.0
TAIL_BYTES = 8_192  # the latest checkpoint lines; each is ~250 characters
log = logging.getLogger(__name__)


def latest_checkpoint(data_dir: Path, key: bytes) -> Checkpoint | None:
    """The newest checkpoint in the file whose MAC verifies, read from its tail only."""
    path = checkpoints_path(data_dir)
    if not path.exists():
        return None
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - TAIL_BYTES))
        tail = handle.read().decode("utf-8", errors="replace")
    genuine = [c for c in map(parsed, tail.splitlines()) if is_genuine(c, key)]
    return genuine[-1] if genuine else None


def _due(
    latest: Checkpoint | None, head: tuple[int, str], now: datetime, interval: timedelta
) -> bool:
    """The trail moved past the latest checkpoint's own entry, and the interval passed."""
    if latest is None:
        return True
    if head[0] <= latest.event_id + 1:  # nothing since but the checkpoint's own entry
        return False
    return now - datetime.fromisoformat(latest.at) >= interval


def checkpoint_if_due(
    sessions: sessionmaker[Session],
    keys_dir: Path,
    data_dir: Path,
    now: datetime | None = None,
    interval: timedelta = WEB_INTERVAL,
    actor: str = "system",
) -> Checkpoint | None:
    """Checkpoint the trail when it moved on and ``interval`` passed since the latest
    checkpoint, after checking that the entries since that checkpoint follow on from it.
    Nothing is done for an installation not anchored yet (no key: the nightly run, `tracker
    keys init` or `tracker audit checkpoint` make it). Raises AnchorError when the trail does
    not verify: a damaged trail is not vouched for."""
    now = now or datetime.now(UTC)
    key = load_key(keys_dir)
    if key is None:
        return None
    latest = latest_checkpoint(data_dir, key)
    with transaction(sessions) as session:
        head = current_head(session)
        if head is None or not _due(latest, head, now, interval):
            return None
        chain = verify_chain(
            session, after=(latest.event_id, latest.entry_hash) if latest else None
        )
        if not chain.intact:
            raise AnchorError(
                f"no checkpoint written: the audit trail is broken at entry "
                f"{chain.first_broken_id}: {chain.problem}"
            )
        if latest is None:  # the first checkpoint: the file and the trail's records must agree
            anchor = verify_anchor(session, keys_dir, data_dir)
            if anchor.problems:
                raise AnchorError(
                    f"no checkpoint written: {anchor.describe()}",
                    f"no checkpoint written: {anchor.describe(paths=False)}",
                )
        return checkpoint_now(session, keys_dir, data_dir, create=False, actor=actor, now=now)


def checkpoint_after_command(
    sessions: sessionmaker[Session], keys_dir: Path, data_dir: Path
) -> str | None:
    """At the end of a CLI command: checkpoint the entries it wrote (no interval: commands
    are few). Returns a warning to show, or None; it never fails the command."""
    try:
        checkpoint_if_due(sessions, keys_dir, data_dir, interval=timedelta(0))
    except (AnchorError, OSError, SQLAlchemyError) as exc:
        return f"warning: the audit trail was not checkpointed: {exc}"
    return None


class PeriodicCheckpoints:
    """A daemon thread for `tracker serve`: every ``poll`` seconds, ``checkpoint_if_due``.
    Problems are logged, never raised: the web application keeps serving."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        keys_dir: Path,
        data_dir: Path,
        clock: Callable[[], float],
        poll: float = WEB_POLL_SECONDS,
        interval: timedelta = WEB_INTERVAL,
    ):
        self.run_once = lambda: checkpoint_if_due(
            sessions, keys_dir, data_dir, datetime.fromtimestamp(clock(), UTC), interval
        )
        self.poll = poll
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="audit-checkpoints", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self.poll):
            try:
                self.run_once()
            except (AnchorError, OSError) as exc:
                log.warning("audit checkpoint not written: %s", getattr(exc, "shown", exc))
            except Exception:  # a database outage must not end the thread for good
                log.exception("audit checkpoint failed")
