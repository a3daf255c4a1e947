"""Passwords for signing in to the web application: argon2 hashes, and each outcome audited.

The CLI (`tracker users set-password`) and the web admin page set passwords through
``set_password``; people change their own in the web (``change_own_password``); the sign-in
page checks them through ``check_sign_in``. Each writes to the audit trail with the action
``user_change`` (object ``user``); ``details.event`` says which: ``password_set``,
``password_changed``, ``signed_in``, ``sign_in_failed``, ``throttled``, ``signed_out``.
A failed sign-in is recorded under the actor ``anonymous`` (nobody has been proven), with the
typed name cut to 100 characters as the object and in ``details.attempted_name``: a typed
"system" or "ada" must not make the trail read as if they acted. Failures slow the client that
makes them (``tracker.access.sign_in_throttle``); no number of them locks the account itself.
Setting or changing a password, and signing out, end every session of the person.
(The trail is the log domain.md section 6 asks for: who did what to whose record, and when.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.access.people import ANONYMOUS, Actor, UserError, end_sessions, require_actor
from tracker.access.sign_in_throttle import (
    Attempt,
    ThrottlePolicy,
    attempt_failed,
    attempt_succeeded,
    reserve_attempt,
)
from tracker.audit import record_event
from tracker.models import User

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # argon2 takes any length; a bound keeps a request from costing much

_hasher = PasswordHasher()
# Verified against when the name is unknown or has no password, so that a refusal takes as
# long as a real check and the timing does not tell which names exist.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class PasswordError(UserError):
    """A password could not be set as asked (too short, unknown user...)."""


@dataclass(frozen=True)
class SignInResult:
    """``actor`` is set only when the sign-in succeeded; ``reason`` says why not otherwise
    (for the log: the page shows one message for every refusal)."""

    actor: Actor | None
    reason: str | None = None
    blocked_until: datetime | None = None

    @property
    def throttled(self) -> bool:
        return self.blocked_until is not None

    @property
    def ok(self) -> bool:
        return self.actor is not None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


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
    """Set (or reset) ``name``'s password; admins only. Ends every session of ``name``."""
    actor = require_actor(session, acting, "users.set_password")
    user = _user(session, name)
    if user is None:
        raise PasswordError(f"unknown user {name!r}: add them first with `tracker users add`")
    check_password_rules(name, password)
    user.password_hash = hash_password(password)
    end_sessions(session, user)
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


def _log_sign_in(
    session: Session, actor: str, account: str, event: str, justification: str, **details
) -> None:
    record_event(
        session,
        actor=actor,
        action="user_change",
        object_type="user",
        object_id=account or ANONYMOUS,
        justification=justification,
        details={"event": event, **details},
    )


def check_sign_in(
    session: Session,
    name: str,
    password: str,
    *,
    client: str,
    now: datetime | None = None,
    policy: ThrottlePolicy | None = None,
) -> SignInResult:
    """Check a sign-in from ``client``; a failure counts against that (name, client) pair and
    against the client's address.

    The attempt is counted before the password is checked and given back if it succeeds, so
    parallel attempts cannot all pass the throttle (``reserve_attempt``); one the throttle
    refuses is refused before the password is even looked at. The caller commits whatever the
    result: a failure must be counted though the sign-in is refused.
    """
    now = now or datetime.now(UTC)
    policy = policy or ThrottlePolicy()
    password = (password or "")[:MAX_PASSWORD_LENGTH]
    attempt = reserve_attempt(session, name, client, now, policy)
    if attempt.refused_until is not None:
        return SignInResult(None, "throttled", attempt.refused_until)
    user = _user(session, attempt.account) if attempt.account else None
    verified = _verify(user.password_hash if user else None, password)  # same time either way
    if user is None or not user.active or not verified:
        return _count_failure(session, attempt, user, policy)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    attempt_succeeded(session, attempt)
    session.flush()
    _log_sign_in(
        session,
        user.name,
        user.name,
        "signed_in",
        "signed in to the web application",
        client=attempt.client,
    )
    return SignInResult(Actor(user.name, user.role, user.id))


def _count_failure(
    session: Session, attempt: Attempt, user: User | None, policy: ThrottlePolicy
) -> SignInResult:
    reason = (
        "unknown user"
        if user is None
        else "deactivated"
        if not user.active
        else "no password set"
        if not user.password_hash
        else "wrong password"
    )
    attempt_failed(session, attempt, policy)
    _log_sign_in(
        session,
        ANONYMOUS,
        attempt.account,
        "sign_in_failed",
        f"sign-in refused: {reason}",
        attempted_name=attempt.account,
        known=user is not None,
        failures=attempt.pair_failures,
        client=attempt.client,
    )
    return SignInResult(None, reason)


def change_own_password(
    session: Session,
    actor: Actor,
    current: str,
    new: str,
    *,
    client: str,
    now: datetime | None = None,
    policy: ThrottlePolicy | None = None,
) -> User:
    """The signed-in person replaces their own password after proving the current one.

    A wrong current password counts against the (name, client) pair like a failed sign-in
    (counted before the check, like one), so a session left open cannot be used to guess it:
    the caller commits even when this raises ``PasswordError``. Every session of the person
    ends (the caller re-issues its own).
    """
    now = now or datetime.now(UTC)
    policy = policy or ThrottlePolicy()
    user = session.get(User, actor.user_id)
    if user is None or not user.active:
        raise PasswordError("your account is no longer active")
    attempt = reserve_attempt(session, user.name, client, now, policy)
    if attempt.refused_until is not None:
        raise PasswordError("too many wrong passwords from here: wait a little and try again")
    if not _verify(user.password_hash, (current or "")[:MAX_PASSWORD_LENGTH]):
        attempt_failed(session, attempt, policy)
        _log_sign_in(
            session,
            user.name,
            user.name,
            "password_change_failed",
            "own password change refused: wrong current password",
            failures=attempt.pair_failures,
            client=attempt.client,
        )
        raise PasswordError("the current password is wrong")
    attempt_succeeded(session, attempt)
    check_password_rules(user.name, new)
    if _verify(user.password_hash, new):
        raise PasswordError("the new password is the same as the current one")
    user.password_hash = hash_password(new)
    end_sessions(session, user)
    _log_sign_in(
        session,
        user.name,
        user.name,
        "password_changed",
        "own password changed",
        client=attempt.client,
    )
    return user


def record_sign_out(session: Session, actor: Actor, reason: str = "signed out") -> None:
    """Signing out ends every session of the person, including copies of this one's cookie."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is not None:
        end_sessions(session, user)
    _log_sign_in(session, actor.name, actor.name, "signed_out", reason)
