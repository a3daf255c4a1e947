"""The register: an offender with the names and documents they are known by."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, UTCDateTime, one_of, utcnow
from tracker.models.enums import (
    ALIAS_KINDS,
    DOC_TYPES,
    JURISDICTIONS,
    OFFENDER_STATUSES,
    RISK_LEVELS,
    SEXES,
    TIERS,
)
from tracker.schemas.limits import IDENTIFIER_LIMIT, POSTCODE_LIMIT


class Offender(Base):
    """One register entry. Text is kept exactly as given; matching normalises it as it reads."""

    __tablename__ = "offenders"
    __table_args__ = (
        one_of("sex", SEXES),
        one_of("jurisdiction", JURISDICTIONS),
        one_of("tier", TIERS),
        one_of("risk_level", RISK_LEVELS),
        one_of("status", OFFENDER_STATUSES),
        Index("ix_offenders_status", "status"),
        Index("ix_offenders_managing_force", "managing_force"),
        Index("ix_offenders_date_of_birth", "date_of_birth"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offender_id: Mapped[str] = mapped_column(String(IDENTIFIER_LIMIT), unique=True)
    family_name: Mapped[str] = mapped_column(Text)
    given_names: Mapped[str] = mapped_column(Text)
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1))
    nationalities: Mapped[str | None] = mapped_column(String(200), doc="ISO alpha-3, '|'-joined")
    requirement_start: Mapped[date] = mapped_column(Date)
    notification_period: Mapped[str] = mapped_column(String(20))
    jurisdiction: Mapped[str] = mapped_column(String(20), default="uk-ew")
    tier: Mapped[int | None] = mapped_column(Integer)
    risk_level: Mapped[str | None] = mapped_column(String(20))
    managing_force: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="active")
    wanted_since: Mapped[date | None] = mapped_column(Date)
    fixed_abode: Mapped[bool] = mapped_column(Boolean, default=True)
    address_line: Mapped[str | None] = mapped_column(Text, doc="restricted: never leaves")
    postcode: Mapped[str | None] = mapped_column(
        String(POSTCODE_LIMIT), doc="restricted: never leaves"
    )
    last_known_area: Mapped[str | None] = mapped_column(Text)
    offence_category: Mapped[str | None] = mapped_column(Text, doc="restricted: packages only")
    height_cm: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    photo_ref: Mapped[str | None] = mapped_column(Text)
    search_names: Mapped[str | None] = mapped_column(
        Text, doc="every name folded for search (tracker.search_names); NULL until folded"
    )
    public_id: Mapped[str] = mapped_column(
        String(32), unique=True, doc="random, for the public feed; not derivable from offender_id"
    )
    source_file_id: Mapped[int | None] = mapped_column(ForeignKey("source_files.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    aliases: Mapped[list[Alias]] = relationship(
        back_populates="offender", cascade="all, delete-orphan"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="offender", cascade="all, delete-orphan"
    )


class Alias(Base):
    """Another name an offender is known by (key: offender + family name + given names)."""

    __tablename__ = "aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    offender_pk: Mapped[int] = mapped_column(ForeignKey("offenders.id", ondelete="CASCADE"))
    family_name: Mapped[str] = mapped_column(Text)
    given_names: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20), default="alias")
    source_file_id: Mapped[int | None] = mapped_column(ForeignKey("source_files.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    offender: Mapped[Offender] = relationship(back_populates="aliases")

    __table_args__ = (
        one_of("kind", ALIAS_KINDS),
        Index("uq_aliases_natural_key", "offender_pk", "family_name", "given_names", unique=True),
    )


class Document(Base):
    """A travel or identity document (key: type + number + issuing country)."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    offender_pk: Mapped[int] = mapped_column(ForeignKey("offenders.id", ondelete="CASCADE"))
    doc_type: Mapped[str] = mapped_column(String(1))
    doc_number: Mapped[str] = mapped_column(String(IDENTIFIER_LIMIT))
    issuing_country: Mapped[str] = mapped_column(String(3), doc="as given; D means DEU")
    expires_on: Mapped[date | None] = mapped_column(Date)
    source_file_id: Mapped[int | None] = mapped_column(ForeignKey("source_files.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    offender: Mapped[Offender] = relationship(back_populates="documents")

    __table_args__ = (
        one_of("doc_type", DOC_TYPES),
        Index("uq_documents_natural_key", "doc_type", "doc_number", "issuing_country", unique=True),
        Index("ix_documents_offender_pk", "offender_pk"),
    )
