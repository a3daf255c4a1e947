"""The same manifest screened on two fresh copies of one database (each with its own copies
in memory, built cold) gives the same hits, probabilities, weights, reasons, flags and
level-one decisions: a screening can be repeated and explained."""

from __future__ import annotations

from factories import add_user, load_population
from manifests import csv_body
from screening_world import NOW, TRAINING, manifest_of
from sqlalchemy import select

from tracker.db import make_session_factory, transaction
from tracker.models import Flag, Screening
from tracker.services.linking import train_model
from tracker.services.screening import screen_manifest
from tracker.settings import Settings


def _screened_in(database_factory, url: str, body: bytes, data_dir) -> tuple:
    engine = database_factory.engine(url)
    sessions = make_session_factory(engine)
    with transaction(sessions) as session:
        outcome = screen_manifest(
            session, "ann", body, "text/csv", "same", now=NOW, settings=Settings(data_dir=data_dir)
        )
    with sessions() as session:
        summary = session.get(Screening, outcome.id).summary
        flags = session.execute(
            select(Flag.kind, Flag.travel_pk, Flag.offender_pk, Flag.severity, Flag.summary)
            .where(Flag.screening_id == outcome.id)
            .order_by(Flag.travel_pk, Flag.offender_pk)
        ).all()
    engine.dispose()
    hits = [hit.model_dump(exclude={"hit_id"}) for hit in outcome.hits]
    alerts = [alert.model_dump(exclude={"alert_id"}) for alert in outcome.alerts]
    return hits, alerts, [tuple(f) for f in flags], summary["hits"], len(summary["level_one"])


def test_the_same_manifest_on_two_copies_gives_the_same_screening(
    database_factory, population, tmp_path
):
    template = database_factory.migrated_url()
    engine = database_factory.engine(template)
    with transaction(make_session_factory(engine)) as session:
        load_population(session, population)
        add_user(session, "ann", "analyst")
        train_model(session, "system", settings=TRAINING)
    engine.dispose()
    first, second = (database_factory.copy_of(template) for _ in range(2))
    body = csv_body(manifest_of(population))
    one = _screened_in(database_factory, first, body, tmp_path / "one")
    other = _screened_in(database_factory, second, body, tmp_path / "other")
    assert one[0], "the manifest must hit someone for the comparison to mean anything"
    assert one == other
