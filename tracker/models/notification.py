"""What an offender told the police, and when."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, UTCDateTime, one_of, utcnow
from tracker.models.enums import NOTIFICATION_KINDS
from tracker.models.offender import Offender
from tracker.schemas.limits import IDENTIFIER_LIMIT


class Notification(Base):
    """One notification (key: ``notification_id``).

    ``notified_on`` is the calendar date used by the deadline rules; ``notified_at`` keeps the
    instant when the source gave a datetime (the 12-hour travel rule needs it).
    """

    __tablename__ = "notifications"
    __table_args__ = (
        one_of("kind", NOTIFICATION_KINDS),
        Index("ix_notifications_offender_notified", "offender_pk", "notified_on"),
        Index("ix_notifications_kind", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[str] = mapped_column(String(IDENTIFIER_LIMIT), unique=True)
    offender_pk: Mapped[int] = mapped_column(ForeignKey("offenders.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    notified_on: Mapped[date] = mapped_column(Date)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    effective_on: Mapped[date | None] = mapped_column(Date)
    departure_date: Mapped[date | None] = mapped_column(Date)
    return_date: Mapped[date | None] = mapped_column(Date)
    destination_countries: Mapped[str | None] = mapped_column(String(200), doc="'|'-joined")
    departure_port: Mapped[str | None] = mapped_column(String(8))
    arrival_port: Mapped[str | None] = mapped_column(String(8))
    carrier: Mapped[str | None] = mapped_column(Text)
    source_file_id: Mapped[int | None] = mapped_column(ForeignKey("source_files.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    offender: Mapped[Offender] = relationship()
