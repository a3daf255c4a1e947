"""Admins' users and audit pages; supervisors' most-wanted approvals and the public feed;
liaison officers' packages; the latest run's page and its charts."""

from __future__ import annotations

import io
import json
import zipfile

from scenario import PASSWORD
from sqlalchemy import select, text
from sqlalchemy.pool import NullPool
from webtools import client_for, csrf_of, sign_in

from tracker.db import make_engine, make_session_factory, transaction
from tracker.models import AuditEvent, Flag, User
from tracker.reports import signing


def _post(client, page: str, path: str, **data):
    token = csrf_of(client.get(page).text)
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def _db(url):
    """A transaction on ``url`` (engines are disposed with the test's database)."""
    return transaction(make_session_factory(make_engine(url, poolclass=NullPool)))


# --- users and the audit trail ---------------------------------------------------------------


def test_an_admin_adds_a_person_and_sets_their_password(app, web_url):
    ada = client_for(app, "ada")
    added = _post(ada, "/admin/users", "/admin/users", name="bea", role="analyst")
    assert added.status_code == 303
    assert "Added bea as analyst" in ada.get("/admin/users").text
    short = _post(
        ada, "/admin/users", "/admin/users/password", name="bea", password="short", repeat="short"
    )
    assert short.status_code == 422 and "at least 12" in short.text
    differ = _post(
        ada,
        "/admin/users",
        "/admin/users/password",
        name="bea",
        password="first passphrase",
        repeat="other passphrase",
    )
    assert differ.status_code == 422 and "differ" in differ.text
    done = _post(
        ada,
        "/admin/users",
        "/admin/users/password",
        name="bea",
        password="bea's own passphrase",
        repeat="bea's own passphrase",
    )
    assert done.status_code == 303
    assert sign_in(client_for(app), "bea", "bea's own passphrase").status_code == 303
    with _db(web_url) as s:
        assert s.scalars(select(User).filter_by(name="bea")).one().created_by == "ada"


def test_a_duplicate_user_is_refused_with_the_reason(app):
    ada = client_for(app, "ada")
    response = _post(ada, "/admin/users", "/admin/users", name="ann", role="analyst")
    assert response.status_code == 422 and "already exists" in response.text


def test_a_reserved_name_is_refused_on_the_users_page(app):
    ada = client_for(app, "ada")
    response = _post(ada, "/admin/users", "/admin/users", name="Anonymous", role="analyst")
    assert response.status_code == 422 and "is reserved" in response.text


def test_a_supervisor_lists_users_but_may_not_add_or_set_passwords(app):
    sam = client_for(app, "sam")
    page = sam.get("/admin/users").text
    assert "ann" in page and 'action="/admin/users"' not in page
    assert _post(sam, "/admin/users", "/admin/users", name="x", role="admin").status_code == 403
    assert (
        _post(
            sam,
            "/admin/users",
            "/admin/users/password",
            name="ann",
            password=PASSWORD,
            repeat=PASSWORD,
        ).status_code
        == 403
    )


def test_the_audit_page_filters_and_verifies(app, web_url, scenario):
    ada = client_for(app, "ada")
    page = ada.get("/admin/audit?action=user_change&actor=ada").text
    assert "password set" in page and "consultation" not in page.split("<tbody>")[1]
    assert ada.get("/admin/audit?since=2000-01-01&limit=50").status_code == 200
    assert ada.get("/admin/audit?since=2000-01-01&until=bad").status_code == 400  # not ignored
    verify = ada.get("/admin/audit/verify", headers={"HX-Request": "true"})
    assert "Audit trail intact" in verify.text and "<html" not in verify.text
    with _db(web_url) as s:
        reads = s.scalars(select(AuditEvent).filter_by(object_type="audit_log")).all()
        assert [e.actor for e in reads] == ["ada", "ada"]  # each read of the log is logged


def test_the_audit_page_says_when_the_chain_is_broken(app, web_url, backend):
    engine = make_engine(web_url)
    edit = "UPDATE audit_events SET justification = 'quietly edited' WHERE id = 3"
    with engine.begin() as conn:  # as a database administrator would, guard switched off
        if backend == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            conn.execute(text(edit))
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_refuse_update"))
            conn.execute(text(edit))
    engine.dispose()
    html = client_for(app, "ada").get("/admin/audit/verify").text
    assert "BROKEN at entry 3" in html


def test_the_decision_shows_in_the_audit_log(app, scenario):
    ann, ada = client_for(app, "ann"), client_for(app, "ada")
    flag_id = scenario.flags["swapped"]
    page = ann.get(f"/flags/{flag_id}").text
    ann.post(
        f"/flags/{flag_id}/decision",
        data={"csrf_token": csrf_of(page), "decision": "dismiss", "reason": "not the same person"},
    )
    log = ada.get(f"/admin/audit?action=decision&object_type=flag&object_id={flag_id}").text
    assert "not the same person" in log and "ann" in log


# --- most wanted ------------------------------------------------------------------------------


