"""The public most-wanted feed: no sign-in, and nothing but what the feed's use case builds.

It is public by design: every item is built from the feed's allow-list, and only approved
publications of offenders who are still wanted appear. Requests are not logged one by one:
the disclosure decision is the supervisor's approval, which is in the audit trail, and
anonymous reads must not be able to grow the trail without bound.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from tracker.reports.feed import render_json
from tracker.reports.feed_atom import render_atom
from tracker.schemas.feed import FeedDocument
from tracker.services.feed import most_wanted
from tracker.settings import FeedSettings

router = APIRouter()
CACHE = "public, max-age=300"
#: A page of the feed: a whole number from 1 (anything else is a 400 naming ``page``).
FeedPage = Annotated[int, Query(ge=1, le=1_000_000)]


def _document(
    request: Request, page: int, page_size: int | None
) -> tuple[FeedDocument, FeedSettings]:
    settings: FeedSettings = request.app.state.settings.installation.feed
    page_size = None if page_size is None else min(max(1, page_size), 100)
    with request.app.state.sessions() as session:
        doc = most_wanted(session, settings, page=page, page_size=page_size)
    return doc, settings


@router.get("/public/most-wanted.json")
def feed_json(request: Request, page: FeedPage = 1, page_size: int | None = None) -> Response:
    doc, _ = _document(request, page, page_size)
    return Response(
        render_json(doc), media_type="application/json", headers={"cache-control": CACHE}
    )


@router.get("/public/most-wanted.atom")
def feed_atom(request: Request, page: FeedPage = 1, page_size: int | None = None) -> Response:
    doc, settings = _document(request, page, page_size)
    return Response(
        render_atom(doc, settings.publisher),
        media_type="application/atom+xml",
        headers={"cache-control": CACHE},
    )
