"""An offender's page: reached from every flag and every queue row, the whole record on it,
restricted fields and sections as the service decides, the opening logged, and refusals."""

from __future__ import annotations

import re

from scenario import MARKUP_NAME, RESTRICTED
from sqlalchemy import select
from webtools import client_for

from tracker.db import make_engine, make_session_factory, transaction
from tracker.models import AuditEvent
from tracker.services.feed import approve_publication

OFFENDER_LINK = re.compile(r'href="(/offenders/[^"?]+)\?back=([^"]*)"')


def _audit(url: str, **filters) -> list[AuditEvent]:
    engine = make_engine(url)
    try:
        with transaction(make_session_factory(engine)) as s:
            return list(s.scalars(select(AuditEvent).filter_by(**filters).order_by(AuditEvent.id)))
    finally:
        engine.dispose()


def test_every_flag_page_and_queue_row_links_to_the_offender(clients, scenario):
    ann = clients["ann"]
    flag = ann.get(f"/flags/{scenario.flags['alias']}").text
    assert 'id="offender-link"' in flag
    assert OFFENDER_LINK.search(flag).groups() == (
        "/offenders/VR-HARD-alias",
        f"/flags/{scenario.flags['alias']}",
    )
    queue = ann.get("/queue").text
    linked = {path for path, _ in OFFENDER_LINK.findall(queue)}
    assert {"/offenders/VR-HARD-swapped", "/offenders/VR-WEB-markup"} <= linked


def test_the_page_shows_the_record(clients, scenario):
    html = clients["ann"].get(f"/offenders/VR-HARD-alias?back=/flags/{scenario.flags['alias']}")
    assert html.status_code == 200
    text = html.text
    assert "KALINOWSKA, BRONISLAWA" in text and "Register entry" in text
    assert "Zielinska, Bronislawa" in text and "previous name" in text  # the alias
    assert "periodic" in text and "change address" in text  # notifications
    assert f'data-flag="{scenario.flags["alias"]}"' in text and "Flags (1)" in text
    assert f'href="/flags/{scenario.flags["alias"]}' in text
    assert "api-test/hard-alias" in text  # the flag's journey
    assert "Never published." in text
    assert 'id="back-link">' in text and f'href="/flags/{scenario.flags["alias"]}"' in text


def test_decisions_and_linked_travel_with_band_and_probability(clients, scenario):
    confirmed = clients["ann"].get("/offenders/VR-WEB-confirmed").text
    assert "seen on CCTV" in confirmed and "confirmed" in confirmed
    swapped = clients["ann"].get("/offenders/VR-HARD-swapped").text
    travel = swapped.split('id="travel-heading"')[1].split("</section>")[0]
    assert "LHR → BKK" in travel and "XX XX101" in travel and "api-test/hard-swapped" in travel
    assert re.search(r'class="num"[^>]*>\d\.\d{4}</td>\s*<td[^>]*>(match|review)', travel)
    assert f'href="/flags/{scenario.flags["swapped"]}?back=/offenders/VR-HARD-swapped"' in travel


def test_opening_the_page_is_logged(app, web_url):
    client_for(app, "liz").get("/offenders/VR-HARD-translit")
    entries = _audit(web_url, object_type="offender", object_id="VR-HARD-translit")
    assert [(e.actor, e.action, e.justification) for e in entries] == [
        ("liz", "consultation", "offender record opened")
    ]


def test_restricted_fields_follow_the_flag_page(clients):
    for name in ("ann", "sam"):
        html = clients[name].get("/offenders/VR-HARD-swapped").text
        for value in RESTRICTED.values():
            assert value not in html, (name, value)
    liaison = clients["liz"].get("/offenders/VR-HARD-swapped").text
    assert RESTRICTED["offence_category"] in liaison
    assert RESTRICTED["address_line"] not in liaison and RESTRICTED["postcode"] not in liaison


def test_packages_and_audit_entries_only_for_the_roles_that_read_them(clients):
    pages = {who: clients[who].get("/offenders/VR-WEB-confirmed").text for who in PEOPLE_READING}
    assert 'id="packages-heading"' not in pages["ann"]
    assert 'id="packages-heading"' in pages["liz"] and 'id="packages-heading"' in pages["sam"]
    assert 'id="offender-audit"' in pages["sam"]
    assert 'id="offender-audit"' not in pages["ann"] and 'id="offender-audit"' not in pages["liz"]
    assert "offender record opened" in pages["sam"]


PEOPLE_READING = ("ann", "sam", "liz")


def test_unknown_references_admins_and_strangers(clients, shared_app):
    missing = clients["ann"].get("/offenders/VR-NOBODY")
    assert missing.status_code == 404 and "no register entry" in missing.text
    too_long = clients["ann"].get("/offenders/" + "X" * 65)
    assert too_long.status_code == 404
    assert clients["ada"].get("/offenders/VR-HARD-alias").status_code == 403
    anonymous = client_for(shared_app).get("/offenders/VR-HARD-alias", follow_redirects=False)
    assert anonymous.status_code == 303 and "/sign-in" in anonymous.headers["location"]


def test_markup_shows_as_text_and_back_stays_on_the_site(clients):
    html = clients["ann"].get("/offenders/VR-WEB-markup?back=//evil.example/x").text
    assert MARKUP_NAME not in html and "&lt;script&gt;alert(" in html
    assert "evil.example" not in html


def test_the_publication_reasons_are_the_supervisors_and_the_feed_state_everyones(app, web_url):
    engine = make_engine(web_url)
    with transaction(make_session_factory(engine)) as s:
        approve_publication(
            s, "sam", "VR-WEB-wanted", "Missing three weeks", use_register_text=True
        )
    engine.dispose()
    supervisor = client_for(app, "sam").get("/offenders/VR-WEB-wanted").text
    assert 'id="publication-history"' in supervisor and "Missing three weeks" in supervisor
    for name in ("ann", "liz"):
        html = client_for(app, name).get("/offenders/VR-WEB-wanted").text
        assert "On the public feed" in html and "on the public feed</span>" in html
        assert "Missing three weeks" not in html
