"""``back`` and ``next`` send people only to a path on this site (no open redirect), whatever
encoding or browser leniency a crafted link relies on."""

from __future__ import annotations

import pytest
from webtools import client_for, csrf_of

from tracker.web.redirects import safe_local_path

HOSTILE = [
    "//evil.example/x",
    "/\\evil.example",
    "\\\\evil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/%0d%0a/evil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/%252F/evil.example",
    "/%25252F/evil.example",
    "/%5Cevil.example",
    "%2F%2Fevil.example",
    "https://evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "/%00/x",
    "/\u200b/evil.example",
    " /queue",
    "queue",
    "",
    None,
    "/" + "q" * 3000,
]
LOCAL = [
    "/",
    "/queue",
    "/packages",
    "/queue?kind=unnotified_travel&status=open&page=2",
    "/queue?force=Thames%20Valley%20Police",
    "/flags/3?back=%2Fqueue",
    "/escalations?mine=1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_value_falls_back_to_the_default(value):
    assert safe_local_path(value, "/queue") == "/queue"


@pytest.mark.parametrize("value", LOCAL)
def test_a_path_on_this_site_passes_unchanged(value):
    assert safe_local_path(value, "/queue") == value


def test_the_flag_pages_back_link_stays_on_the_site(clients, scenario):
    flag_id = scenario.flags["swapped"]
    for hostile in ("/%09/evil.example", "/%252F/evil.example", "/%5Cevil.example"):
        page = clients["ann"].get(f"/flags/{flag_id}?back={hostile}").text
        assert 'href="/queue" id="back-link"' in page, hostile
        assert "evil.example" not in page


def test_a_decisions_redirect_stays_on_the_site(app, scenario):
    ann = client_for(app, "ann")
    flag_id = scenario.flags["alias"]
    token = csrf_of(ann.get(f"/flags/{flag_id}").text)
    response = ann.post(
        f"/flags/{flag_id}/decision",
        follow_redirects=False,
        data={
            "csrf_token": token,
            "decision": "dismiss",
            "reason": "different person",
            "back": "/%2F/evil.example",
        },
    )
    following = f"/flags/{scenario.flags['escalated']}?back=%2Fqueue"  # the queue's next flag
    assert response.status_code == 303 and response.headers["location"] == following


def test_sign_in_sends_a_signed_in_person_only_to_a_local_next(clients):
    response = clients["ann"].get("/sign-in?next=/%252F/evil.example", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    kept = clients["ann"].get("/sign-in?next=/escalations%3Fmine%3D1", follow_redirects=False)
    assert kept.headers["location"] == "/escalations?mine=1"
