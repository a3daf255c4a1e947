"""Decisions on flags: confirm, dismiss or escalate, always with a reason.

A dismissal of a travel flag is also a verdict on the travel-to-offender pair: that pair is
never linked again, and with confirmations it becomes a training label for the matcher.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.access.people import Actor
from tracker.audit import record_event
from tracker.models import Decision, Flag, PairLabel
from tracker.models.enums import DECISIONS
from tracker.review.evidence import FlagNotFound

NEW_STATUS = {"confirm": "confirmed", "dismiss": "dismissed", "escalate": "open"}


class DecisionError(ValueError):
    pass


def why_not_decidable(actor: Actor, flag: Flag) -> str | None:
    """Why ``actor`` may not decide ``flag`` now (it is closed, or escalated to supervisors);
    None when they may. The flag's page asks this too, to offer the form or not."""
    if flag.status != "open":
        return f"flag {flag.id} is already {flag.status}; only open flags are decided"
    if flag.escalated and actor.role != "supervisor":
        return f"flag {flag.id} was escalated: a supervisor decides it"
    return None


def decide_flag(
    session: Session, actor: Actor, flag_id: int, decision: str, reason: str
) -> Decision:
    if decision not in DECISIONS:
        raise DecisionError(
            f"unknown decision {decision!r}; expected one of {', '.join(DECISIONS)}"
        )
    reason = (reason or "").strip()
    if not reason:
        raise DecisionError("a reason is required for every decision")
    flag = session.get(Flag, flag_id, with_for_update=True)
    if flag is None:
        raise FlagNotFound(f"no flag with id {flag_id}")
    refusal = why_not_decidable(actor, flag)
    if refusal is not None:
        raise DecisionError(refusal)
    if decision == "escalate" and flag.escalated:
        raise DecisionError(f"flag {flag_id} is already on the supervisors' queue")

    record = Decision(flag_id=flag.id, user_id=actor.user_id, decision=decision, reason=reason)
    session.add(record)
    previous = flag.status
    flag.status = NEW_STATUS[decision]
    if decision == "escalate":
        flag.escalated = True
    session.flush()
    if flag.travel_pk is not None and decision in ("confirm", "dismiss"):
        _label_pair(session, flag, record, "match" if decision == "confirm" else "non_match")
    record_event(
        session,
        actor=actor.name,
        action="decision",
        object_type="flag",
        object_id=flag.id,
        justification=reason,
        details={
            "decision": decision,
            "status_before": previous,
            "status_after": flag.status,
            "kind": flag.kind,
        },
    )
    return record


def _label_pair(session: Session, flag: Flag, decision: Decision, label: str) -> None:
    """Record the analyst's verdict on the pair (upsert: the latest decision stands)."""
    existing = session.scalars(
        select(PairLabel)
        .where(PairLabel.travel_pk == flag.travel_pk)
        .where(PairLabel.offender_pk == flag.offender_pk)
    ).one_or_none()
    if existing is None:
        session.add(
            PairLabel(
                travel_pk=flag.travel_pk,
                offender_pk=flag.offender_pk,
                label=label,
                decision_id=decision.id,
            )
        )
    else:
        existing.label = label
        existing.decision_id = decision.id
    session.flush()
