"""Runs of the batch (and of single stages), and the lock that keeps them one at a time."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base, UTCDateTime, one_of, utcnow
from tracker.models.enums import RUN_KINDS, RUN_STATUSES


class Run(Base):
    """One execution keyed by its as-of date: stages record their counts and timings here."""

    __tablename__ = "runs"
    __table_args__ = (
        one_of("status", RUN_STATUSES),
        one_of("kind", RUN_KINDS),
        Index("ix_runs_as_of", "as_of"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="nightly")
    as_of: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="running")
    actor: Mapped[str] = mapped_column(String(100), default="system")
    inbox: Mapped[str | None] = mapped_column(Text)
    outbox: Mapped[str | None] = mapped_column(Text)
    counts: Mapped[dict] = mapped_column(default=dict)
    stage_timings: Mapped[dict] = mapped_column(default=dict, doc="stage -> seconds")
    error: Mapped[str | None] = mapped_column(Text)


class RunLock(Base):
    """A named lock row: a second batch on the same database waits or refuses.

    A row (not a local file) so the lock holds for every machine sharing a PostgreSQL server.
    """

    __tablename__ = "run_locks"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    holder: Mapped[str] = mapped_column(Text, doc="host:pid of the process holding it")
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
