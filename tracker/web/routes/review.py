"""The review queue, the supervisors' escalations and a flag's evidence page with decisions.

Pages over ``tracker.services.review``, the CLI's own functions: they check the role and log
every listing and every opened flag as a consultation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, Request
from pydantic import Field
from starlette.datastructures import QueryParams
from starlette.responses import RedirectResponse, Response

from tracker.access.permissions import PermissionDenied
from tracker.models.enums import DECISIONS, FLAG_KINDS, FLAG_STATUSES, SEVERITIES
from tracker.review.assignment import AssignmentError
from tracker.review.decisions import DecisionError
from tracker.review.evidence import FlagNotFound
from tracker.review.queue import QueueFilter
from tracker.review.queue_order import SEARCH_LIMIT, SORTABLE, SortError, parse_sort
from tracker.row_ids import MAX_ROW_ID
from tracker.services.review import (
    assign_flags,
    decide_flag,
    list_queue,
    next_flag,
    show_flag,
)
from tracker.web import lookups, views
from tracker.web.ids import RowId
from tracker.web.pages import Page, is_htmx, signed_in
from tracker.web.redirects import safe_local_path

router = APIRouter()
DONE = {"confirm": "confirmed", "dismiss": "dismissed", "escalate": "escalated"}
#: Ticked flags from the queue's bulk form (row ids, bounded like any form id).
TickedFlags = Annotated[list[Annotated[int, Field(ge=1, le=MAX_ROW_ID)]], Form()]


@dataclass
class QueueQuery:
    """The queue's filters as typed in the form, checked against the contract's values."""

    kinds: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ("open",)
    force: str = ""
    mine: bool = False
    search: str = ""
    sort: str = ""
    page: int = 1
    #: Filter values outside the contract's vocabulary, refused with a message on the page.
    unknown: tuple[str, ...] = ()
    #: A page number that is not a whole number from 1, refused like an unknown value.
    bad_page: str = ""

    @property
    def problem(self) -> str | None:
        """Why the page cannot be listed as asked, naming each bad value; None when it can."""
        said = []
        if self.unknown:
            said.append("Unknown filter value: " + ", ".join(self.unknown) + ".")
        if self.bad_page:
            said.append(f"Page must be a whole number from 1: page={self.bad_page}.")
        return " ".join(said) or None

    @classmethod
    def parse(cls, request: Request) -> QueueQuery:
        return cls.from_params(request.query_params)

    @classmethod
    def from_params(cls, q: QueryParams) -> QueueQuery:
        typed = (q.get("page") or "").strip()
        number = page_number(typed)
        return cls(
            kinds=tuple(k for k in q.getlist("kind") if k in FLAG_KINDS),
            severities=tuple(s for s in q.getlist("severity") if s in SEVERITIES),
            statuses=tuple(s for s in q.getlist("status") if s in FLAG_STATUSES) or ("open",),
            force=(q.get("force") or "").strip()[:200],
            mine=q.get("mine") == "1",
            search=(q.get("q") or "").strip()[:SEARCH_LIMIT],
            sort=_known_sort(q.get("sort") or ""),
            page=number or 1,
            unknown=tuple(
                f"{name}={value}"
                for name, known in (
                    ("kind", FLAG_KINDS),
                    ("severity", SEVERITIES),
                    ("status", FLAG_STATUSES),
                )
                for value in q.getlist(name)
                if value and value not in known
            ),
            bad_page="" if number else typed[:20],
        )

    def filters(self, actor_name: str, escalated: bool) -> QueueFilter:
        return QueueFilter(
            kinds=self.kinds,
            severities=self.severities,
            statuses=self.statuses,
            force=self.force or None,
            assigned_to=actor_name if self.mine else None,
            escalated_only=escalated,
            search=self.search,
            sort=parse_sort(self.sort),
        )

    def link(self, page_number: int) -> str:
        """The query string for another page of the same filters."""
        return urlencode([*self._pairs(), ("page", str(page_number))])

    def export_link(self) -> str:
        """The query string of an export: the filters, search and sort, every page."""
        return urlencode(self._pairs())

    def _pairs(self) -> list[tuple[str, str]]:
        pairs = [("kind", k) for k in self.kinds] + [("severity", s) for s in self.severities]
        pairs += [("status", s) for s in self.statuses]
        if self.force:
            pairs.append(("force", self.force))
        if self.mine:
            pairs.append(("mine", "1"))
        if self.search:
            pairs.append(("q", self.search))
        if self.sort:
            pairs.append(("sort", self.sort))
        return pairs

    def sorted_by(self, column: str) -> str:
        """The query string that sorts by ``column`` (descending when it already ascends),
        from the first page, keeping the filters."""
        again = self.sort == column
        return replace(self, sort=f"{column}:desc" if again else column, page=1).link(1)

    def direction(self, column: str) -> str:
        """``aria-sort`` of a column header."""
        if self.sort == column:
            return "ascending"
        return "descending" if self.sort == f"{column}:desc" else "none"


def page_number(typed: str) -> int | None:
    """The page asked for (none typed: the first), or None when it is not a whole number from
    1 (``x``, ``0``, ``-2``): a bad page is refused, never quietly the first."""
    if not typed:
        return 1
    if not typed.isdigit() or len(typed) > 9 or int(typed) < 1:
        return None
    return int(typed)


def _known_sort(text: str) -> str:
    """A sort the queue knows, else none (like the other filters, an unknown value is dropped)."""
    try:
        return text if parse_sort(text) else ""
    except SortError:
        return ""


def _filter_choices(request: Request, p: Page) -> dict[str, Any]:
    """The values the queue's filter form offers."""
    return {
        "kinds": FLAG_KINDS,
        "forces": request.app.state.choices.get("forces", lambda: lookups.managing_forces(p.db)),
        "severities": SEVERITIES,
        "statuses": FLAG_STATUSES,
    }


