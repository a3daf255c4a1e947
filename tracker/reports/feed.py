"""The public most-wanted feed: supervisors approve and withdraw; the nightly job publishes.

A publication is in force only while the offender's status is ``wanted``, its state is
``approved`` and the approval was given in the current wanted episode (on or after
``wanted_since``). So a person who is found drops out of the next build by itself, with no
write, and one who goes missing again needs a fresh approval: publishing must stay necessary
and proportionate, and an old decision is not a decision about a new disappearance.

Items are built field by field from the allow-list in ``tracker.schemas.feed``; nothing is
ever copied from a model wholesale. Free text typed by staff (description, area, photo
reference) is also checked for quoted restricted data and withheld if it quotes any.
"""

from __future__ import annotations

import html
import logging
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.audit import record_event
from tracker.config import SYSTEM_ACTOR
from tracker.models import Alias, Offender, Publication, User
from tracker.review.permissions import PermissionDenied, allowed, roles_for
from tracker.review.users import Actor
from tracker.schemas.feed import (
    FeedDocument,
    FeedLinks,
    HowToReport,
    Image,
    ItemLinks,
    Link,
    WantedPerson,
)

log = logging.getLogger(__name__)

JSON_NAME = "most-wanted.json"
ATOM_NAME = "most-wanted.atom"
ATOM_NS = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"
TAG_DATE = "2026"  # the year this feed's tag URIs were minted; fixed so ids never change
PUBLIC_FILE_MODE = 0o644
MIN_QUOTED_LENGTH = 5  # shorter restricted values would match ordinary words by chance


# --- settings -------------------------------------------------------------------------------


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def _default_publisher() -> str:
    return _env("TRACKER_FEED_PUBLISHER", _env("TRACKER_UNIT_NAME", "Public Protection Unit"))


