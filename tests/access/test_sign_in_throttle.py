"""The per-(name, client) sign-in throttle: its growing, capped delays, forgetting quiet
pairs, and clearing by admins only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tracker.access.permissions import PermissionDenied
from tracker.access.sign_in_throttle import (
    ThrottlePolicy,
    attempt_failed,
    blocked_until,
    client_key,
    current_throttles,
    reserve_attempt,
)
from tracker.audit import record_events
from tracker.db import transaction
from tracker.models import AuditEvent, SignInFailure
from tracker.services.people import add_user, clear_throttle

NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)


def record_failure(session, account, client, now, policy) -> SignInFailure | None:
    """A failed attempt as the sign-in page makes it: counted first, then left standing (and
    audited when it trips the throttle)."""
    attempt = reserve_attempt(session, account, client, now, policy)
    if attempt.refused_until is None:
        record_events(session, attempt_failed(session, attempt, policy))
    return session.scalars(
        select(SignInFailure).filter_by(account=attempt.account, client=attempt.client)
    ).one_or_none()


def test_the_delay_doubles_from_one_second_and_stops_at_the_cap():
    policy = ThrottlePolicy(free_failures=5, first_delay_seconds=1, max_delay_minutes=15)
    assert [policy.delay(n).total_seconds() for n in range(4, 10)] == [0, 1, 2, 4, 8, 16]
    assert policy.delay(5000) == timedelta(minutes=15)


def test_only_the_pair_that_failed_waits(sessions):
    policy = ThrottlePolicy(free_failures=2)
    with transaction(sessions) as s:
        for _ in range(2):
            record_failure(s, "ann", "203.0.113.1", NOW, policy)
        assert blocked_until(s, "ann", "203.0.113.1", NOW) == NOW + timedelta(seconds=1)
        assert blocked_until(s, "ann", "198.51.100.2", NOW) is None
        assert blocked_until(s, "ada", "203.0.113.1", NOW) is None
        assert blocked_until(s, "ann", "203.0.113.1", NOW + timedelta(seconds=1)) is None


def test_a_pair_quiet_for_a_day_is_forgotten(sessions):
    policy = ThrottlePolicy(free_failures=2)
    with transaction(sessions) as s:
        for _ in range(3):
            record_failure(s, "ann", "203.0.113.1", NOW, policy)
        assert len(current_throttles(s, NOW, policy)) == 1
        later = NOW + timedelta(hours=25)
        assert current_throttles(s, later, policy) == []
        row = record_failure(s, "ann", "203.0.113.1", later, policy)
        assert row.failures == 1 and row.blocked_until is None


def test_names_and_addresses_are_cut_to_their_columns(sessions):
    with transaction(sessions) as s:
        row = record_failure(s, "  " + "n" * 300, "c" * 300, NOW, ThrottlePolicy())
        assert (row.account, row.client) == ("n" * 100, "c" * 64)


def test_only_an_admin_clears_a_throttle_and_it_is_audited(sessions):
    with transaction(sessions) as s:
        add_user(s, None, "ada", "admin")
        add_user(s, "ada", "sam", "supervisor")
        for _ in range(5):
            record_failure(s, "sam", "203.0.113.1", NOW, ThrottlePolicy())
    with pytest.raises(PermissionDenied), transaction(sessions) as s:
        clear_throttle(s, "sam", "sam", "203.0.113.1")
    with transaction(sessions) as s:
        clear_throttle(s, "ada", "sam", "203.0.113.1")
    with transaction(sessions) as s:
        assert s.scalars(select(SignInFailure).filter_by(account="sam")).all() == []
        events = [
            e.details["event"]
            for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))
            if e.object_id == "sam" and "event" in e.details
        ]
        assert events == ["throttled", "throttle_cleared"]


def test_an_ipv6_client_is_its_slash_64_and_a_mapped_ipv4_its_ipv4_address():
    assert client_key("2001:db8:aa:bb:1:2:3:4") == "2001:db8:aa:bb::/64"
    assert client_key("::ffff:203.0.113.5") == "203.0.113.5"
    assert client_key("203.0.113.5") == "203.0.113.5"
    assert client_key("testclient") == "testclient"


def test_a_typed_star_is_counted_apart_from_the_address(sessions):
    policy = ThrottlePolicy(address_failures=100)
    with transaction(sessions) as s:
        record_failure(s, "*", "203.0.113.1", NOW, policy)
        rows = {(r.account, r.failures) for r in s.scalars(select(SignInFailure))}
        assert rows == {("(*)", 1), ("*", 1)}
