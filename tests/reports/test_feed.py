"""The most-wanted feed: approvals, what is in force, the items, JSON, Atom and the files."""

from __future__ import annotations

import json
import re
import stat
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from factories import add_alias, add_document, add_offender, add_user
from pydantic import ValidationError
from sqlalchemy import func, select

from tracker.access.people import SYSTEM
from tracker.access.permissions import PermissionDenied
from tracker.audit import verify_chain
from tracker.db import transaction
from tracker.models import AuditEvent, Publication
from tracker.reports import feed_approvals
from tracker.reports.feed import build_feed, public_age, render_json, write_feed
from tracker.reports.feed_approvals import FeedError
from tracker.reports.feed_atom import ATOM_NS, render_atom
from tracker.schemas.feed import FeedDocument, WantedPerson, feed_json_schema
from tracker.services.feed import approve_publication, list_publications, withdraw_publication
from tracker.settings import FeedSettings, Settings

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
APPROVED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
BASE = "https://www.example.police.uk/most-wanted"
SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "feed.schema.json"
A = f"{{{ATOM_NS}}}"
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


@pytest.fixture
def staff(sessions):
    """A supervisor and the other roles, by the names they act under."""
    with transaction(sessions) as s:
        people = {
            role: add_user(s, f"{role}-1", role)
            for role in ("supervisor", "analyst", "liaison", "admin")
        }
        return {role: u.name for role, u in people.items()}


def wanted(s, **values):
    values.setdefault("status", "wanted")
    values.setdefault("wanted_since", date(2026, 3, 1))
    return add_offender(s, **values)


def publication_events(s) -> int:
    return s.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "publication")
    )


def feed_uids(s, now: datetime = NOW) -> list[str]:
    return [item.uid for item in build_feed(s, now, BASE).items]


# --- approvals ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["analyst", "liaison", "admin"])
def test_only_supervisors_approve(sessions, staff, role):
    with transaction(sessions) as s:
        person = wanted(s)
        with pytest.raises(PermissionDenied, match="may not feed.approve"):
            approve_publication(s, staff[role], person.offender_id, "needed", APPROVED)
        with pytest.raises(PermissionDenied):
            approve_publication(s, SYSTEM.name, person.offender_id, "needed", APPROVED)
        assert s.scalar(select(func.count()).select_from(Publication)) == 0


def test_the_system_cannot_approve_even_below_the_use_case(sessions):
    """An approval names the supervisor who gave it (approved_by is required)."""
    with transaction(sessions) as s:
        person = wanted(s)
        with pytest.raises(FeedError, match="the system cannot approve"):
            feed_approvals.approve_publication(s, SYSTEM, person.offender_id, "needed", APPROVED)
        assert s.scalar(select(func.count()).select_from(Publication)) == 0


@pytest.mark.parametrize("status", ["active", "in_custody", "deceased", "removed"])
def test_only_wanted_offenders_can_be_approved(sessions, staff, status):
    with transaction(sessions) as s:
        person = add_offender(s, status=status)
        with pytest.raises(FeedError, match=f"status '{status}', not 'wanted'") as refused:
            approve_publication(s, staff["supervisor"], person.offender_id, "needed", APPROVED)
        assert person.offender_id in str(refused.value)
        assert s.scalar(select(func.count()).select_from(Publication)) == 0
        assert publication_events(s) == 0


def test_unknown_offender_and_missing_reason_are_named(sessions, staff):
    with transaction(sessions) as s:
        person = wanted(s)
        with pytest.raises(FeedError, match="'VR-9999999'"):
            approve_publication(s, staff["supervisor"], "VR-9999999", "needed", APPROVED)
        with pytest.raises(FeedError, match="a reason is required"):
            approve_publication(s, staff["supervisor"], person.offender_id, "  ", APPROVED)


def test_approval_is_a_publication_event_and_appears_once(sessions, staff):
    with transaction(sessions) as s:
        person = wanted(s)
        first = approve_publication(
            s,
            staff["supervisor"],
            person.offender_id,
            "high risk to children, whereabouts unknown",
            APPROVED,
        )
        again = approve_publication(s, staff["supervisor"], person.offender_id, "again", NOW)
        assert first.changed and not again.changed
        assert again.approved_by == "supervisor-1"
        assert again.publication.approved_at == APPROVED  # nothing changed
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "publication")).one()
        assert (event.actor, event.object_type, event.object_id) == (
            "supervisor-1",
            "offender",
            person.offender_id,
        )
        assert event.justification == "high risk to children, whereabouts unknown"
        assert event.details["change"] == "approved"
        assert feed_uids(s) == [person.public_id]
        assert verify_chain(s).intact


