"""The append-only, hash-chained audit trail (DPA 2018 s.62 logging)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base, UTCDateTime, one_of, utcnow
from tracker.models.enums import AUDIT_ACTIONS


class AuditEvent(Base):
    """One logged act. ``entry_hash`` covers the fields and ``prev_hash``, so any edit,
    deletion or reordering breaks the chain that ``tracker audit verify`` recomputes."""

    __tablename__ = "audit_events"
    __table_args__ = (
        one_of("action", AUDIT_ACTIONS),
        Index("ix_audit_events_object", "object_type", "object_id"),
        Index("ix_audit_events_actor", "actor"),
        Index("ix_audit_events_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, doc="gapless")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20))
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[str | None] = mapped_column(Text)
    justification: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(default=dict)
    run_id: Mapped[int | None] = mapped_column()
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The single row naming the newest entry, so deleting the last entry is detected too.

    Appenders lock this row, which also serialises the chain on PostgreSQL.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_event_id: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditEventValues(Base):
    """Personal values an entry refers to (an alteration's old and new values), kept out of
    the chained payload: the entry's details hold their digest, so retention can erase them
    here and the chain still verifies."""

    __tablename__ = "audit_event_values"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("audit_events.id"), primary_key=True, autoincrement=False
    )
    payload: Mapped[dict] = mapped_column(default=dict)
