"""The analysts' review: the queue (and the supervisors' escalations), one flag's evidence, and
decisions. The command line and the web pages both come through here, so each listing and each
opened flag is logged as a consultation once, the same way, whichever screen asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tracker.access.people import require_actor
from tracker.access.permissions import allowed
from tracker.audit import record_event
from tracker.models import Decision, Flag
from tracker.review import decisions
from tracker.review.assignment import assign_flags as assign_flags_to
from tracker.review.assignment import assignable_people
from tracker.review.evidence import Evidence, FlagNotFound, load_evidence
from tracker.review.queue import QueueFilter, QueuePage, next_in_queue, review_queue

#: Register fields only some roles may see, with the action whose roles may: the offence
#: category travels only in intelligence packages, so only their builders see it.
RESTRICTED_FIELDS = {"offence_category": "package.build"}


@dataclass(frozen=True)
class FlagView:
    """One flag as its reader may see it: the evidence, whether they may decide it now, and
    which restricted register fields their role may see."""

    evidence: Evidence
    decidable: bool
    restricted_shown: frozenset[str]
    assignees: tuple[str, ...] = ()
    assigned_to: str | None = None


def list_queue(
    session: Session, who: str | None, filters: QueueFilter, page: int = 1, page_size: int = 50
) -> QueuePage:
    """One page of the review queue (``filters.escalated_only``: the supervisors' queue)."""
    escalated = filters.escalated_only
    actor = require_actor(session, who, "review.escalations" if escalated else "review.queue")
    result = review_queue(session, filters, page=page, page_size=page_size)
    if allowed(actor.role or "", "review.assign"):
        result.assignees = assignable_people(session)
    record_event(
        session,
        actor=actor.name,
        action="consultation",
        object_type="review_queue",
        justification=f"{'escalations' if escalated else 'review queue'} listed",
        details={
            "page": page,
            "rows": len(result.rows),
            "total": result.total,
            "escalated": escalated,
        },
    )
    return result


#: The most rows one export of the queue carries (the CLI's largest page): narrow the filters
#: for more, so a click never reads the whole register.
EXPORT_LIMIT = 10_000


def export_queue(session: Session, who: str | None, filters: QueueFilter, fmt: str) -> QueuePage:
    """Every flag of the queue ``filters`` describe (up to ``EXPORT_LIMIT``), in its order,
    for a CSV or workbook the reader takes away: logged as a consultation naming the format,
    like the CLI's ``review queue --format``."""
    escalated = filters.escalated_only
    actor = require_actor(session, who, "review.escalations" if escalated else "review.queue")
    result = review_queue(session, filters, page=1, page_size=EXPORT_LIMIT)
    record_event(
        session,
        actor=actor.name,
        action="consultation",
        object_type="review_queue",
        justification=f"{'escalations' if escalated else 'review queue'} exported",
        details={
            "format": fmt,
            "rows": len(result.rows),
            "total": result.total,
            "escalated": escalated,
            "search": bool(filters.search.strip()),
            "sort": list(filters.sort) if filters.sort else None,
        },
    )
    return result


def next_flag(session: Session, who: str | None, filters: QueueFilter, after: int) -> int | None:
    """The flag after ``after`` in the queue ``filters`` describe: where an analyst goes once
    they have decided one. Only an id: opening that flag is the consultation."""
    queue = "review.escalations" if filters.escalated_only else "review.queue"
    require_actor(session, who, queue)
    flag = session.get(Flag, after)
    if flag is None:
        raise FlagNotFound(f"no flag with id {after}")
    return next_in_queue(session, filters, flag)


def show_flag(session: Session, who: str | None, flag_id: int) -> FlagView:
    """Everything about one flag, for ``who``; opening it is a consultation (DPA 2018 s.62)."""
    actor = require_actor(session, who, "review.show")
    evidence = load_evidence(session, flag_id)
    flag = evidence.flag
    record_event(
        session,
        actor=actor.name,
        action="consultation",
        object_type="flag",
        object_id=flag.id,
        justification="review of a compliance flag",
        details={"offender_id": evidence.offender.offender_id, "kind": flag.kind},
    )
    role = actor.role or ""
    decidable = allowed(role, "review.decide") and decisions.why_not_decidable(actor, flag) is None
    shown = frozenset(name for name, action in RESTRICTED_FIELDS.items() if allowed(role, action))
    assignees = tuple(assignable_people(session)) if allowed(role, "review.assign") else ()
    return FlagView(evidence, decidable, shown, assignees, evidence.assignee)


def decide_flag(
    session: Session, who: str | None, flag_id: int, decision: str, reason: str
) -> Decision:
    """Confirm, dismiss or escalate an open flag, with the reason (logged as a decision)."""
    actor = require_actor(session, who, "review.decide")
    return decisions.decide_flag(session, actor, flag_id, decision, reason)


#: ``--to me`` (and the web's "Assign to me"): the acting person themself.
SELF = "me"


def assign_flags(
    session: Session, who: str | None, flag_ids: Sequence[int], assignee: str | None
) -> list[Flag]:
    """Give flags to a person (``me``: the acting person; None: unassign); one audit entry
    per flag, so the trail shows who handed which flag to whom."""
    actor = require_actor(session, who, "review.assign")
    name = actor.name if assignee == SELF else assignee
    return assign_flags_to(session, actor, flag_ids, name)


def decide_flags(
    session: Session, who: str | None, flag_ids: Sequence[int], decision: str, reason: str
) -> list[Decision]:
    """One decision and reason for several flags (ten flags of one offender): each is decided
    and logged as if alone; one refusal refuses them all (the caller's transaction)."""
    actor = require_actor(session, who, "review.decide")
    if not flag_ids:
        raise decisions.DecisionError("no flags given")
    made = []
    for flag_id in sorted(set(flag_ids)):
        made.append(decisions.decide_flag(session, actor, flag_id, decision, reason))
    return made