def test_withdrawal_removes_the_entry(sessions, staff):
    with transaction(sessions) as s:
        kept, dropped = wanted(s), wanted(s)
        for person in (kept, dropped):
            approve_publication(s, staff["supervisor"], person.offender_id, "needed", APPROVED)
        withdraw_publication(s, staff["supervisor"], dropped.offender_id, "found in Leeds", NOW)
        assert feed_uids(s) == [kept.public_id]
        publication = s.scalars(
            select(Publication).where(Publication.offender_pk == dropped.id)
        ).one()
        assert publication.state == "withdrawn"
        assert publication.withdrawal_reason == "found in Leeds"
        assert publication_events(s) == 3


def test_withdrawal_needs_an_approval_and_a_supervisor(sessions, staff):
    with transaction(sessions) as s:
        person = wanted(s)
        with pytest.raises(FeedError, match="was never approved"):
            withdraw_publication(s, staff["supervisor"], person.offender_id, "why", NOW)
        approve_publication(s, staff["supervisor"], person.offender_id, "needed", APPROVED)
        with pytest.raises(PermissionDenied, match="may not feed.withdraw"):
            withdraw_publication(s, staff["analyst"], person.offender_id, "why", NOW)
        withdraw_publication(s, staff["supervisor"], person.offender_id, "found", NOW)
        with pytest.raises(FeedError, match="was withdrawn earlier"):
            withdraw_publication(s, staff["supervisor"], person.offender_id, "again", NOW)


def test_a_person_who_is_found_drops_out_by_itself(sessions, staff):
    with transaction(sessions) as s:
        person = wanted(s)
        approve_publication(s, staff["supervisor"], person.offender_id, "needed", APPROVED)
        events = s.scalar(select(func.count()).select_from(AuditEvent))
        person.status = "in_custody"
        s.flush()
        assert feed_uids(s) == []
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == events  # no write
        [row] = list_publications(s, staff["supervisor"])
        assert row.state == "approved" and not row.in_force


def test_going_missing_again_needs_a_new_approval(sessions, staff):
    with transaction(sessions) as s:
        person = wanted(s, wanted_since=date(2026, 2, 20))
        approve_publication(s, staff["supervisor"], person.offender_id, "needed", APPROVED)
        person.status = "active"  # found
        s.flush()
        assert feed_uids(s) == []
        person.status, person.wanted_since = "wanted", date(2026, 6, 1)  # missing again
        s.flush()
        june = datetime(2026, 6, 2, tzinfo=UTC)
        assert feed_uids(s, june) == []
        renewed = approve_publication(
            s, staff["supervisor"], person.offender_id, "missing again", june
        )
        assert renewed.changed
        assert feed_uids(s, datetime(2026, 6, 3, tzinfo=UTC)) == [person.public_id]


def test_supervisors_list_approvals_and_reading_is_logged(sessions, staff):
    with transaction(sessions) as s:
        on, off = wanted(s), wanted(s)
        for person in (on, off):
            approve_publication(s, staff["supervisor"], person.offender_id, "needed", APPROVED)
        withdraw_publication(s, staff["supervisor"], off.offender_id, "found", NOW)
        rows = list_publications(s, staff["supervisor"])
        assert [(r.offender_id, r.in_force) for r in rows] == [
            (on.offender_id, True),
            (off.offender_id, False),
        ]
        assert rows[1].withdrawn_by == "supervisor-1"
        with pytest.raises(PermissionDenied):
            list_publications(s, staff["analyst"])
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "consultation")
            )
            == 1
        )


# --- items ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(1980, 3, 10), date(2026, 3, 10), 46),
        (date(1980, 3, 11), date(2026, 3, 10), 45),
        (date(1992, 2, 29), date(2026, 2, 28), 33),
        (date(1992, 2, 29), date(2026, 3, 1), 34),
        (date(2027, 1, 1), date(2026, 3, 10), None),
    ],
)
def test_age_in_whole_years(born, day, age):
    assert public_age(born, day) == age


