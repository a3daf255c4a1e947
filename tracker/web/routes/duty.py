"""The duty page: level-one alerts waiting for someone, live (the list is asked for again every
two seconds, the title counts them and a new one beeps), with Acknowledge on each, and the
ones already taken on below with who and when. Over ``tracker.services.alerts``, as the CLI.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from starlette.responses import Response

from tracker.services.alerts import AlertError, acknowledge, list_alerts
from tracker.web.ids import RowId
from tracker.web.pages import Page, signed_in

router = APIRouter()
POLL_SECONDS = 2
DONE_SHOWN = 50  # acknowledged alerts listed under the open ones, newest first


def duty_title(waiting: int) -> str:
    """The tab's title: the number waiting first, so it shows in a narrow tab too."""
    return f"({waiting}) Level one — Duty" if waiting else "Duty"


def _lists(p: Page) -> dict:
    rows = list_alerts(p.db, p.actor.name)
    waiting = [r for r in rows if r["state"] != "acknowledged"]
    done = [r for r in rows if r["state"] == "acknowledged"][:DONE_SHOWN]
    newest = max((r["alert_id"] for r in rows), default=0)
    return {"waiting": waiting, "done": done, "newest": newest, "title": duty_title(len(waiting))}


@router.get("/duty")
def duty(request: Request) -> Response:
    with signed_in(request) as p:
        return p.render("duty.html", poll_seconds=POLL_SECONDS, **_lists(p))


@router.get("/duty/alerts")
def duty_alerts(request: Request) -> Response:
    """The live part alone, for the page's polling (flash messages are left for the page)."""
    with signed_in(request) as p:
        return request.app.state.templates.TemplateResponse(
            request, "duty_alerts.html", {"can": p.can, **_lists(p)}
        )


@router.post("/duty/alerts/{alert_id}/acknowledge")
def acknowledge_alert(request: Request, alert_id: RowId) -> Response:
    with signed_in(request) as p:
        try:
            acknowledge(p.db, p.actor.name, alert_id, datetime.now(UTC))
        except AlertError as exc:
            return p.redirect("/duty", ("error", str(exc)))
        return p.redirect("/duty", ("success", f"Alert {alert_id} acknowledged: it is yours."))
