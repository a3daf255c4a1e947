"""Passenger and border records, the files they came in, and rows that were refused."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base, UTCDateTime, one_of, utcnow
from tracker.models.enums import (
    DIRECTIONS,
    DOC_TYPES,
    INPUT_FORMATS,
    INPUT_KINDS,
    TRAVEL_SEXES,
    TRAVELLER_KINDS,
)
from tracker.schemas.limits import FLIGHT_NUMBER_LIMIT, IDENTIFIER_LIMIT


class SourceFile(Base):
    """One loading of one input file: what was read, loaded and rejected."""

    __tablename__ = "source_files"
    __table_args__ = (
        one_of("kind", INPUT_KINDS),
        one_of("format", INPUT_FORMATS),
        Index("ix_source_files_sha256", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    name: Mapped[str] = mapped_column(Text, doc="file name as received")
    path: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(10))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_loaded: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    reject_file: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text, doc="why the whole file was refused")
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Reject(Base):
    """A refused row, kept whole for the report and for correction at source."""

    __tablename__ = "rejects"
    __table_args__ = (Index("ix_rejects_source_file", "source_file_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_files.id", ondelete="CASCADE"))
    line: Mapped[int | None] = mapped_column(Integer)
    column: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TravelRecord(Base):
    """A passenger or border crossing (key: ``source`` + ``record_id``), as the carrier wrote it."""

    __tablename__ = "travel_records"
    __table_args__ = (
        one_of("direction", DIRECTIONS),
        one_of("traveller_kind", TRAVELLER_KINDS),
        one_of("sex", TRAVEL_SEXES),
        one_of("doc_type", DOC_TYPES),
        # Only the natural key: nothing looks travel up by time, document or birth date, and
        # every other index would cost each nightly load and erasure (migration 0002).
        Index("uq_travel_records_natural_key", "source", "record_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    record_id: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(Text)
    given_names: Mapped[str | None] = mapped_column(Text)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1))
    nationality: Mapped[str | None] = mapped_column(String(3))
    doc_type: Mapped[str | None] = mapped_column(String(1))
    doc_number: Mapped[str | None] = mapped_column(String(IDENTIFIER_LIMIT))
    doc_issuing_country: Mapped[str | None] = mapped_column(String(3))
    direction: Mapped[str] = mapped_column(String(10))
    traveller_kind: Mapped[str] = mapped_column(
        String(10), default="passenger", server_default="passenger"
    )
    booking_ref: Mapped[str | None] = mapped_column(
        String(IDENTIFIER_LIMIT), doc="the PNR's record locator"
    )
    departure_port: Mapped[str | None] = mapped_column(String(8))
    arrival_port: Mapped[str | None] = mapped_column(String(8))
    departure_country: Mapped[str] = mapped_column(String(3))
    arrival_country: Mapped[str] = mapped_column(String(3))
    departure_time: Mapped[datetime] = mapped_column(UTCDateTime)
    departure_local_date: Mapped[date] = mapped_column(
        Date, doc="calendar date at the offset the source gave: the date the rules compare"
    )
    carrier: Mapped[str | None] = mapped_column(Text)
    flight_number: Mapped[str | None] = mapped_column(String(FLIGHT_NUMBER_LIMIT))
    source_file_id: Mapped[int | None] = mapped_column(ForeignKey("source_files.id"))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
