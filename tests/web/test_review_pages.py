"""The queue and a flag's page: order, filters, paging, counts; the evidence, the waterfall,
the timeline; decisions through the CLI's function, CSRF on the form, a reason required;
escaping, security headers and restricted fields."""

from __future__ import annotations

import re

from scenario import MARKUP_NAME, RESTRICTED
from sqlalchemy import select
from webtools import client_for, csrf_of, make_app

from tracker.db import make_engine, make_session_factory, transaction
from tracker.models import AuditEvent, Decision, Flag, PairLabel
from tracker.web.headers import CONTENT_SECURITY_POLICY

FLAG_LINK = re.compile(r'<a class="open" href="/flags/(\d+)')


def _queue_ids(html: str) -> list[int]:
    return [int(i) for i in FLAG_LINK.findall(html)]


def _audit(url: str, **filters) -> list[AuditEvent]:
    engine = make_engine(url)
    try:
        with transaction(make_session_factory(engine)) as s:
            return list(s.scalars(select(AuditEvent).filter_by(**filters).order_by(AuditEvent.id)))
    finally:
        engine.dispose()


def _flag(url: str, flag_id: int) -> Flag:
    engine = make_engine(url)
    try:
        with transaction(make_session_factory(engine)) as s:
            return s.get(Flag, flag_id)
    finally:
        engine.dispose()


def test_the_queue_puts_the_most_severe_and_most_urgent_first(clients, scenario):
    html = clients["ann"].get("/queue").text
    ids = _queue_ids(html)
    assert ids[0] == scenario.flags["swapped"]  # the only critical one
    assert ids.index(scenario.flags["alias"]) < ids.index(scenario.flags["escalated"])  # due
    assert ids[-1] == scenario.flags["markup"]  # low
    assert scenario.flags["confirmed"] not in ids
    assert 'id="queue-total">5<' in html
    assert "critical 1" in html and "high 2" in html


def test_the_queue_filters_by_kind_severity_force_status_and_assignee(clients, scenario):
    ann = clients["ann"]
    assert _queue_ids(ann.get("/queue?kind=late_change").text) == [scenario.flags["escalated"]]
    assert _queue_ids(ann.get("/queue?severity=critical").text) == [scenario.flags["swapped"]]
    southvale = _queue_ids(ann.get("/queue?force=Southvale+Constabulary").text)
    assert southvale == [scenario.flags["escalated"]]
    assert _queue_ids(ann.get("/queue?status=confirmed").text) == [scenario.flags["confirmed"]]
    assert _queue_ids(ann.get("/queue?mine=1").text) == []
    assert "No flags match" in ann.get("/queue?mine=1").text
    # an empty choice ("any kind") is no filter
    assert ann.get("/queue?kind=&severity=").status_code == 200


def test_a_page_number_that_is_not_one_from_1_is_refused_on_every_page(clients):
    for path, who in (("/queue", "ann"), ("/escalations", "sam")):
        for bad in ("x", "0", "-2", "1.5", "2x"):
            response = clients[who].get(f"{path}?page={bad}")
            assert response.status_code == 400, (path, bad)
            assert f"page={bad}." in response.text and 'id="filter-problem"' in response.text
            assert _queue_ids(response.text) == []
        assert clients[who].get(f"{path}?page=1").status_code == 200
    for feed in ("/public/most-wanted.json", "/public/most-wanted.atom"):
        for bad in ("x", "0", "-1"):
            response = clients["ann"].get(f"{feed}?page={bad}")
            assert response.status_code == 400 and "page" in response.text


def test_an_unknown_filter_value_is_refused_with_a_message(clients, scenario):
    ann = clients["ann"]
    for bad in ["kind=bogus", "severity=nope", "status=closed"]:
        response = ann.get(f"/queue?{bad}")
        assert response.status_code == 400
        assert 'id="filter-problem"' in response.text and bad in response.text
        assert _queue_ids(response.text) == []  # nothing listed under a filter it cannot apply
    both = ann.get("/queue?kind=late_change&severity=nope").text
    assert "severity=nope" in both and "kind=late_change" not in both
    assert ann.get("/escalations?kind=bogus").status_code == 403  # not hers to list at all
    assert clients["sam"].get("/escalations?kind=bogus").status_code == 400


