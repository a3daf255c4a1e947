"""Every service function, tried by every role, an unknown name, a deactivated person and
nobody: the permitted roles succeed (and the named audit entry is appended), everyone else is
refused by the one permission table, with nothing written."""

from __future__ import annotations

import pytest
from matrix_cases_admin import CASES as ADMIN_CASES
from matrix_cases_alerts import CASES as ALERT_CASES
from matrix_cases_review import CASES as REVIEW_CASES
from matrix_cases_screening import CASES as SCREENING_CASES
from service_matrix import INACTIVE, PEOPLE, build_world
from sqlalchemy import func, select

from tracker.access.permissions import PERMISSIONS, PermissionDenied
from tracker.models import AuditEvent

CASES = REVIEW_CASES + ADMIN_CASES + ALERT_CASES + SCREENING_CASES


def _audit_count(session, action: str | None) -> int:
    statement = select(func.count()).select_from(AuditEvent)
    if action is not None:
        statement = statement.where(AuditEvent.action == action)
    return session.scalar(statement)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_each_service_lets_only_the_permitted_roles_act_and_audits_them(case, sessions, tmp_path):
    with sessions() as session:
        world = build_world(session)
    allowed = PERMISSIONS[case.action]
    for who in [*PEOPLE, INACTIVE, "nobody-of-that-name", None]:
        role = PEOPLE.get(who) if who else None
        with sessions() as session:
            before_all, before = _audit_count(session, None), _audit_count(session, case.audit)
            if role in allowed:
                case.call(session, who, world, tmp_path)
                session.flush()
                if case.audit is not None:
                    assert _audit_count(session, case.audit) > before, (case.id, who)
            else:
                with pytest.raises(PermissionDenied):
                    case.call(session, who, world, tmp_path)
                assert _audit_count(session, None) == before_all, (case.id, who)
            session.rollback()


def test_every_action_of_the_permission_table_has_a_row_in_the_matrix():
    assert set(PERMISSIONS) - {case.action for case in CASES} == set()
