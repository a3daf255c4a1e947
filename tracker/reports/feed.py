"""The public most-wanted feed: supervisors approve and withdraw; the nightly job publishes.

Approvals, and when one is in force, live in ``feed_approvals`` (re-exported here). Items are
built field by field from the allow-list in ``tracker.schemas.feed``; nothing is ever copied
from a model wholesale. The only free text published is what a supervisor wrote for the
public with the approval (``feed_text``), screened again for restricted facts however they
are written (``feed_screen``); the register's own description and area are never published.
"""

from __future__ import annotations

import html
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.audit import record_event
from tracker.compliance.calendar import age_on
from tracker.config import SYSTEM_ACTOR
from tracker.models import Offender, Publication
from tracker.reports import feed_text
from tracker.reports.feed_approvals import (
    Approval,
    FeedError,
    PublicationRow,
    PublicText,
    approve_publication,
    checked_public_text,
    in_force,
    list_publications,
    withdraw_publication,
)
from tracker.schemas.feed import (
    FeedDocument,
    FeedLinks,
    HowToReport,
    Image,
    ItemLinks,
    Link,
    WantedPerson,
)

# Approvals live in ``feed_approvals``; callers keep importing them from here.
__all__ = [
    "ATOM_NAME",
    "ATOM_NS",
    "JSON_NAME",
    "Approval",
    "FeedError",
    "FeedSettings",
    "PublicText",
    "PublicationRow",
    "approve_publication",
    "build_feed",
    "build_item",
    "checked_base_url",
    "checked_public_text",
    "in_force",
    "list_publications",
    "public_age",
    "publishable",
    "record_disclosure",
    "render_atom",
    "render_json",
    "withdraw_publication",
    "write_feed",
]

JSON_NAME = "most-wanted.json"
ATOM_NAME = "most-wanted.atom"
ATOM_NS = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"
TAG_DATE = "2026"  # the year this feed's tag URIs were minted; fixed so ids never change
PUBLIC_FILE_MODE = 0o644


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


# --- selection ------------------------------------------------------------------------------


def publishable(session: Session) -> list[tuple[Offender, Publication]]:
    """Offenders whose publication is in force, newest approval first (ties by public id)."""
    rows = session.execute(
        select(Offender, Publication)
        .join(Publication, Publication.offender_pk == Offender.id)
        .where(Publication.state == "approved", Offender.status == "wanted")
        .options(selectinload(Offender.aliases), selectinload(Offender.documents))
    ).all()
    chosen = [(o, p) for o, p in rows if in_force(p, o) and feed_text.publishable_name(o)]
    chosen.sort(key=lambda pair: pair[0].public_id)
    chosen.sort(key=lambda pair: pair[1].approved_at, reverse=True)
    return chosen


# --- items ----------------------------------------------------------------------------------


def public_age(born: date, day: date) -> int | None:
    """Whole years; None for a birth date after ``day`` (bad data is not published as age)."""
    years = age_on(born, day)
    return years if years >= 0 else None


def _modified(offender: Offender, publication: Publication) -> datetime:
    """Coarse but never stale: any change to the register entry or its names counts."""
    instants = [
        publication.approved_at,
        publication.modified_at,
        offender.updated_at,
        *(a.created_at for a in offender.aliases),
    ]
    return max(i for i in instants if i is not None)


def _instant(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)


def build_item(
    offender: Offender,
    publication: Publication,
    now: datetime,
    base_url: str,
    how_to_report: HowToReport,
) -> WantedPerson:
    """One person, from the allow-listed fields only; free text only as a supervisor approved
    it for the public, screened again in case the register changed since."""
    photo = feed_text.published(offender, "photo reference", offender.photo_ref)
    return WantedPerson(
        uid=offender.public_id,
        title=feed_text.heading(offender),
        forenames=offender.given_names,
        name=offender.family_name,
        aliases=feed_text.published_aliases(offender),
        age=public_age(offender.date_of_birth, now.astimezone(UTC).date()),
        sex=offender.sex,
        height_cm=offender.height_cm,
        description=feed_text.published(
            offender, feed_text.DESCRIPTION, publication.public_description
        ),
        last_known_area=feed_text.published(offender, feed_text.AREA, publication.public_area),
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


def build_feed(
    session: Session,
    now: datetime,
    base_url: str,
    *,
    page: int = 1,
    page_size: int | None = None,
    settings: FeedSettings | None = None,
) -> FeedDocument:
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
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
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
    facts += [
        ("Advice", report.advice),
        ("Report a sighting", report.police),
        ("Anonymously", report.anonymous),
    ]
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
    _sub(
        feed, "link", rel="self", type="application/atom+xml", href=_atom_href(doc.links.self.href)
    )
    _sub(feed, "link", rel="alternate", type="text/html", href=site)
    if doc.page_size is not None:  # RFC 5005 paging
        for name, rel in (
            ("first", "first"),
            ("prev", "previous"),
            ("next", "next"),
            ("last", "last"),
        ):
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
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
    ) as handle:
        handle.write(text)
    temporary = Path(handle.name)
    temporary.chmod(PUBLIC_FILE_MODE)  # the web server must read it; it is public by design
    temporary.replace(path)


def record_disclosure(
    session: Session,
    doc: FeedDocument,
    destination: str,
    *,
    actor: str = SYSTEM_ACTOR,
    run_id: int | None = None,
) -> None:
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


def write_feed(
    session: Session,
    out_dir: Path,
    now: datetime,
    *,
    settings: FeedSettings | None = None,
    run_id: int | None = None,
    actor: str = SYSTEM_ACTOR,
) -> dict[str, Path]:
    """Write ``most-wanted.json`` and ``most-wanted.atom`` (the whole feed) into ``out_dir``."""
    settings = settings or FeedSettings()
    doc = build_feed(session, now, settings.base_url, settings=settings)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / JSON_NAME, "atom": out_dir / ATOM_NAME}
    _write_atomically(paths["json"], render_json(doc))
    _write_atomically(paths["atom"], render_atom(doc, settings.publisher))
    record_disclosure(session, doc, str(out_dir), actor=actor, run_id=run_id)
    return paths