def test_the_queue_pages(web_url, tmp_path, scenario):
    app = make_app(web_url, tmp_path, page_size=2)
    ann = client_for(app, "ann")
    first = ann.get("/queue").text
    assert "page 1 of 3" in first and len(_queue_ids(first)) == 2
    third = ann.get("/queue?page=3").text
    assert _queue_ids(third) == [scenario.flags["markup"]]
    assert 'rel="prev"' in third and 'rel="next"' not in third
    assert "page=2" in third
    # past the end: the last page at its own address, never "page 999 of 3"
    beyond = ann.get("/queue?severity=high&page=999", follow_redirects=False)
    assert beyond.status_code == 303
    assert beyond.headers["location"] == "/queue?severity=high&status=open&page=1"
    last = ann.get("/queue?page=999")
    assert str(last.url).endswith("page=3") and "page 3 of 3" in last.text
    assert _queue_ids(last.text) == [scenario.flags["markup"]]


def test_htmx_gets_only_the_results(clients):
    response = clients["ann"].get("/queue?severity=high", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text and 'class="queue"' in response.text


def test_listing_the_queue_is_logged(app, web_url):
    client_for(app, "ann").get("/queue")
    entries = _audit(web_url, object_type="review_queue")
    assert entries and entries[-1].actor == "ann" and entries[-1].action == "consultation"


def test_the_flag_page_shows_the_evidence_and_the_waterfall(clients, scenario):
    html = clients["ann"].get(f"/flags/{scenario.flags['swapped']}").text
    assert "Register entry" in html and "Travel record" in html
    assert "PEMBERTON-OYELARAN" in html and "api-test/hard-swapped" in html
    assert "the carrier swapped family and given names" in html
    assert 'id="waterfall"' in html
    bars = re.findall(r'<g class="step (\w+)">', html)
    assert bars[0] == "prior" and bars[-1] == "total" and len(bars) >= 8
    assert "Total match weight" in html and "probability" in html
    assert "Rule that fired" in html and "uk-ew foreign travel" in html
    assert "2026-02-22" in html  # the deadline
    assert "travel out" in html and "periodic notification" in html  # the timeline
    assert 'id="decide-form"' in html


def test_opening_a_flag_is_logged_as_a_consultation(app, web_url, scenario):
    client_for(app, "ann").get(f"/flags/{scenario.flags['alias']}")
    entries = _audit(web_url, object_type="flag", object_id=str(scenario.flags["alias"]))
    assert [(e.actor, e.action) for e in entries] == [("ann", "consultation")]


def _decide(client, flag_id: int, **data):
    page = client.get(f"/flags/{flag_id}").text
    form = {"csrf_token": csrf_of(page), "back": "/queue", **data}
    return client.post(f"/flags/{flag_id}/decision", data=form, follow_redirects=False)


def test_a_decision_goes_through_the_clis_function_and_leaves_the_queue(app, web_url, scenario):
    ann = client_for(app, "ann")
    flag_id = scenario.flags["alias"]
    response = _decide(ann, flag_id, decision="dismiss", reason="different person: CCTV")
    following = f"/flags/{scenario.flags['escalated']}?back=%2Fqueue"  # the next flag
    assert response.status_code == 303 and response.headers["location"] == following
    assert f"Flag {flag_id} dismissed." in ann.get(following).text
    assert flag_id not in _queue_ids(ann.get("/queue").text)
    assert _flag(web_url, flag_id).status == "dismissed"
    decisions = _audit(web_url, action="decision")
    assert [(e.actor, e.object_id, e.justification) for e in decisions] == [
        ("ann", str(flag_id), "different person: CCTV")
    ]
    engine = make_engine(web_url)
    with transaction(make_session_factory(engine)) as s:
        assert s.scalars(select(Decision).filter_by(flag_id=flag_id)).one().reason
        assert s.scalars(select(PairLabel)).one().label == "non_match"
    engine.dispose()


def test_a_decision_without_a_reason_is_refused(app, web_url, scenario):
    ann = client_for(app, "ann")
    flag_id = scenario.flags["alias"]
    response = _decide(ann, flag_id, decision="confirm", reason="   ")
    assert response.status_code == 422
    assert "a reason is required" in response.text
    assert _flag(web_url, flag_id).status == "open"
    assert _audit(web_url, action="decision") == []


def test_an_unknown_decision_is_refused(app, web_url, scenario):
    response = _decide(
        client_for(app, "ann"), scenario.flags["alias"], decision="delete", reason="because"
    )
    assert response.status_code == 422 and "unknown decision" in response.text


def test_a_form_without_or_with_a_wrong_csrf_token_is_refused(app, web_url, scenario):
    ann = client_for(app, "ann")
    flag_id = scenario.flags["alias"]
    url = f"/flags/{flag_id}/decision"
    data = {"decision": "dismiss", "reason": "no token"}
    assert ann.post(url, data=data, follow_redirects=False).status_code == 403
    wrong = ann.post(url, data={**data, "csrf_token": "forged"}, follow_redirects=False)
    assert wrong.status_code == 403 and "refused" in wrong.text
    header = ann.post(url, data=data, headers={"X-CSRF-Token": "forged"}, follow_redirects=False)
    assert header.status_code == 403
    other = client_for(app, "sam")  # a real token, but another session's
    stolen = csrf_of(other.get("/queue").text)
    assert (
        ann.post(url, data={**data, "csrf_token": stolen}, follow_redirects=False).status_code
        == 403
    )
    assert _flag(web_url, flag_id).status == "open"


def test_an_escalated_flag_is_decided_by_a_supervisor(app, web_url, scenario):
    flag_id = scenario.flags["escalated"]
    ann, sam = client_for(app, "ann"), client_for(app, "sam")
    page = ann.get(f"/flags/{flag_id}").text
    assert 'id="decide-form"' not in page and "a supervisor decides it" in page
    refused = ann.post(
        f"/flags/{flag_id}/decision",
        data={"csrf_token": csrf_of(page), "decision": "confirm", "reason": "seen"},
        follow_redirects=False,
    )
    assert refused.status_code == 422 and "a supervisor decides it" in refused.text
    assert flag_id in _queue_ids(sam.get("/escalations").text)
    assert (
        _decide(
            sam, flag_id, decision="confirm", reason="checked with the force", back="/escalations"
        ).status_code
        == 303
    )
    assert flag_id not in _queue_ids(sam.get("/escalations").text)


def test_escalating_moves_a_flag_to_the_supervisors_queue(app, scenario):
    ann, sam = client_for(app, "ann"), client_for(app, "sam")
    flag_id = scenario.flags["translit"]
    assert _decide(ann, flag_id, decision="escalate", reason="unsure").status_code == 303
    assert flag_id in _queue_ids(sam.get("/escalations").text)


def test_a_liaison_officer_reads_a_flag_but_cannot_decide(clients, scenario):
    html = clients["liz"].get(f"/flags/{scenario.flags['swapped']}").text
    assert 'id="decide-form"' not in html


def test_markup_in_a_name_shows_as_text(clients, scenario):
    ann = clients["ann"]
    for html in (ann.get("/queue").text, ann.get(f"/flags/{scenario.flags['markup']}").text):
        assert MARKUP_NAME not in html and "<b>Tables</b>" not in html
        assert "&lt;script&gt;alert(" in html


def test_restricted_fields_stay_off_pages_for_roles_that_may_not_see_them(clients, scenario):
    path = f"/flags/{scenario.flags['swapped']}"
    for name in ("ann", "sam"):
        html = clients[name].get(path).text
        for value in RESTRICTED.values():
            assert value not in html, (name, value)
    liaison = clients["liz"].get(path).text  # packages carry the offence category
    assert RESTRICTED["offence_category"] in liaison
    assert RESTRICTED["address_line"] not in liaison and RESTRICTED["postcode"] not in liaison


def test_security_headers_on_every_kind_of_response(clients, shared_app, scenario):
    anonymous = client_for(shared_app)
    responses = [
        clients["ann"].get("/queue"),
        clients["ann"].get("/admin/audit"),
        anonymous.get("/sign-in"),
        anonymous.get("/no-such-page"),
        clients["ann"].get(f"/flags/{scenario.flags['swapped']}"),
    ]
    for response in responses:
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"
    assert (
        "script-src 'self';" in CONTENT_SECURITY_POLICY and "unsafe" not in CONTENT_SECURITY_POLICY
    )


def test_pages_have_no_inline_script_or_style_and_no_outside_address(clients, scenario):
    ann, sam, ada = clients["ann"], clients["sam"], clients["ada"]
    pages = [
        ann.get("/queue"),
        ann.get(f"/flags/{scenario.flags['swapped']}"),
        ann.get("/reports/latest"),
        sam.get("/approvals"),
        sam.get("/escalations"),
        ada.get("/admin/users"),
        ada.get("/admin/audit"),
        clients["liz"].get("/packages"),
    ]
    for response in pages:
        html = response.text
        assert response.status_code == 200
        assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", html), response.url
        assert " style=" not in html and "<style" not in html, response.url
        assert not re.search(r"(src|href|action)=\"(https?:)?//", html), response.url
        assert "https://" not in html.replace("https://www.example.police.uk", ""), response.url


def test_static_files_are_served_from_the_package(shared_app):
    client = client_for(shared_app)
    for name in ("app.css", "app.js", "htmx.min.js"):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and response.content
    assert "Zero-Clause BSD" in client.get("/static/htmx.min.js").text[:200]


def _assignees(url: str) -> dict[int, str | None]:
    from tracker.models import User

    engine = make_engine(url)
    try:
        with transaction(make_session_factory(engine)) as s:
            query = select(Flag.id, User.name).outerjoin(User, User.id == Flag.assigned_to)
            return dict(s.execute(query).all())
    finally:
        engine.dispose()


def _assign(client, flag_id: int, to: str):
    page = client.get(f"/flags/{flag_id}").text
    form = {"csrf_token": csrf_of(page), "back": "/queue?severity=high", "to": to}
    return client.post(f"/flags/{flag_id}/assignment", data=form, follow_redirects=False)


def test_assign_to_me_and_the_person_picker_on_the_flag_page(app, web_url, scenario):
    ann = client_for(app, "ann")
    flag_id = scenario.flags["alias"]
    page = ann.get(f"/flags/{flag_id}").text
    assert 'id="assign-me"' in page and '<option value="sam">' in page
    assert '<option value="liz">' not in page  # a liaison officer does not review flags
    response = _assign(ann, flag_id, "me")
    here = f"/flags/{flag_id}?back=%2Fqueue%3Fseverity%3Dhigh"
    assert response.status_code == 303 and response.headers["location"] == here
    page = ann.get(here).text
    assert f"Flag #{flag_id} assigned to you." in page
    assert 'id="assigned-to">ann<' in page and 'id="assign-me"' not in page
    assert _queue_ids(ann.get("/queue?mine=1").text) == [flag_id]

    assert _assign(ann, flag_id, "sam").status_code == 303
    assert _assignees(web_url)[flag_id] == "sam"
    assert _queue_ids(ann.get("/queue?mine=1").text) == []
    assert _assign(ann, flag_id, "").status_code == 303
    assert _assignees(web_url)[flag_id] is None
    changes = _audit(web_url, action="alteration", object_type="flag")
    assert [(e.actor, e.details["before"], e.details["after"]) for e in changes] == [
        ("ann", None, "ann"),
        ("ann", "ann", "sam"),
        ("ann", "sam", None),
    ]


def test_an_assignment_to_someone_who_does_not_review_is_refused(app, web_url, scenario):
    ann = client_for(app, "ann")
    flag_id = scenario.flags["alias"]
    response = _assign(ann, flag_id, "liz")
    assert response.status_code == 303
    assert "does not review flags" in ann.get(response.headers["location"]).text
    assert _assignees(web_url)[flag_id] is None


def test_a_liaison_officer_may_not_assign(app, web_url, scenario):
    liz = client_for(app, "liz")
    flag_id = scenario.flags["alias"]
    page = liz.get(f"/flags/{flag_id}").text
    assert 'id="assign-form"' not in page and 'id="assign-me"' not in page
    form = {"csrf_token": csrf_of(page), "to": "me"}
    response = liz.post(f"/flags/{flag_id}/assignment", data=form, follow_redirects=False)
    assert response.status_code == 403
    assert _assignees(web_url)[flag_id] is None


def test_bulk_assignment_from_the_queue(app, web_url, scenario):
    ann = client_for(app, "ann")
    queue = ann.get("/queue").text
    assert 'id="bulk-form"' in queue and 'class="pick" name="flag"' in queue
    chosen = [scenario.flags["alias"], scenario.flags["markup"]]
    form = {"csrf_token": csrf_of(queue), "back": "/queue", "to": "sam", "flag": chosen}
    response = ann.post("/queue/assignment", data=form, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/queue"
    queue = ann.get("/queue").text
    assert f"Flags #{min(chosen)}, #{max(chosen)} assigned to sam." in queue
    assigned = _assignees(web_url)
    assert {f for f, name in assigned.items() if name == "sam"} == set(chosen)
    sam = client_for(app, "sam")
    assert sorted(_queue_ids(sam.get("/queue?mine=1").text)) == sorted(chosen)
    nothing = {"csrf_token": csrf_of(queue), "back": "/queue", "to": "me"}
    response = ann.post("/queue/assignment", data=nothing, follow_redirects=False)
    assert "Tick the flags" in ann.get(response.headers["location"]).text


def test_after_a_decision_the_next_flag_of_the_same_filtered_queue_opens(app, scenario):
    ann = client_for(app, "ann")
    alias, escalated = scenario.flags["alias"], scenario.flags["escalated"]
    back = "/queue?severity=high&page=1"
    page = ann.get(f"/flags/{alias}").text
    form = {"csrf_token": csrf_of(page), "back": back, "decision": "confirm", "reason": "seen"}
    response = ann.post(f"/flags/{alias}/decision", data=form, follow_redirects=False)
    following = response.headers["location"]
    assert following == f"/flags/{escalated}?back=%2Fqueue%3Fseverity%3Dhigh%26page%3D1"
    page = ann.get(following).text
    assert f"Flag {alias} confirmed." in page and f'href="{back.replace("&", "&amp;")}"' in page

    # the last flag of that queue leads back to the queue
    sam = client_for(app, "sam")
    page = sam.get(f"/flags/{escalated}").text
    form = {"csrf_token": csrf_of(page), "back": back, "decision": "dismiss", "reason": "no"}
    response = sam.post(f"/flags/{escalated}/decision", data=form, follow_redirects=False)
    assert response.headers["location"] == back


def test_a_decision_from_elsewhere_goes_back_there(app, scenario):
    ann = client_for(app, "ann")
    flag_id = scenario.flags["markup"]
    page = ann.get(f"/flags/{flag_id}").text
    form = {"csrf_token": csrf_of(page), "back": "/", "decision": "confirm", "reason": "seen"}
    response = ann.post(f"/flags/{flag_id}/decision", data=form, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_the_queue_searches_names_references_travel_and_ids(clients, scenario):
    ann = clients["ann"]
    swapped = scenario.flags["swapped"]
    assert _queue_ids(ann.get("/queue?q=pemberton").text) == [swapped]
    assert _queue_ids(ann.get("/queue?q=Жуковский").text) == [scenario.flags["translit"]]
    assert _queue_ids(ann.get("/queue?q=VR-HARD-alias").text) == [scenario.flags["alias"]]
    assert _queue_ids(ann.get("/queue?q=api-test/hard-swapped").text) == [swapped]
    assert _queue_ids(ann.get(f"/queue?q={swapped}").text) == [swapped]
    html = ann.get("/queue?q=nobody-at-all").text
    assert "No flags match" in html and 'value="nobody-at-all"' in html


def test_the_queue_sorts_by_its_column_headers(clients, scenario):
    ann = clients["ann"]
    default = _queue_ids(ann.get("/queue").text)
    html = ann.get("/queue?sort=flag_id").text
    assert _queue_ids(html) == sorted(default)
    assert 'aria-sort="ascending"' in html and "sort=flag_id%3Adesc" in html  # next: descending
    assert _queue_ids(ann.get("/queue?sort=flag_id:desc").text) == sorted(default, reverse=True)
    # an unknown sort is dropped like any unknown filter value
    assert _queue_ids(ann.get("/queue?sort=summary").text) == default


def test_the_next_flag_follows_the_chosen_sort_and_search(app, scenario):
    ann = client_for(app, "ann")
    ids = sorted(_queue_ids(ann.get("/queue").text))
    back = "/queue?sort=flag_id"
    page = ann.get(f"/flags/{ids[0]}").text
    form = {"csrf_token": csrf_of(page), "back": back, "decision": "confirm", "reason": "seen"}
    response = ann.post(f"/flags/{ids[0]}/decision", data=form, follow_redirects=False)
    assert response.headers["location"].startswith(f"/flags/{ids[1]}?")
    back = "/queue?q=VR-HARD-alias"
    alias = scenario.flags["alias"]
    page = ann.get(f"/flags/{alias}").text
    form = {"csrf_token": csrf_of(page), "back": back, "decision": "confirm", "reason": "seen"}
    response = ann.post(f"/flags/{alias}/decision", data=form, follow_redirects=False)
    assert response.headers["location"] == back  # the only match


def test_bulk_decision_from_the_queue_one_reason_for_all(app, web_url, scenario):
    ann = client_for(app, "ann")
    queue = ann.get("/queue").text
    assert 'id="bulk-decide"' in queue and 'formaction="/queue/decision"' in queue
    chosen = [scenario.flags["alias"], scenario.flags["markup"]]
    form = {
        "csrf_token": csrf_of(queue),
        "back": "/queue",
        "flag": chosen,
        "decision": "dismiss",
        "reason": "same traveller, checked with the carrier",
    }
    response = ann.post("/queue/decision", data=form, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/queue"
    queue = ann.get("/queue").text
    assert f"Flags #{min(chosen)}, #{max(chosen)} dismissed." in queue
    assert not set(chosen) & set(_queue_ids(queue))
    decided = _audit(web_url, action="decision")
    assert sorted(int(e.object_id) for e in decided) == sorted(chosen)
    assert {e.justification for e in decided} == {"same traveller, checked with the carrier"}


def _ticked(html: str) -> list[int]:
    return sorted(int(i) for i in re.findall(r'name="flag" value="(\d+)"[^>]* checked', html))


def test_a_bulk_decision_is_all_or_nothing(app, web_url, scenario):
    ann = client_for(app, "ann")
    queue = ann.get("/queue?sort=flag_id").text
    # the escalated flag is the supervisors' to decide: nothing is decided
    chosen = [scenario.flags["alias"], scenario.flags["escalated"]]
    form = {
        "csrf_token": csrf_of(queue),
        "back": "/queue?sort=flag_id",
        "flag": chosen,
        "decision": "confirm",
        "reason": "Seen on the carrier's list",
    }
    refused = ann.post("/queue/decision", data=form, follow_redirects=False)
    assert refused.status_code == 422  # the same queue again, as the reader left the form
    page = refused.text
    assert "Nothing decided:" in page and "a supervisor decides it" in page
    assert 'value="Seen on the carrier&#39;s list"' in page
    assert 'id="bulk-confirm" checked' in page
    assert _ticked(page) == sorted(chosen)
    assert 'aria-sort="ascending"' in page  # the queue's own sort kept
    assert _audit(web_url, action="decision") == []
    assert _flag(web_url, scenario.flags["alias"]).status == "open"
    no_reason = {**form, "flag": [scenario.flags["alias"]], "reason": " "}
    page = ann.post("/queue/decision", data=no_reason).text
    assert "a reason is required" in page and _ticked(page) == [scenario.flags["alias"]]
    nothing = {**form, "flag": []}
    page = ann.post("/queue/decision", data=nothing).text
    assert "no flags given" in page and "Seen on the carrier&#39;s list" in page
    assert _ticked(page) == []
    elsewhere = {**form, "back": "/offenders/VR-HARD-alias"}
    response = ann.post("/queue/decision", data=elsewhere, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == elsewhere["back"]


def test_a_decision_sent_back_to_a_queue_the_reader_may_not_list_stands(app, web_url, scenario):
    ann = client_for(app, "ann")
    flag_id = scenario.flags["markup"]
    page = ann.get(f"/flags/{flag_id}").text
    form = {"csrf_token": csrf_of(page), "back": "/escalations", "decision": "confirm"}
    response = ann.post(
        f"/flags/{flag_id}/decision", data={**form, "reason": "seen"}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/escalations"
    assert _flag(web_url, flag_id).status == "confirmed"