def checked_base_url(value: str) -> str:
    """Links and tag ids are built from it, so it must be absolute; no trailing slash."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ValueError(f"feed base URL {value!r} must be an absolute http(s) URL, no query")
    return value.rstrip("/")


class FeedSettings(BaseModel):
    """What a force configures about its feed (``TRACKER_FEED_*`` environment variables)."""

    model_config = ConfigDict(validate_default=True)  # the environment is checked too

    base_url: str = Field(
        default_factory=lambda: _env(
            "TRACKER_FEED_BASE_URL", "https://www.example.police.uk/most-wanted"
        ),
        description="Public URL the feed files and each person's page are published under.",
    )
    title: str = "Most wanted: registered offenders whose whereabouts are unknown"
    publisher: str = Field(
        default_factory=_default_publisher, description="The feed's author: the publishing unit."
    )
    police_line: str = Field(
        default_factory=lambda: _env(
            "TRACKER_FEED_POLICE_LINE",
            "If you see this person now, call 999. Otherwise call 101, the police "
            "non-emergency number.",
        )
    )
    anonymous_line: str = Field(
        default_factory=lambda: _env(
            "TRACKER_FEED_ANONYMOUS_LINE",
            "To stay anonymous, call Crimestoppers on 0800 555 111 or use crimestoppers-uk.org.",
        )
    )
    advice: str = (
        "Do not approach this person or act yourself. Note where and when you saw them, "
        "and report it."
    )

    @field_validator("base_url")
    @classmethod
    def _absolute(cls, value: str) -> str:
        return checked_base_url(value)

    def how_to_report(self) -> HowToReport:
        return HowToReport(
            police=self.police_line, anonymous=self.anonymous_line, advice=self.advice
        )


# --- approvals ------------------------------------------------------------------------------


class FeedError(ValueError):
    """An approval or withdrawal could not be made as asked; the message says why."""


@dataclass(frozen=True)
class Approval:
    publication: Publication
    changed: bool  # False when it was already approved and in force
    approved_by: str | None


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


def in_force(publication: Publication | None, offender: Offender) -> bool:
    """Approved, still wanted, and approved during the current wanted episode."""
    if publication is None or publication.state != "approved" or offender.status != "wanted":
        return False
    if offender.wanted_since is None:
        return True
    return publication.approved_at.astimezone(UTC).date() >= offender.wanted_since


def _check_role(actor: Actor, action: str) -> None:
    """The CLI checks too; services check again because the web and batch call them directly."""
    if actor.role is None or not allowed(actor.role, action):
        raise PermissionDenied(
            f"{actor.name!r} (role {actor.role or 'none'}) may not {action}; allowed roles: "
            f"{', '.join(roles_for(action))}"
        )


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


def _audit_publication(session: Session, actor: Actor, offender: Offender, change: str,
                       reason: str, state_before: str | None) -> None:  # fmt: skip
    record_event(
        session,
        actor=actor.name,
        action="publication",
        object_type="offender",
        object_id=offender.offender_id,
        justification=reason,
        details={
            "change": change,
            "state_before": state_before,
            "public_id": offender.public_id,
            "status": offender.status,
            "wanted_since": offender.wanted_since,
        },
    )


def approve_publication(session: Session, actor: Actor, offender_id: str, reason: str,
                        now: datetime | None = None) -> Approval:  # fmt: skip
    """Put a wanted offender on the feed; approving one already in force changes nothing."""
    _check_role(actor, "feed.approve")
    reason = _require_reason(reason)
    now = now or datetime.now(UTC)
    offender = _find_offender(session, offender_id)
    if offender.status != "wanted":
        raise FeedError(
            f"offender {offender.offender_id} has status {offender.status!r}, not 'wanted': "
            "only wanted offenders can be published"
        )
    publication = _publication_of(session, offender)
    if in_force(publication, offender):
        return Approval(publication, False, _user_name(session, publication.approved_by))
    state_before = publication.state if publication else None
    if publication is None:
        publication = Publication(offender_pk=offender.id)
        session.add(publication)
    publication.state = "approved"
    publication.approved_by = actor.user_id
    publication.approved_at = now
    publication.approval_reason = reason
    publication.withdrawn_by = None
    publication.withdrawn_at = None
    publication.withdrawal_reason = None
    publication.modified_at = now
    session.flush()
    _audit_publication(session, actor, offender, "approved", reason, state_before)
    return Approval(publication, True, actor.name)


def withdraw_publication(session: Session, actor: Actor, offender_id: str, reason: str,
                         now: datetime | None = None) -> Publication:  # fmt: skip
    """Take an offender off the feed from the next build on."""
    _check_role(actor, "feed.withdraw")
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
    _audit_publication(session, actor, offender, "withdrawn", reason, "approved")
    return publication


def list_publications(session: Session, actor: Actor) -> list[PublicationRow]:
    """Every approval ever given, in force first, then newest first; reading it is logged."""
    _check_role(actor, "feed.preview")
    users = dict(session.execute(select(User.id, User.name)).all())
    rows = session.execute(select(Publication, Offender).join(Offender)).all()
    listed = [
        PublicationRow(
            offender_id=offender.offender_id,
            public_id=offender.public_id,
            names=_heading(offender),
            status=offender.status,
            state=publication.state,
            in_force=in_force(publication, offender),
            approved_by=users.get(publication.approved_by, "?"),
            approved_at=publication.approved_at,
            approval_reason=publication.approval_reason,
            withdrawn_by=users.get(publication.withdrawn_by),
            withdrawn_at=publication.withdrawn_at,
            withdrawal_reason=publication.withdrawal_reason,
        )
        for publication, offender in rows
    ]
    listed.sort(key=lambda r: r.offender_id)
    listed.sort(key=lambda r: r.approved_at, reverse=True)
    listed.sort(key=lambda r: not r.in_force)
    record_event(
        session,
        actor=actor.name,
        action="consultation",
        object_type="publications",
        justification="feed approvals listed",
        details={"rows": len(listed), "in_force": sum(r.in_force for r in listed)},
    )
    return listed


# --- selection ------------------------------------------------------------------------------


def publishable(session: Session) -> list[tuple[Offender, Publication]]:
    """Offenders whose publication is in force, newest approval first (ties by public id)."""
    rows = session.execute(
        select(Offender, Publication)
        .join(Publication, Publication.offender_pk == Offender.id)
        .where(Publication.state == "approved", Offender.status == "wanted")
        .options(selectinload(Offender.aliases), selectinload(Offender.documents))
    ).all()
    chosen = [(o, p) for o, p in rows if in_force(p, o)]
    chosen.sort(key=lambda pair: pair[0].public_id)
    chosen.sort(key=lambda pair: pair[1].approved_at, reverse=True)
    return chosen


# --- items ----------------------------------------------------------------------------------


def age_on(born: date, day: date) -> int | None:
    """Whole years; None for a birth date after ``day`` (bad data is not published as age)."""
    years = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return years if years >= 0 else None


def _heading(person: Offender | Alias) -> str:
    return " ".join(part for part in (person.given_names, person.family_name) if part)


def _alias_names(offender: Offender) -> list[str]:
    """Alias names only: their kinds are internal bookkeeping, and repeats help no one."""
    own = _heading(offender)
    names = {_heading(alias) for alias in offender.aliases}
    return sorted(name for name in names if name and name != own)


def _compact(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _restricted_values(offender: Offender) -> list[str]:
    """Values that must never leave, compacted, to catch them quoted in free text."""
    values = [
        offender.offender_id,
        offender.address_line,
        offender.postcode,
        offender.offence_category,
        offender.date_of_birth.isoformat(),
        offender.date_of_birth.strftime("%d/%m/%Y"),
        *(d.doc_number for d in offender.documents),
    ]
    compacted = (_compact(v) for v in values if v)
    return [v for v in compacted if len(v) >= MIN_QUOTED_LENGTH]


def _screened(offender: Offender, field: str, value: str | None) -> str | None:
    """Free text as held, or None when it quotes restricted data (logged without the text)."""
    if not value:
        return None
    compact = _compact(value)
    if any(restricted in compact for restricted in _restricted_values(offender)):
        log.warning("most-wanted feed: %s of %s withheld: it quotes restricted data",
                    field, offender.public_id)  # fmt: skip
        return None
    return value


def _modified(offender: Offender, publication: Publication) -> datetime:
    """Coarse but never stale: any change to the register entry or its names counts."""
    instants = [publication.approved_at, publication.modified_at, offender.updated_at,
                *(a.created_at for a in offender.aliases)]  # fmt: skip
    return max(i for i in instants if i is not None)


def _instant(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)


def build_item(offender: Offender, publication: Publication, now: datetime, base_url: str,
               how_to_report: HowToReport) -> WantedPerson:  # fmt: skip
    """One person, from the allow-listed fields only."""
    photo = _screened(offender, "photo reference", offender.photo_ref)
    return WantedPerson(
        uid=offender.public_id,
        title=_heading(offender),
        forenames=offender.given_names,
        name=offender.family_name,
        aliases=_alias_names(offender),
        age=age_on(offender.date_of_birth, now.astimezone(UTC).date()),
        sex=offender.sex,
        height_cm=offender.height_cm,
        description=_screened(offender, "description", offender.description),
        last_known_area=_screened(offender, "last known area", offender.last_known_area),
        wanted_since=offender.wanted_since,
        images=[Image(original=photo)] if photo else [],
        how_to_report=how_to_report,
        published=_instant(publication.approved_at),
        modified=_instant(_modified(offender, publication)),
        links=ItemLinks(self=Link(href=f"{base_url}/{offender.public_id}")),
    )


# --- the document ---------------------------------------------------------------------------


def _page_href(base_url: str, page: int, page_size: int | None) -> str:
    href = f"{base_url}/{JSON_NAME}"
    return href if page_size is None else f"{href}?page={page}&page_size={page_size}"


def _paging_links(base_url: str, page: int, page_size: int | None, total: int) -> FeedLinks:
    last = 1 if page_size is None else max(1, -(-total // page_size))

    def link(n: int) -> Link:
        return Link(href=_page_href(base_url, n, page_size))

    return FeedLinks(
        self=link(page),
        first=link(1),
        last=link(last),
        prev=link(min(page - 1, last)) if page > 1 else None,
        next=link(page + 1) if page < last else None,
    )


def build_feed(session: Session, now: datetime, base_url: str, *, page: int = 1,
               page_size: int | None = None,
               settings: FeedSettings | None = None) -> FeedDocument:  # fmt: skip
    """The feed (or one page of it) as the database stands, with ages as at ``now``.

    A pure function of the database and ``now``: building twice gives the same document.
    """
    if now.tzinfo is None:
        raise ValueError("now must carry an offset")
    if page < 1 or (page_size is not None and page_size < 1):
        raise ValueError(f"page {page} and page size {page_size} must be at least 1")
    base_url = checked_base_url(base_url)
    settings = settings or FeedSettings()
    how_to_report = settings.how_to_report()
    everyone = publishable(session)
    total = len(everyone)
    if page_size is None:
        chosen = everyone if page == 1 else []
    else:
        chosen = everyone[(page - 1) * page_size : page * page_size]
    return FeedDocument(
        title=settings.title,
        generated=_instant(now),
        total=total,
        page=page,
        page_size=page_size,
        items=[build_item(o, p, now, base_url, how_to_report) for o, p in chosen],
        links=_paging_links(base_url, page, page_size, total),
    )


# --- JSON -----------------------------------------------------------------------------------


def render_json(doc: FeedDocument) -> str:
    return doc.model_dump_json(by_alias=True, indent=2) + "\n"


# --- Atom 1.0 (RFC 4287) --------------------------------------------------------------------

_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip
_SEXES = {"M": "male", "F": "female", "X": "X"}


def _xml_text(value: object) -> str:
    """Text XML 1.0 can carry: control characters it forbids are dropped, not smuggled."""
    return _XML_ILLEGAL.sub("", str(value))


def _rfc3339(value: datetime) -> str:
    return _instant(value).isoformat().replace("+00:00", "Z")


def _long_date(value: date) -> str:
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def _tag(base_url: str, *path: str) -> str:
    """A tag URI (RFC 4151): stable for as long as the site's host and the public id are."""
    host = urlsplit(base_url).hostname
    return f"tag:{host},{TAG_DATE}:" + ":".join(("most-wanted", *path))


