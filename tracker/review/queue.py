"""The review queue: open flags, most severe first, then the most urgent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from tracker.models import Flag, Offender, TravelRecord, User
from tracker.models.enums import SEVERITIES
from tracker.review.queue_order import search_condition, sort_key
from tracker.tabular import Column, probability

#: The queue's columns in its CSV, JSON and workbook (and the nightly outbox's copies).
QUEUE_COLUMNS = (
    "flag_id",
    "kind",
    "severity",
    "status",
    "escalated",
    "offender_id",
    "name",
    "managing_force",
    "due_on",
    "detected_on",
    "match_probability",
    "travel",
    "assigned_to",
    "summary",
)
#: The queue on a terminal: the columns an analyst scans, ``^`` marking an escalation.
QUEUE_TABLE_COLUMNS = (
    Column("flag_id", "flag", ">"),
    Column("escalated", "", shown=lambda escalated: "^" if escalated else ""),
    Column("severity"),
    Column("kind"),
    Column("offender_id", "offender"),
    Column("due_on", "due"),
    Column("match_probability", "p(match)", ">", probability),
    Column("summary"),
)


@dataclass
class QueueFilter:
    kinds: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ("open",)
    force: str | None = None
    assigned_to: str | None = None
    escalated_only: bool = False
    since: date | None = None
    #: A name (any script), register reference, travel record id or flag id.
    search: str = ""
    #: (column, descending) from ``queue_order.SORTABLE``; None: the queue's own order.
    sort: tuple[str, bool] | None = None


@dataclass
class QueuePage:
    rows: list[dict]
    total: int
    page: int
    page_size: int
    counts_by_severity: dict[str, int] = field(default_factory=dict)
    #: Who the reader may give these flags to (empty when they may not assign).
    assignees: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def footer(self) -> str:
        """Where this page is, and the counts per severity, under the table."""
        counts = ", ".join(f"{k} {v}" for k, v in self.counts_by_severity.items())
        return f"page {self.page} of {self.pages}, {self.total} flags ({counts}); ^ = escalated"

    @property
    def envelope(self) -> dict:
        """What the JSON carries beside the page's rows (``items``)."""
        return {"total": self.total, "page": self.page, "page_size": self.page_size}


def _filtered(statement, filters: QueueFilter, assignee):
    if filters.kinds:
        statement = statement.where(Flag.kind.in_(filters.kinds))
    if filters.severities:
        statement = statement.where(Flag.severity.in_(filters.severities))
    if filters.statuses:
        statement = statement.where(Flag.status.in_(filters.statuses))
    if filters.force:
        statement = statement.where(Offender.managing_force == filters.force)
    if filters.assigned_to:
        statement = statement.where(assignee.name == filters.assigned_to)
    if filters.escalated_only:
        statement = statement.where(Flag.escalated.is_(True))
    if filters.since:
        statement = statement.where(Flag.detected_on >= filters.since)
    searched = search_condition(filters.search)
    if searched is not None:
        statement = statement.where(searched)
    return statement


def _with_joins(statement, filters: QueueFilter, assignee):
    """Join the offender and the assignee only when a filter needs them."""
    if filters.force:
        statement = statement.join(Offender, Offender.id == Flag.offender_pk)
    if filters.assigned_to:
        statement = statement.outerjoin(assignee, assignee.id == Flag.assigned_to)
    return _filtered(statement, filters, assignee)


def _segment_counts(
    session: Session, filters: QueueFilter, assignee
) -> dict[tuple[str, bool], int]:
    """Flags per (severity, has a due date): the queue's order is these segments in turn."""
    dated = Flag.due_on.is_not(None)
    query = _with_joins(
        select(Flag.severity, dated, func.count()).select_from(Flag), filters, assignee
    ).group_by(Flag.severity, dated)
    return {(severity, bool(has_date)): n for severity, has_date, n in session.execute(query)}


def _rows_statement(assignee):
    """A queue row: the flag with its offender, travel record and assignee."""
    return (
        select(
            Flag.id.label("flag_id"),
            Flag.kind,
            Flag.severity,
            Flag.status,
            Flag.escalated,
            Offender.offender_id,
            (Offender.family_name + ", " + Offender.given_names).label("name"),
            Offender.managing_force,
            Flag.due_on,
            Flag.detected_on,
            Flag.match_probability,
            (TravelRecord.source + "/" + TravelRecord.record_id).label("travel"),
            assignee.name.label("assigned_to"),
            Flag.summary,
        )
        .join(Offender, Offender.id == Flag.offender_pk)
        .outerjoin(TravelRecord, TravelRecord.id == Flag.travel_pk)
        .outerjoin(assignee, assignee.id == Flag.assigned_to)
    )


def _page_rows(
    session: Session,
    filters: QueueFilter,
    assignee,
    segment: tuple[str, bool],
    offset: int,
    limit: int,
) -> list[dict]:
    """Rows of one segment in queue order; each is one range of the (status, severity, due)
    index, so a page never sorts the whole queue."""
    severity, dated = segment
    statement = (
        _rows_statement(assignee)
        .where(Flag.severity == severity)
        .where(Flag.due_on.is_not(None) if dated else Flag.due_on.is_(None))
    )
    order = (Flag.due_on, Flag.id) if dated else (Flag.id,)
    statement = _filtered(statement, filters, assignee).order_by(*order)
    return [dict(r._mapping) for r in session.execute(statement.limit(limit).offset(offset))]


