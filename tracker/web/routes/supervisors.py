"""The most-wanted approvals for supervisors: approve with a reason and the text written for
the public, or withdraw with a reason, and a preview of exactly what the public feed will
show, built (and screened) by the feed's own functions.

(The supervisors' queue of escalations is the review queue filtered, in ``review.py``.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from tracker.models import Offender, Publication
from tracker.reports.feed import build_item, render_json
from tracker.reports.feed_approvals import FeedError, PublicText
from tracker.reports.feed_text import PUBLIC_AREA_LIMIT, PUBLIC_DESCRIPTION_LIMIT, name_refusal
from tracker.services.feed import (
    approve_publication,
    list_publications,
    most_wanted,
    preview_public_text,
    withdraw_publication,
)
from tracker.settings import FeedSettings
from tracker.web import lookups
from tracker.web.pages import Page, signed_in

router = APIRouter()


@dataclass(frozen=True)
class Typed:
    """What a supervisor typed into one candidate's form, shown again with the page."""

    offender_id: str
    description: str = ""
    area: str = ""
    reason: str = ""


def _would_show(
    offender: Offender, now: datetime, settings: FeedSettings, text: PublicText | None = None
) -> str:
    """The feed item this offender would get if approved now (the same ``build_item``, so
    the same screen): with no text until the supervisor previews the words they typed."""
    refused = name_refusal(offender)
    if refused:  # the feed leaves such a person out entirely
        return f"Not published: {refused}."
    text = text or PublicText()
    draft = Publication(
        state="approved",
        approved_at=now,
        modified_at=now,
        public_description=text.description or None,
        public_area=text.area or None,
    )
    item = build_item(offender, draft, now, settings.base_url, settings.how_to_report())
    return item.model_dump_json(by_alias=True, indent=2)


def _render(
    p: Page,
    status_code: int = 200,
    error: str | None = None,
    typed: Typed | None = None,
    text: PublicText | None = None,
) -> Response:
    now = datetime.now(UTC)
    settings: FeedSettings = p.request.app.state.settings.installation.feed
    publications = list_publications(p.db, p.actor.name)
    in_force_ids = {r.offender_id for r in publications if r.in_force}
    typed_id = typed.offender_id if typed else None
    candidates = [
        (o, _would_show(o, now, settings, text if o.offender_id == typed_id else None))
        for o in lookups.wanted_offenders(p.db)
        if o.offender_id not in in_force_ids
    ]
    feed = most_wanted(p.db, settings, now)
    return p.render(
        "approvals.html",
        status_code=status_code,
        error=error,
        publications=publications,
        candidates=candidates,
        feed=feed,
        feed_json=render_json(feed),
        typed=typed,
        description_limit=PUBLIC_DESCRIPTION_LIMIT,
        area_limit=PUBLIC_AREA_LIMIT,
    )


@router.get("/approvals")
def approvals(request: Request) -> Response:
    with signed_in(request) as p:
        return _render(p)


@router.post("/approvals/approve")
def approve(
    request: Request,
    offender_id: str = Form(""),
    reason: str = Form(""),
    public_description: str = Form(""),
    public_area: str = Form(""),
    action: str = Form("approve"),
) -> Response:
    """Approve with the public text, or (``action=preview``) show what it would publish."""
    typed = Typed(offender_id, public_description, public_area, reason)
    try:
        with signed_in(request) as p:
            if action == "preview":
                text = preview_public_text(
                    p.db, p.actor.name, offender_id, public_description, public_area
                )
                return _render(p, typed=typed, text=text)
            # a blank field is no text: a new approval then publishes none for it
            result = approve_publication(
                p.db,
                p.actor.name,
                offender_id,
                reason,
                public_description=public_description or None,
                public_area=public_area or None,
            )
            said = "approved for the public feed" if result.changed else "was already approved"
            return p.redirect("/approvals", ("success", f"{offender_id} {said}."))
    except FeedError as exc:
        problem = str(exc)
    with signed_in(request) as p:
        return _render(p, 422, problem, typed)


@router.post("/approvals/withdraw")
def withdraw(request: Request, offender_id: str = Form(""), reason: str = Form("")) -> Response:
    try:
        with signed_in(request) as p:
            withdraw_publication(p.db, p.actor.name, offender_id, reason)
            return p.redirect(
                "/approvals", ("success", f"{offender_id} withdrawn from the public feed.")
            )
    except FeedError as exc:
        problem = str(exc)
    with signed_in(request) as p:
        return _render(p, 422, problem)
