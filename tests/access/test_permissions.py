"""The permission table: each role allowed and refused, per action."""

from __future__ import annotations

import pytest

from tracker.access.permissions import PERMISSIONS, allowed, roles_for
from tracker.models.enums import ROLES

EXPECTED = {
    "review.decide": {"analyst", "supervisor"},
    "review.escalations": {"supervisor"},
    "package.build": {"liaison"},
    "feed.approve": {"supervisor"},
    "feed.withdraw": {"supervisor"},
    "users.add": {"admin"},
    "audit.read": {"admin", "supervisor"},
}


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_allowed_or_refused_as_the_table_says(action, role):
    assert allowed(role, action) is (role in EXPECTED[action])


def test_every_action_names_known_roles():
    for action, roles in PERMISSIONS.items():
        assert roles and roles <= set(ROLES), action


def test_unknown_actions_are_a_programming_error():
    with pytest.raises(KeyError):
        allowed("admin", "launch.missiles")


def test_roles_for_lists_the_allowed_roles():
    assert roles_for("review.decide") == ["analyst", "supervisor"]
