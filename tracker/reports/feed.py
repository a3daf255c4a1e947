"""The public most-wanted feed: supervisors approve and withdraw; the nightly job publishes.

Approvals, and when one is in force, live in ``feed_approvals``; the file names in
``feed_output``; the Atom rendering in ``feed_atom``. Items are built field by field from
the allow-list in ``tracker.schemas.feed``; nothing is ever copied from a model wholesale. The
only free text published is what a supervisor wrote for the public with the approval
(``feed_text``), screened again for restricted facts however they are written
(``feed_screen``); the register's own description and area are never published.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.audit import record_event
from tracker.compliance.calendar import age_on
from tracker.models import Offender, Publication
from tracker.models.enums import SEXES
from tracker.reports import feed_text
from tracker.reports.feed_approvals import in_force
from tracker.reports.feed_atom import render_atom
from tracker.reports.feed_output import ATOM_NAME, JSON_NAME, feed_instant
from tracker.schemas.feed import (
    FeedDocument,
    FeedLinks,
    HowToReport,
    Image,
    ItemLinks,
    Link,
    WantedPerson,
)
from tracker.settings import SYSTEM_ACTOR, FeedSettings, checked_base_url

PUBLIC_FILE_MODE = 0o644


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
        sex=offender.sex if offender.sex in SEXES else None,  # its CHECK allows only these
        height_cm=offender.height_cm,
        description=feed_text.published(
            offender, feed_text.DESCRIPTION, publication.public_description
        ),
        last_known_area=feed_text.published(offender, feed_text.AREA, publication.public_area),
        wanted_since=offender.wanted_since,
        images=[Image(original=photo)] if photo else [],
        how_to_report=how_to_report,
        published=feed_instant(publication.approved_at),
        modified=feed_instant(_modified(offender, publication)),
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
        generated=feed_instant(now),
        total=total,
        page=page,
        page_size=page_size,
        items=[build_item(o, p, now, base_url, how_to_report) for o, p in chosen],
        links=_paging_links(base_url, page, page_size, total),
    )


# --- JSON -----------------------------------------------------------------------------------


def render_json(doc: FeedDocument) -> str:
    return doc.model_dump_json(by_alias=True, indent=2) + "\n"


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
