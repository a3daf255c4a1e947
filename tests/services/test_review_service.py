"""The review services: one listing logged the same way for every screen, and a flag's view that
says what its reader may do and see (the pages only follow it)."""

from __future__ import annotations

import pytest
from factories import add_flag, add_offender, add_run, add_travel, add_user
from sqlalchemy import select

from tracker.db import transaction
from tracker.models import AuditEvent
from tracker.review.evidence import FlagNotFound
from tracker.review.queue import QueueFilter
from tracker.services.review import decide_flag, list_queue, show_flag


@pytest.fixture
def flag_id(sessions) -> int:
    with transaction(sessions) as s:
        for name, role in (("ann", "analyst"), ("sue", "supervisor"), ("liz", "liaison")):
            add_user(s, name, role)
        offender = add_offender(s, offence_category="restricted-category")
        return add_flag(s, offender, add_run(s), travel_pk=add_travel(s).id).id


def _entries(sessions, object_type: str) -> list[AuditEvent]:
    with transaction(sessions) as s:
        statement = select(AuditEvent).filter_by(object_type=object_type).order_by(AuditEvent.id)
        return list(s.scalars(statement))


def test_each_listing_is_one_consultation_with_its_page_and_counts(sessions, flag_id):
    with transaction(sessions) as s:
        page = list_queue(s, "ann", QueueFilter(), page=1, page_size=10)
        escalations = list_queue(s, "sue", QueueFilter(escalated_only=True))
    assert [r["flag_id"] for r in page.rows] == [flag_id] and escalations.total == 0
    queue, supervisors = _entries(sessions, "review_queue")
    assert (queue.actor, queue.action, queue.justification) == (
        "ann",
        "consultation",
        "review queue listed",
    )
    assert queue.details == {"page": 1, "rows": 1, "total": 1, "escalated": False}
    assert (supervisors.actor, supervisors.justification) == ("sue", "escalations listed")
    assert supervisors.details == {"page": 1, "rows": 0, "total": 0, "escalated": True}


def test_opening_a_flag_is_logged_and_says_who_may_decide_it(sessions, flag_id):
    with transaction(sessions) as s:
        views = {who: show_flag(s, who, flag_id) for who in ("ann", "sue", "liz")}
        assert views["ann"].evidence.flag.id == flag_id
    assert {who: v.decidable for who, v in views.items()} == {
        "ann": True,
        "sue": True,
        "liz": False,  # liaison officers read flags but do not decide them
    }
    entries = _entries(sessions, "flag")
    assert [(e.actor, e.action, e.object_id) for e in entries] == [
        (who, "consultation", str(flag_id)) for who in ("ann", "sue", "liz")
    ]
    with transaction(sessions) as s:
        decide_flag(s, "ann", flag_id, "escalate", "unsure")
        assert not show_flag(s, "ann", flag_id).decidable  # a supervisor decides it now
        assert show_flag(s, "sue", flag_id).decidable
        decide_flag(s, "sue", flag_id, "confirm", "checked with the force")
        assert not show_flag(s, "sue", flag_id).decidable  # decided flags are not decided again


def test_only_package_builders_see_the_offence_category(sessions, flag_id):
    with transaction(sessions) as s:
        shown = {who: show_flag(s, who, flag_id).restricted_shown for who in ("ann", "sue", "liz")}
    assert shown == {"ann": frozenset(), "sue": frozenset(), "liz": {"offence_category"}}


def test_a_flag_that_does_not_exist_is_not_logged(sessions, flag_id):
    with transaction(sessions) as s, pytest.raises(FlagNotFound):
        show_flag(s, "ann", flag_id + 1000)
    assert _entries(sessions, "flag") == []
