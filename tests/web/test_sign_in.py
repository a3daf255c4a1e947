"""Signing in and out: argon2 passwords, failures counted and audited under `anonymous`, one
message for every refusal, the per-address brake, and a new password ending sessions.
(The per-(name, client) throttle that replaced the account lock-out: test_sign_in_throttle.)"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scenario import PASSWORD
from sqlalchemy import select
from webtools import client_for, csrf_of, make_app, sign_in

from tracker.access.passwords import PasswordError
from tracker.access.permissions import PermissionDenied
from tracker.access.sign_in_throttle import ThrottlePolicy
from tracker.db import make_engine, make_session_factory, transaction
from tracker.models import AuditEvent, User
from tracker.services import account
from tracker.services.people import add_user, set_password
from tracker.web.session import COOKIE_NAME


def _sessions(url):
    return make_session_factory(make_engine(url))


def _events(url, **filters) -> list[AuditEvent]:
    with transaction(_sessions(url)) as s:
        return list(s.scalars(select(AuditEvent).filter_by(**filters).order_by(AuditEvent.id)))


def test_a_good_password_signs_in_and_goes_where_asked(app):
    client = client_for(app)
    token = csrf_of(client.get("/sign-in?next=/escalations").text)
    response = client.post(
        "/sign-in",
        data={"name": "sam", "password": PASSWORD, "csrf_token": token, "next": "/escalations"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/escalations"
    assert client.get("/escalations").status_code == 200


def test_a_sign_in_may_not_redirect_elsewhere(app):
    client = client_for(app)
    token = csrf_of(client.get("/sign-in").text)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        client.cookies.clear()
        token = csrf_of(client.get("/sign-in").text)
        response = client.post(
            "/sign-in",
            data={"name": "ann", "password": PASSWORD, "csrf_token": token, "next": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/"


def test_the_sign_in_form_needs_its_csrf_token(app):
    client = client_for(app)
    client.get("/sign-in")
    response = client.post(
        "/sign-in", data={"name": "ann", "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403


def test_every_refusal_reads_the_same_and_is_audited(app, web_url):
    messages = set()
    for name, password in (("ann", "wrong password!!"), ("nobody", PASSWORD), ("", "")):
        response = sign_in(client_for(app), name, password)
        assert response.status_code == 401
        messages.add(response.text.split('role="alert">')[1].split("<")[0])
    assert len(messages) == 1
    failed = [
        e
        for e in _events(web_url, action="user_change")
        if e.details.get("event") == "sign_in_failed"
    ]
    assert [(e.object_id, e.details["known"]) for e in failed] == [
        ("ann", True),
        ("nobody", False),
        ("anonymous", False),
    ]


def test_a_failed_sign_in_is_recorded_as_anonymous_with_the_name_typed(app, web_url):
    for typed in ("system", "ada", "x" * 150):
        assert sign_in(client_for(app), typed, "not the password").status_code == 401
    failed = [
        e
        for e in _events(web_url, action="user_change")
        if e.details.get("event") == "sign_in_failed"
    ]
    assert [e.actor for e in failed] == ["anonymous"] * 3
    assert [e.details["attempted_name"] for e in failed] == ["system", "ada", "x" * 100]
    assert [e.object_id for e in failed] == ["system", "ada", "x" * 100]
    assert not [e for e in _events(web_url, object_type="user") if e.actor == "system"]


def test_a_success_resets_the_count(web_url, tmp_path, clock):
    app = make_app(web_url, tmp_path, clock)
    for _ in range(4):
        sign_in(client_for(app), "ann", "not the password")
    assert sign_in(client_for(app), "ann").status_code == 303
    for _ in range(4):
        sign_in(client_for(app), "ann", "not the password")
    assert sign_in(client_for(app), "ann").status_code == 303


def test_one_address_trying_many_names_is_slowed(web_url, tmp_path, clock):
    app = make_app(web_url, tmp_path, clock, client_attempts=3)
    for n in range(3):
        assert sign_in(client_for(app), f"guess{n}", "x" * 12).status_code == 401
    assert sign_in(client_for(app), "guess0", "y" * 12).status_code == 429
    clock.advance(16 * 60)
    assert sign_in(client_for(app), "guess0", "y" * 12).status_code == 401


def test_sign_out_ends_the_session(app, web_url):
    client = client_for(app, "ann")
    token = csrf_of(client.get("/queue").text)
    old_cookie = client.cookies.get(COOKIE_NAME)
    response = client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/sign-in"
    assert "You have signed out" in client.get("/sign-in").text
    assert client.get("/queue", follow_redirects=False).status_code == 303
    assert _events(web_url, action="user_change")[-1].details["event"] == "signed_out"
    assert client.cookies.get(COOKIE_NAME) != old_cookie  # the browser's copy was replaced


def test_a_new_password_ends_existing_sessions(app, web_url):
    client = client_for(app, "ann")
    assert client.get("/queue").status_code == 200
    with transaction(_sessions(web_url)) as s:
        set_password(s, "ada", "ann", "a whole new passphrase")
    response = client.get("/queue", follow_redirects=False)
    assert response.status_code == 303 and "ended=changed" in response.headers["location"]


def test_a_deactivated_user_is_signed_out(app, web_url):
    client = client_for(app, "ann")
    with transaction(_sessions(web_url)) as s:
        s.scalars(select(User).filter_by(name="ann")).one().active = False
    assert client.get("/queue", follow_redirects=False).status_code == 303
    assert sign_in(client_for(app), "ann").status_code == 401


def test_set_password_rules_and_permissions(sessions):
    with transaction(sessions) as s:
        add_user(s, None, "ada", "admin")
        add_user(s, "ada", "ann", "analyst")
        add_user(s, "ada", "longusername1", "analyst")
    with pytest.raises(PasswordError, match="at least 12"), transaction(sessions) as s:
        set_password(s, "ada", "ann", "short")
    with pytest.raises(PasswordError, match="user's name"), transaction(sessions) as s:
        set_password(s, "ada", "longusername1", "LONGUSERNAME1")
    with pytest.raises(PasswordError, match="unknown user"), transaction(sessions) as s:
        set_password(s, "ada", "zed", PASSWORD)
    with pytest.raises(PermissionDenied, match="users.set_password"), transaction(sessions) as s:
        set_password(s, "ann", "ann", PASSWORD)
    with transaction(sessions) as s:
        user = set_password(s, "ada", "ann", PASSWORD)
        assert user.password_hash.startswith("$argon2")
        assert PASSWORD not in user.password_hash
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (event.actor, event.action, event.details["event"]) == (
            "ada",
            "user_change",
            "password_set",
        )


def test_check_sign_in_delays_the_pair_more_each_time_and_never_locks(sessions):
    with transaction(sessions) as s:
        add_user(s, None, "ada", "admin")
        set_password(s, "ada", "ada", PASSWORD)
    policy = ThrottlePolicy(free_failures=2, first_delay_seconds=1, max_delay_minutes=15)
    now = datetime(2026, 3, 1, 9, tzinfo=UTC)
    with transaction(sessions) as s:
        assert (
            account.sign_in(s, "ada", "bad", now=now, policy=policy, client="203.0.113.9").reason
            == "wrong password"
        )
        assert account.sign_in(s, "ada", "bad", now=now, policy=policy, client="203.0.113.9")
        refused = account.sign_in(s, "ada", PASSWORD, now=now, policy=policy, client="203.0.113.9")
        assert refused.throttled and refused.reason == "throttled"
        elsewhere = account.sign_in(
            s, "ada", PASSWORD, now=now, policy=policy, client="198.51.100.7"
        )
        assert elsewhere.ok and elsewhere.actor.role == "admin"
    with transaction(sessions) as s:
        later = now + policy.delay(2)
        third = account.sign_in(s, "ada", "bad", now=later, policy=policy, client="203.0.113.9")
        assert not third.ok and not third.throttled
        again = account.sign_in(s, "ada", PASSWORD, now=later, policy=policy, client="203.0.113.9")
        assert again.blocked_until == later + policy.delay(3) > later + policy.delay(2)
        assert account.sign_in(
            s, "ada", PASSWORD, now=later, policy=policy, client="198.51.100.7"
        ).ok  # the account itself is never locked