def test_an_item_carries_the_allow_listed_fields_only(sessions, staff):
    with transaction(sessions) as s:
        person = wanted(
            s,
            given_names="Dariusz Jan",
            family_name="Kowalczyk",
            date_of_birth=date(1980, 3, 11),
            sex="M",
            height_cm=183,
            description="Slim build, scar above left eye",
            last_known_area="Leeds",
            photo_ref="photos/a1.jpg",
            address_line="12 Mill Lane",
            postcode="LS6 2AB",
            offence_category="sexual offences against children",
            risk_level="very_high",
            wanted_since=date(2026, 2, 14),
        )
        add_alias(s, person, "Kowalczyk", "Darek", kind="nickname")
        add_alias(s, person, "KOWALCZYK", "DARIUSZ", kind="transliteration")
        add_alias(s, person, "Kowalczyk", "Dariusz Jan", kind="previous_name")  # own name
        approve_publication(
            s,
            staff["supervisor"],
            person.offender_id,
            "needed",
            APPROVED,
            public_description="Slim, scar above the left eye",
            public_area="Leeds city centre",
        )
        item = build_feed(s, NOW, BASE).items[0]
    dumped = item.model_dump(by_alias=True, mode="json")
    assert set(dumped) == {
        "uid",
        "title",
        "forenames",
        "name",
        "aliases",
        "age",
        "sex",
        "height_cm",
        "description",
        "last_known_area",
        "wanted_since",
        "images",
        "how_to_report",
        "published",
        "modified",
        "_links",
    }
    assert dumped["uid"] == person.public_id != person.offender_id
    assert dumped["title"] == "Dariusz Jan Kowalczyk"
    assert (dumped["forenames"], dumped["name"]) == ("Dariusz Jan", "Kowalczyk")
    assert dumped["aliases"] == ["DARIUSZ KOWALCZYK", "Darek Kowalczyk"]
    assert dumped["age"] == 45
    assert (dumped["sex"], dumped["height_cm"]) == ("M", 183)
    assert dumped["wanted_since"] == "2026-02-14"
    # the supervisor's words, never the register's own description and area
    assert dumped["description"] == "Slim, scar above the left eye"
    assert dumped["last_known_area"] == "Leeds city centre"
    assert dumped["images"] == [{"original": "photos/a1.jpg"}]
    assert "Do not approach" in dumped["how_to_report"]["advice"]
    assert "101" in dumped["how_to_report"]["police"]
    assert dumped["published"] == "2026-03-02T09:30:00Z"
    assert dumped["_links"]["self"]["href"] == f"{BASE}/{person.public_id}"
    text = json.dumps(dumped)
    for secret in (
        "12 Mill Lane",
        "LS6 2AB",
        "1980-03-11",
        "sexual offences",
        "very_high",
        person.offender_id,
        "nickname",
        "transliteration",
        "needed",
    ):
        assert secret not in text


def test_the_feed_publishes_the_supervisors_text_never_the_registers(sessions, staff):
    with transaction(sessions) as s:
        person = wanted(s, description="Internal: lives with his mother", last_known_area="Leeds")
        bare = wanted(s, description="Internal: drinks at the Crown", last_known_area="Hull")
        approve_publication(
            s,
            staff["supervisor"],
            person.offender_id,
            "needed",
            APPROVED,
            public_description="Tall, red coat",
            public_area="Bristol",
        )
        approve_publication(s, staff["supervisor"], bare.offender_id, "needed", APPROVED)
        doc = build_feed(s, NOW, BASE)
    items = {i.uid: i for i in doc.items}
    assert (items[person.public_id].description, items[person.public_id].last_known_area) == (
        "Tall, red coat",
        "Bristol",
    )
    assert (items[bare.public_id].description, items[bare.public_id].last_known_area) == (
        None,
        None,
    )
    for text in (render_json(doc), render_atom(doc)):
        assert "Internal" not in text and "Leeds" not in text and "Hull" not in text


def test_text_the_register_has_since_made_restricted_is_withheld_at_build(sessions, staff, caplog):
    with transaction(sessions) as s:
        person = wanted(s, postcode="LS6 2AB")
        person.photo_ref = f"photos/{person.offender_id}.jpg"
        approve_publication(
            s,
            staff["supervisor"],
            person.offender_id,
            "needed",
            APPROVED,
            public_description="Carries passport 533-401-372",
            public_area="Leeds",
        )
        other = wanted(s)
        approve_publication(
            s,
            staff["supervisor"],
            other.offender_id,
            "needed",
            APPROVED,
            public_description="Carries passport 533-401-372",
            public_area="Hull",
        )
        add_document(s, person, "533401372")  # the register learns the number afterwards
        s.refresh(person)
        items = {i.uid: i for i in build_feed(s, NOW, BASE).items}
    assert items[person.public_id].description is None
    assert items[person.public_id].images == []
    assert items[person.public_id].last_known_area == "Leeds"
    # another person's document number is not theirs to withhold: only their own data counts
    assert items[other.public_id].description == "Carries passport 533-401-372"
    withheld = [r.getMessage() for r in caplog.records if "withheld" in r.getMessage()]
    assert any("public description" in m and "a document number" in m for m in withheld)
    assert not any("533" in m for m in withheld)  # the log names the fact, never the text