def _sorted_rows(
    session: Session, filters: QueueFilter, assignee, offset: int, limit: int
) -> list[dict]:
    """One page in the reader's chosen order (empty values last, then by flag id), or in
    the queue's own order: most severe, then earliest due (undated last). The ids are
    sorted first with only the joins the key needs; then the page's rows are read."""
    ids = _with_joins(select(Flag.id).select_from(Flag), filters, assignee)
    if filters.sort is None:
        order = [sort_key("severity", assignee), Flag.due_on.asc().nulls_last()]
    else:
        column, descending = filters.sort
        if column in ("name", "offender_id", "managing_force") and not filters.force:
            ids = ids.join(Offender, Offender.id == Flag.offender_pk)
        if column == "assigned_to" and not filters.assigned_to:
            ids = ids.outerjoin(assignee, assignee.id == Flag.assigned_to)
        key = sort_key(column, assignee)
        order = [(key.desc() if descending else key.asc()).nulls_last()]
    page_ids = list(session.scalars(ids.order_by(*order, Flag.id).limit(limit).offset(offset)))
    rows = session.execute(_rows_statement(assignee).where(Flag.id.in_(page_ids)))
    place = {flag_id: n for n, flag_id in enumerate(page_ids)}
    return sorted((dict(r._mapping) for r in rows), key=lambda row: place[row["flag_id"]])


def review_queue(
    session: Session, filters: QueueFilter | None = None, page: int = 1, page_size: int = 50
) -> QueuePage:
    """One page of the queue (most severe first, then earliest due, undated last) with the
    total and the count per severity for the filters."""
    filters = filters or QueueFilter()
    if page < 1 or page_size < 1:
        raise ValueError("page and page size start at 1")
    assignee = aliased(User)
    segments = _segment_counts(session, filters, assignee)
    counts: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
    for (severity, _), n in segments.items():
        counts[severity] = counts.get(severity, 0) + n
    total = sum(segments.values())

    if filters.sort is not None or filters.search.strip():  # a search: one statement
        chosen = _sorted_rows(session, filters, assignee, (page - 1) * page_size, page_size)
        return QueuePage(chosen, total, page, page_size, counts)
    rows: list[dict] = []
    skip, wanted = (page - 1) * page_size, page_size
    for segment in [(s, dated) for s in SEVERITIES for dated in (True, False)]:
        size = segments.get(segment, 0)
        if wanted == 0:
            break
        if skip >= size:
            skip -= size
            continue
        fetched = _page_rows(session, filters, assignee, segment, skip, wanted)
        rows += fetched
        wanted -= len(fetched)
        skip = 0
    return QueuePage(rows, total, page, page_size, counts)


def next_in_queue(session: Session, filters: QueueFilter, after: Flag) -> int | None:
    """The flag that follows ``after`` in the queue's order for ``filters`` (whether or not
    ``after`` is still in it, e.g. just decided); None when it was the last."""
    assignee = aliased(User)
    if filters.sort is not None:
        return _next_in_sorted(session, filters, assignee, after)
    segments = [(s, dated) for s in SEVERITIES for dated in (True, False)]
    here = (after.severity, after.due_on is not None)
    for severity, dated in segments[segments.index(here) :] if here in segments else []:
        statement = _with_joins(select(Flag.id).select_from(Flag), filters, assignee)
        statement = statement.where(Flag.severity == severity, Flag.id != after.id)
        statement = statement.where(Flag.due_on.is_not(None) if dated else Flag.due_on.is_(None))
        if (severity, dated) == here:
            later = Flag.id > after.id
            if dated:
                later = or_(Flag.due_on > after.due_on, and_(Flag.due_on == after.due_on, later))
            statement = statement.where(later)
        order = (Flag.due_on, Flag.id) if dated else (Flag.id,)
        found = session.scalar(statement.order_by(*order).limit(1))
        if found is not None:
            return found
    return None


def _next_in_sorted(session: Session, filters: QueueFilter, assignee, after: Flag) -> int | None:
    """The next flag in a chosen order: past ``after``'s value (ties by id), empties last."""
    assert filters.sort is not None
    column, descending = filters.sort
    key = sort_key(column, assignee)
    rows = _rows_statement(assignee).with_only_columns(key)
    value = session.scalar(rows.where(Flag.id == after.id))
    later_id = Flag.id > after.id
    if value is None:
        beyond = and_(key.is_(None), later_id)
    else:
        further = key < value if descending else key > value
        beyond = or_(further, and_(key == value, later_id), key.is_(None))
    ordered = (key.desc() if descending else key.asc()).nulls_last()
    statement = _filtered(_rows_statement(assignee), filters, assignee).where(Flag.id != after.id)
    statement = statement.where(beyond).with_only_columns(Flag.id).order_by(ordered, Flag.id)
    return session.scalar(statement.limit(1))
