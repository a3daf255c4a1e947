"""Sessions end on the server's word: a copy of a cookie taken before sign-out, a role change,
a deactivation or a password change is refused at once (the person's session version moved
on), on every page and every form; people change their own password."""

from __future__ import annotations

from click.testing import CliRunner
from scenario import PASSWORD, PEOPLE
from sqlalchemy import select
from webtools import client_for, csrf_of, sign_in

from tracker.cli import main
from tracker.db import make_engine, make_session_factory, transaction
from tracker.models import AuditEvent, Flag, SignInFailure, User
from tracker.web.session import COOKIE_NAME

NEW_PASSWORD = "a fresh passphrase for ann"


def _sessions(url):
    return make_session_factory(make_engine(url))


def _user(url, name: str) -> User:
    with transaction(_sessions(url)) as s:
        return s.scalars(select(User).filter_by(name=name)).one()


def _events(url, **filters) -> list[AuditEvent]:
    with transaction(_sessions(url)) as s:
        return list(s.scalars(select(AuditEvent).filter_by(**filters).order_by(AuditEvent.id)))


def _holding(app, cookie: str):
    """Another browser holding a copy of a session cookie (a stolen copy)."""
    thief = client_for(app)
    thief.cookies.set(COOKIE_NAME, cookie)
    return thief


def _refused(client, path: str = "/queue") -> bool:
    response = client.get(path, follow_redirects=False)
    return response.status_code == 303 and response.headers["location"].startswith("/sign-in")


def _post_as_admin(app, path: str, **data):
    ada = client_for(app, "ada")
    token = csrf_of(ada.get("/admin/users").text)
    return ada.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, web_url, scenario):
    ann = client_for(app, "ann")
    flag_id = scenario.flags["alias"]
    token = csrf_of(ann.get(f"/flags/{flag_id}").text)
    stolen = ann.cookies.get(COOKIE_NAME)
    assert _holding(app, stolen).get("/queue").status_code == 200  # works while signed in
    ann.post("/sign-out", data={"csrf_token": token})
    response = _holding(app, stolen).get("/queue", follow_redirects=False)
    assert response.status_code == 303 and "ended=changed" in response.headers["location"]
    decision = _holding(app, stolen).post(
        f"/flags/{flag_id}/decision",
        data={
            "csrf_token": token,
            "decision": "confirm",
            "reason": "after sign-out",
            "back": "/queue",
        },
        follow_redirects=False,
    )
    assert decision.status_code == 303 and decision.headers["location"].startswith("/sign-in")
    assert _events(web_url, action="decision") == []
    with transaction(_sessions(web_url)) as s:
        assert s.get(Flag, flag_id).status == "open"


def test_signing_out_in_one_browser_ends_the_others(app):
    office, laptop = client_for(app, "ann"), client_for(app, "ann")
    office.post("/sign-out", data={"csrf_token": csrf_of(office.get("/queue").text)})
    assert _refused(laptop)
    assert sign_in(client_for(app), "ann").status_code == 303  # a new sign-in works


def test_a_role_change_ends_the_persons_sessions(app, web_url):
    ann = client_for(app, "ann")
    response = _post_as_admin(app, "/admin/users/role", name="ann", role="supervisor")
    assert response.status_code == 303
    assert _refused(ann)
    assert _user(web_url, "ann").role == "supervisor"
    again = client_for(app, "ann")
    assert again.get("/escalations").status_code == 200
    [event] = [
        e for e in _events(web_url, object_id="ann") if e.details.get("event") == "role_changed"
    ]
    assert (event.actor, event.details["previous"], event.details["role"]) == (
        "ada",
        "analyst",
        "supervisor",
    )


def test_deactivation_ends_sessions_and_refuses_the_person_everywhere(app, web_url):
    ann = client_for(app, "ann")
    thief = _holding(app, ann.cookies.get(COOKIE_NAME))
    response = _post_as_admin(app, "/admin/users/deactivate", name="ann")
    assert response.status_code == 303
    assert _refused(ann) and _refused(thief)
    assert sign_in(client_for(app), "ann").status_code == 401
    cli = CliRunner().invoke(main, ["--db", web_url, "--user", "ann", "review", "queue"])
    assert cli.exit_code == 1 and "deactivated" in cli.output
    assert _post_as_admin(app, "/admin/users/activate", name="ann").status_code == 303
    assert sign_in(client_for(app), "ann").status_code == 303


