"""The feed as Atom 1.0 (RFC 4287): one entry per person, ids that never change, paging
links (RFC 5005) when the document is one page of the feed."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime
from urllib.parse import urlsplit

from tracker.reports.feed_output import ATOM_NAME, JSON_NAME, feed_instant
from tracker.schemas.feed import FeedDocument, WantedPerson
from tracker.settings import DEFAULT_UNIT_NAME

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"
TAG_DATE = "2026"  # the year this feed's tag URIs were minted; fixed so ids never change
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
    return feed_instant(value).isoformat().replace("+00:00", "Z")


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


def render_atom(doc: FeedDocument, publisher: str = DEFAULT_UNIT_NAME) -> str:
    """One ``<entry>`` per person; ids are tag URIs of the public id, so they never change."""
    site = _site_of(doc)
    # Plain names under a declared default namespace: ElementTree cannot otherwise write
    # Atom's unprefixed elements beside unqualified attributes.
    feed = ET.Element("feed", {"xmlns": ATOM_NS, f"{{{XML_NS}}}base": f"{site}/"})
    _sub(feed, "id", _tag(site))
    _sub(feed, "title", doc.title, type="text")
    _sub(feed, "updated", _rfc3339(doc.generated))
    author = _sub(feed, "author")
    _sub(author, "name", publisher)
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
