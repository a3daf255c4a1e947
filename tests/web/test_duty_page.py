"""The duty page over HTTP: who sees it, the live fragment, acknowledging with the form's
CSRF token (twice is refused, naming who has it), and nothing of the person on it."""

from __future__ import annotations

from datetime import UTC, datetime

from webtools import client_for, csrf_of

from tracker.db import transaction
from tracker.models import Flag, Offender
from tracker.services.alerts import raise_level_one

RAISED = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def raise_on(app, flag_id: int, flight: str = "BA0123") -> tuple[int, str]:
    with transaction(app.state.sessions) as session:
        flag = session.get(Flag, flag_id)
        alert = raise_level_one(
            session,
            flag,
            screening_id=None,
            reason="wanted offender, match band",
            flight=flight,
            departure_time=datetime(2026, 12, 3, 14, 40, tzinfo=UTC),
            now=RAISED,
        )
        family = session.get(Offender, flag.offender_pk).family_name
        return alert.id, family


def test_the_duty_page_is_in_the_menu_of_those_who_may_list_alerts(app):
    for name, shown in (("ann", True), ("sam", True), ("ada", True), ("liz", False)):
        client = client_for(app, name)
        assert ('href="/duty"' in client.get("/").text) is shown, name
        assert client.get("/duty").status_code == (200 if shown else 403), name


def test_an_alert_waits_on_the_page_and_is_acknowledged_once(app, scenario):
    alert_id, family = raise_on(app, scenario.flags["escalated"])
    ann, sam = client_for(app, "ann"), client_for(app, "sam")
    page = ann.get("/duty")
    assert "<title>(1) Level one — Duty · Tracker</title>" in page.text
    assert f'id="alert-{alert_id}"' in page.text and "BA0123" in page.text
    assert f"/flags/{scenario.flags['escalated']}?back=/duty" in page.text
    assert family not in page.text  # the flag page shows the person, not the duty page
    live = ann.get("/duty/alerts")
    assert live.status_code == 200 and "<html" not in live.text
    assert 'data-waiting="1"' in live.text and f'data-newest="{alert_id}"' in live.text

    done = ann.post(f"/duty/alerts/{alert_id}/acknowledge", data={"csrf_token": csrf_of(page.text)})
    assert done.status_code == 200 and f"Alert {alert_id} acknowledged" in done.text
    assert "<title>Duty · Tracker</title>" in done.text
    assert f'id="done-{alert_id}"' in done.text and "No alert is waiting." in done.text

    sam_page = sam.get("/duty").text
    again = sam.post(f"/duty/alerts/{alert_id}/acknowledge", data={"csrf_token": csrf_of(sam_page)})
    assert f"alert {alert_id} was already acknowledged by ann at" in again.text


def test_acknowledging_without_the_token_is_refused(app, scenario):
    alert_id, _ = raise_on(app, scenario.flags["escalated"])
    client = client_for(app, "ann")
    refused = client.post(f"/duty/alerts/{alert_id}/acknowledge", data={})
    assert refused.status_code == 403
    assert 'data-waiting="1"' in client.get("/duty/alerts").text