def test_a_supervisor_approves_with_a_preview_and_the_feed_carries_them(app, scenario):
    sam = client_for(app, "sam")
    wanted = scenario.offenders["wanted"]
    page = sam.get("/approvals").text
    assert f'id="candidate-{wanted}"' in page
    row = page.split(f'id="candidate-{wanted}"')[1]
    preview = row.split('<pre class="json preview">')[1].split("</pre>")[0]
    assert "Wantedperson" in preview and "web-wanted" in preview
    for secret in ("9 Never Published Road", "QQ1 1QQ", "never-in-the-feed", wanted):
        assert secret not in preview
    public = client_for(app)
    assert json.loads(public.get("/public/most-wanted.json").text)["total"] == 0
    refused = _post(sam, "/approvals", "/approvals/approve", offender_id=wanted, reason=" ")
    assert refused.status_code == 422 and "reason is required" in refused.text
    approved = _post(
        sam,
        "/approvals",
        "/approvals/approve",
        offender_id=wanted,
        reason="missing for three weeks; enquiries exhausted",
    )
    assert approved.status_code == 303
    feed = json.loads(public.get("/public/most-wanted.json").text)
    assert [item["uid"] for item in feed["items"]] == ["web-wanted"]
    body = json.dumps(feed)
    for secret in ("9 Never Published Road", "QQ1 1QQ", "never-in-the-feed", wanted):
        assert secret not in body
    atom = public.get("/public/most-wanted.atom")
    assert atom.headers["content-type"].startswith("application/atom+xml")
    assert "Wantedperson" in atom.text
    assert "on the feed" in sam.get("/approvals").text
    withdrawn = _post(
        sam, "/approvals", "/approvals/withdraw", offender_id=wanted, reason="found and arrested"
    )
    assert withdrawn.status_code == 303
    assert json.loads(public.get("/public/most-wanted.json").text)["total"] == 0


def test_only_supervisors_approve(app, scenario):
    ann = client_for(app, "ann")
    response = _post(
        ann, "/queue", "/approvals/approve", offender_id=scenario.offenders["wanted"], reason="x"
    )
    assert response.status_code == 403


def test_approving_someone_not_wanted_is_refused(app, scenario):
    sam = client_for(app, "sam")
    response = _post(
        sam,
        "/approvals",
        "/approvals/approve",
        offender_id=scenario.offenders["swapped"],
        reason="x",
    )
    assert response.status_code == 422 and "not &#39;wanted&#39;" in response.text


# --- packages ---------------------------------------------------------------------------------


def test_a_liaison_officer_builds_and_downloads_a_package(app, web_url, scenario):
    settings = app.state.settings
    signing.init_keys(settings.installation.keys_dir)
    ann, liz = client_for(app, "ann"), client_for(app, "liz")
    flag_id = scenario.flags["alias"]
    page = ann.get(f"/flags/{flag_id}").text
    ann.post(
        f"/flags/{flag_id}/decision",
        data={"csrf_token": csrf_of(page), "decision": "confirm", "reason": "passport matches"},
    )
    packages = liz.get("/packages").text
    assert f'id="package-flag-{flag_id}"' in packages
    bad = _post(liz, "/packages", "/packages", flag_id=flag_id, country="XXX", reason="r")
    assert bad.status_code == 422 and "not an ISO 3166-1" in bad.text
    done = _post(
        liz,
        "/packages",
        "/packages",
        flag_id=flag_id,
        country="THA",
        reason="travel to THA by a high-risk offender",
        grading="1B",
        handling="P",
    )
    assert done.status_code == 303, done.text
    listing = liz.get("/packages").text
    assert "built for flag" in listing
    package_id = listing.split('href="/packages/')[1].split(".zip")[0]
    archive = liz.get(f"/packages/{package_id}.zip")
    assert archive.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert set(names) == {"package.json", "summary.html", "manifest.json"}
    with _db(web_url) as s:
        assert s.get(Flag, flag_id).status == "actioned"
        disclosure = s.scalars(select(AuditEvent).filter_by(action="disclosure")).one()
        assert disclosure.actor == "liz"
    assert client_for(app, "ann").get(f"/packages/{package_id}.zip").status_code == 403
    assert liz.get("/packages/no-such.zip").status_code == 404


def test_a_package_needs_a_confirmed_flag_and_the_units_key(app, scenario):
    liz = client_for(app, "liz")
    response = _post(
        liz, "/packages", "/packages", flag_id=scenario.flags["swapped"], country="THA", reason="r"
    )
    assert response.status_code == 422
    assert "key" in response.text or "confirmed" in response.text


# --- the latest run ---------------------------------------------------------------------------


def test_the_latest_run_shows_figures_rejects_and_charts(clients, scenario):
    ann = clients["ann"]
    page = ann.get("/reports/latest").text
    assert f"Run {scenario.run_id}" in page and "datetime … has no offset" in page
    assert f"/reports/runs/{scenario.run_id}/charts/new_flags.svg" in page
    chart = ann.get(f"/reports/runs/{scenario.run_id}/charts/rejects.svg")
    assert chart.headers["content-type"] == "image/svg+xml" and "<svg" in chart.text
    assert "script" not in chart.headers["content-security-policy"]
    assert ann.get(f"/reports/runs/{scenario.run_id}/charts/nope.svg").status_code == 404
    printable = ann.get(f"/reports/runs/{scenario.run_id}/daily.html")
    assert "Daily compliance report" in printable.text
    assert "sandbox" in printable.headers["content-security-policy"]
    assert "no run with id" in ann.get("/reports/runs/999").text
