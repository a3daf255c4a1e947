"""The liaison officer's package form: the trip's route and arrival country, the fields kept
after a refusal, and what to do when the server has no signing key yet."""

from __future__ import annotations

from webtools import client_for, csrf_of

from tracker.reports import signing


def _confirmed(app, flag_id: int) -> None:
    ann = client_for(app, "ann")
    page = ann.get(f"/flags/{flag_id}").text
    ann.post(
        f"/flags/{flag_id}/decision",
        data={"csrf_token": csrf_of(page), "decision": "confirm", "reason": "passport matches"},
    )


def _row(page: str, flag_id: int) -> str:
    """The candidate's table row on the packages page."""
    return page.split(f'id="package-flag-{flag_id}"')[1].split("</tr>")[0]


def test_the_form_shows_the_trip_and_suggests_its_arrival_country(app, scenario):
    signing.init_keys(app.state.settings.installation.keys_dir)
    flag_id = scenario.flags["alias"]
    _confirmed(app, flag_id)
    page = client_for(app, "liz").get("/packages").text
    row = _row(page, flag_id)
    assert "LHR → BKK, 2026-03-01" in row
    assert 'title="travel record api-test/hard-alias"' in row
    assert 'name="country" required size="4" maxlength="3" placeholder="THA" value="THA"' in row
    assert 'id="package-no-key"' not in page


def test_a_refused_package_keeps_what_the_officer_typed(app, scenario):
    signing.init_keys(app.state.settings.installation.keys_dir)
    flag_id = scenario.flags["alias"]
    _confirmed(app, flag_id)
    liz = client_for(app, "liz")
    typed = {
        "flag_id": flag_id,
        "country": "XXX",
        "agency": "NCB Bangkok",
        "grading": "2C",
        "handling": "C",
        "conditions": "no onward sharing",
        "reason": "travel to THA by a high-risk offender",
    }
    token = csrf_of(liz.get("/packages").text)
    refused = liz.post("/packages", data={"csrf_token": token, **typed}, follow_redirects=False)
    assert refused.status_code == 422 and "not an ISO 3166-1" in refused.text
    row = _row(refused.text, flag_id)
    for field in ("country", "agency", "grading", "conditions", "reason"):
        assert f'value="{typed[field]}"' in row, field
    assert '<option value="C" selected>' in row


def test_without_a_signing_key_the_page_says_who_sets_it_up(app, scenario):
    flag_id = scenario.flags["alias"]
    _confirmed(app, flag_id)
    liz = client_for(app, "liz")
    page = liz.get("/packages").text
    assert 'id="package-no-key"' in page and "tracker keys init" in page
    assert "administrator or a liaison officer" in page
    token = csrf_of(page)
    reason = "travel to THA by a high-risk offender"
    refused = liz.post(
        "/packages",
        data={"csrf_token": token, "flag_id": flag_id, "country": "THA", "reason": reason},
        follow_redirects=False,
    )
    assert refused.status_code == 422 and "tracker keys init" in refused.text
    assert f'value="{reason}"' in _row(refused.text, flag_id)
