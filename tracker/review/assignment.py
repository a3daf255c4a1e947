"""Who works a flag: assigning open or closed flags to an analyst or supervisor, so two
people do not work the same flag without knowing. Each change is one audit entry per flag."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.access.people import Actor, find_user
from tracker.access.permissions import PERMISSIONS
from tracker.audit import record_event
from tracker.models import Flag, User
from tracker.review.evidence import FlagNotFound

#: Whoever may decide flags may be given one to work.
ASSIGNABLE_ROLES = PERMISSIONS["review.decide"]


class AssignmentError(ValueError):
    """The assignee cannot take flags (unknown, deactivated, or a role that does not review)."""


def assignable_people(session: Session) -> list[str]:
    """Active people whose role reviews flags, by name: the flag page's and queue's picker."""
    return list(
        session.scalars(
            select(User.name)
            .where(User.active.is_(True))
            .where(User.role.in_(sorted(ASSIGNABLE_ROLES)))
            .order_by(User.name)
        )
    )


def _assignee(session: Session, name: str | None) -> User | None:
    if name is None:
        return None
    user = find_user(session, name)
    if user is None:
        raise AssignmentError(f"unknown user {name!r}")
    if not user.active:
        raise AssignmentError(f"user {name!r} is deactivated")
    if user.role not in ASSIGNABLE_ROLES:
        raise AssignmentError(
            f"user {name!r} (role {user.role}) does not review flags; assign to one of the "
            f"roles {', '.join(sorted(ASSIGNABLE_ROLES))}"
        )
    return user


def assign_flags(
    session: Session, actor: Actor, flag_ids: Sequence[int], assignee: str | None
) -> list[Flag]:
    """Give ``flag_ids`` to ``assignee`` (None: take them back from whoever had them).
    All or nothing: an unknown flag refuses the whole request."""
    if not flag_ids:
        raise AssignmentError("no flags given")
    user = _assignee(session, assignee)
    wanted = sorted(set(flag_ids))
    flags = list(
        session.scalars(select(Flag).where(Flag.id.in_(wanted)).order_by(Flag.id).with_for_update())
    )
    missing = sorted(set(wanted) - {f.id for f in flags})
    if missing:
        raise FlagNotFound(f"no flag with id {', '.join(map(str, missing))}")
    names = dict(session.execute(select(User.id, User.name)).all())
    for flag in flags:
        before = names.get(flag.assigned_to) if flag.assigned_to is not None else None
        flag.assigned_to = user.id if user is not None else None
        record_event(
            session,
            actor=actor.name,
            action="alteration",
            object_type="flag",
            object_id=flag.id,
            justification=f"assigned to {assignee}" if assignee else "assignment removed",
            details={"field": "assigned_to", "before": before, "after": assignee},
        )
    session.flush()
    return flags
