"""People and their roles, the acting person, and the contract's bootstrap rule; access given
and taken back (deactivation, role changes), which ends the person's sessions at once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.access.permissions import PermissionDenied, allowed, roles_for
from tracker.audit import record_event
from tracker.config import SYSTEM_ACTOR
from tracker.models import User
from tracker.models.enums import ROLES


class UserError(ValueError):
    """A user could not be added or changed as asked."""


@dataclass(frozen=True)
class Actor:
    """The person acting; ``user_id`` is None for the system itself (nightly, demo)."""

    name: str
    role: str | None
    user_id: int | None

    @property
    def is_system(self) -> bool:
        return self.user_id is None


SYSTEM = Actor(SYSTEM_ACTOR, None, None)
ANONYMOUS = "anonymous"  # the actor of a failed sign-in: nobody has been proven
ADDRESS_WIDE = "*"  # sign_in_failures.account of one address's count over every name
# Names the code itself writes into the audit trail's actor or account columns: a person
# called "System" would read, in the trail, as if the nightly run had acted (issue 19, 9).
RESERVED_NAMES = frozenset({SYSTEM_ACTOR, ANONYMOUS, ADDRESS_WIDE})


def require_actor(session: Session, name: str | None, action: str) -> Actor:
    """The acting person, if known, active and allowed to do ``action``; refused otherwise."""
    if not name:
        raise PermissionDenied(
            f"`{action}` needs the acting person: give --user NAME or set TRACKER_USER "
            f"(allowed roles: {', '.join(roles_for(action))})"
        )
    user = session.scalars(select(User).where(User.name == name)).one_or_none()
    if user is None:
        raise PermissionDenied(f"unknown user {name!r}: ask an admin to add them")
    if not user.active:
        raise PermissionDenied(f"user {name!r} is deactivated")
    if not allowed(user.role, action):
        raise PermissionDenied(
            f"user {name!r} (role {user.role}) may not {action}; allowed roles: "
            f"{', '.join(roles_for(action))}"
        )
    return Actor(user.name, user.role, user.id)


def user_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def add_user(session: Session, acting: str | None, name: str, role: str) -> User:
    """Add a person. While nobody exists the first user needs no acting person (bootstrap);
    after that only an admin adds users."""
    name = name.strip()
    if not name:
        raise UserError("a user name cannot be empty")
    if name.casefold() in RESERVED_NAMES:
        raise UserError(
            f"{name!r} is reserved: the audit trail uses it for the system or an "
            "unproven sign-in; choose another name"
        )
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if user_count(session) == 0:
        actor_name = acting or name
    else:
        actor_name = require_actor(session, acting, "users.add").name
    if session.scalars(select(User).where(User.name == name)).one_or_none() is not None:
        raise UserError(f"user {name!r} already exists")
    user = User(name=name, role=role, created_by=actor_name)
    session.add(user)
    session.flush()
    record_event(
        session,
        actor=actor_name,
        action="user_change",
        object_type="user",
        object_id=name,
        justification="user added",
        details={"role": role, "bootstrap": actor_name == name and acting is None},
    )
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def end_sessions(session: Session, user: User) -> None:
    """Every web session of ``user`` stops working at once: cookies carry the version they
    were issued under, and the version moves on (an atomic increment, so no change is lost)."""
    user.session_version = User.session_version + 1
    session.flush()
    session.refresh(user, ["session_version"])


def _person(session: Session, name: str) -> User:
    user = session.scalars(select(User).where(User.name == (name or "").strip())).one_or_none()
    if user is None:
        raise UserError(f"unknown user {name!r}")
    return user


def _refuse_losing_the_last_admin(session: Session, user: User, change: str) -> None:
    """Someone must be left to manage people: the last active admin keeps the role and access.
    The active admins are locked while counted, so two admins cannot remove each other."""
    if user.role != "admin" or not user.active:
        return
    admins = session.scalars(
        select(User.id).where(User.role == "admin", User.active.is_(True)).with_for_update()
    ).all()
    if len(admins) <= 1:
        raise UserError(
            f"{user.name!r} is the last active admin and cannot be {change}; "
            "make another person admin first"
        )


def _log_access(session: Session, actor: Actor, user: User, justification: str, **details) -> None:
    """Who changed whose access, when and how (domain.md section 6: alteration is logged)."""
    record_event(
        session,
        actor=actor.name,
        action="user_change",
        object_type="user",
        object_id=user.name,
        justification=justification,
        details=details,
    )


def deactivate_user(session: Session, acting: str | None, name: str) -> User:
    """Take ``name``'s access away now: every session ends and every command refuses them."""
    actor = require_actor(session, acting, "users.deactivate")
    user = _person(session, name)
    if not user.active:
        raise UserError(f"{user.name!r} is already deactivated")
    _refuse_losing_the_last_admin(session, user, "deactivated")
    user.active = False
    end_sessions(session, user)
    _log_access(session, actor, user, "user deactivated", event="deactivated", role=user.role)
    return user


def activate_user(session: Session, acting: str | None, name: str) -> User:
    """Give a deactivated person their access back (their old sessions stay ended)."""
    actor = require_actor(session, acting, "users.activate")
    user = _person(session, name)
    if user.active:
        raise UserError(f"{user.name!r} is already active")
    user.active = True
    end_sessions(session, user)
    _log_access(session, actor, user, "user activated", event="activated", role=user.role)
    return user


def set_role(session: Session, acting: str | None, name: str, role: str) -> User:
    """Give ``name`` another role; their sessions end so the new role applies everywhere."""
    actor = require_actor(session, acting, "users.set_role")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    user = _person(session, name)
    if user.role == role:
        raise UserError(f"{user.name!r} already has the role {role}")
    if role != "admin":
        _refuse_losing_the_last_admin(session, user, "given another role")
    previous, user.role = user.role, role
    end_sessions(session, user)
    _log_access(
        session,
        actor,
        user,
        f"role changed from {previous} to {role}",
        event="role_changed",
        previous=previous,
        role=role,
    )
    return user
