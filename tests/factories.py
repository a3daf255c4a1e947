"""Small builders for database rows, so tests say only what matters to them."""

from __future__ import annotations

import itertools
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tracker.models import (
    Alias,
    Document,
    Flag,
    Link,
    MatchModel,
    Notification,
    Offender,
    Run,
    TravelRecord,
    User,
)
from tracker.search_names import refresh_search_names

_ids = itertools.count(1)


def add_offender(session: Session, **values) -> Offender:
    n = next(_ids)
    offender = Offender(
        offender_id=values.pop("offender_id", f"VR-{n:07d}"),
        family_name=values.pop("family_name", f"Testperson{n}"),
        given_names=values.pop("given_names", "Alex"),
        date_of_birth=values.pop("date_of_birth", date(1980, 1, 1)),
        requirement_start=values.pop("requirement_start", date(2020, 1, 1)),
        notification_period=values.pop("notification_period", "indefinite"),
        managing_force=values.pop("managing_force", "Test Constabulary"),
        public_id=values.pop("public_id", f"pub{n:012d}"),
        **values,
    )
    session.add(offender)
    session.flush()
    return offender


def add_alias(
    session: Session, offender: Offender, family_name: str, given_names: str, kind: str = "alias"
) -> Alias:
    alias = Alias(
        offender_pk=offender.id, family_name=family_name, given_names=given_names, kind=kind
    )
    session.add(alias)
    session.flush()
    return alias


def add_document(
    session: Session, offender: Offender, number: str, country: str = "GBR", doc_type: str = "P"
) -> Document:
    document = Document(
        offender_pk=offender.id,
        doc_type=doc_type,
        doc_number=number,
        issuing_country=country,
    )
    session.add(document)
    session.flush()
    return document


def add_travel(session: Session, **values) -> TravelRecord:
    n = next(_ids)
    departure = values.pop("departure_time", datetime(2026, 3, 1, 6, 40, tzinfo=UTC))
    record = TravelRecord(
        source=values.pop("source", "api-test"),
        record_id=values.pop("record_id", f"R{n:08d}"),
        family_name=values.pop("family_name", "NOBODY"),
        direction=values.pop("direction", "out"),
        departure_country=values.pop("departure_country", "GBR"),
        arrival_country=values.pop("arrival_country", "THA"),
        departure_time=departure,
        departure_local_date=values.pop("departure_local_date", departure.date()),
        **values,
    )
    session.add(record)
    session.flush()
    return record


def add_notification(
    session: Session, offender: Offender, kind: str, notified_on: date, **values
) -> Notification:
    n = next(_ids)
    notification = Notification(
        notification_id=values.pop("notification_id", f"N-{n:08d}"),
        offender_pk=offender.id,
        kind=kind,
        notified_on=notified_on,
        **values,
    )
    session.add(notification)
    session.flush()
    return notification


def add_run(session: Session, as_of: date = date(2026, 3, 10)) -> Run:
    run = Run(as_of=as_of)
    session.add(run)
    session.flush()
    return run


def add_user(session: Session, name: str, role: str) -> User:
    user = User(name=name, role=role)
    session.add(user)
    session.flush()
    return user


def add_flag(session: Session, offender: Offender, run: Run, **values) -> Flag:
    n = next(_ids)
    flag = Flag(
        flag_key=values.pop("flag_key", f"test:{n}"),
        kind=values.pop("kind", "unnotified_travel"),
        severity=values.pop("severity", "high"),
        offender_pk=offender.id,
        detected_on=values.pop("detected_on", run.as_of),
        run_id=run.id,
        rule=values.pop("rule", "uk-ew foreign travel, 2004 travel regs as amended 2012"),
        summary=values.pop("summary", "travelled without notice"),
        **values,
    )
    session.add(flag)
    session.flush()
    return flag


def load_population(session: Session, population) -> None:
    """The DataFrame population of tests/population.py as register, documents and travel."""
    register = population["register"]
    session.execute(
        insert(Offender),
        [
            {
                "offender_id": r.offender_key,
                "family_name": r.family_name,
                "given_names": r.given_names,
                "date_of_birth": date.fromisoformat(r.date_of_birth),
                "sex": r.sex,
                "nationalities": r.nationalities,
                "requirement_start": date(2020, 1, 1),
                "notification_period": "indefinite",
                "managing_force": "Test Constabulary",
                "public_id": f"p{i}",
                "risk_level": "high",
            }
            for i, r in enumerate(register.itertuples())
        ],
    )
    refresh_search_names(session.connection())  # a bulk insert: folded as ingest folds
    ids = dict(session.execute(select(Offender.offender_id, Offender.id)).all())
    session.execute(
        insert(Document),
        [
            {
                "offender_pk": ids[r.offender_key],
                "doc_type": "P",
                "doc_number": r.doc_number,
                "issuing_country": r.issuing_country,
            }
            for r in population["documents"].itertuples()
        ],
    )
    departure = datetime(2026, 3, 1, 6, 40, tzinfo=UTC)
    session.execute(
        insert(TravelRecord),
        [
            {
                "source": "api-test",
                "record_id": r.travel_key,
                "family_name": r.family_name,
                "given_names": r.given_names,
                "date_of_birth": date.fromisoformat(r.date_of_birth) if r.date_of_birth else None,
                "sex": r.sex,
                "nationality": r.nationality,
                "doc_type": "P",
                "doc_number": r.doc_number,
                "doc_issuing_country": r.doc_issuing_country,
                "direction": "out",
                "departure_country": "GBR",
                "arrival_country": "THA",
                "departure_time": departure,
                "departure_local_date": departure.date(),
            }
            for r in population["travel"].itertuples()
        ],
    )


def add_model(session: Session, version: int, run: Run | None = None) -> MatchModel:
    model = MatchModel(version=version, run_id=run.id if run else None, parameters={}, training={})
    session.add(model)
    session.flush()
    return model


def add_link(
    session: Session,
    run: Run,
    travel: TravelRecord,
    offender: Offender,
    probability: float,
    band: str | None = None,
    model: MatchModel | None = None,
) -> Link:
    link = Link(
        run_id=run.id,
        travel_pk=travel.id,
        offender_pk=offender.id,
        model_id=model.id if model else None,
        match_probability=probability,
        match_weight=0.0,
        band=band or ("match" if probability >= 0.95 else "review"),
        explanation={},
    )
    session.add(link)
    session.flush()
    return link


def copy_inbox(source: Path, target: Path) -> Path:
    """A generated inbox's input files (not its truth or manifest) copied into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if not path.name.startswith(("truth", "manifest")):
            shutil.copy2(path, target / path.name)
    return target
