"""The queue's bulk form: assign or decide the ticked flags at once.

A refused decision (no reason, nothing ticked, a flag already decided) shows the same queue
again with what the reader typed and ticked, so nothing has to be done twice.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from starlette.datastructures import QueryParams
from starlette.responses import Response

from tracker.review.assignment import AssignmentError
from tracker.review.decisions import DecisionError
from tracker.review.evidence import FlagNotFound
from tracker.services.review import assign_flags, decide_flags
from tracker.web.pages import signed_in
from tracker.web.redirects import safe_local_path
from tracker.web.routes.review import (
    DONE,
    QUEUES,
    BulkForm,
    QueueQuery,
    TickedFlags,
    assigned_message,
    render_queue,
)

router = APIRouter()
#: The longest reason kept when a refused form is shown again (the field's own limit).
REASON_LIMIT = 2000


@router.post("/queue/assignment")
def assign_selected(
    request: Request,
    flag: TickedFlags = [],  # noqa: B006 (FastAPI copies defaults)
    to: str = Form(""),
    back: str = Form("/queue"),
) -> Response:
    """Bulk assignment of the flags ticked in the queue."""
    back = safe_local_path(back, "/queue")
    with signed_in(request) as p:
        if not flag:
            return p.redirect(back, ("error", "Tick the flags to assign first."))
        try:
            assign_flags(p.db, p.actor.name, flag, to.strip() or None)
        except (AssignmentError, FlagNotFound) as exc:
            return p.redirect(back, ("error", str(exc)))
        return p.redirect(back, ("success", assigned_message(sorted(set(flag)), to.strip())))


@router.post("/queue/decision")
def decide_selected(
    request: Request,
    flag: TickedFlags = [],  # noqa: B006 (FastAPI copies defaults)
    decision: str = Form(""),
    reason: str = Form(""),
    back: str = Form("/queue"),
) -> Response:
    """Bulk decision on the flags ticked in the queue: one decision, one reason, all or none."""
    back = safe_local_path(back, "/queue")
    try:
        with signed_in(request) as p:
            made = decide_flags(p.db, p.actor.name, flag, decision, reason)
            flags = ", ".join(f"#{d.flag_id}" for d in made)
            plural = "s" if len(made) > 1 else ""
            return p.redirect(back, ("success", f"Flag{plural} {flags} {DONE[decision]}."))
    except (DecisionError, FlagNotFound) as exc:
        problem = f"Nothing decided: {exc}."
    return _refused(request, back, problem, BulkForm(frozenset(flag), decision, reason))


def _refused(request: Request, back: str, problem: str, typed: BulkForm) -> Response:
    """The queue the form came from again, saying why, with the ticks and the reason kept
    (a form from elsewhere: back there, saying why)."""
    address = urlsplit(back)
    with signed_in(request) as p:
        if address.path not in QUEUES:
            return p.redirect(back, ("error", problem))
        p.session.add_flash("error", problem)
        kept = BulkForm(typed.flags, typed.decision, typed.reason[:REASON_LIMIT])
        query = QueueQuery.from_params(QueryParams(address.query))
        return render_queue(p, query, address.path, back, kept, status_code=422)
