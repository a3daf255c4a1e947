"""A person's own account in the web application: signing in, changing their own password and
signing out, each written to the audit trail with the action ``user_change`` (object
``user``); ``details.event`` says which: ``signed_in``, ``sign_in_failed``,
``password_changed``, ``password_change_failed``, ``signed_out`` (and ``throttled`` or
``client_throttled`` when failures make a client wait).

A failed sign-in is recorded under the actor ``anonymous`` (nobody has been proven), with the
typed name cut to 100 characters as the object and in ``details.attempted_name``: a typed
"system" or "ada" must not make the trail read as if they acted. Failures slow the client that
makes them (``tracker.access.sign_in_throttle``); no number of them locks the account itself.
Changing a password, and signing out, end every session of the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from tracker.access.passwords import (
    PasswordError,
    check_password_rules,
    hash_password,
    needs_rehash,
    typed,
    verify_password,
)
from tracker.access.people import ANONYMOUS, Actor, end_sessions, find_user, person, require_actor
from tracker.access.sign_in_throttle import (
    Attempt,
    ThrottlePolicy,
    attempt_failed,
    attempt_succeeded,
    reserve_attempt,
)
from tracker.audit import record_events
from tracker.models import User
from tracker.services.people import record_user_change


@dataclass(frozen=True)
class SignInResult:
    """``actor`` is set only when the sign-in succeeded; ``reason`` says why not otherwise
    (for the log: the page shows one message for every refusal)."""

    actor: Actor | None
    reason: str | None = None
    blocked_until: datetime | None = None
    session_version: int | None = None

    @property
    def throttled(self) -> bool:
        return self.blocked_until is not None

    @property
    def ok(self) -> bool:
        return self.actor is not None


def _log(
    session: Session, actor: str, account: str, event: str, justification: str, **details: object
) -> None:
    record_user_change(session, actor, account or ANONYMOUS, justification, event=event, **details)


def sign_in(
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
    password = typed(password)
    attempt = reserve_attempt(session, name, client, now, policy)
    if attempt.refused_until is not None:
        return SignInResult(None, "throttled", attempt.refused_until)
    user = find_user(session, attempt.account) if attempt.account else None
    verified = verify_password(user.password_hash if user else None, password)  # same time
    if user is None or not user.active or not verified:
        return _count_failure(session, attempt, user, policy)
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    attempt_succeeded(session, attempt)
    session.flush()
    _log(
        session,
        user.name,
        user.name,
        "signed_in",
        "signed in to the web application",
        client=attempt.client,
    )
    return SignInResult(Actor(user.name, user.role, user.id), session_version=user.session_version)


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
    record_events(session, attempt_failed(session, attempt, policy))
    _log(
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
    who: str | None,
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
    actor = require_actor(session, who, "account.change_password")
    now = now or datetime.now(UTC)
    policy = policy or ThrottlePolicy()
    user = person(session, actor.name)
    attempt = reserve_attempt(session, user.name, client, now, policy)
    if attempt.refused_until is not None:
        raise PasswordError("too many wrong passwords from here: wait a little and try again")
    if not verify_password(user.password_hash, typed(current)):
        record_events(session, attempt_failed(session, attempt, policy))
        _log(
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
    if verify_password(user.password_hash, new):
        raise PasswordError("the new password is the same as the current one")
    user.password_hash = hash_password(new)
    end_sessions(session, user)
    _log(
        session,
        user.name,
        user.name,
        "password_changed",
        "own password changed",
        client=attempt.client,
    )
    return user


def sign_out(session: Session, who: str, reason: str = "signed out") -> None:
    """Signing out ends every session of the person, including copies of this one's cookie."""
    user = find_user(session, who)
    if user is not None:
        end_sessions(session, user)
    _log(session, who, who, "signed_out", reason)


def current_person(
    session: Session, user_id: int | None, name: str | None, version: int | None
) -> Actor | None:
    """The person a web session belongs to, if they still exist, are active and the session's
    version is still theirs (sign-out, a password or role change and deactivation move it on)."""
    user = session.get(User, user_id) if user_id is not None else None
    if (
        user is None
        or user.name != name
        or not user.active
        or version is None
        or user.session_version != version
    ):
        return None
    return Actor(user.name, user.role, user.id)
