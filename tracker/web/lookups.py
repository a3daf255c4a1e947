"""Small read-only look-ups the pages need for their forms (choices, not rules)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import Offender


def managing_forces(session: Session, limit: int = 500) -> list[str]:
    """The forces in the register, for the queue's filter (an indexed DISTINCT)."""
    return list(
        session.scalars(
            select(Offender.managing_force)
            .distinct()
            .order_by(Offender.managing_force)
            .limit(limit)
        )
    )


def wanted_offenders(session: Session, limit: int = 500) -> list[Offender]:
    """Register entries whose status is ``wanted``: the candidates for the public feed."""
    return list(
        session.scalars(
            select(Offender)
            .where(Offender.status == "wanted")
            .order_by(Offender.wanted_since.desc(), Offender.offender_id)
            .limit(limit)
        )
    )
