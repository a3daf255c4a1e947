"""What a PNRGOV push leaves behind: contact and payment details (ADD, FOP, MON, TKT, phone
and e-mail in IFT or SSR CTCx) are never stored, neither with the travellers, nor in the
rejects table or reject files, nor in the trail, whether the booking is loaded or rejected."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import load_population
from sqlalchemy import select

from tracker.audit import verify_chain
from tracker.db import make_engine, make_session_factory, transaction
from tracker.models import Base
from tracker.services.linking import train_model

GUIDE = Path(__file__).resolve().parents[2] / "data" / "pnrgov" / "01-guide-example-codeshare.pnr"
CONTACT = "SSR+CTCE:HK:1:SQ:::::JANE//MAIL.EXAMPLE.INVALID'\nSSR+CTCM:HK:1:SQ:::::447700900123'\n"
SECRETS = (
    "EXAMPLE.INVALID",  # e-mail in IFT and SSR CTCE
    "447700900123",  # phone in SSR CTCM
    "7946 0001",  # phone in IFT
    "EXAMPLE ROAD",  # ADD
    "SW1A 1AA",  # ADD
    "4111111111111111",  # FOP card number
    "1320.00",  # MON
    "6181234567890",  # TKT
)


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


def _variants(guide: str) -> dict[str, str]:
    with_contact = guide.replace(
        "TIF+HAWTHORN:I+DAVIDMR::1'\n", "TIF+HAWTHORN:I+DAVIDMR::1'\n" + CONTACT, 1
    )
    return {
        "loaded": with_contact,
        # no leg anywhere: every traveller rejected with the reason
        "no-leg": "".join(
            line + "\n" for line in with_contact.splitlines() if not line.startswith("TVL")
        ),
        # a segment that cannot be parsed inside the booking: the message rejected whole
        "broken": with_contact.replace("FOP+CC", "F@P+CC", 1),
        # a group booking without names
        "group": with_contact.replace(
            "TIF+LINDQVIST:I+ASTRID MARIE MRS:A:3'", "TIF+SUNNY TOURS:G:12'"
        ),
    }


def _everything_stored(sessions) -> str:
    with sessions() as session:
        assert verify_chain(session).intact  # the trail of the pushes adds up
        return "\n".join(
            repr(session.execute(select(table)).all()) for table in Base.metadata.sorted_tables
        )


def test_contact_and_payment_details_are_never_kept(serve, make_token, sessions, tmp_path):
    served = serve()
    guide = GUIDE.read_text(encoding="ascii")
    answers = {}
    with served.client(make_token("pnr-feed")) as client:
        for name, body in _variants(guide).items():
            headers = {"Content-Type": "application/edifact", "Idempotency-Key": name}
            answers[name] = client.post("/manifests", content=body.encode(), headers=headers)
    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(answers, 201)
    assert answers["loaded"].json()["travellers_read"] >= 2
    rejected = {name: a.json()["travellers_rejected"] for name, a in answers.items()}
    assert rejected == {"loaded": 0, "no-leg": 3, "broken": 2, "group": 1}
    stored = _everything_stored(sessions)
    assert "HAWTHORN" in stored  # the travellers are there...
    reject_files = [path for path in tmp_path.rglob("*.rejects.csv")]
    assert len(reject_files) == 3
    files = "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in tmp_path.rglob("*")
        if path.is_file() and path.suffix != ".db"
    )
    for text in (stored, files, *(a.text for a in answers.values())):
        assert [secret for secret in SECRETS if secret in text] == []  # ...not their contacts
