"""Intelligence packages sent overseas and the disclosure log (DPA 2018 ss.72-78)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base, UTCDateTime, one_of, utcnow
from tracker.models.enums import HANDLING_CODES


class Package(Base):
    __tablename__ = "packages"
    __table_args__ = (
        one_of("handling", HANDLING_CODES),
        Index("ix_packages_flag", "flag_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    package_uid: Mapped[str] = mapped_column(String(40), unique=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("flags.id"))
    destination_country: Mapped[str] = mapped_column(String(3))
    destination_agency: Mapped[str | None] = mapped_column(Text)
    grading: Mapped[str] = mapped_column(String(4), doc="3x5x2 source+intelligence, e.g. 1A")
    handling: Mapped[str] = mapped_column(String(1))
    conditions: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    path: Mapped[str] = mapped_column(Text)
    zip_sha256: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(64))


class Disclosure(Base):
    """Who sent what to whom, when and why: kept beside the audit trail for the report."""

    __tablename__ = "disclosures"

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int | None] = mapped_column(ForeignKey("packages.id"))
    recipient_country: Mapped[str] = mapped_column(String(3))
    recipient_agency: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    disclosed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    justification: Mapped[str] = mapped_column(Text)
    fields_sent: Mapped[list] = mapped_column(default=list)
