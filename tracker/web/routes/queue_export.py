"""The queue as the reader sees it (filters, search and sort), as a CSV or a workbook.

The same columns and cells as `tracker review queue --format csv|xlsx` (``tracker.tabular``
makes both, formula-like text marked as text), through ``tracker.services.review``, which
checks the role and logs the export as a consultation.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import Response

from tracker.review.queue import QUEUE_COLUMNS
from tracker.services.review import export_queue
from tracker.tabular import render
from tracker.web.pages import now_seconds, signed_in
from tracker.web.routes.review import QUEUES, QueueQuery

router = APIRouter()

#: What a download may be, with its media type.
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download_name(request: Request, escalated: bool, fmt: str) -> str:
    """``review-queue-2026-12-03.csv``: which list, the day it was taken, the format."""
    day = datetime.fromtimestamp(now_seconds(request), UTC).date().isoformat()
    return f"{'escalations' if escalated else 'review-queue'}-{day}.{fmt}"


def _export(request: Request, escalated: bool, fmt: str) -> Response:
    if fmt not in MEDIA_TYPES:
        raise HTTPException(404, detail=f"no export as {fmt!r}: choose csv or xlsx")
    query = QueueQuery.parse(request)
    if query.unknown:
        raise HTTPException(400, detail="unknown filter value: " + ", ".join(query.unknown))
    with signed_in(request) as p:
        filters = query.filters(p.actor.name, escalated)
        result = export_queue(p.db, p.actor.name, filters, fmt)
        sheet = "escalations" if escalated else "review queue"
        body = render(result.rows, QUEUE_COLUMNS, fmt, sheet=sheet)
    name = download_name(request, escalated, fmt)
    return Response(
        body.encode() if isinstance(body, str) else body,
        media_type=MEDIA_TYPES[fmt],
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


@router.get("/queue/export.{fmt}")
def queue_export(request: Request, fmt: str) -> Response:
    return _export(request, QUEUES["/queue"], fmt)


@router.get("/escalations/export.{fmt}")
def escalations_export(request: Request, fmt: str) -> Response:
    return _export(request, QUEUES["/escalations"], fmt)
