"""Issue 22 end to end, over a real server and a real mail server: a border system pushes a
manifest, the wanted offender on it is a level-one hit, the duty officer's e-mail arrives
(no name, no address), an analyst acknowledges, and the trail tells it all in order. A high
risk offender leaving in 48 hours is flagged and alerted unless a compliant notice is held."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from factories import load_population
from manifests import csv_body, manifest_rows
from sqlalchemy import select, update

from tracker.db import make_engine, make_session_factory, transaction
from tracker.models import Alert, AuditEvent, Flag, Notification, Offender
from tracker.services.alerts import acknowledge
from tracker.services.linking import train_model
from tracker.services.people import add_user

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "alerts"))
from alert_world import Inbox, _controller

PENDING = "pending_departure_without_notice"
BASE_URL = "https://tracker.example"
DUTY = "duty.officer@ppu.example"
WANTED_ROW, HIGH_RISK_ROW, NOTIFIED_ROW = 0, 3, 5


@pytest.fixture(scope="module")
def trained_template(database_factory, population):
    url = database_factory.migrated_url()
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        load_population(session, population)
    with transaction(make_session_factory(engine)) as session:
        train_model(session, "system")
    engine.dispose()
    return url


@pytest.fixture
def db_url(database_factory, trained_template):
    return database_factory.copy_of(trained_template)


@pytest.fixture
def analyst(sessions, admin) -> str:
    with transaction(sessions) as session:
        add_user(session, admin, "ann", "analyst")
    return "ann"


@pytest.fixture
def mail(monkeypatch):
    """A real SMTP server on loopback, and the installation's alert settings pointing at it."""
    inbox = Inbox()
    controller, port = _controller(inbox)
    monkeypatch.setenv("TRACKER_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("TRACKER_DUTY_EMAIL", DUTY)
    monkeypatch.setenv("TRACKER_WEB_BASE_URL", BASE_URL)
    yield inbox
    controller.stop()


def _traveller(population, row: int) -> pd.DataFrame:
    return population["travel"].iloc[[row]]


def _manifest(population, *legs: tuple[int, datetime]) -> bytes:
    public = population["travel"][population["travel"]["travel_key"].str.startswith("pub/")]
    rows = manifest_rows(public.head(8), datetime.now(UTC) + timedelta(hours=30), "bcp", "917")
    for row, departure in legs:
        rows += manifest_rows(_traveller(population, row), departure, "bcp", "917")
    return csv_body(rows)


def _offender(sessions, population, row: int) -> int:
    key = population["travel"].iloc[row]["true_offender"]
    with sessions() as session:
        return session.scalar(select(Offender.id).where(Offender.offender_id == key))


def _push(served, secret: str, body: bytes, key: str):
    headers = {"Content-Type": "text/csv", "Idempotency-Key": key}
    with served.client(secret) as client:
        return client.post("/manifests", content=body, headers=headers)


def _trail(sessions) -> list[tuple]:
    with sessions() as session:
        rows = session.execute(
            select(
                AuditEvent.actor, AuditEvent.action, AuditEvent.object_type, AuditEvent.details
            ).order_by(AuditEvent.id)
        ).all()
    return [(a, action, kind, (d or {}).get("event")) for a, action, kind, d in rows]


def _wait_for(what, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.05)
    pytest.fail("waited in vain")


def _in_order(trail: list[tuple], expected: list[tuple]) -> bool:
    """Each of ``expected`` (actor or None, action, object type, event or None) found after
    the one before."""
    position = 0
    for actor, action, kind, event in expected:
        while position < len(trail):
            a, act, k, e = trail[position]
            position += 1
            if (actor in (None, a)) and act == action and k == kind and event in (None, e):
                break
        else:
            return False
    return True


def test_a_wanted_offender_departing_in_ten_hours_reaches_the_duty_officer(
    serve, make_token, population, sessions, mail, analyst
):
    wanted = _offender(sessions, population, WANTED_ROW)
    with transaction(sessions) as session:
        session.execute(
            update(Offender).where(Offender.id == wanted).values(status="wanted", risk_level="low")
        )
    served = serve(lifespan=True)
    departure = (datetime.now(UTC) + timedelta(hours=10)).replace(microsecond=0)
    body = _manifest(population, (WANTED_ROW, departure))
    pushed = _push(served, make_token("bcp-heathrow"), body, "LHR-TG917-e2e")
    assert pushed.status_code == 201, pushed.text
    outcome = pushed.json()
    [hit] = [
        h
        for h in outcome["hits"]
        if h["offender_id"] == population["travel"].iloc[0]["true_offender"]
    ]
    assert hit["band"] == "match"
    [alert] = outcome["alerts"]
    assert alert["flight"] == "TG917"

    [message] = mail.wait_for(1, timeout=20)
    text = message.get_body().get_content()
    with sessions() as session:
        flag_id = session.get(Alert, alert["alert_id"]).flag_id
        offender = session.get(Offender, wanted)
    assert message["To"] == DUTY and "TG917" in message["Subject"]
    assert f"{BASE_URL}/flags/{flag_id}" in text and "TG917" in text
    assert departure.strftime("%Y-%m-%d %H:%M UTC") in text
    for private in (offender.family_name, offender.given_names, offender.offender_id):
        assert private.lower() not in (text + str(message["Subject"])).lower()

    _wait_for(lambda: ("system", "disclosure", "alert", "delivered") in _trail(sessions))
    with transaction(sessions) as session:
        acknowledge(session, analyst, alert["alert_id"], datetime.now(UTC))
    assert _in_order(
        _trail(sessions),
        [
            ("token:bcp-heathrow", "collection", "source_file", None),
            ("token:bcp-heathrow", "combination", "screening", None),
            (None, "decision", "alert", "raised"),
            (None, "disclosure", "alert", "sent"),
            (None, "disclosure", "alert", "delivered"),
            ("ann", "decision", "alert", "acknowledged"),
        ],
    ), "\n".join(map(str, _trail(sessions)))


def test_a_high_risk_departure_in_48_hours_is_flagged_unless_notified(
    serve, make_token, population, sessions, mail
):
    departure = (datetime.now(UTC) + timedelta(hours=48)).replace(microsecond=0)
    notified = _offender(sessions, population, NOTIFIED_ROW)
    local_date = departure.astimezone(ZoneInfo("Europe/London")).date()
    with transaction(sessions) as session:
        session.add(
            Notification(
                notification_id="N-E2E-1",
                offender_pk=notified,
                kind="foreign_travel",
                notified_on=local_date - timedelta(days=20),
                departure_date=local_date,
                return_date=local_date + timedelta(days=14),
                destination_countries="THA",
            )
        )
    served = serve(lifespan=True)
    body = _manifest(population, (HIGH_RISK_ROW, departure), (NOTIFIED_ROW, departure))
    pushed = _push(served, make_token("bcp-heathrow"), body, "LHR-TG917-48h")
    assert pushed.status_code == 201, pushed.text
    outcome = pushed.json()
    by_offender = {h["offender_id"]: h for h in outcome["hits"]}
    risky = by_offender[population["travel"].iloc[HIGH_RISK_ROW]["true_offender"]]
    compliant = by_offender[population["travel"].iloc[NOTIFIED_ROW]["true_offender"]]
    assert risky["band"] == compliant["band"] == "match"
    with sessions() as session:
        flags = session.scalars(select(Flag).where(Flag.kind == PENDING)).all()
        alerts = session.scalars(select(Alert)).all()
    assert [f.offender_pk for f in flags] == [_offender(sessions, population, HIGH_RISK_ROW)]
    assert [a.flag_id for a in alerts] == [flags[0].id]
    assert [a["alert_id"] for a in outcome["alerts"]] == [alerts[0].id]
    assert compliant.get("flag_id") is None
    assert len(mail.wait_for(1, timeout=20)) == 1
