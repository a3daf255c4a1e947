"""The analysts' review: the queue (and the supervisors' escalations), one flag's evidence, and
decisions. The command line and the web pages both come through here, so each listing and each
opened flag is logged as a consultation once, the same way, whichever screen asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from tracker.access.people import require_actor
from tracker.access.permissions import allowed
from tracker.audit import record_event
from tracker.models import Decision
from tracker.review import decisions
from tracker.review.evidence import Evidence, load_evidence
from tracker.review.queue import QueueFilter, QueuePage, review_queue

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


def list_queue(
    session: Session, who: str | None, filters: QueueFilter, page: int = 1, page_size: int = 50
) -> QueuePage:
    """One page of the review queue (``filters.escalated_only``: the supervisors' queue)."""
    escalated = filters.escalated_only
    actor = require_actor(session, who, "review.escalations" if escalated else "review.queue")
    result = review_queue(session, filters, page=page, page_size=page_size)
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
    return FlagView(evidence, decidable, shown)


def decide_flag(
    session: Session, who: str | None, flag_id: int, decision: str, reason: str
) -> Decision:
    """Confirm, dismiss or escalate an open flag, with the reason (logged as a decision)."""
    actor = require_actor(session, who, "review.decide")
    return decisions.decide_flag(session, actor, flag_id, decision, reason)
