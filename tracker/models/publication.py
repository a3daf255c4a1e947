"""Supervisors' approvals to publish a wanted offender on the public feed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, UTCDateTime, one_of, utcnow
from tracker.models.enums import PUBLICATION_STATES
from tracker.models.offender import Offender


class Publication(Base):
    """The current publication state per offender; every change is also an audit event."""

    __tablename__ = "publications"
    __table_args__ = (one_of("state", PUBLICATION_STATES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offender_pk: Mapped[int] = mapped_column(
        ForeignKey("offenders.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[str] = mapped_column(String(10))
    approved_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approval_reason: Mapped[str] = mapped_column(Text)
    # The only free text the feed publishes: written or approved by the supervisor for the
    # public, never copied from the register's internal text (domain.md s.4).
    public_description: Mapped[str | None] = mapped_column(Text)
    public_area: Mapped[str | None] = mapped_column(Text)
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    offender: Mapped[Offender] = relationship()