@dataclass(frozen=True)
class BulkForm:
    """What the reader typed into the queue's bulk form, shown again when it is refused."""

    flags: frozenset[int] = frozenset()
    decision: str = ""
    reason: str = ""


#: Each queue's address and heading.
TITLES = {"/queue": "Review queue", "/escalations": "Escalations"}


def _queue_page(request: Request, escalated: bool, title: str) -> Response:
    query = QueueQuery.parse(request)
    with signed_in(request) as p:
        # Refused before reading, nothing logged; a reader who may not list this queue at all
        # falls through to the service's refusal instead.
        if query.problem and p.can("review.escalations" if escalated else "review.queue"):
            return p.render(
                "queue.html",
                status_code=400,
                title=title,
                path=request.url.path,
                query=query,
                result=None,
                problem=query.problem,
                **_filter_choices(request, p),
            )
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return render_queue(p, query, request.url.path, back)


def render_queue(
    p: Page,
    query: QueueQuery,
    path: str,
    back: str,
    kept: BulkForm | None = None,
    status_code: int = 200,
) -> Response:
    """One page of a queue (``path``: /queue or /escalations), with the bulk form as the
    reader left it (``kept``) when it was refused."""
    request = p.request
    result = list_queue(
        p.db,
        p.actor.name,
        query.filters(p.actor.name, QUEUES[path]),
        page=query.page,
        page_size=request.app.state.settings.page_size,
    )
    if query.page > result.pages:  # past the end: the last page, at its own address
        return RedirectResponse(f"{path}?{query.link(result.pages)}", status_code=303)
    template = "queue_results.html" if is_htmx(request) else "queue.html"
    return p.render(
        template,
        status_code=status_code,
        title=TITLES[path],
        path=path,
        query=query,
        result=result,
        **_filter_choices(request, p),
        problem=None,
        sortable=SORTABLE,
        decisions=DECISIONS,
        back=back,
        kept=kept or BulkForm(),
    )


#: The lists a flag can be opened from that have a "next flag": path -> escalations only.
QUEUES = {"/queue": False, "/escalations": True}


def _next_address(p: Page, flag_id: int, back: str) -> str:
    """Where an analyst goes after deciding: the next flag of the queue they came from (same
    filters), or back to that queue when it was the last or they came from elsewhere."""
    address = urlsplit(back)
    if address.path not in QUEUES:
        return back
    query = QueueQuery.from_params(QueryParams(address.query))
    filters = query.filters(p.actor.name, QUEUES[address.path])
    try:
        following = next_flag(p.db, p.actor.name, filters, flag_id)
    except PermissionDenied:  # a queue the reader may not list: the decision still stands
        return back
    if following is None:
        return back
    return f"/flags/{following}?" + urlencode({"back": back})


@router.get("/queue")
def queue(request: Request) -> Response:
    return _queue_page(request, False, TITLES["/queue"])


@router.get("/escalations")
def escalations(request: Request) -> Response:
    return _queue_page(request, True, TITLES["/escalations"])


def _flag_page(p: Page, flag_id: int, back: str, status_code: int = 200, **form) -> Response:
    view = show_flag(p.db, p.actor.name, flag_id)
    evidence = view.evidence
    return p.render(
        "flag.html",
        status_code=status_code,
        e=evidence,
        flag=evidence.flag,
        register=views.register_view(evidence.offender, view.restricted_shown),
        travel=views.travel_view(evidence.travel) if evidence.travel else None,
        waterfall=views.waterfall(evidence),
        name_note=views.name_note(evidence),
        timeline=views.timeline(evidence),
        decidable=view.decidable,
        assignees=view.assignees,
        assigned_to=view.assigned_to,
        decisions=DECISIONS,
        back=back,
        error=form.get("error"),
        chosen=form.get("decision"),
        reason=form.get("reason", ""),
    )


@router.get("/flags/{flag_id}")
def flag_page(request: Request, flag_id: RowId, back: str = "/queue") -> Response:
    with signed_in(request) as p:
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
        with signed_in(request) as p:
            decide_flag(p.db, p.actor.name, flag_id, decision, reason)
            following = _next_address(p, flag_id, back)
            return p.redirect(following, ("success", f"Flag {flag_id} {DONE[decision]}."))
    except (DecisionError, FlagNotFound) as exc:
        problem = str(exc)
    with signed_in(request) as p:
        return _flag_page(p, flag_id, back, 422, error=problem, decision=decision, reason=reason)


def assigned_message(flag_ids: list[int], to: str) -> str:
    who = "you" if to == "me" else to
    flags = ", ".join(f"#{i}" for i in flag_ids)
    return f"Flag{'s' if len(flag_ids) > 1 else ''} {flags} " + (
        f"assigned to {who}." if to else "unassigned."
    )


@router.post("/flags/{flag_id}/assignment")
def assign(
    request: Request, flag_id: RowId, to: str = Form(""), back: str = Form("/queue")
) -> Response:
    """The flag page's "Assign to me" and person picker (empty: unassign)."""
    here = f"/flags/{flag_id}?" + urlencode({"back": safe_local_path(back, "/queue")})
    with signed_in(request) as p:
        try:
            assign_flags(p.db, p.actor.name, [flag_id], to.strip() or None)
        except (AssignmentError, FlagNotFound) as exc:
            return p.redirect(here, ("error", str(exc)))
        return p.redirect(here, ("success", assigned_message([flag_id], to.strip())))
