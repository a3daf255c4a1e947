"""Manifests pushed over a real server and screened against a register with a stored model:
the screening answered and read back, the same manifest twice stored once, a token reading
only its own screenings, and every call in the trail under the token's name."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from factories import load_population
from manifests import csv_body, jsonl_body, manifest_rows
from sqlalchemy import func, select

from tracker.db import make_engine, make_session_factory, transaction
from tracker.models import AuditEvent, Screening, TravelRecord
from tracker.screening import memory
from tracker.services.linking import train_model

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def trained_template(database_factory, population):
    """The test population's register and travel, with a matching model fitted once."""
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
    """A private copy of the trained register for each test."""
    return database_factory.copy_of(trained_template)


def _rows(population, keys: range, flight: str = "TG917") -> list[dict]:
    travel = population["travel"].iloc[list(keys)]
    departure = (datetime.now(UTC) + timedelta(hours=20)).replace(microsecond=0)
    return manifest_rows(travel, departure, source="bcp-heathrow", flight=flight, prefix="M")


def _push(client, body: bytes, key: str, content_type: str = "text/csv"):
    headers = {"Content-Type": content_type, "Idempotency-Key": key}
    return client.post("/manifests", content=body, headers=headers)


def _count(sessions, model) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_pushed_manifest_is_screened_and_read_back(serve, make_token, population, sessions):
    served = serve()
    body = csv_body(_rows(population, range(0, 6)) + _rows(population, range(400, 404)))
    with served.client(make_token("bcp-heathrow")) as client:
        pushed = _push(client, body, "LHR-TG917-20261204-1")
        assert pushed.status_code == 201, pushed.text
        outcome = pushed.json()
        assert pushed.headers["location"] == f"/api/v1/screenings/{outcome['id']}"
        read = client.get(served.base + pushed.headers["location"])
    assert outcome["status"] == "screened" and outcome["duplicate"] is False
    assert (outcome["travellers_read"], outcome["travellers_rejected"]) == (10, 0)
    assert outcome["hits"], outcome
    hit = outcome["hits"][0]
    assert hit["band"] in ("match", "review") and 0 < hit["match_probability"] <= 1
    assert hit["reasons"] and hit["offender_id"].startswith("VR-")
    assert read.status_code == 200 and read.json()["id"] == outcome["id"]
    assert read.json()["hits"] == outcome["hits"]
    with sessions() as session:
        trail = session.execute(
            select(AuditEvent.actor, AuditEvent.action).where(
                AuditEvent.actor == "token:bcp-heathrow"
            )
        ).all()
    actions = {action for _, action in trail}
    assert {"collection", "consultation"} <= actions


def test_the_same_manifest_twice_is_one_screening_and_its_travellers_are_stored_once(
    serve, make_token, population, sessions
):
    served = serve()
    body = jsonl_body(_rows(population, range(10, 15)))
    with served.client(make_token("bcp-heathrow")) as client:
        first = _push(client, body, "key-1", "application/x-ndjson")
        travellers = _count(sessions, TravelRecord)
        again = _push(client, body, "key-1", "application/x-ndjson")
        other = _push(
            client, jsonl_body(_rows(population, range(20, 22))), "key-1", "application/x-ndjson"
        )
    assert first.status_code == 201, first.text
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert again.json()["duplicate"] is True
    assert again.headers["location"] == first.headers["location"]
    assert _count(sessions, TravelRecord) == travellers
    assert _count(sessions, Screening) == 1
    with sessions() as session:
        repeated = session.scalars(
            select(AuditEvent.object_id).where(
                AuditEvent.details["event"].as_string() == "repeated"
            )
        ).all()
    assert repeated == [str(first.json()["id"])]
    assert other.status_code == 409
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["type"] == "urn:tracker:problem:idempotency-key-reused"


