"""A border system's token writes only its own travel sources: a row of another source is
rejected alone before anything is stored (a token could otherwise rename a traveller another
system pushed or the nightly loaded), for CSV, PAXLST and PNRGOV alike; a person is not
restricted. A control room's token reads any screening, a pushing token only its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import add_user
from manifests import csv_body
from screening_world import manifest_of, screen
from sqlalchemy import select

from tracker.db import transaction
from tracker.models import Reject, Screening, TravelRecord
from tracker.services.screening import ScreeningNotFound, show_screening
from tracker.services.tokens import create_token

DATA = Path(__file__).resolve().parents[1] / "data"
EDIFACT = "application/edifact"


@pytest.fixture
def tokens(sessions, world):
    """feed-a writes api-feed-a, feed-b the api-feed-b* sources, the room reads; ada made them."""
    with transaction(sessions) as s:
        add_user(s, "ada", "admin")
        create_token(s, "ada", "feed-a", ["manifests:write"], sources=["api-feed-a"])
        create_token(s, "ada", "feed-b", ["manifests:write"], sources=["api-feed-b*"])
        create_token(s, "ada", "room", ["screenings:read"])
        create_token(s, "ada", "both", ["manifests:write", "screenings:read"], sources=["api-both"])
    return world


def _rows(population, source: str, count: int = 4) -> list[dict]:
    return [row | {"source": source} for row in manifest_of(population, count)]


def _stored(sessions, source: str) -> dict[str, str]:
    with transaction(sessions) as s:
        rows = s.execute(
            select(TravelRecord.record_id, TravelRecord.family_name).where(
                TravelRecord.source == source
            )
        ).all()
    return dict(rows)


def _reasons(sessions, screening_id: int) -> list[str]:
    with transaction(sessions) as s:
        file_id = s.get(Screening, screening_id).source_file_id
        return list(s.scalars(select(Reject.reason).where(Reject.source_file_id == file_id)))


def test_feed_b_cannot_rename_a_traveller_feed_a_pushed(sessions, tokens, population):
    theirs = _rows(population, "api-feed-a")
    first = screen(sessions, tokens, csv_body(theirs), sender="token:feed-a")
    assert (first.travellers_read, first.travellers_rejected) == (4, 0)
    before = _stored(sessions, "api-feed-a")
    renamed = [theirs[0] | {"family_name": "RENAMED"}]
    own = _rows(population, "api-feed-b-lhr", 2)
    pushed = screen(sessions, tokens, csv_body(renamed + own), key="k2", sender="token:feed-b")
    assert pushed.status == "screened"
    assert (pushed.travellers_read, pushed.travellers_rejected) == (3, 1)
    assert _stored(sessions, "api-feed-a") == before and "RENAMED" not in before.values()
    assert len(_stored(sessions, "api-feed-b-lhr")) == 2  # the rest screened: a glob allows
    assert pushed.warnings[0] == (
        "1 travel row(s) rejected: their source is not one this token may write "
        "(allowed: api-feed-b*)"
    )
    assert _reasons(sessions, pushed.id) == [
        "source: source 'api-feed-a' is not one this token may write (allowed: api-feed-b*)"
    ]


def test_a_token_cannot_overwrite_the_nightlys_travel(sessions, tokens, population):
    nightly = sessions().scalars(select(TravelRecord).limit(1)).one()
    source, record_id, name = nightly.source, nightly.record_id, nightly.family_name
    row = _rows(population, source, 2)[0] | {"record_id": record_id, "family_name": "X"}
    pushed = screen(sessions, tokens, csv_body([row]), sender="token:feed-a")
    assert (pushed.travellers_read, pushed.travellers_rejected) == (1, 1)
    assert _stored(sessions, source)[record_id] == name
    assert not pushed.hits


def test_a_person_screening_from_the_command_line_is_not_restricted(sessions, tokens, population):
    pushed = screen(sessions, tokens, csv_body(_rows(population, "api-feed-a")), sender="ann")
    assert pushed.travellers_rejected == 0 and len(_stored(sessions, "api-feed-a")) == 4


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("paxlst/03-cbp-style-loc92-legs.edi", "paxlst-apiba"),
        ("pnrgov/01-guide-example-codeshare.pnr", "pnrgov-1a"),
    ],
)
def test_edifact_senders_are_sources_too(sessions, tokens, path, source):
    body = (DATA / path).read_bytes()
    with transaction(sessions) as s:
        create_token(s, "ada", "edi", ["manifests:write"], sources=[source.split("-")[0] + "-*"])
    refused = screen(sessions, tokens, body, sender="token:feed-a", content_type=EDIFACT)
    assert refused.travellers_read > 0
    assert refused.travellers_rejected == refused.travellers_read
    assert _stored(sessions, source) == {}
    assert all(f"source {source!r} is not one" in r for r in _reasons(sessions, refused.id))
    allowed = screen(sessions, tokens, body, key="k2", sender="token:edi", content_type=EDIFACT)
    assert allowed.travellers_rejected == 0 and _stored(sessions, source)


def test_a_control_room_reads_any_screening_a_pushing_token_only_its_own(
    sessions, tokens, population
):
    body = csv_body(_rows(population, "api-feed-a"))
    pushed = screen(sessions, tokens, body, sender="token:feed-a")
    with transaction(sessions) as s:
        assert show_screening(s, "token:room", pushed.id).id == pushed.id
        assert show_screening(s, "token:feed-a", pushed.id).id == pushed.id
        for other in ("token:feed-b", "token:both", "token:unknown"):
            with pytest.raises(ScreeningNotFound):
                show_screening(s, other, pushed.id)
