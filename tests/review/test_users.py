"""People: the bootstrap rule, admins only afterwards, unknown names refused."""

from __future__ import annotations

import pytest

from tracker.db import transaction
from tracker.models import AuditEvent
from tracker.review.permissions import PermissionDenied
from tracker.review.users import UserError, add_user, list_users, require_actor


def test_the_first_user_needs_no_acting_person(sessions):
    with transaction(sessions) as s:
        add_user(s, None, "ada", "admin")
    with transaction(sessions) as s:
        assert [u.name for u in list_users(s)] == ["ada"]
        event = s.query(AuditEvent).one()
        assert (event.action, event.object_id) == ("user_change", "ada")


def test_after_the_first_only_an_admin_adds_users(sessions):
    with transaction(sessions) as s:
        add_user(s, None, "ada", "admin")
        add_user(s, "ada", "sam", "supervisor")
    with pytest.raises(PermissionDenied, match="may not users.add"), transaction(sessions) as s:
        add_user(s, "sam", "eve", "analyst")
    with (
        pytest.raises(PermissionDenied, match="needs the acting person"),
        transaction(sessions) as s,
    ):
        add_user(s, None, "eve", "analyst")


def test_unknown_acting_person_is_refused(sessions):
    with transaction(sessions) as s:
        add_user(s, None, "ada", "admin")
    with (
        pytest.raises(PermissionDenied, match="unknown user 'mallory'"),
        transaction(sessions) as s,
    ):
        require_actor(s, "mallory", "review.queue")


def test_duplicate_and_empty_names_are_refused(sessions):
    with transaction(sessions) as s:
        add_user(s, None, "ada", "admin")
    with pytest.raises(UserError, match="already exists"), transaction(sessions) as s:
        add_user(s, "ada", "ada", "analyst")
    with pytest.raises(UserError, match="empty"), transaction(sessions) as s:
        add_user(s, "ada", "  ", "analyst")
