"""Property: nothing restricted about any offender ever appears in either feed format.

Every restricted value is made distinctive: text starts with a ``⟦field n⟧`` marker, and
public text is drawn without ``⟦``, ``⟧`` or any decimal digit, so a restricted value (or a
date of birth written in any common format) can only show up in the output if it leaked.
The same holds for people who are wanted but not approved, or approved but since found:
nothing about them at all may appear.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, date, datetime

from factories import add_alias, add_document, add_offender, add_user
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tracker.models.enums import JURISDICTIONS, RISK_LEVELS
from tracker.reports.feed import build_feed, render_json
from tracker.reports.feed_atom import render_atom
from tracker.reports.feed_text import name_refusal
from tracker.services.feed import approve_publication

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
APPROVED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
BASE = "https://www.example.police.uk/most-wanted"
MONTHS = (
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
RISK_WORD = re.compile(r"(?<![^\W_])(" + "|".join(RISK_LEVELS) + r")(?![^\W_])", re.IGNORECASE)

ADVERSARIAL = st.sampled_from(
    [
        "<script>alert(document.cookie)</script>",
        "'; DROP TABLE offenders; --",
        '" OR 1=1 --',
        "]]><!-- -->",
        "&amp;&lt;&#x3C;",
        "{{7*7}}${jndi:ldap://x}",
        "\u202egnp.exe",
        "Ω≈ç√∫",
        "😀👍🏽",
        "\\x00\\n",
        "\t\n\r",
        "Robert'); --",
        "%s%n%x",
        "../../etc/passwd",
    ]
)
# PostgreSQL text cannot hold NUL; the markers' brackets are kept for the markers.
ANY_CHARACTER = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00⟦⟧")
ANY_TEXT = st.text(ANY_CHARACTER, max_size=30)
PUBLIC_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Nd"), blacklist_characters="\x00⟦⟧0123456789"),
    min_size=1,
    max_size=40,
).filter(lambda t: t.strip() and not RISK_WORD.search(t))


def restricted(field: str, n: int, limit: int | None = None):
    """A distinctive restricted value: a marker, then something hostile (long, if allowed)."""
    tails = st.one_of(ADVERSARIAL, ANY_TEXT)
    if limit is None:
        tails = st.one_of(tails, st.text(ANY_CHARACTER, min_size=200, max_size=600))
    marker = f"⟦{field} {n}⟧"
    return tails.map(lambda tail: (marker + tail)[:limit].strip())


def date_renderings(born: date) -> list[str]:
    """A date of birth as people and systems write it."""
    return [
        born.isoformat(),
        born.strftime("%Y%m%d"),
        born.strftime("%d/%m/%Y"),
        born.strftime("%m/%d/%Y"),
        born.strftime("%d.%m.%Y"),
        born.strftime("%d-%m-%Y"),
        born.strftime("%y%m%d"),
        born.strftime("%d%m%y"),
        f"{born.day} {MONTHS[born.month - 1]} {born.year}",
        f"{MONTHS[born.month - 1]} {born.day}, {born.year}",
    ]


@st.composite
def offenders(draw, n: int) -> dict:
    """One register entry's values, restricted ones marked, public ones hostile but plain."""
    return {
        "offender_id": draw(restricted("id", n, 64)),
        "address_line": draw(restricted("address", n)),
        "postcode": draw(restricted("pc", n, 20)),
        "offence_category": draw(restricted("offence", n)),
        "managing_force": draw(restricted("force", n)),
        "nationalities": draw(restricted("nat", n, 200)),
        "date_of_birth": draw(st.dates(date(1930, 1, 1), date(2005, 12, 31))),
        "risk_level": draw(st.sampled_from(RISK_LEVELS)),
        "jurisdiction": draw(st.sampled_from(JURISDICTIONS)),
        "public_id": "pub" + draw(st.text("abcdefghjkmnpqrstvwxyz", min_size=12, max_size=12)),
        "given_names": draw(PUBLIC_TEXT),
        "family_name": draw(PUBLIC_TEXT),
        "description": draw(st.none() | PUBLIC_TEXT),
        "last_known_area": draw(st.none() | PUBLIC_TEXT),
        "sex": draw(st.sampled_from(["M", "F", "X", None])),
        "height_cm": draw(st.none() | st.integers(100, 230)),
        "status": "wanted",
        "wanted_since": draw(st.dates(date(2015, 1, 1), date(2026, 3, 1))),
        "documents": draw(st.lists(restricted(f"doc {n}", 0, 30), max_size=2, unique=True)),
        "aliases": draw(st.lists(st.tuples(PUBLIC_TEXT, PUBLIC_TEXT), max_size=2, unique=True)),
        "kind": draw(st.sampled_from(["approved", "approved", "unapproved", "found"])),
        "reason": draw(restricted("reason", n)),
    }