def _site_of(doc: FeedDocument) -> str:
    """The base URL the document was built for (its self link minus the file name)."""
    return doc.links.self.href.split("?", 1)[0].rsplit("/", 1)[0]


def _atom_href(json_href: str) -> str:
    return json_href.replace(JSON_NAME, ATOM_NAME, 1)


def _facts(item: WantedPerson) -> list[tuple[str, str]]:
    """The allow-listed facts about a person, as labelled lines for readers."""
    facts = [
        ("Also known as", "; ".join(item.aliases)),
        ("Age", "" if item.age is None else str(item.age)),
        ("Sex", _SEXES.get(item.sex or "", "")),
        ("Height", "" if item.height_cm is None else f"{item.height_cm} cm"),
        ("Description", item.description or ""),
        ("Last known area", item.last_known_area or ""),
        ("Wanted since", "" if item.wanted_since is None else _long_date(item.wanted_since)),
    ]
    report = item.how_to_report
    facts += [("Advice", report.advice), ("Report a sighting", report.police),
              ("Anonymously", report.anonymous)]  # fmt: skip
    return [(label, value) for label, value in facts if value]


def _summary(item: WantedPerson) -> str:
    parts = []
    if item.wanted_since:
        parts.append(f"Whereabouts unknown since {_long_date(item.wanted_since)}.")
    if item.last_known_area:
        parts.append(f"Last known area: {item.last_known_area}.")
    parts.append(item.how_to_report.advice)
    return " ".join(parts)


