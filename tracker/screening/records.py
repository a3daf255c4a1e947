"""A screening's rows: its hits written with their explanations, and the outcome read back
from what is stored (so the first answer and every later one are the same)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tracker.compliance.travel_rules import RAISED_BEFORE_TRAVEL
from tracker.models import Alert, Flag, Offender, Screening, ScreeningHit, TravelRecord
from tracker.schemas.explanation import LinkExplanation
from tracker.schemas.screening import (
    HitReason,
    ScreeningAlertOut,
    ScreeningHitOut,
    ScreeningOutcome,
)

MAX_WARNINGS_KEPT = 20


def write_hits(session: Session, screening: Screening, links: pd.DataFrame) -> list[ScreeningHit]:
    """One hit per linked traveller, with the explanation; the rows as stored."""
    rows = [
        {
            "screening_id": screening.id,
            "travel_pk": int(link.travel_key),
            "offender_pk": int(link.offender_key),
            "band": str(link.band),
            "match_probability": float(link.match_probability),
            "match_weight": float(link.match_weight),
            "explanation": link.explanation,
        }
        for link in links.itertuples(index=False)
    ]
    if rows:
        session.execute(insert(ScreeningHit), rows)
    return list(
        session.scalars(
            select(ScreeningHit)
            .where(ScreeningHit.screening_id == screening.id)
            .order_by(ScreeningHit.id)
        )
    )


def _reasons(explanation: LinkExplanation | None) -> list[HitReason]:
    if explanation is None:
        return []
    return [HitReason(field=f.field, label=f.label, weight=f.weight) for f in explanation.fields]


def _flags_of(session: Session, travel_pks: set[int]) -> dict[tuple[int | None, int], int]:
    """The pre-departure flags of these bookings (raised by this screening or an earlier one
    of the same booking), by (travel, offender)."""
    rows = session.execute(
        select(Flag.id, Flag.travel_pk, Flag.offender_pk).where(
            Flag.travel_pk.in_(sorted(travel_pks)), Flag.kind.in_(sorted(RAISED_BEFORE_TRAVEL))
        )
    )
    return {(travel_pk, offender_pk): flag_id for flag_id, travel_pk, offender_pk in rows}


def read_outcome(
    session: Session, screening: Screening, duplicate: bool, *, for_system: bool = False
) -> ScreeningOutcome:
    """The screening as stored: its hits (by ids), their flags, and the alerts raised (with
    their reason for a person, without it for a system: ``for_system``)."""
    hits = session.execute(
        select(ScreeningHit, TravelRecord.source, TravelRecord.record_id, Offender.offender_id)
        .join(TravelRecord, TravelRecord.id == ScreeningHit.travel_pk)
        .join(Offender, Offender.id == ScreeningHit.offender_pk)
        .where(ScreeningHit.screening_id == screening.id)
        .order_by(ScreeningHit.id)
    ).all()
    summary = screening.summary or {}
    flags = _flags_of(session, {hit.travel_pk for hit, *_ in hits})
    flag_ids = {*flags.values(), *summary.get("level_one", [])}
    alerts = session.scalars(
        select(Alert).where(Alert.flag_id.in_(sorted(flag_ids))).order_by(Alert.id)
    ).all()
    return ScreeningOutcome(
        id=screening.id,
        status=screening.status,
        received_at=screening.received_at,
        screened_at=screening.screened_at,
        travellers_read=screening.travellers_read,
        travellers_rejected=screening.travellers_rejected,
        model_version=screening.model_version,
        error=screening.error,
        warnings=list(summary.get("warnings", [])),
        hits=[
            ScreeningHitOut(
                hit_id=hit.id,
                travel_pk=hit.travel_pk,
                travel_source=source,
                travel_record_id=record_id,
                offender_id=offender_id,
                band=hit.band,
                match_probability=hit.match_probability,
                match_weight=hit.match_weight,
                reasons=_reasons(hit.explanation),
                flag_id=flags.get((hit.travel_pk, hit.offender_pk)),
            )
            for hit, source, record_id, offender_id in hits
        ],
        alerts=[
            ScreeningAlertOut(
                alert_id=alert.id,
                flag_id=alert.flag_id,
                reason=None if for_system else alert.reason,
                severity=alert.severity,
                flight=alert.flight,
                departure_time=alert.departure_time,
                state=alert.state,
            )
            for alert in alerts
        ],
        duplicate=duplicate,
    )
