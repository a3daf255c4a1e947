"""The most-wanted feed as people act on it: supervisors approve (with the text written for the
public), preview that text, withdraw and list approvals, each checked against the permission
table and logged; anyone may read the feed itself, which is public by design."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from tracker.access.people import require_actor
from tracker.audit import record_event
from tracker.models import Offender, Publication
from tracker.reports import feed_approvals
from tracker.reports.feed import build_feed, record_disclosure
from tracker.reports.feed_approvals import Approval, PublicationRow, PublicText, Withdrawal
from tracker.schemas.feed import FeedDocument
from tracker.settings import FeedSettings


def _audit_publication(
    session: Session,
    actor: str,
    offender: Offender,
    change: str,
    reason: str,
    state_before: str | None,
    publication: Publication | None = None,
) -> None:
    details: dict[str, object] = {
        "change": change,
        "state_before": state_before,
        "public_id": offender.public_id,
        "status": offender.status,
        "wanted_since": offender.wanted_since,
    }
    if publication is not None:  # which fields carry public text (the text is on the row)
        details["public_text"] = [
            name for name in ("public_description", "public_area") if getattr(publication, name)
        ]
    record_event(
        session,
        actor=actor,
        action="publication",
        object_type="offender",
        object_id=offender.offender_id,
        justification=reason,
        details=details,
    )


def approve_publication(
    session: Session,
    who: str | None,
    offender_id: str,
    reason: str,
    now: datetime | None = None,
    *,
    public_description: str | None = None,
    public_area: str | None = None,
    use_register_text: bool = False,
) -> Approval:
    """Put a wanted offender on the feed with the text written for the public (supervisors);
    approving one already in force changes nothing, and logs nothing, unless new public text
    is given (``feed_approvals.approve_publication``)."""
    actor = require_actor(session, who, "feed.approve")
    approval = feed_approvals.approve_publication(
        session,
        actor,
        offender_id,
        reason,
        now,
        public_description=public_description,
        public_area=public_area,
        use_register_text=use_register_text,
    )
    if approval.change is not None:
        _audit_publication(
            session,
            actor.name,
            approval.offender,
            approval.change,
            approval.reason,
            approval.state_before,
            approval.publication,
        )
    return approval


def preview_public_text(
    session: Session,
    who: str | None,
    offender_id: str,
    public_description: str | None,
    public_area: str | None,
) -> PublicText:
    """The text as an approval would store it, or ``FeedError`` saying what it gives away."""
    require_actor(session, who, "feed.approve")
    return feed_approvals.checked_public_text(session, offender_id, public_description, public_area)


def withdraw_publication(
    session: Session, who: str | None, offender_id: str, reason: str, now: datetime | None = None
) -> Withdrawal:
    """Take an offender off the feed from its next build on (supervisors)."""
    actor = require_actor(session, who, "feed.withdraw")
    withdrawal = feed_approvals.withdraw_publication(session, actor, offender_id, reason, now)
    _audit_publication(
        session, actor.name, withdrawal.offender, "withdrawn", withdrawal.reason, "approved"
    )
    return withdrawal


def list_publications(session: Session, who: str | None) -> list[PublicationRow]:
    """Every approval ever given, in force first, then newest first (supervisors); internal,
    never published. Reading it is logged."""
    actor = require_actor(session, who, "feed.preview")
    listed = feed_approvals.list_publications(session)
    record_event(
        session,
        actor=actor.name,
        action="consultation",
        object_type="publications",
        justification="feed approvals listed",
        details={"rows": len(listed), "in_force": sum(r.in_force for r in listed)},
    )
    return listed


def most_wanted(
    session: Session,
    settings: FeedSettings,
    now: datetime | None = None,
    *,
    page: int = 1,
    page_size: int | None = None,
    written_to: str | None = None,
) -> FeedDocument:
    """The feed (or one page of it): no person needed, it is public by design. Written out
    (``written_to``: a file or standard output) it is logged as a disclosure to the public;
    served on the public web it is not, so anonymous reads cannot grow the trail unbounded
    (the disclosure decision is the supervisor's approval, which is logged)."""
    doc = build_feed(
        session,
        now or datetime.now(UTC),
        settings.base_url,
        page=page,
        page_size=page_size,
        settings=settings,
    )
    if written_to is not None:
        record_disclosure(session, doc, written_to)
    return doc