def _content_html(item: WantedPerson) -> str:
    rows = "".join(
        f"<dt>{html.escape(label)}</dt><dd>{html.escape(value)}</dd>"
        for label, value in _facts(item)
    )
    return f"<dl>{rows}</dl>"


def _sub(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    clean = {key: _xml_text(value) for key, value in attrs.items()}
    element = ET.SubElement(parent, name, clean)
    if text is not None:
        element.text = _xml_text(text)
    return element


def _atom_entry(feed: ET.Element, item: WantedPerson, site: str) -> None:
    entry = _sub(feed, "entry")
    _sub(entry, "id", _tag(site, item.uid))
    _sub(entry, "title", item.title, type="text")
    _sub(entry, "updated", _rfc3339(item.modified))
    _sub(entry, "published", _rfc3339(item.published))
    _sub(entry, "link", rel="alternate", type="text/html", href=item.links.self.href)
    for image in item.images:
        _sub(entry, "link", rel="enclosure", href=image.original)
    _sub(entry, "summary", _summary(item), type="text")
    _sub(entry, "content", _content_html(item), type="html")


def render_atom(doc: FeedDocument, publisher: str | None = None) -> str:
    """One ``<entry>`` per person; ids are tag URIs of the public id, so they never change."""
    site = _site_of(doc)
    # Plain names under a declared default namespace: ElementTree cannot otherwise write
    # Atom's unprefixed elements beside unqualified attributes.
    feed = ET.Element("feed", {"xmlns": ATOM_NS, f"{{{XML_NS}}}base": f"{site}/"})
    _sub(feed, "id", _tag(site))
    _sub(feed, "title", doc.title, type="text")
    _sub(feed, "updated", _rfc3339(doc.generated))
    author = _sub(feed, "author")
    _sub(author, "name", publisher or _default_publisher())
    _sub(feed, "link", rel="self", type="application/atom+xml",
         href=_atom_href(doc.links.self.href))  # fmt: skip
    _sub(feed, "link", rel="alternate", type="text/html", href=site)
    if doc.page_size is not None:  # RFC 5005 paging
        for name, rel in (("first", "first"), ("prev", "previous"), ("next", "next"),
                          ("last", "last")):  # fmt: skip
            link = getattr(doc.links, name)
            if link is not None:
                _sub(feed, "link", rel=rel, href=_atom_href(link.href))
    for item in doc.items:
        _atom_entry(feed, item, site)
    ET.indent(feed)
    body = ET.tostring(feed, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'


# --- publishing -----------------------------------------------------------------------------


def _write_atomically(path: Path, text: str) -> None:
    """Readers of the public folder never see half a file: write aside, then rename."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent,
                                     prefix=f".{path.name}.", delete=False) as handle:  # fmt: skip
        handle.write(text)
    temporary = Path(handle.name)
    temporary.chmod(PUBLIC_FILE_MODE)  # the web server must read it; it is public by design
    temporary.replace(path)


def record_disclosure(session: Session, doc: FeedDocument, destination: str, *,
                      actor: str = SYSTEM_ACTOR, run_id: int | None = None) -> None:  # fmt: skip
    """Log the disclosure to the public (DPA 2018 s.62): when, by whom, to whom, whom it names."""
    uids = [item.uid for item in doc.items]
    named = session.scalars(select(Offender.offender_id).where(Offender.public_id.in_(uids)))
    record_event(
        session,
        actor=actor,
        action="disclosure",
        object_type="feed",
        object_id="most-wanted",
        justification="public most-wanted feed: approved publications of wanted offenders",
        details={
            "recipient": "the public",
            "destination": destination,
            "people": len(uids),
            "offender_ids": sorted(named),
            "page": doc.page,
        },
        run_id=run_id,
    )


def write_feed(session: Session, out_dir: Path, now: datetime, *,
               settings: FeedSettings | None = None, run_id: int | None = None,
               actor: str = SYSTEM_ACTOR) -> dict[str, Path]:  # fmt: skip
    """Write ``most-wanted.json`` and ``most-wanted.atom`` (the whole feed) into ``out_dir``."""
    settings = settings or FeedSettings()
    doc = build_feed(session, now, settings.base_url, settings=settings)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / JSON_NAME, "atom": out_dir / ATOM_NAME}
    _write_atomically(paths["json"], render_json(doc))
    _write_atomically(paths["atom"], render_atom(doc, settings.publisher))
    record_disclosure(session, doc, str(out_dir), actor=actor, run_id=run_id)
    return paths
