"""Failed sign-ins counted per (account, client address), with growing delays.

A hard lock of the account let anyone lock anyone out (an admin included) with five wrong
passwords. Counting per (typed name, client) instead slows the one guessing without touching
the right person on their own machine: after ``free_failures`` failures that client waits
1 s, 2 s, 4 s... (at most ``max_delay_minutes``) before each further try for that name, and a
success from it starts over. The count lives in the database (``sign_in_failures``) so it holds
across workers and restarts. The typed name is the key whether or not anybody has it, so a
refusal does not tell which names exist.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.audit import record_event
from tracker.models import SignInFailure
from tracker.review.users import ANONYMOUS, UserError, require_actor

ACCOUNT_LENGTH = 100  # sign_in_failures.account, users.name
CLIENT_LENGTH = 64  # sign_in_failures.client


@dataclass(frozen=True)
class ThrottlePolicy:
    """Failures allowed before delays start, the first delay, the cap, and when to forget."""

    free_failures: int = 5
    first_delay_seconds: float = 1.0
    max_delay_minutes: int = 15
    forget_after_hours: int = 24

    @classmethod
    def from_environment(cls) -> ThrottlePolicy:
        return cls(
            free_failures=int(os.environ.get("TRACKER_SIGNIN_MAX_FAILURES") or 5),
            max_delay_minutes=int(os.environ.get("TRACKER_SIGNIN_MAX_DELAY_MINUTES")
                                  or os.environ.get("TRACKER_SIGNIN_LOCK_MINUTES") or 15),
        )  # fmt: skip

    def delay(self, failures: int) -> timedelta:
        """The wait after ``failures`` failures: none while free, then doubling to the cap."""
        over = failures - self.free_failures
        if over < 0:
            return timedelta(0)
        seconds = self.first_delay_seconds * 2 ** min(over, 40)
        return timedelta(seconds=min(seconds, self.max_delay_minutes * 60))


def throttle_key(account: str, client: str) -> tuple[str, str]:
    """The stored (account, client): the typed name trimmed and both cut to their columns."""
    return (account or "").strip()[:ACCOUNT_LENGTH], (client or "unknown")[:CLIENT_LENGTH]


def _row(session: Session, account: str, client: str) -> SignInFailure | None:
    chosen = select(SignInFailure).where(SignInFailure.account == account,
                                         SignInFailure.client == client)  # fmt: skip
    return session.scalars(chosen).one_or_none()


def blocked_until(session: Session, account: str, client: str, now: datetime) -> datetime | None:
    """When this client may next try this name, if that is still in the future."""
    row = _row(session, *throttle_key(account, client))
    if row is None or row.blocked_until is None or row.blocked_until <= now:
        return None
    return row.blocked_until


def record_failure(session: Session, account: str, client: str, now: datetime,
                   policy: ThrottlePolicy) -> SignInFailure:  # fmt: skip
    """Count one failure for the pair and set its next delay; audited when it first bites."""
    account, client = throttle_key(account, client)
    _forget_old(session, now, policy)
    row = _counted(session, account, client, now)
    delay = policy.delay(row.failures)
    row.blocked_until = now + delay if delay else None
    session.flush()
    if row.failures == policy.free_failures:
        record_event(
            session,
            actor=ANONYMOUS,
            action="user_change",
            object_type="user",
            object_id=account or ANONYMOUS,
            justification=f"sign-in throttled for one client after {row.failures} failures",
            details={"event": "throttled", "client": client, "failures": row.failures,
                     "blocked_until": row.blocked_until},  # fmt: skip
        )
    return row


def _counted(session: Session, account: str, client: str, now: datetime) -> SignInFailure:
    """The pair's row with one more failure: an atomic increment, or a new row (racing
    workers that both insert fall back to the increment)."""
    for _ in range(2):
        bumped = session.execute(
            update(SignInFailure)
            .where(SignInFailure.account == account, SignInFailure.client == client)
            .values(failures=SignInFailure.failures + 1, last_failed_at=now)
            .execution_options(synchronize_session=False)
        )
        if bumped.rowcount:
            row = _row(session, account, client)
            session.refresh(row)
            return row
        try:
            with session.begin_nested():
                row = SignInFailure(account=account, client=client, failures=1,
                                    first_failed_at=now, last_failed_at=now)  # fmt: skip
                session.add(row)
            return row
        except IntegrityError:
            continue
    raise RuntimeError("the sign-in failure count could not be written")


def forget_failures(session: Session, account: str, client: str) -> None:
    """A success from this client starts its count for this name over."""
    account, client = throttle_key(account, client)
    session.execute(delete(SignInFailure).where(SignInFailure.account == account,
                                                SignInFailure.client == client))  # fmt: skip


def _forget_old(session: Session, now: datetime, policy: ThrottlePolicy) -> None:
    """Pairs quiet for ``forget_after_hours`` start over, and the table stays small."""
    cutoff = now - timedelta(hours=policy.forget_after_hours)
    session.execute(delete(SignInFailure).where(SignInFailure.last_failed_at < cutoff))


def current_throttles(session: Session, now: datetime,
                      policy: ThrottlePolicy) -> list[SignInFailure]:  # fmt: skip
    """Pairs past their free failures and not yet forgotten, newest first (the Users page)."""
    cutoff = now - timedelta(hours=policy.forget_after_hours)
    return list(session.scalars(
        select(SignInFailure)
        .where(SignInFailure.failures >= policy.free_failures,
               SignInFailure.last_failed_at >= cutoff)
        .order_by(SignInFailure.last_failed_at.desc(), SignInFailure.id)
        .limit(500)
    ))  # fmt: skip


def clear_throttle(session: Session, acting: str | None, account: str, client: str) -> None:
    """An admin lets this client try this name again at once; audited."""
    actor = require_actor(session, acting, "users.clear_throttle")
    account, client = throttle_key(account, client)
    row = _row(session, account, client)
    if row is None:
        raise UserError(f"no sign-in throttle for {account!r} from {client}")
    failures = row.failures
    session.delete(row)
    session.flush()
    record_event(
        session,
        actor=actor.name,
        action="user_change",
        object_type="user",
        object_id=account or ANONYMOUS,
        justification="sign-in throttle cleared",
        details={"event": "throttle_cleared", "client": client, "failures": failures},
    )