def test_public_ids_are_stable_across_runs_and_not_the_register_reference(sessions, staff):
    with transaction(sessions) as s:
        people = [wanted(s, public_id=f"a{n}f3c9e1b7d20") for n in range(3)]
        for person in people:
            approve_publication(s, staff["supervisor"], person.offender_id, "needed", APPROVED)
        first = build_feed(s, NOW, BASE)
        later = build_feed(s, datetime(2026, 9, 1, tzinfo=UTC), BASE)
        again = build_feed(s, NOW, BASE)
    assert [i.uid for i in first.items] == [i.uid for i in later.items]
    assert render_json(first) == render_json(again)  # a pure function of the data and `now`
    assert render_atom(first) == render_atom(again)
    for person, item in zip(sorted(people, key=lambda p: p.public_id), first.items, strict=True):
        assert item.uid == person.public_id
        assert person.offender_id not in item.uid
        assert re.sub(r"\D", "", person.offender_id) not in item.uid


def test_paging_follows_the_hal_convention(sessions, staff):
    with transaction(sessions) as s:
        for n in range(5):
            person = wanted(s)
            approve_publication(
                s, staff["supervisor"], person.offender_id, "needed", APPROVED.replace(hour=n)
            )
        whole = build_feed(s, NOW, BASE)
        pages = [build_feed(s, NOW, BASE, page=n, page_size=2) for n in (1, 2, 3, 4)]
    assert whole.total == 5 and whole.page_size is None and whole.links.next is None
    assert [len(p.items) for p in pages] == [2, 2, 1, 0]
    assert all(p.total == 5 for p in pages)
    assert [i.uid for p in pages for i in p.items] == [i.uid for i in whole.items]
    assert [i.published for i in whole.items] == sorted(
        (i.published for i in whole.items), reverse=True
    )
    first, middle, last = pages[0].links, pages[1].links, pages[2].links
    assert first.self.href == f"{BASE}/most-wanted.json?page=1&page_size=2"
    assert first.prev is None and first.next.href.endswith("page=2&page_size=2")
    assert middle.prev.href.endswith("page=1&page_size=2")
    assert last.next is None and first.last.href == last.self.href


def test_build_refuses_naive_instants_and_relative_urls(sessions):
    with transaction(sessions) as s:
        with pytest.raises(ValueError, match="offset"):
            build_feed(s, datetime(2026, 3, 10), BASE)
        with pytest.raises(ValueError, match="absolute"):
            build_feed(s, NOW, "/most-wanted")


# --- the schema -----------------------------------------------------------------------------


def test_committed_json_schema_is_the_models_current_schema():
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == feed_json_schema(), (
        "docs/feed.schema.json is stale: python -m tracker.schemas.feed > docs/feed.schema.json"
    )


def test_the_schema_refuses_fields_outside_the_allow_list():
    with pytest.raises(ValidationError, match="address_line"):
        WantedPerson.model_validate({"address_line": "12 Mill Lane"})
    schema = feed_json_schema()
    item = schema["$defs"]["WantedPerson"]
    assert item["additionalProperties"] is False
    assert not {
        "date_of_birth",
        "address_line",
        "postcode",
        "offence_category",
        "risk_level",
        "offender_id",
        "documents",
    } & set(item["properties"])


