"""The most-wanted approvals for supervisors: approve or withdraw with a reason, and a
preview of exactly what the public feed will show, built by the feed's own functions.

(The supervisors' queue of escalations is the review queue filtered, in ``review.py``.)
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from tracker.models import Offender, Publication
from tracker.reports.feed import (
    FeedError,
    FeedSettings,
    approve_publication,
    build_feed,
    build_item,
    list_publications,
    render_json,
    withdraw_publication,
)
from tracker.web import lookups
from tracker.web.pages import Page, page

router = APIRouter()


def _would_show(offender: Offender, now: datetime, settings: FeedSettings) -> str:
    """The feed item this offender would get if approved now (the same ``build_item``)."""
    draft = Publication(state="approved", approved_at=now, modified_at=now)
    item = build_item(offender, draft, now, settings.base_url, settings.how_to_report())
    return item.model_dump_json(by_alias=True, indent=2)


def _render(p: Page, status_code: int = 200, error: str | None = None) -> Response:
    now = datetime.now(UTC)
    settings = FeedSettings()
    publications = list_publications(p.db, p.actor)
    in_force_ids = {r.offender_id for r in publications if r.in_force}
    candidates = [(o, _would_show(o, now, settings)) for o in lookups.wanted_offenders(p.db)
                  if o.offender_id not in in_force_ids]  # fmt: skip
    feed = build_feed(p.db, now, settings.base_url, settings=settings)
    return p.render("approvals.html", status_code=status_code, error=error,
                    publications=publications, candidates=candidates, feed=feed,
                    feed_json=render_json(feed))  # fmt: skip


@router.get("/approvals")
def approvals(request: Request) -> Response:
    with page(request, "feed.preview") as p:
        return _render(p)


@router.post("/approvals/approve")
def approve(request: Request, offender_id: str = Form(""), reason: str = Form("")) -> Response:
    try:
        with page(request, "feed.approve") as p:
            result = approve_publication(p.db, p.actor, offender_id, reason)
            said = "approved for the public feed" if result.changed else "was already approved"
            return p.redirect("/approvals", ("success", f"{offender_id} {said}."))
    except FeedError as exc:
        problem = str(exc)
    with page(request, "feed.preview") as p:
        return _render(p, 422, problem)


@router.post("/approvals/withdraw")
def withdraw(request: Request, offender_id: str = Form(""), reason: str = Form("")) -> Response:
    try:
        with page(request, "feed.withdraw") as p:
            withdraw_publication(p.db, p.actor, offender_id, reason)
            return p.redirect("/approvals", ("success",
                                             f"{offender_id} withdrawn from the public feed."))
    except FeedError as exc:
        problem = str(exc)
    with page(request, "feed.preview") as p:
        return _render(p, 422, problem)

