"""Supervisors approve and withdraw publications on the most-wanted feed, with the text for it.

A publication is in force only while the offender's status is ``wanted``, its state is
``approved`` and the approval was given in the current wanted episode (on or after
``wanted_since``). So a person who is found drops out of the next build by itself, with no
write, and one who goes missing again needs a fresh approval: publishing must stay necessary
and proportionate, and an old decision is not a decision about a new disappearance
(domain.md s.4). The approval carries the only free text the feed publishes, checked here.
Who may approve, and the audit entry of each change, are the use cases' (``tracker.services.feed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.access.people import Actor
from tracker.models import Offender, Publication, User
from tracker.reports import feed_text


class FeedError(ValueError):
    """An approval or withdrawal could not be made as asked; the message says why."""


@dataclass(frozen=True)
class Approval:
    """What an approval did: ``change`` is "approved" or "public text revised", None (and
    ``changed`` False) when it was already approved and in force with the same text."""

    publication: Publication
    changed: bool
    approved_by: str | None
    offender: Offender
    reason: str
    change: str | None = None
    state_before: str | None = None


@dataclass(frozen=True)
class Withdrawal:
    publication: Publication
    offender: Offender
    reason: str


@dataclass(frozen=True)
class PublicationRow:
    """One approval as supervisors see it (internal: never part of the feed)."""

    offender_id: str
    public_id: str
    names: str
    status: str
    state: str
    in_force: bool
    approved_by: str
    approved_at: datetime
    approval_reason: str
    withdrawn_by: str | None
    withdrawn_at: datetime | None
    withdrawal_reason: str | None
    public_description: str | None = None
    public_area: str | None = None


@dataclass(frozen=True)
class PublicText:
    """The words approved for the public; None for a field not given (kept as it is)."""

    description: str | None = None
    area: str | None = None


def in_force(publication: Publication | None, offender: Offender) -> bool:
    """Approved, still wanted, and approved during the current wanted episode."""
    if publication is None or publication.state != "approved" or offender.status != "wanted":
        return False
    if offender.wanted_since is None:
        return True
    return publication.approved_at.astimezone(UTC).date() >= offender.wanted_since


def _require_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise FeedError("a reason is required: it is kept in the audit trail")
    return reason


def _find_offender(session: Session, offender_id: str) -> Offender:
    offender = session.scalars(
        select(Offender).where(Offender.offender_id == offender_id.strip()).with_for_update()
    ).one_or_none()
    if offender is None:
        raise FeedError(f"no offender with register reference {offender_id!r}")
    return offender


def _publication_of(session: Session, offender: Offender) -> Publication | None:
    return session.scalars(
        select(Publication).where(Publication.offender_pk == offender.id).with_for_update()
    ).one_or_none()


def _user_name(session: Session, user_id: int | None) -> str | None:
    user = session.get(User, user_id) if user_id is not None else None
    return user.name if user else None


def _checked_text(offender: Offender, text: PublicText) -> PublicText:
    """The text trimmed ("" for a field given blank), or FeedError naming the field and what
    it gives away."""
    facts = feed_text.facts_of(offender)
    checked: dict[str, str | None] = {}
    for field, label, value in (
        ("description", feed_text.DESCRIPTION, text.description),
        ("area", feed_text.AREA, text.area),
    ):
        value = None if value is None else (feed_text.cleaned(value) or "")
        problem = feed_text.refusal(label, value or None, facts)
        if problem:
            raise FeedError(f"{offender.offender_id}: {problem}")
        checked[field] = value
    return PublicText(**checked)


def _check_name(offender: Offender) -> None:
    problem = feed_text.name_refusal(offender)
    if problem:
        raise FeedError(f"{offender.offender_id}: {problem}; correct the register first")


def _revise(
    session: Session,
    actor: Actor,
    offender: Offender,
    publication: Publication,
    text: PublicText,
    reason: str,
    now: datetime,
) -> Approval:
    """Already in force: only new public text changes anything."""
    wanted = {"public_description": text.description, "public_area": text.area}
    changes = {
        name: value or None
        for name, value in wanted.items()
        if value is not None and (value or None) != getattr(publication, name)
    }
    if not changes:
        approved_by = _user_name(session, publication.approved_by)
        return Approval(publication, False, approved_by, offender, reason)
    for name, value in changes.items():
        setattr(publication, name, value)
    publication.modified_at = now
    session.flush()
    return Approval(
        publication, True, actor.name, offender, reason, "public text revised", "approved"
    )


def checked_public_text(
    session: Session, offender_id: str, public_description: str | None, public_area: str | None
) -> PublicText:
    """The text as an approval would store it, or FeedError: the supervisors' preview."""
    offender = _find_offender(session, offender_id)
    _check_name(offender)
    return _checked_text(offender, PublicText(public_description, public_area))