def test_a_token_reads_only_the_screenings_it_sent(serve, make_token, population, sessions):
    served = serve()
    sender, stranger = make_token("bcp-heathrow"), make_token("bcp-dover")
    with served.client(sender) as client:
        pushed = _push(client, csv_body(_rows(population, range(30, 32))), "k")
    location = served.base + pushed.headers["location"]
    with served.client(stranger) as client:
        refused = client.get(location)
        missing = client.get("/screenings/999999")
    assert refused.status_code == 404 and missing.status_code == 404
    assert refused.json() == missing.json() | {"detail": refused.json()["detail"]}
    with sessions() as session:
        reads = session.scalars(
            select(AuditEvent.details).where(AuditEvent.actor == "token:bcp-dover")
        ).all()
    assert len(reads) == 2 and all(d["event"] == "refused" for d in reads)


def test_a_control_room_token_reads_any_screening(serve, make_token, population):
    served = serve()
    sender, room = make_token("bcp-heathrow"), make_token("control-room", "screenings:read")
    with served.client(sender) as client:
        pushed = _push(client, csv_body(_rows(population, range(30, 32))), "k")
    with served.client(room) as client:
        read = client.get(served.base + pushed.headers["location"])
        pushing = client.post("/manifests", content=b"x", headers={"Content-Type": "text/csv"})
    assert read.status_code == 200 and read.json()["id"] == pushed.json()["id"]
    assert pushing.status_code == 403


def test_a_row_of_a_source_the_token_may_not_write_is_rejected_and_counted(
    serve, make_token, population, sessions
):
    served = serve()
    lhr = make_token("bcp-heathrow", sources=["bcp-heathrow"])
    dover = make_token("bcp-dover", sources=["bcp-dover*"])
    theirs = _rows(population, range(50, 53))
    with served.client(lhr) as client:
        assert _push(client, csv_body(theirs), "k1").status_code == 201
    renamed = [theirs[0] | {"family_name": "RENAMED"}]
    own = [row | {"source": "bcp-dover-east"} for row in _rows(population, range(60, 62))]
    with served.client(dover) as client:
        pushed = _push(client, csv_body(renamed + own), "k2")
    assert pushed.status_code == 201, pushed.text
    assert pushed.json()["status"] == "screened"
    assert (pushed.json()["travellers_read"], pushed.json()["travellers_rejected"]) == (3, 1)
    assert "not one this token may write (allowed: bcp-dover*)" in pushed.json()["warnings"][0]
    with sessions() as session:
        names = session.scalars(
            select(TravelRecord.family_name).where(TravelRecord.source == "bcp-heathrow")
        ).all()
        dover_rows = session.scalar(
            select(func.count()).where(TravelRecord.source == "bcp-dover-east")
        )
    assert len(names) == 3 and "RENAMED" not in names and dover_rows == 2


def test_a_paxlst_interchange_is_screened_as_edifact(serve, make_token):
    served = serve()
    body = (DATA / "paxlst" / "03-cbp-style-loc92-legs.edi").read_bytes()
    with served.client(make_token("bcp-atlanta")) as client:
        pushed = _push(client, body, "QQ877-20260301", "application/edifact")
    assert pushed.status_code == 201, pushed.text
    assert pushed.json()["status"] == "screened" and pushed.json()["travellers_read"] == 3


def test_the_same_key_sent_at_once_twice_gives_one_screening(
    serve, make_token, population, sessions
):
    served = serve()
    secret = make_token("bcp-heathrow")
    body = csv_body(_rows(population, range(40, 50)))

    def push_once(_: int):
        with served.client(secret) as client:
            return _push(client, body, "LHR-TG917-race")

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(push_once, range(2)))
    assert sorted(a.status_code for a in answers) == [200, 201], [a.text for a in answers]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert _count(sessions, Screening) == 1


def test_serve_warms_screening_at_start(serve, make_token, population, sessions):
    with sessions() as session:
        assert not memory.is_warm(session)
    served = serve(lifespan=True)
    warm_up = served.app.state.screening_warm_up
    assert warm_up.ready.wait(120), "the warm-up did not end"
    assert warm_up.outcome == "warm"
    with sessions() as session:
        assert memory.is_warm(session)
    with served.client(make_token("bcp-heathrow")) as client:
        pushed = _push(client, csv_body(_rows(population, range(60, 63))), "after-warm-up")
    assert pushed.status_code == 201, pushed.text
