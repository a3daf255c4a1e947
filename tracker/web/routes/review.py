"""The review queue, the supervisors' escalations and a flag's evidence page with decisions.

Every listing and every opened flag is logged as a consultation, as the CLI does; decisions go
through ``decide_flag``, the CLI's own function.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from tracker.audit import record_event
from tracker.models.enums import DECISIONS, FLAG_KINDS, FLAG_STATUSES, SEVERITIES
from tracker.review.decisions import DecisionError, decide_flag
from tracker.review.evidence import FlagNotFound, load_evidence
from tracker.review.queue import QueueFilter, review_queue
from tracker.web import lookups, views
from tracker.web.ids import RowId
from tracker.web.pages import Page, is_htmx, page
from tracker.web.redirects import safe_local_path

router = APIRouter()


@dataclass
class QueueQuery:
    """The queue's filters as typed in the form, checked against the contract's values."""

    kinds: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ("open",)
    force: str = ""
    mine: bool = False
    page: int = 1

    @classmethod
    def parse(cls, request: Request) -> QueueQuery:
        q = request.query_params
        try:
            number = max(1, int(q.get("page") or 1))
        except ValueError:
            number = 1
        return cls(
            kinds=tuple(k for k in q.getlist("kind") if k in FLAG_KINDS),
            severities=tuple(s for s in q.getlist("severity") if s in SEVERITIES),
            statuses=tuple(s for s in q.getlist("status") if s in FLAG_STATUSES) or ("open",),
            force=(q.get("force") or "").strip()[:200],
            mine=q.get("mine") == "1",
            page=number,
        )

    def filters(self, actor_name: str, escalated: bool) -> QueueFilter:
        return QueueFilter(
            kinds=self.kinds,
            severities=self.severities,
            statuses=self.statuses,
            force=self.force or None,
            assigned_to=actor_name if self.mine else None,
            escalated_only=escalated,
        )

    def link(self, page_number: int) -> str:
        """The query string for another page of the same filters."""
        pairs = [("kind", k) for k in self.kinds] + [("severity", s) for s in self.severities]
        pairs += [("status", s) for s in self.statuses]
        if self.force:
            pairs.append(("force", self.force))
        if self.mine:
            pairs.append(("mine", "1"))
        pairs.append(("page", str(page_number)))
        return urlencode(pairs)


def _queue_page(request: Request, action: str, escalated: bool, title: str) -> Response:
    query = QueueQuery.parse(request)
    with page(request, action) as p:
        filters = query.filters(p.actor.name, escalated)
        result = review_queue(
            p.db, filters, page=query.page, page_size=request.app.state.settings.page_size
        )
        record_event(
            p.db,
            actor=p.actor.name,
            action="consultation",
            object_type="review_queue",
            justification=f"{title.lower()} listed in the web application",
            details={
                "page": query.page,
                "rows": len(result.rows),
                "total": result.total,
                "escalated": escalated,
            },
        )
        template = "queue_results.html" if is_htmx(request) else "queue.html"
        return p.render(
            template,
            title=title,
            path=request.url.path,
            query=query,
            result=result,
            kinds=FLAG_KINDS,
            forces=request.app.state.choices.get("forces", lambda: lookups.managing_forces(p.db)),
            severities=SEVERITIES,
            statuses=FLAG_STATUSES,
            back=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        )


@router.get("/queue")
def queue(request: Request) -> Response:
    return _queue_page(request, "review.queue", False, "Review queue")


@router.get("/escalations")
def escalations(request: Request) -> Response:
    return _queue_page(request, "review.escalations", True, "Escalations")


def _flag_page(p: Page, flag_id: int, back: str, status_code: int = 200, **form) -> Response:
    evidence = load_evidence(p.db, flag_id, p.actor)
    flag = evidence.flag
    decidable = (
        flag.status == "open"
        and p.can("review.decide")
        and (not flag.escalated or p.actor.role == "supervisor")
    )
    return p.render(
        "flag.html",
        status_code=status_code,
        e=evidence,
        flag=flag,
        register=views.register_view(evidence.offender, p.actor),
        travel=views.travel_view(evidence.travel) if evidence.travel else None,
        waterfall=views.waterfall(evidence),
        name_note=views.name_note(evidence),
        timeline=views.timeline(evidence),
        decidable=decidable,
        decisions=DECISIONS,
        back=back,
        error=form.get("error"),
        chosen=form.get("decision"),
        reason=form.get("reason", ""),
    )


@router.get("/flags/{flag_id}")
def flag_page(request: Request, flag_id: RowId, back: str = "/queue") -> Response:
    with page(request, "review.show") as p:
        return _flag_page(p, flag_id, safe_local_path(back, "/queue"))


@router.post("/flags/{flag_id}/decision")
def decide(
    request: Request,
    flag_id: RowId,
    decision: str = Form(""),
    reason: str = Form(""),
    back: str = Form("/queue"),
) -> Response:
    back = safe_local_path(back, "/queue")
    try:
        with page(request, "review.decide") as p:
            decide_flag(p.db, p.actor, flag_id, decision, reason)
            done = {"confirm": "confirmed", "dismiss": "dismissed", "escalate": "escalated"}
            return p.redirect(back, ("success", f"Flag {flag_id} {done[decision]}."))
    except (DecisionError, FlagNotFound) as exc:
        problem = str(exc)
    with page(request, "review.show") as p:
        return _flag_page(p, flag_id, back, 422, error=problem, decision=decision, reason=reason)
