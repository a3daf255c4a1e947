"""Decisions: a reason always, escalation to supervisors, dismissals that stick."""

from __future__ import annotations

import pytest
from factories import add_flag, add_offender, add_run, add_travel, add_user

from tracker.db import transaction
from tracker.models import AuditEvent, Decision, Flag, PairLabel
from tracker.review.decisions import DecisionError
from tracker.services.review import decide_flag


@pytest.fixture
def flag_id(sessions) -> int:
    with transaction(sessions) as s:
        add_user(s, "ann", "analyst")
        add_user(s, "sue", "supervisor")
        offender = add_offender(s)
        travel = add_travel(s)
        return add_flag(s, offender, add_run(s), travel_pk=travel.id).id


def _decide(sessions, user, flag_id, decision, reason="checked the passport scan"):
    with transaction(sessions) as s:
        decide_flag(s, user, flag_id, decision, reason)


def test_a_decision_without_a_reason_is_refused(sessions, flag_id):
    for reason in ("", "   "):
        with pytest.raises(DecisionError, match="reason is required"):
            _decide(sessions, "ann", flag_id, "confirm", reason)
    with transaction(sessions) as s:
        assert s.get(Flag, flag_id).status == "open"
        assert s.query(Decision).count() == 0


def test_confirm_sets_status_and_labels_the_pair_as_a_match(sessions, flag_id):
    _decide(sessions, "ann", flag_id, "confirm")
    with transaction(sessions) as s:
        flag = s.get(Flag, flag_id)
        assert flag.status == "confirmed"
        label = s.query(PairLabel).one()
        assert (label.travel_pk, label.offender_pk, label.label) == (
            flag.travel_pk,
            flag.offender_pk,
            "match",
        )
        event = s.query(AuditEvent).filter_by(action="decision").one()
        assert event.justification == "checked the passport scan"
        assert event.actor == "ann"


def test_dismissal_labels_the_pair_as_a_non_match(sessions, flag_id):
    _decide(sessions, "ann", flag_id, "dismiss")
    with transaction(sessions) as s:
        assert s.get(Flag, flag_id).status == "dismissed"
        assert s.query(PairLabel).one().label == "non_match"


def test_escalation_goes_to_supervisors_only(sessions, flag_id):
    _decide(sessions, "ann", flag_id, "escalate")
    with transaction(sessions) as s:
        flag = s.get(Flag, flag_id)
        assert (flag.status, flag.escalated) == ("open", True)
    with pytest.raises(DecisionError, match="a supervisor decides"):
        _decide(sessions, "ann", flag_id, "confirm")
    _decide(sessions, "sue", flag_id, "dismiss")
    with transaction(sessions) as s:
        assert s.get(Flag, flag_id).status == "dismissed"


def test_decided_flags_are_not_decided_again(sessions, flag_id):
    _decide(sessions, "ann", flag_id, "confirm")
    with pytest.raises(DecisionError, match="already confirmed"):
        _decide(sessions, "ann", flag_id, "dismiss")
