"""The audit page hides restricted values; the verify page shows the anchor's verdict too."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy.pool import NullPool
from webtools import TestClient, client_for, make_app, sign_in

from tracker.audit import record_event
from tracker.audit_anchor import checkpoint_now, checkpoints_path, verify_anchor
from tracker.audit_anchor_key import key_path
from tracker.db import make_engine, make_session_factory, transaction

POSTCODES = ("AB1 2CD", "EF3 4GH")
TRAVELLER = ("Passengerfamily", "Passengergiven", "P9988776")


def _sessions(url):
    return make_session_factory(make_engine(url, poolclass=NullPool))


def _alterations(url) -> None:
    """An offender's move (values kept apart, as ingest now writes them), and a traveller's
    correction written the old way, values in the chained details."""
    moved = {
        "postcode": {"old": POSTCODES[0], "new": POSTCODES[1]},
        "status": {"old": "active", "new": "wanted"},
    }
    corrected = {
        "family_name": {"old": TRAVELLER[0], "new": "X"},
        "given_names": {"old": TRAVELLER[1], "new": "Y"},
        "doc_number": {"old": TRAVELLER[2], "new": None},
        "flight_number": {"old": "BA9", "new": "BA11"},
    }
    with transaction(_sessions(url)) as s:
        record_event(
            s,
            actor="system",
            action="alteration",
            object_type="offender",
            object_id="VR-0000001",
            details={"changed": sorted(moved)},
            values={"changes": moved},
        )
        record_event(
            s,
            actor="system",
            action="alteration",
            object_type="travel_record",
            object_id="api-test|R1",
            details={"changes": corrected},
        )


def test_the_audit_page_names_changed_fields_without_restricted_values(app, web_url):
    _alterations(web_url)
    page = client_for(app, "ada").get("/admin/audit?action=alteration").text
    for value in (*POSTCODES, *TRAVELLER):
        assert value not in page
    assert "postcode" in page and "[restricted]" in page
    assert "wanted" in page and "BA11" in page  # what is not restricted still shows


def test_an_unknown_action_or_limit_is_refused_naming_it(app):
    ada = client_for(app, "ada")
    for bad in ("action=bogus", "limit=7", "action=alteration&limit=x"):
        response = ada.get(f"/admin/audit?{bad}")
        assert response.status_code == 400, bad
        named = bad.split("&")[-1]
        assert 'id="filter-problem"' in response.text and named in response.text
    assert ada.get("/admin/audit?action=alteration&limit=1000").status_code == 200


def test_the_verify_page_shows_whether_the_trail_is_anchored(app, web_url, tmp_path):
    ada = client_for(app, "ada")
    html = ada.get("/admin/audit/verify").text
    assert "not anchored outside the database" in html
    with transaction(_sessions(web_url)) as s:
        checkpoint_now(s, tmp_path / "keys", tmp_path)
    html = ada.get("/admin/audit/verify", headers={"HX-Request": "true"}).text
    assert "Audit trail intact" in html
    assert "Audit anchor: 1 checkpoint(s) verified" in html


def _anchored(web_url, tmp_path, now: datetime | None = None) -> None:
    with transaction(_sessions(web_url)) as s:
        checkpoint_now(s, tmp_path / "keys", tmp_path, now=now)


def test_the_verify_page_names_anchor_problems_without_server_paths(app, web_url, tmp_path):
    _anchored(web_url, tmp_path)
    path = checkpoints_path(tmp_path)
    path.write_text(path.read_text().replace('"at": "', '"at": "1'))
    html = client_for(app, "ada").get("/admin/audit/verify").text
    assert "checkpoint line 1 was altered or not made with this key" in html
    assert str(tmp_path) not in html and "checkpoints.jsonl" not in html


def test_an_anchor_key_the_server_cannot_read_gives_a_message_not_an_error(app, web_url, tmp_path):
    _anchored(web_url, tmp_path)
    key = key_path(tmp_path / "keys")
    key.unlink()
    key.mkdir(mode=0o700)  # reading it fails (as an unreadable keys folder does)
    response = client_for(app, "ada").get("/admin/audit/verify")
    assert response.status_code == 200
    assert "this process cannot read the audit anchor key or checkpoints" in response.text
    assert str(tmp_path) not in response.text


def test_the_server_checkpoints_the_trail_while_it_runs(web_url, tmp_path, clock):
    """Every poll (here 50 ms) the server checkpoints a trail that moved once 15 minutes
    passed since the latest checkpoint."""
    _anchored(web_url, tmp_path, datetime.fromtimestamp(clock(), UTC))
    clock.advance(16 * 60)
    app = make_app(web_url, tmp_path, clock, checkpoint_poll=0.05)
    with TestClient(app) as client:
        assert sign_in(client, "ada").status_code == 303  # written to the trail
        deadline = time.monotonic() + 20
        while len(checkpoints_path(tmp_path).read_text().splitlines()) < 2:
            assert time.monotonic() < deadline, "no checkpoint written while the server ran"
            time.sleep(0.05)
    with transaction(_sessions(web_url)) as s:
        assert verify_anchor(s, tmp_path / "keys", tmp_path).intact
    app.state.engine.dispose()


def test_a_filter_date_outside_the_calendar_in_utc_is_refused_plainly(shared_app):
    ada = client_for(shared_app, "ada")
    for query in (
        "since=0001-01-01T00:00:00%2B14:00",
        "until=9999-12-31T23:59:59-14:00",
        "since=yesterday",
    ):
        response = ada.get(f"/admin/audit?{query}")
        assert response.status_code == 400, query
        assert "must be a date (2026-11-20) or a date and time with its offset" in (response.text)
    assert ada.get("/admin/audit?since=2026-01-01T00:00:00%2B14:00").status_code == 200
