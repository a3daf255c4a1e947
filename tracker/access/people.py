"""People and their roles: the acting person checked against the permission table, and the
mechanics of giving and taking back access (the use cases, with their audit entries, are
``tracker.services.people``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.access.permissions import PermissionDenied, actions_for, allowed, roles_for
from tracker.models import User
from tracker.models.enums import ROLES
from tracker.settings import SYSTEM_ACTOR


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

    @property
    def actions(self) -> frozenset[str]:
        """What this person's role may do: what a page may offer them."""
        return actions_for(self.role)


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
    user = find_user(session, name)
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


def find_user(session: Session, name: str) -> User | None:
    return session.scalars(select(User).where(User.name == name)).one_or_none()


def user_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def checked_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    return role


def checked_new_name(name: str) -> str:
    """The name trimmed, or UserError: empty, or one the audit trail keeps for no person."""
    name = name.strip()
    if not name:
        raise UserError("a user name cannot be empty")
    if name.casefold() in RESERVED_NAMES:
        raise UserError(
            f"{name!r} is reserved: the audit trail uses it for the system or an "
            "unproven sign-in; choose another name"
        )
    return name


def create_user(session: Session, name: str, role: str, created_by: str) -> User:
    """A new person (name and role already checked), refused when the name is taken."""
    if find_user(session, name) is not None:
        raise UserError(f"user {name!r} already exists")
    user = User(name=name, role=role, created_by=created_by)
    session.add(user)
    session.flush()
    return user


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def end_sessions(session: Session, user: User) -> None:
    """Every web session of ``user`` stops working at once: cookies carry the version they
    were issued under, and the version moves on (an atomic increment, so no change is lost)."""
    user.session_version = User.session_version + 1
    session.flush()
    session.refresh(user, ["session_version"])


def person(session: Session, name: str) -> User:
    """The user called ``name`` (trimmed), or UserError."""
    user = find_user(session, (name or "").strip())
    if user is None:
        raise UserError(f"unknown user {name!r}")
    return user


def refuse_losing_the_last_admin(session: Session, user: User, change: str) -> None:
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
