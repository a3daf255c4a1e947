"""People's access as admins manage it: adding people, listing them (with the sign-in
throttles in force), setting passwords, taking access back and giving it again, changing
roles, lifting a throttle. Each checks the acting person and writes its ``user_change`` entry.
(The trail is the log domain.md section 6 asks for: who did what to whose record, and when.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from tracker.access.passwords import PasswordError, check_password_rules, hash_password
from tracker.access.people import (
    ADDRESS_WIDE,
    ANONYMOUS,
    UserError,
    all_users,
    checked_new_name,
    checked_role,
    create_user,
    end_sessions,
    find_user,
    person,
    refuse_losing_the_last_admin,
    require_actor,
    user_count,
)
from tracker.access.permissions import allowed
from tracker.access.sign_in_throttle import ThrottlePolicy, current_throttles, remove_throttle
from tracker.audit import record_event
from tracker.models import SignInFailure, User


@dataclass(frozen=True)
class UserListing:
    """Everyone with access, and the sign-in throttles in force (None: not the reader's to
    see, only those who may clear one see them)."""

    people: list[dict]
    throttles: list[dict] | None


def record_user_change(
    session: Session, actor: str, user: str, justification: str, **details: object
) -> None:
    """Who changed whose access or account, when and how (domain.md section 6)."""
    record_event(
        session,
        actor=actor,
        action="user_change",
        object_type="user",
        object_id=user,
        justification=justification,
        details=details,
    )


def add_user(session: Session, who: str | None, name: str, role: str) -> User:
    """Add a person. While nobody exists the first user needs no acting person (bootstrap,
    the data contract's rule); after that only an admin adds users."""
    bootstrap = user_count(session) == 0
    actor = None if bootstrap else require_actor(session, who, "users.add")
    name, role = checked_new_name(name), checked_role(role)
    actor_name = actor.name if actor is not None else (who or name)
    user = create_user(session, name, role, actor_name)
    first = actor_name == name and who is None
    record_user_change(session, actor_name, name, "user added", role=role, bootstrap=first)
    return user


def _person_row(user: User) -> dict:
    return {
        "name": user.name,
        "role": user.role,
        "active": user.active,
        "password_set": bool(user.password_hash),
        "created_at": user.created_at,
        "created_by": user.created_by,
    }


def _throttle_row(row: SignInFailure, now: datetime) -> dict:
    waiting = row.blocked_until if row.blocked_until and row.blocked_until > now else None
    return {
        "account": row.account,
        "client": row.client,
        "failures": row.failures,
        "first_failed_at": row.first_failed_at,
        "last_failed_at": row.last_failed_at,
        "waiting_until": waiting,
    }


def list_users(
    session: Session,
    who: str | None,
    now: datetime | None = None,
    policy: ThrottlePolicy | None = None,
) -> UserListing:
    """Everyone with access and their role, by name; those who may clear a throttle also get
    the throttles in force as of ``now``."""
    actor = require_actor(session, who, "users.list")
    people = [_person_row(user) for user in all_users(session)]
    if not allowed(actor.role or "", "users.clear_throttle"):
        return UserListing(people, None)
    now = now or datetime.now(UTC)
    policy = policy or ThrottlePolicy()
    throttles = [_throttle_row(row, now) for row in current_throttles(session, now, policy)]
    return UserListing(people, throttles)


def set_password(
    session: Session, who: str | None, name: str, password: str, repeated: str | None = None
) -> User:
    """Set (or reset) ``name``'s password (``repeated``: the second typing, when asked for
    twice). Ends every session of ``name``."""
    actor = require_actor(session, who, "users.set_password")
    if repeated is not None and repeated != password:
        raise PasswordError("the two passwords typed differ")
    user = find_user(session, name)
    if user is None:
        raise PasswordError(f"unknown user {name!r}: add them first with `tracker users add`")
    check_password_rules(name, password)
    user.password_hash = hash_password(password)
    end_sessions(session, user)
    record_user_change(session, actor.name, user.name, "password set", event="password_set")
    return user


def deactivate_user(session: Session, who: str | None, name: str) -> User:
    """Take ``name``'s access away now: every session ends and every command refuses them."""
    actor = require_actor(session, who, "users.deactivate")
    user = person(session, name)
    if not user.active:
        raise UserError(f"{user.name!r} is already deactivated")
    refuse_losing_the_last_admin(session, user, "deactivated")
    user.active = False
    end_sessions(session, user)
    record_user_change(
        session, actor.name, user.name, "user deactivated", event="deactivated", role=user.role
    )
    return user


def activate_user(session: Session, who: str | None, name: str) -> User:
    """Give a deactivated person their access back (their old sessions stay ended)."""
    actor = require_actor(session, who, "users.activate")
    user = person(session, name)
    if user.active:
        raise UserError(f"{user.name!r} is already active")
    user.active = True
    end_sessions(session, user)
    record_user_change(
        session, actor.name, user.name, "user activated", event="activated", role=user.role
    )
    return user


def set_role(session: Session, who: str | None, name: str, role: str) -> User:
    """Give ``name`` another role; their sessions end so the new role applies everywhere."""
    actor = require_actor(session, who, "users.set_role")
    checked_role(role)
    user = person(session, name)
    if user.role == role:
        raise UserError(f"{user.name!r} already has the role {role}")
    if role != "admin":
        refuse_losing_the_last_admin(session, user, "given another role")
    previous, user.role = user.role, role
    end_sessions(session, user)
    record_user_change(
        session,
        actor.name,
        user.name,
        f"role changed from {previous} to {role}",
        event="role_changed",
        previous=previous,
        role=role,
    )
    return user


def clear_throttle(session: Session, who: str | None, account: str | None, client: str) -> None:
    """Let this client try this name again at once, or (``account`` None or ``ADDRESS_WIDE``)
    give the address its failures back."""
    actor = require_actor(session, who, "users.clear_throttle")
    cleared, address, failures = remove_throttle(session, account, client)
    record_user_change(
        session,
        actor.name,
        cleared or ANONYMOUS,
        "sign-in throttle cleared" + (" for the address" if cleared == ADDRESS_WIDE else ""),
        event="throttle_cleared",
        client=address,
        failures=failures,
    )