def test_json_output_validates_against_the_committed_schema(sessions, staff):
    jsonschema = pytest.importorskip("jsonschema")
    with transaction(sessions) as s:
        for _ in range(2):
            person = wanted(s, sex="F", height_cm=160, photo_ref="p.jpg")
            approve_publication(s, staff["supervisor"], person.offender_id, "needed", APPROVED)
        wanted(s, description=None)
        text = render_json(build_feed(s, NOW, BASE, page=1, page_size=1))
    document = json.loads(text)
    jsonschema.validate(document, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    assert FeedDocument.model_validate_json(text).total == 2
    assert (document["total"], document["page"], len(document["items"])) == (2, 1, 1)
    assert document["schema_version"] == "1.0"


# --- Atom -----------------------------------------------------------------------------------


def test_atom_parses_with_one_entry_per_person(sessions, staff):
    with transaction(sessions) as s:
        people = [
            wanted(s, photo_ref="photos/b.jpg"),
            wanted(s, given_names="Zoë", family_name="O'Brien"),
        ]
        add_alias(s, people[1], "Brien", "Zoe")
        words = ["<script>alert('x')</script> & co", "Tall"]
        for person, description in zip(people, words, strict=True):
            approve_publication(
                s,
                staff["supervisor"],
                person.offender_id,
                "needed",
                APPROVED,
                public_description=description,
            )
        # stored before control characters were refused at approval: XML still drops them
        stored = s.scalars(select(Publication).filter_by(offender_pk=people[1].id)).one()
        stored.public_description = "Tall\x01\x0b"
        wanted(s)  # wanted but never approved: not on the feed
        doc = build_feed(s, NOW, BASE)
    text = render_atom(doc)
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == f"{A}feed"
    for name in ("id", "title", "updated"):  # RFC 4287 4.1.1
        assert root.find(f"{A}{name}").text
    assert root.find(f"{A}id").text == "tag:www.example.police.uk,2026:most-wanted"
    assert RFC3339.fullmatch(root.find(f"{A}updated").text)
    assert root.find(f"{A}author/{A}name").text
    self_link = root.find(f"{A}link[@rel='self']")
    assert self_link.get("href") == f"{BASE}/most-wanted.atom"
    entries = root.findall(f"{A}entry")
    assert len(entries) == 2
    by_id = {e.find(f"{A}id").text: e for e in entries}
    assert set(by_id) == {
        f"tag:www.example.police.uk,2026:most-wanted:{p.public_id}" for p in people
    }
    for entry in entries:
        for name in ("id", "title", "updated", "published", "summary", "content"):
            assert entry.find(f"{A}{name}") is not None, name
        assert RFC3339.fullmatch(entry.find(f"{A}updated").text)
        assert entry.find(f"{A}link[@rel='alternate']").get("href").startswith(f"{BASE}/")
    first = by_id[f"tag:www.example.police.uk,2026:most-wanted:{people[0].public_id}"]
    assert first.find(f"{A}link[@rel='enclosure']").get("href") == "photos/b.jpg"
    content = first.find(f"{A}content")
    assert content.get("type") == "html"
    assert "&lt;script&gt;" in content.text  # escaped inside the HTML, not markup
    assert "<script>" not in text
    second = by_id[f"tag:www.example.police.uk,2026:most-wanted:{people[1].public_id}"]
    assert second.find(f"{A}title").text == "Zoë O'Brien"
    assert "Zoe Brien" in second.find(f"{A}content").text
    assert "Tall" in second.find(f"{A}content").text


def test_atom_paging_links_follow_rfc_5005(sessions, staff):
    with transaction(sessions) as s:
        for _ in range(3):
            person = wanted(s)
            approve_publication(s, staff["supervisor"], person.offender_id, "needed", APPROVED)
        root = ET.fromstring(render_atom(build_feed(s, NOW, BASE, page=2, page_size=1)))
    rels = {link.get("rel"): link.get("href") for link in root.findall(f"{A}link")}
    assert rels["self"] == f"{BASE}/most-wanted.atom?page=2&page_size=1"
    assert rels["previous"].endswith("page=1&page_size=1")
    assert rels["next"].endswith("page=3&page_size=1")
    assert rels["last"].endswith("page=3&page_size=1")
    assert len(root.findall(f"{A}entry")) == 1


# --- publishing -----------------------------------------------------------------------------


def test_write_feed_writes_both_files_and_logs_the_disclosure(sessions, staff, tmp_path):
    with transaction(sessions) as s:
        person = wanted(s)
        approve_publication(s, staff["supervisor"], person.offender_id, "needed", APPROVED)
        paths = write_feed(
            s, tmp_path / "outbox", NOW, settings=FeedSettings(base_url=BASE, publisher="Test Unit")
        )
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "disclosure")).one()
    assert set(paths) == {"json", "atom"}
    assert paths["json"].name == "most-wanted.json" and paths["atom"].name == "most-wanted.atom"
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["total"] == 1
    root = ET.parse(paths["atom"]).getroot()
    assert root.find(f"{A}author/{A}name").text == "Test Unit"
    assert stat.S_IMODE(paths["json"].stat().st_mode) == 0o644
    assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == [
        "most-wanted.atom",
        "most-wanted.json",
    ]
    assert event.actor == "system" and event.object_type == "feed"
    assert event.details["offender_ids"] == [person.offender_id]
    assert event.details["recipient"] == "the public"


def test_feed_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRACKER_FEED_BASE_URL", "https://police.example/wanted/")
    monkeypatch.setenv("TRACKER_FEED_POLICE_LINE", "Call 112")
    settings = Settings().feed
    assert settings.base_url == "https://police.example/wanted"
    assert settings.how_to_report().police == "Call 112"
    monkeypatch.setenv("TRACKER_FEED_BASE_URL", "police.example/wanted")
    with pytest.raises(ValidationError, match="'police.example/wanted'"):
        Settings()
