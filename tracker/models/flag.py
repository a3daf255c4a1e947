"""Flags the rules raise and the decisions analysts take on them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, UTCDateTime, one_of, utcnow
from tracker.models.enums import DECISIONS, FLAG_KINDS, FLAG_STATUSES, SEVERITIES
from tracker.models.offender import Offender


class Flag(Base):
    """A suspected failure to comply, evidence for a human decision, never an accusation.

    ``flag_key`` is the natural key (kind + offender + the record or deadline that caused it)
    so that evaluating the same night twice finds the existing flag instead of a new one.
    """

    __tablename__ = "flags"
    __table_args__ = (
        one_of("kind", FLAG_KINDS),
        one_of("severity", SEVERITIES),
        one_of("status", FLAG_STATUSES),
        Index("ix_flags_queue", "status", "severity", "due_on"),
        Index("ix_flags_offender", "offender_pk"),
        Index("ix_flags_kind", "kind"),
        Index("ix_flags_travel", "travel_pk"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="open")
    offender_pk: Mapped[int] = mapped_column(ForeignKey("offenders.id", ondelete="CASCADE"))
    travel_pk: Mapped[int | None] = mapped_column(
        ForeignKey("travel_records.id", ondelete="SET NULL")
    )
    notification_pk: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL")
    )
    link_id: Mapped[int | None] = mapped_column(ForeignKey("links.id", ondelete="SET NULL"))
    match_probability: Mapped[float | None] = mapped_column(Float)
    due_on: Mapped[date | None] = mapped_column(Date)
    detected_on: Mapped[date] = mapped_column(Date)
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("runs.id"), doc="run that first raised it (none when a screening raised it)"
    )
    screening_id: Mapped[int | None] = mapped_column(
        ForeignKey("screenings.id", ondelete="SET NULL"),
        doc="the screening that raised it before travel (pending_departure_without_notice)",
    )
    last_seen_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    rule: Mapped[str] = mapped_column(Text, doc="profile rule and the section it comes from")
    summary: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict] = mapped_column(default=dict, doc="references, not copies")
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    escalated: Mapped[bool] = mapped_column(default=False)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    resolved_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    offender: Mapped[Offender] = relationship()
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="flag", order_by="Decision.decided_at"
    )


class Decision(Base):
    """An analyst's or supervisor's decision on a flag, with the reason (always required)."""

    __tablename__ = "decisions"
    __table_args__ = (
        one_of("decision", DECISIONS),
        Index("ix_decisions_flag", "flag_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("flags.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    flag: Mapped[Flag] = relationship(back_populates="decisions")
