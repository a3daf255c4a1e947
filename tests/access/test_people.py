"""People: the bootstrap rule, admins only afterwards, unknown names refused; access taken
back (deactivation, role changes) by admins only, never from the last active admin."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tracker.access.people import UserError, require_actor
from tracker.access.permissions import PermissionDenied
from tracker.cli import main
from tracker.db import transaction
from tracker.models import AuditEvent, User
from tracker.services.people import (
    activate_user,
    add_user,
    deactivate_user,
    list_users,
    set_role,
)


def test_the_first_user_needs_no_acting_person(sessions):
    with transaction(sessions) as s:
        add_user(s, None, "ada", "admin")
    with transaction(sessions) as s:
        assert [u["name"] for u in list_users(s, "ada").people] == ["ada"]
        event = s.query(AuditEvent).one()
        assert (event.action, event.object_id) == ("user_change", "ada")


@pytest.mark.parametrize("name", ["system", "System", " ANONYMOUS ", "*"])
def test_names_the_audit_trail_uses_for_no_person_are_refused(sessions, name):
    with transaction(sessions) as s:
        add_user(s, None, "ada", "admin")
    with pytest.raises(UserError, match="is reserved"), transaction(sessions) as s:
        add_user(s, "ada", name, "analyst")


def test_the_command_line_refuses_a_reserved_name(db_url):
    CliRunner().invoke(main, ["--db", db_url, "users", "add", "ada", "--role", "admin"])
    result = CliRunner().invoke(
        main, ["--db", db_url, "--user", "ada", "users", "add", "SYSTEM", "--role", "analyst"]
    )
    assert result.exit_code == 1 and "is reserved" in result.output


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


def _staff(sessions) -> None:
    with transaction(sessions) as s:
        add_user(s, None, "ada", "admin")
        add_user(s, "ada", "ann", "analyst")
        add_user(s, "ada", "sam", "supervisor")


def _version(sessions, name: str) -> int:
    with transaction(sessions) as s:
        return s.scalars(select(User).where(User.name == name)).one().session_version


def test_deactivation_refuses_the_person_at_once_and_ends_their_sessions(sessions):
    _staff(sessions)
    before = _version(sessions, "ann")
    with transaction(sessions) as s:
        deactivate_user(s, "ada", "ann")
    assert _version(sessions, "ann") == before + 1
    with pytest.raises(PermissionDenied, match="deactivated"), transaction(sessions) as s:
        require_actor(s, "ann", "review.queue")
    with pytest.raises(UserError, match="already deactivated"), transaction(sessions) as s:
        deactivate_user(s, "ada", "ann")
    with transaction(sessions) as s:
        activate_user(s, "ada", "ann")
        assert require_actor(s, "ann", "review.queue").name == "ann"
    with transaction(sessions) as s:
        events = [
            (e.actor, e.details.get("event"))
            for e in s.scalars(
                select(AuditEvent).where(AuditEvent.object_id == "ann").order_by(AuditEvent.id)
            )
        ]
        assert events[-2:] == [("ada", "deactivated"), ("ada", "activated")]


def test_a_role_change_takes_effect_and_ends_sessions(sessions):
    _staff(sessions)
    before = _version(sessions, "ann")
    with transaction(sessions) as s:
        set_role(s, "ada", "ann", "supervisor")
    assert _version(sessions, "ann") == before + 1
    with transaction(sessions) as s:
        assert require_actor(s, "ann", "review.escalations").role == "supervisor"
    with pytest.raises(UserError, match="unknown role"), transaction(sessions) as s:
        set_role(s, "ada", "ann", "overlord")
    with pytest.raises(UserError, match="unknown user"), transaction(sessions) as s:
        set_role(s, "ada", "zed", "analyst")


def test_only_admins_change_access(sessions):
    _staff(sessions)
    for change, args in (
        (deactivate_user, ("ann",)),
        (activate_user, ("ann",)),
        (set_role, ("sam", "admin")),
    ):
        with pytest.raises(PermissionDenied, match="may not users."), transaction(sessions) as s:
            change(s, "sam", *args)


def test_the_last_active_admin_cannot_be_deactivated_or_demoted(sessions):
    _staff(sessions)
    with pytest.raises(UserError, match="last active admin"), transaction(sessions) as s:
        deactivate_user(s, "ada", "ada")
    with pytest.raises(UserError, match="last active admin"), transaction(sessions) as s:
        set_role(s, "ada", "ada", "analyst")
    with transaction(sessions) as s:
        set_role(s, "ada", "sam", "admin")
    with transaction(sessions) as s:
        set_role(s, "sam", "ada", "analyst")  # another admin remains: allowed
    with pytest.raises(UserError, match="last active admin"), transaction(sessions) as s:
        deactivate_user(s, "sam", "sam")


def test_a_deactivated_person_is_refused_by_the_command_line(sessions, db_url):
    _staff(sessions)
    runner = CliRunner()
    done = runner.invoke(main, ["--db", db_url, "--user", "ada", "users", "deactivate", "ann"])
    assert done.exit_code == 0, done.output
    refused = runner.invoke(main, ["--db", db_url, "--user", "ann", "review", "queue"])
    assert refused.exit_code == 1 and "deactivated" in refused.output
    last = runner.invoke(main, ["--db", db_url, "--user", "ada", "users", "deactivate", "ada"])
    assert last.exit_code == 1 and "last active admin" in last.output
    role = runner.invoke(
        main, ["--db", db_url, "--user", "ada", "users", "set-role", "sam", "admin"]
    )
    assert role.exit_code == 0 and "sam is now admin" in role.output
    back = runner.invoke(main, ["--db", db_url, "--user", "sam", "users", "activate", "ann"])
    assert back.exit_code == 0, back.output
    assert runner.invoke(main, ["--db", db_url, "--user", "ann", "review", "queue"]).exit_code == 0
