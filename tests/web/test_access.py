"""Every page for every role, allowed or refused through the one permission table; without a
session, with a forged, tampered or expired cookie; and the cookie's own attributes."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeSerializer
from scenario import PEOPLE
from webtools import SECRET, client_for, make_app, sign_in

from tracker.access.permissions import allowed
from tracker.web.session import COOKIE_NAME


def pages(scenario) -> list[tuple[str, str]]:
    """(path, action) for every page behind a sign-in."""
    run, flag = scenario.run_id, scenario.flags["swapped"]
    return [
        ("/queue", "review.queue"),
        ("/queue?kind=unnotified_travel&severity=critical", "review.queue"),
        ("/escalations", "review.escalations"),
        (f"/flags/{flag}", "review.show"),
        ("/reports/latest", "report.read"),
        (f"/reports/runs/{run}", "report.read"),
        (f"/reports/runs/{run}/charts/new_flags.svg", "report.read"),
        (f"/reports/runs/{run}/daily.html", "report.read"),
        ("/admin/users", "users.list"),
        ("/admin/audit", "audit.read"),
        ("/admin/audit/verify", "audit.verify"),
        ("/approvals", "feed.preview"),
        ("/packages", "package.build"),
    ]


@pytest.mark.parametrize("role_user", sorted(PEOPLE))
def test_each_page_for_each_role(clients, scenario, role_user):
    client, role = clients[role_user], PEOPLE[role_user]
    for path, action in pages(scenario):
        response = client.get(path, follow_redirects=False)
        expected = 200 if allowed(role, action) else 403
        assert response.status_code == expected, (role, path, response.text[:300])
        if expected == 403:
            assert "may not" in response.text and action in response.text


def test_navigation_offers_only_what_the_role_may_open(clients):
    analyst = clients["ann"].get("/queue").text
    assert 'href="/queue"' in analyst and 'href="/admin/audit"' not in analyst
    admin = clients["ada"].get("/admin/users").text
    assert 'href="/admin/audit"' in admin and 'href="/queue"' not in admin


def test_every_page_needs_a_session(shared_app, scenario):
    anonymous = client_for(shared_app)
    for path, _ in pages(scenario) + [("/", "")]:
        response = anonymous.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/sign-in?next=")


def test_htmx_requests_without_a_session_are_told_where_to_go(shared_app):
    response = client_for(shared_app).get(
        "/queue", headers={"HX-Request": "true"}, follow_redirects=False
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/sign-in")


def test_posts_without_a_session_are_refused(shared_app, scenario):
    anonymous = client_for(shared_app)
    for path in (
        f"/flags/{scenario.flags['alias']}/decision",
        "/admin/users",
        "/sign-out",
        "/approvals/approve",
        "/packages",
    ):
        response = anonymous.post(
            path, data={"decision": "dismiss", "reason": "x"}, follow_redirects=False
        )
        assert response.status_code == 403, path
        assert "refused" in response.text


def test_a_forged_cookie_is_no_session(shared_app):
    forged = URLSafeSerializer("another-secret-" + "x" * 40, salt="tracker.web.session").dumps(
        {
            "csrf": "t",
            "user_id": 1,
            "name": "ada",
            "version": 0,
            "since": 1e12,
            "seen": 1e12,
            "flash": [],
        }
    )
    client = client_for(shared_app)
    client.cookies.set(COOKIE_NAME, forged)
    response = client.get("/admin/users", follow_redirects=False)
    assert response.status_code == 303
    assert "ended=invalid" in response.headers["location"]


def test_a_tampered_cookie_is_no_session(shared_app):
    client = client_for(shared_app, "ann")
    value = client.cookies.get(COOKIE_NAME)
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, value[:-3] + ("AAA" if value[-3:] != "AAA" else "BBB"))
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_a_cookie_naming_another_user_with_the_right_key_but_a_wrong_session_version_is_refused(
    shared_app,
):
    cookie = URLSafeSerializer(SECRET, salt="tracker.web.session").dumps(
        {
            "csrf": "t",
            "user_id": 1,
            "name": "ada",
            "version": 99,
            "since": shared_app.state.clock(),
            "seen": shared_app.state.clock(),
            "flash": [],
        }
    )
    client = client_for(shared_app)
    client.cookies.set(COOKIE_NAME, cookie)
    response = client.get("/admin/users", follow_redirects=False)
    assert response.status_code == 303 and "ended=changed" in response.headers["location"]


def test_an_idle_session_expires(web_url, tmp_path, clock):
    app = make_app(web_url, tmp_path, clock, idle_minutes=30)
    client = client_for(app, "ann")
    clock.advance(29 * 60)
    assert client.get("/queue").status_code == 200  # activity renews the session
    clock.advance(29 * 60)
    assert client.get("/queue").status_code == 200
    clock.advance(31 * 60)
    response = client.get("/queue", follow_redirects=False)
    assert response.status_code == 303 and "ended=idle" in response.headers["location"]
    assert "without activity" in client.get(response.headers["location"]).text


def test_a_session_ends_after_its_lifetime_even_when_busy(web_url, tmp_path, clock):
    app = make_app(web_url, tmp_path, clock, idle_minutes=30, session_hours=1)
    client = client_for(app, "ann")
    for _ in range(3):
        clock.advance(25 * 60)
        client.get("/queue")
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_the_cookie_is_http_only_strict_and_secure_over_tls(shared_app):
    plain = sign_in(client_for(shared_app), "ann").headers["set-cookie"]
    assert "HttpOnly" in plain and "SameSite=Strict" in plain and "Secure" not in plain
    tls = client_for(shared_app, base_url="https://testserver")
    secure = sign_in(tls, "ann").headers["set-cookie"]
    assert "Secure" in secure and "HttpOnly" in secure and "SameSite=Strict" in secure


def test_health_needs_no_session(shared_app):
    response = client_for(shared_app).get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert "set-cookie" not in response.headers


def test_an_unknown_page_is_a_plain_404(clients):
    response = clients["ann"].get("/no/such/page")
    assert response.status_code == 404 and "Not found" in response.text


def test_a_flag_that_does_not_exist_is_404(clients):
    assert clients["ann"].get("/flags/999999").status_code == 404
    assert clients["ann"].get("/flags/not-a-number").status_code == 404
