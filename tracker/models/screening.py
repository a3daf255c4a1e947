"""Urgent screening (issue 22): API tokens of border systems, the manifests they push, what
screening found in each, and the level-one alerts it raised with their deliveries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base, UTCDateTime, one_of, utcnow
from tracker.models.enums import (
    ALERT_CHANNELS,
    ALERT_STATES,
    DELIVERY_OUTCOMES,
    LINK_BANDS,
    SCREENING_STATUSES,
)
from tracker.models.link import ExplanationJSON
from tracker.schemas.explanation import LinkExplanation


class ApiToken(Base):
    """A system's bearer token: only its SHA-256 is kept (the secret is shown once), with its
    scopes, the travel sources it may write, its expiry and revocation, so every call can be
    refused or audited by the token's name."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, doc="SHA-256 hex of secret")
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    sources: Mapped[list[str]] = mapped_column(
        JSON, default=list, doc="travel sources it may write: exact names or * globs"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Screening(Base):
    """One manifest screened now: who sent it, what was read, and its outcome.

    ``(sender, idempotency_key)`` is unique, so a manifest pushed twice finds the first
    screening instead of storing its travellers again.
    """

    __tablename__ = "screenings"
    __table_args__ = (
        one_of("status", SCREENING_STATUSES),
        Index("uq_screenings_idempotency", "sender", "idempotency_key", unique=True),
        Index("ix_screenings_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sender: Mapped[str] = mapped_column(String(120), doc="token:NAME, or cli:PERSON")
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    body_sha256: Mapped[str] = mapped_column(String(64))
    source_file_id: Mapped[int | None] = mapped_column(ForeignKey("source_files.id"))
    status: Mapped[str] = mapped_column(String(10), default="received")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    screened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    travellers_read: Mapped[int] = mapped_column(Integer, default=0)
    travellers_rejected: Mapped[int] = mapped_column(Integer, default=0)
    model_version: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[dict] = mapped_column(default=dict, doc="rejects and warnings, no names")


class ScreeningHit(Base):
    """A traveller of a screened manifest linked to a register entry, with the explanation
    (the screening's own links: the nightly re-matches in bulk and keeps its own)."""

    __tablename__ = "screening_hits"
    __table_args__ = (
        one_of("band", LINK_BANDS),
        Index("uq_screening_hits_pair", "screening_id", "travel_pk", unique=True),
        Index("ix_screening_hits_offender", "offender_pk"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screenings.id", ondelete="CASCADE"))
    travel_pk: Mapped[int] = mapped_column(ForeignKey("travel_records.id", ondelete="CASCADE"))
    offender_pk: Mapped[int] = mapped_column(ForeignKey("offenders.id", ondelete="CASCADE"))
    band: Mapped[str] = mapped_column(String(10))
    match_probability: Mapped[float] = mapped_column(Float)
    match_weight: Mapped[float] = mapped_column(Float)
    explanation: Mapped[LinkExplanation | None] = mapped_column(ExplanationJSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Alert(Base):
    """A level-one case for the duty officer: the minimum to act on (flag, severity, flight,
    departure), acknowledged by a person or escalated to supervisors when nobody does."""

    __tablename__ = "alerts"
    __table_args__ = (
        one_of("state", ALERT_STATES),
        Index("uq_alerts_flag", "flag_id", unique=True),
        Index("ix_alerts_state", "state", "raised_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("flags.id", ondelete="CASCADE"))
    screening_id: Mapped[int | None] = mapped_column(
        ForeignKey("screenings.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(Text, doc="which level-one rule of the profile held")
    severity: Mapped[str] = mapped_column(String(20), default="level_one")
    flight: Mapped[str | None] = mapped_column(String(40))
    departure_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(20), default="raised")
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AlertDelivery(Base):
    """One attempt to reach someone with an alert (e-mail, webhook), and how it ended."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        one_of("channel", ALERT_CHANNELS),
        one_of("outcome", DELIVERY_OUTCOMES),
        Index("ix_alert_deliveries_alert", "alert_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(Text, doc="address or URL reached (no offender data)")
    outcome: Mapped[str] = mapped_column(String(10))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    detail: Mapped[str | None] = mapped_column(Text, doc="server reply or error")
