"""Passwords for signing in to the web application: argon2 hashes, failures counted, lock-out.

The CLI (`tracker users set-password`) and the web admin page set passwords through
``set_password``; the web sign-in page checks them through ``check_sign_in``. Both write to the
audit trail with the action ``user_change`` (object ``user``), because each one changes the
user's record: its hash, its failure count or its lock. ``details.event`` says which:
``password_set``, ``signed_in``, ``sign_in_failed``, ``locked``, ``signed_out``. A failed
sign-in for a name nobody has is logged the same way (``known: false``), with the name cut to
100 characters, so guessing at names shows in the trail too.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.audit import record_event
from tracker.models import User
from tracker.review.users import Actor, UserError, require_actor

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # argon2 takes any length; a bound keeps a request from costing much
ANONYMOUS = "anonymous"

_hasher = PasswordHasher()
# Verified against when the name is unknown or has no password, so that a refusal takes as
# long as a real check and the timing does not tell which names exist.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class PasswordError(UserError):
    """A password could not be set as asked (too short, unknown user...)."""


@dataclass(frozen=True)
class LockoutPolicy:
    """How many failures in a row lock an account, and for how long."""

    max_failures: int = 5
    lock_minutes: int = 15

    @classmethod
    def from_environment(cls) -> LockoutPolicy:
        return cls(
            max_failures=int(os.environ.get("TRACKER_SIGNIN_MAX_FAILURES") or 5),
            lock_minutes=int(os.environ.get("TRACKER_SIGNIN_LOCK_MINUTES") or 15),
        )


@dataclass(frozen=True)
class SignInResult:
    """``actor`` is set only when the sign-in succeeded; ``reason`` says why not otherwise
    (for the log: the page shows one message for every refusal)."""

    actor: Actor | None
    reason: str | None = None
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.actor is not None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_fingerprint(password_hash: str | None) -> str:
    """A short value that changes whenever the hash does: sessions carry it, so setting a new
    password ends every session signed in with the old one."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def check_password_rules(name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordError(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters "
            "(three random words make a good one)"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordError(f"a password may have at most {MAX_PASSWORD_LENGTH} characters")
    if password.strip().casefold() == name.strip().casefold():
        raise PasswordError("a password may not be the user's name")


def _user(session: Session, name: str) -> User | None:
    return session.scalars(select(User).where(User.name == name)).one_or_none()


def set_password(session: Session, acting: str | None, name: str, password: str) -> User:
    """Set (or reset) ``name``'s password; admins only. Also lifts a lock-out."""
    actor = require_actor(session, acting, "users.set_password")
    user = _user(session, name)
    if user is None:
        raise PasswordError(f"unknown user {name!r}: add them first with `tracker users add`")
    check_password_rules(name, password)
    user.password_hash = hash_password(password)
    user.failed_sign_ins = 0
    user.locked_until = None
    session.flush()
    record_event(
        session,
        actor=actor.name,
        action="user_change",
        object_type="user",
        object_id=user.name,
        justification="password set",
        details={"event": "password_set"},
    )
    return user


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _log_sign_in(session: Session, name: str, event: str, justification: str,
                 **details) -> None:  # fmt: skip
    record_event(
        session,
        actor=name[:100] or ANONYMOUS,
        action="user_change",
        object_type="user",
        object_id=name[:100],
        justification=justification,
        details={"event": event, **details},
    )


def check_sign_in(session: Session, name: str, password: str, *, now: datetime | None = None,
                  policy: LockoutPolicy | None = None,
                  client: str | None = None) -> SignInResult:  # fmt: skip
    """Check a sign-in, count a failure, lock after too many; every outcome is logged.

    The caller commits whatever the result: a failure must be counted even though the
    sign-in is refused.
    """
    now = now or datetime.now(UTC)
    policy = policy or LockoutPolicy()
    name = (name or "").strip()
    password = (password or "")[:MAX_PASSWORD_LENGTH]
    user = _user(session, name) if name else None
    if user is None:
        _verify(None, password)
        _log_sign_in(session, name or ANONYMOUS, "sign_in_failed", "sign-in refused",
                     known=False, client=client)  # fmt: skip
        return SignInResult(None, "unknown user")
    if user.locked_until is not None and user.locked_until > now:
        _verify(None, password)
        _log_sign_in(session, user.name, "sign_in_failed", "sign-in refused: account locked",
                     known=True, locked_until=user.locked_until, client=client)  # fmt: skip
        return SignInResult(None, "locked", user.locked_until)
    if not user.active or not _verify(user.password_hash, password):
        return _count_failure(session, user, now, policy, client)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_sign_ins = 0
    user.locked_until = None
    session.flush()
    _log_sign_in(session, user.name, "signed_in", "signed in to the web application",
                 client=client)  # fmt: skip
    return SignInResult(Actor(user.name, user.role, user.id))


def _count_failure(session: Session, user: User, now: datetime, policy: LockoutPolicy,
                   client: str | None) -> SignInResult:  # fmt: skip
    reason = ("deactivated" if not user.active else
              "no password set" if not user.password_hash else "wrong password")  # fmt: skip
    user.failed_sign_ins = (user.failed_sign_ins or 0) + 1
    failures = user.failed_sign_ins
    _log_sign_in(session, user.name, "sign_in_failed", f"sign-in refused: {reason}",
                 known=True, failures=failures, client=client)  # fmt: skip
    if failures < policy.max_failures:
        session.flush()
        return SignInResult(None, reason)
    user.locked_until = now + timedelta(minutes=policy.lock_minutes)
    user.failed_sign_ins = 0
    session.flush()
    _log_sign_in(session, user.name, "locked",
                 f"locked for {policy.lock_minutes} minutes after {failures} failed sign-ins",
                 locked_until=user.locked_until, client=client)  # fmt: skip
    return SignInResult(None, "locked", user.locked_until)


def record_sign_out(session: Session, actor: Actor, reason: str = "signed out") -> None:
    _log_sign_in(session, actor.name, "signed_out", reason)