@st.composite
def registers(draw) -> list[dict]:
    people = [draw(offenders(n)) for n in range(draw(st.integers(1, 4)))]
    ids = [p["public_id"] for p in people]
    documents = [d for p in people for d in p["documents"]]
    if len(set(ids)) < len(ids) or len(set(documents)) < len(documents):
        return draw(st.nothing())
    for n, person in enumerate(people):
        if person["kind"] != "approved":  # nothing about them may appear, names included
            # (marked by position: a name quoting the register reference is refused at approval)
            person["given_names"] = f"⟦hidden given {n}⟧"
            person["family_name"] = f"⟦hidden family {n}⟧"
            person["description"] = f"⟦hidden description {n}⟧"
    return people


def _store(session, person: dict):
    values = {
        k: v for k, v in person.items() if k not in ("documents", "aliases", "kind", "reason")
    }
    offender = add_offender(session, **values)
    for number in person["documents"]:
        add_document(session, offender, number)
    for family_name, given_names in person["aliases"]:
        add_alias(session, offender, family_name, given_names)
    return offender


def json_strings(value) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)
    elif value is not None:
        yield str(value)


def atom_strings(text: str) -> Iterator[str]:
    for element in ET.fromstring(text.encode("utf-8")).iter():
        for value in (element.text, element.tail, *element.attrib.values()):
            if value:
                yield value
                yield html.unescape(value)  # `content type="html"` is escaped HTML


def assert_absent(value: str, raw: str, strings: list[str], where: str) -> None:
    assert value not in raw, f"{value!r} leaked into the {where} output"
    assert not any(value in s for s in strings), f"{value!r} leaked into the {where} output"


@settings(
    max_examples=40,
    deadline=None,
    # each example rolls its own rows back, so sharing the test's database is safe
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=registers())
def test_no_restricted_value_ever_reaches_either_format(sessions, people):
    with sessions() as session:
        try:
            user = add_user(session, "⟦supervisor name⟧", "supervisor")
            for person in people:
                offender = _store(session, person)
                if person["kind"] in ("approved", "found"):
                    # a name that itself gives something away is refused (test_feed_screen)
                    assume(name_refusal(offender) is None)
                    approve_publication(
                        session, user.name, offender.offender_id, person["reason"], APPROVED
                    )
                if person["kind"] == "found":
                    offender.status = "in_custody"
            session.flush()
            doc = build_feed(session, NOW, BASE)
            outputs = {"JSON": render_json(doc), "Atom": render_atom(doc)}
        finally:
            session.rollback()

    assert doc.total == sum(p["kind"] == "approved" for p in people)
    strings = {
        "JSON": list(json_strings(json.loads(outputs["JSON"]))),
        "Atom": list(atom_strings(outputs["Atom"])),
    }
    for where, raw in outputs.items():
        assert "⟦" not in raw and "\\u27e6" not in raw.lower(), f"a marker is in the {where}"
        assert not RISK_WORD.search(raw), f"a risk level is in the {where} output"
        for code in JURISDICTIONS:
            assert code not in raw
        for person in people:
            values = [
                person["offender_id"],
                person["address_line"],
                person["postcode"],
                person["offence_category"],
                person["managing_force"],
                person["nationalities"],
                person["reason"],
                *person["documents"],
                *date_renderings(person["date_of_birth"]),
            ]
            for value in values:
                assert_absent(value, raw, strings[where], where)