def approve_publication(
    session: Session,
    actor: Actor,
    offender_id: str,
    reason: str,
    now: datetime | None = None,
    *,
    public_description: str | None = None,
    public_area: str | None = None,
    use_register_text: bool = False,
) -> Approval:
    """Put a wanted offender on the feed with the text written for the public.

    ``use_register_text``: the supervisor approves the register's description and last known
    area (the contract's "safe to publish" fields) as the public text, where none is given;
    it is screened like any other. Approving one already in force changes nothing, unless
    new public text is given."""
    reason = _require_reason(reason)
    if actor.user_id is None:
        raise FeedError("an approval names the supervisor who gave it: the system cannot approve")
    now = now or datetime.now(UTC)
    offender = _find_offender(session, offender_id)
    if use_register_text:
        public_description = public_description or offender.description
        public_area = public_area or offender.last_known_area
    if offender.status != "wanted":
        raise FeedError(
            f"offender {offender.offender_id} has status {offender.status!r}, not 'wanted': "
            "only wanted offenders can be published"
        )
    _check_name(offender)
    text = _checked_text(offender, PublicText(public_description, public_area))
    publication = _publication_of(session, offender)
    if publication is not None and in_force(publication, offender):
        return _revise(session, actor, offender, publication, text, reason, now)
    state_before = publication.state if publication else None
    if publication is None:
        publication = Publication(offender_pk=offender.id)
        session.add(publication)
    publication.state = "approved"
    publication.approved_by = actor.user_id
    publication.approved_at = now
    publication.approval_reason = reason
    publication.public_description = text.description or None  # a new episode, new words
    publication.public_area = text.area or None
    publication.withdrawn_by = None
    publication.withdrawn_at = None
    publication.withdrawal_reason = None
    publication.modified_at = now
    session.flush()
    return Approval(publication, True, actor.name, offender, reason, "approved", state_before)


def withdraw_publication(
    session: Session, actor: Actor, offender_id: str, reason: str, now: datetime | None = None
) -> Withdrawal:
    """Take an offender off the feed from the next build on."""
    reason = _require_reason(reason)
    now = now or datetime.now(UTC)
    offender = _find_offender(session, offender_id)
    publication = _publication_of(session, offender)
    if publication is None or publication.state != "approved":
        state = "was withdrawn earlier" if publication else "was never approved"
        raise FeedError(
            f"offender {offender.offender_id} is not approved for the feed ({state}); "
            "nothing to withdraw"
        )
    publication.state = "withdrawn"
    publication.withdrawn_by = actor.user_id
    publication.withdrawn_at = now
    publication.withdrawal_reason = reason
    publication.modified_at = now
    session.flush()
    return Withdrawal(publication, offender, reason)


def list_publications(session: Session) -> list[PublicationRow]:
    """Every approval ever given, in force first, then newest first."""
    # None: no one, for an approval never withdrawn
    users: dict[int | None, str] = dict(session.execute(select(User.id, User.name)).all())
    rows = session.execute(select(Publication, Offender).join(Offender)).all()
    listed = [
        PublicationRow(
            offender_id=offender.offender_id,
            public_id=offender.public_id,
            names=feed_text.heading(offender),
            status=offender.status,
            state=publication.state,
            in_force=in_force(publication, offender),
            approved_by=users.get(publication.approved_by, "?"),
            approved_at=publication.approved_at,
            approval_reason=publication.approval_reason,
            withdrawn_by=users.get(publication.withdrawn_by),
            withdrawn_at=publication.withdrawn_at,
            withdrawal_reason=publication.withdrawal_reason,
            public_description=publication.public_description,
            public_area=publication.public_area,
        )
        for publication, offender in rows
    ]
    listed.sort(key=lambda r: r.offender_id)
    listed.sort(key=lambda r: r.approved_at, reverse=True)
    listed.sort(key=lambda r: not r.in_force)
    return listed
