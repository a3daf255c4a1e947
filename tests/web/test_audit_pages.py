"""The audit page hides restricted values; the verify page shows the anchor's verdict too."""

from __future__ import annotations

from sqlalchemy.pool import NullPool
from webtools import client_for

from tracker.audit import record_event
from tracker.audit_anchor import checkpoint_now
from tracker.db import make_engine, make_session_factory, transaction

POSTCODES = ("AB1 2CD", "EF3 4GH")
TRAVELLER = ("Passengerfamily", "Passengergiven", "P9988776")


def _sessions(url):
    return make_session_factory(make_engine(url, poolclass=NullPool))


def _alterations(url) -> None:
    """An offender's move (values kept apart, as ingest now writes them), and a traveller's
    correction written the old way, values in the chained details."""
    moved = {"postcode": {"old": POSTCODES[0], "new": POSTCODES[1]},
             "status": {"old": "active", "new": "wanted"}}  # fmt: skip
    corrected = {"family_name": {"old": TRAVELLER[0], "new": "X"},
                 "given_names": {"old": TRAVELLER[1], "new": "Y"},
                 "doc_number": {"old": TRAVELLER[2], "new": None},
                 "flight_number": {"old": "BA9", "new": "BA11"}}  # fmt: skip
    with transaction(_sessions(url)) as s:
        record_event(s, actor="system", action="alteration", object_type="offender",
                     object_id="VR-0000001", details={"changed": sorted(moved)},
                     values={"changes": moved})  # fmt: skip
        record_event(s, actor="system", action="alteration", object_type="travel_record",
                     object_id="api-test|R1", details={"changes": corrected})


def test_the_audit_page_names_changed_fields_without_restricted_values(app, web_url):
    _alterations(web_url)
    page = client_for(app, "ada").get("/admin/audit?action=alteration").text
    for value in (*POSTCODES, *TRAVELLER):
        assert value not in page
    assert "postcode" in page and "[restricted]" in page
    assert "wanted" in page and "BA11" in page  # what is not restricted still shows


def test_the_verify_page_shows_whether_the_trail_is_anchored(app, web_url, tmp_path):
    ada = client_for(app, "ada")
    html = ada.get("/admin/audit/verify").text
    assert "not anchored outside the database" in html
    with transaction(_sessions(web_url)) as s:
        checkpoint_now(s, tmp_path / "keys", tmp_path)
    html = ada.get("/admin/audit/verify", headers={"HX-Request": "true"}).text
    assert "Audit trail intact" in html
    assert "Audit anchor: 1 checkpoint(s) verified" in html
