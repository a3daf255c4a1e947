"""The facts the compliance stage evaluates, read from the database in a handful of set-based
queries (never one per offender): offenders, notifications, linked travel.

Rows come straight from the driver's cursor: the largest tables are read here every night.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from tracker.compliance import NotificationFacts, OffenderFacts, TravelFacts
from tracker.countries import country_list
from tracker.db import driver_connection
from tracker.models import Link, Notification, Offender, PairLabel, Run, TravelRecord


def _fetch(session: Session, statement) -> list[tuple]:
    """All rows of a Core select as plain tuples, straight from the driver.

    A million notifications through SQLAlchemy's typed rows costs seconds; the driver's own
    cursor (in the session's transaction) costs a fraction. Values come back as the driver
    gives them, so dates and instants go through :class:`_Values`. Only integers are ever
    bound, rendered by SQLAlchemy itself.
    """
    connection = session.connection()
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = driver_connection(connection).cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


class _Values:
    """Driver values to Python: SQLite keeps dates as ISO text and instants as naive UTC text;
    PostgreSQL's driver already gives dates and aware datetimes."""

    def __init__(self, session: Session):
        self.text = session.connection().dialect.name == "sqlite"

    def required_date(self, value) -> date:
        """A NOT NULL date column's value (a NULL there is a broken database)."""
        if value is None:
            raise ValueError("a date column declared NOT NULL gave NULL")
        return date.fromisoformat(value) if self.text else value

    def date(self, value) -> date | None:
        if value is None or not self.text:
            return value
        return date.fromisoformat(value)

    @staticmethod
    def instant(value) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def load_offender_facts(
    session: Session, offender_pks: list[int] | None = None
) -> list[OffenderFacts]:
    """Every offender's facts, or only those of ``offender_pks`` (a screening's hits)."""
    statement = select(
        Offender.id,
        Offender.offender_id,
        Offender.date_of_birth,
        Offender.requirement_start,
        Offender.notification_period,
        Offender.jurisdiction,
        Offender.tier,
        Offender.risk_level,
        Offender.status,
        Offender.wanted_since,
        Offender.fixed_abode,
    ).order_by(Offender.id)
    if offender_pks is not None:
        statement = statement.where(Offender.id.in_(offender_pks))
    v = _Values(session)
    return [
        OffenderFacts(
            pk,
            oid,
            v.required_date(dob),
            v.required_date(start),
            period,
            jurisdiction or "uk-ew",
            tier,
            risk,
            status or "active",
            v.date(wanted),
            True if abode is None else bool(abode),
        )
        for pk, oid, dob, start, period, jurisdiction, tier, risk, status, wanted, abode in _fetch(
            session, statement
        )
    ]


def notifications_statement(
    as_of: date | None = None, clock_only: Iterable[str] = (), keep_from: date | None = None
):
    """The notifications the evaluator needs. With ``clock_only`` kinds (see
    ``Evaluator.clock_only_kinds``), those made before ``keep_from`` are left out except each
    offender's latest one as of ``as_of``: twenty years of yearly notifications are a million
    rows, and only the last restarts the clock."""
    columns = (
        Notification.offender_pk,
        Notification.id,
        Notification.notification_id,
        Notification.kind,
        Notification.notified_on,
        Notification.notified_at,
        Notification.effective_on,
        Notification.departure_date,
        Notification.return_date,
        Notification.destination_countries,
        Notification.departure_port,
        Notification.arrival_port,
    )
    clock_only = sorted(clock_only)
    if not clock_only or as_of is None:
        return select(*columns)
    latest = (
        select(
            Notification.offender_pk.label("offender_pk"),
            func.max(Notification.notified_on).label("notified_on"),
        )
        .where(Notification.kind.in_(clock_only), Notification.notified_on <= as_of)
        .group_by(Notification.offender_pk)
        .subquery()
    )
    return (
        select(*columns)
        .outerjoin(latest, latest.c.offender_pk == Notification.offender_pk)
        .where(
            or_(
                Notification.kind.not_in(clock_only),
                Notification.notified_on >= (keep_from or as_of),
                Notification.notified_on == latest.c.notified_on,
            )
        )
    )


def load_notification_facts(session: Session, statement=None) -> dict[int, list[NotificationFacts]]:
    """Notifications grouped by offender (the largest table the stage reads: the conversions
    are inlined on purpose)."""
    text = _Values(session).text
    day = date.fromisoformat
    instant = _Values.instant
    grouped: dict[int, list[NotificationFacts]] = defaultdict(list)
    rows = _fetch(session, statement if statement is not None else notifications_statement())
    for (
        offender_pk,
        pk,
        nid,
        kind,
        on,
        at,
        effective,
        departure,
        back,
        destinations,
        dep_port,
        arr_port,
    ) in rows:
        if text:
            on = day(on)
            effective = effective and day(effective)
            departure = departure and day(departure)
            back = back and day(back)
        grouped[offender_pk].append(
            NotificationFacts(
                pk,
                nid,
                kind,
                on,
                at and instant(at),
                effective,
                departure,
                back,
                country_list(destinations) if destinations else (),
                dep_port,
                arr_port,
            )
        )
    return grouped


def load_linked_travel(session: Session, links_run_id: int | None) -> dict[int, list[TravelFacts]]:
    """The run's links of both bands with their travel records, grouped by offender; a pair an
    analyst labelled as not a match is left out."""
    grouped: dict[int, list[TravelFacts]] = defaultdict(list)
    if links_run_id is None:
        return grouped
    dismissed = exists().where(
        PairLabel.travel_pk == Link.travel_pk,
        PairLabel.offender_pk == Link.offender_pk,
        PairLabel.label == "non_match",
    )
    statement = (
        select(
            Link.offender_pk,
            TravelRecord.id,
            TravelRecord.source,
            TravelRecord.record_id,
            TravelRecord.direction,
            TravelRecord.departure_local_date,
            TravelRecord.departure_time,
            TravelRecord.departure_port,
            TravelRecord.arrival_port,
            TravelRecord.departure_country,
            TravelRecord.arrival_country,
            Link.id,
            Link.match_probability,
            Link.band,
        )
        .join(TravelRecord, TravelRecord.id == Link.travel_pk)
        .where(Link.run_id == int(links_run_id), ~dismissed)
    )
    v = _Values(session)
    for offender_pk, pk, source, record_id, direction, day, instant, *rest in _fetch(
        session, statement
    ):
        grouped[offender_pk].append(
            TravelFacts(
                pk, source, record_id, direction, v.required_date(day), v.instant(instant), *rest
            )
        )
    return grouped


def choose_links_run(session: Session, run: Run) -> int | None:
    """This run's links; when it made none (an evaluation-only run), the latest run's that did."""
    has_links = session.scalar(select(exists().where(Link.run_id == run.id)))
    if has_links:
        return run.id
    return session.scalar(select(func.max(Link.run_id)).where(Link.run_id <= run.id))
