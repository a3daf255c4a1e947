"""What the matcher concluded: links, the model that scored them, and analysts' labels."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, TypeDecorator
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, UTCDateTime, one_of, utcnow
from tracker.models.enums import LINK_BANDS, PAIR_LABELS
from tracker.models.offender import Offender
from tracker.models.travel import TravelRecord
from tracker.schemas.explanation import LinkExplanation


class MatchModel(Base):
    """A versioned set of Fellegi-Sunter parameters (m and u per comparison level)."""

    __tablename__ = "match_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    parameters: Mapped[dict] = mapped_column(doc="prior, m/u per field level, thresholds")
    training: Mapped[dict] = mapped_column(default=dict, doc="pairs, labels, EM iterations")


class ExplanationJSON(TypeDecorator):
    """``links.explanation``: JSON in the database, a ``LinkExplanation`` in Python (None for the
    empty object a link without one holds). A mapping written is checked against the shape."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: LinkExplanation | dict | None, dialect) -> dict:
        if isinstance(value, LinkExplanation):
            return value.to_json()
        explanation = LinkExplanation.from_json(value)
        return {} if explanation is None else explanation.to_json()

    def process_result_value(self, value: dict | None, dialect) -> LinkExplanation | None:
        return LinkExplanation.from_json(value)


class Link(Base):
    """A travel record linked to a register entry in one run, with its explanation."""

    __tablename__ = "links"
    __table_args__ = (
        one_of("band", LINK_BANDS),
        Index("uq_links_run_travel", "run_id", "travel_pk", unique=True),
        Index("ix_links_offender", "offender_pk"),
        Index("ix_links_travel", "travel_pk"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    travel_pk: Mapped[int] = mapped_column(ForeignKey("travel_records.id", ondelete="CASCADE"))
    offender_pk: Mapped[int] = mapped_column(ForeignKey("offenders.id", ondelete="CASCADE"))
    model_id: Mapped[int | None] = mapped_column(ForeignKey("match_models.id"))
    match_probability: Mapped[float] = mapped_column(Float)
    match_weight: Mapped[float] = mapped_column(Float)
    band: Mapped[str] = mapped_column(String(10))
    explanation: Mapped[LinkExplanation | None] = mapped_column(
        ExplanationJSON, nullable=False, doc="prior, per-field level and weight, total"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    travel: Mapped[TravelRecord] = relationship()
    offender: Mapped[Offender] = relationship()


class PairLabel(Base):
    """An analyst's verdict on a travel-to-offender pair: training label and suppression."""

    __tablename__ = "pair_labels"
    __table_args__ = (
        one_of("label", PAIR_LABELS),
        Index("uq_pair_labels_pair", "travel_pk", "offender_pk", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    travel_pk: Mapped[int] = mapped_column(ForeignKey("travel_records.id", ondelete="CASCADE"))
    offender_pk: Mapped[int] = mapped_column(ForeignKey("offenders.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(10))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