def test_the_last_admin_cannot_be_deactivated_or_demoted_on_the_users_page(app, web_url):
    for path, data in (
        ("/admin/users/deactivate", {"name": "ada"}),
        ("/admin/users/role", {"name": "ada", "role": "analyst"}),
    ):
        response = _post_as_admin(app, path, **data)
        assert response.status_code == 422 and "last active admin" in response.text
    ada = _user(web_url, "ada")
    assert ada.active and ada.role == "admin"


def test_only_admins_change_access(app, web_url):
    sam = client_for(app, "sam")
    page = sam.get("/admin/users").text
    assert "/admin/users/deactivate" not in page and "/admin/users/role" not in page
    token = csrf_of(page)
    for path, data in (
        ("/admin/users/deactivate", {"name": "ann"}),
        ("/admin/users/activate", {"name": "ann"}),
        ("/admin/users/role", {"name": "sam", "role": "admin"}),
        ("/admin/users/throttle/clear", {"account": "ann", "client": "x"}),
    ):
        response = sam.post(path, data={"csrf_token": token, **data}, follow_redirects=False)
        assert response.status_code == 403, path
    assert _user(web_url, "ann").active and _user(web_url, "sam").role == "supervisor"
    admin_page = client_for(app, "ada").get("/admin/users").text
    assert "/admin/users/deactivate" in admin_page and "/admin/users/role" in admin_page


def _change_password(client, current: str, new: str, repeat: str | None = None):
    token = csrf_of(client.get("/account/password").text)
    return client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current": current,
            "password": new,
            "repeat": new if repeat is None else repeat,
        },
        follow_redirects=False,
    )


def test_changing_ones_own_password_keeps_this_session_and_ends_the_others(app, web_url):
    here, elsewhere = client_for(app, "ann"), client_for(app, "ann")
    assert 'href="/account/password"' in here.get("/queue").text
    response = _change_password(here, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 303
    assert "Password changed" in here.get(response.headers["location"]).text
    assert here.get("/queue").status_code == 200
    assert _refused(elsewhere)
    assert sign_in(client_for(app), "ann", PASSWORD).status_code == 401
    assert sign_in(client_for(app), "ann", NEW_PASSWORD).status_code == 303
    changed = [
        e for e in _events(web_url, object_id="ann") if e.details.get("event") == "password_changed"
    ]
    assert [e.actor for e in changed] == ["ann"]


def test_changing_ones_own_password_needs_the_current_one_and_the_policy(app, web_url):
    ann = client_for(app, "ann")
    wrong = _change_password(ann, "not my password", NEW_PASSWORD)
    assert wrong.status_code == 422 and "current password is wrong" in wrong.text
    with transaction(_sessions(web_url)) as s:  # counted like a failed sign-in
        assert s.scalars(select(SignInFailure).filter_by(account="ann")).one().failures == 1
    short = _change_password(ann, PASSWORD, "short")
    assert short.status_code == 422 and "at least 12" in short.text
    differ = _change_password(ann, PASSWORD, NEW_PASSWORD, "something else entirely")
    assert differ.status_code == 422 and "differ" in differ.text
    assert ann.get("/queue").status_code == 200
    assert sign_in(client_for(app), "ann", PASSWORD).status_code == 303  # unchanged


def test_everyone_signed_in_may_open_the_change_password_page_and_nobody_else(app):
    for name in PEOPLE:
        assert client_for(app, name).get("/account/password").status_code == 200, name
    anonymous = client_for(app)
    response = anonymous.get("/account/password", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")
    refused = client_for(app, "ann").post(
        "/account/password",
        data={"current": PASSWORD, "password": NEW_PASSWORD, "repeat": NEW_PASSWORD},
    )
    assert refused.status_code == 403  # no CSRF token
