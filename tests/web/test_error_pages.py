"""Error answers: an id no column can hold is a 404, not a crash; every error page carries the
security headers; an unexpected exception shows no traceback and no server path; a liaison
officer's refused package names no folder of the server."""

from __future__ import annotations

from webtools import client_for, csrf_of

from tracker.reports import signing
from tracker.web.headers import CONTENT_SECURITY_POLICY, HEADERS

HUGE = 2**63
HOSTILE_IDS = (str(HUGE), str(10**30), "0", "-1", "not-a-number", "1e3")


def assert_security_headers(response):
    for name, value in {**HEADERS, "content-security-policy": CONTENT_SECURITY_POLICY}.items():
        assert response.headers.get(name) == value, (name, response.status_code)
    assert response.headers["cache-control"] == "no-store"


def test_ids_out_of_range_or_not_numbers_are_404_with_the_security_headers(clients):
    ann = clients["ann"]
    for bad in HOSTILE_IDS:
        for path in (
            f"/flags/{bad}",
            f"/reports/runs/{bad}",
            f"/reports/runs/{bad}/daily.html",
            f"/reports/runs/{bad}/charts/new_flags.svg",
        ):
            response = ann.get(path)
            assert response.status_code == 404, (path, response.text[:200])
            assert_security_headers(response)


def test_a_decision_on_a_huge_flag_id_is_404(app, scenario):
    ann = client_for(app, "ann")
    token = csrf_of(ann.get("/queue").text)
    response = ann.post(
        f"/flags/{HUGE}/decision",
        follow_redirects=False,
        data={"csrf_token": token, "decision": "dismiss", "reason": "x"},
    )
    assert response.status_code == 404
    assert_security_headers(response)


def test_a_package_for_a_huge_flag_id_is_a_bad_request_not_a_crash(app):
    liz = client_for(app, "liz")
    token = csrf_of(liz.get("/packages").text)
    response = liz.post(
        "/packages",
        follow_redirects=False,
        data={"csrf_token": token, "flag_id": str(HUGE), "country": "THA", "reason": "r"},
    )
    assert response.status_code == 400
    assert_security_headers(response)
    assert liz.get("/packages/" + "a" * 100 + ".zip").status_code == 404


def test_unknown_pages_wrong_methods_and_refusals_carry_the_security_headers(clients):
    ann = clients["ann"]
    answers = {404: ann.get("/no/such/page"), 405: ann.get("/sign-out"), 403: ann.put("/queue")}
    for status, response in answers.items():
        assert response.status_code == status
        assert_security_headers(response)


def test_an_unexpected_error_is_a_plain_500_with_the_headers_and_no_details(app, tmp_path):
    secret_place = tmp_path / "server-only" / "settings.toml"

    def broken() -> None:
        raise RuntimeError(f"cannot read {secret_place}")

    app.add_api_route("/broken-for-the-test", broken)
    response = client_for(app, "ann", raise_server_exceptions=False).get("/broken-for-the-test")
    assert response.status_code == 500
    assert_security_headers(response)
    assert "Server error" in response.text
    for leak in (str(tmp_path), "Traceback", "RuntimeError", "settings.toml"):
        assert leak not in response.text


def _confirmed_flag(app, scenario) -> int:
    ann, flag_id = client_for(app, "ann"), scenario.flags["alias"]
    token = csrf_of(ann.get(f"/flags/{flag_id}").text)
    ann.post(
        f"/flags/{flag_id}/decision",
        data={"csrf_token": token, "decision": "confirm", "reason": "passport matches"},
    )
    return flag_id


def _build(app, flag_id):
    liz = client_for(app, "liz")
    token = csrf_of(liz.get("/packages").text)
    return liz.post(
        "/packages",
        follow_redirects=False,
        data={
            "csrf_token": token,
            "flag_id": flag_id,
            "country": "THA",
            "reason": "travel to THA by a high-risk offender",
        },
    )


def test_a_package_refused_for_want_of_a_key_names_no_server_path(app, scenario):
    response = _build(app, _confirmed_flag(app, scenario))
    assert response.status_code == 422
    assert "signing key" in response.text and "tracker keys init" in response.text
    assert str(app.state.settings.data_dir) not in response.text
    assert "/keys" not in response.text


def test_a_package_the_server_cannot_write_names_no_server_path(app, scenario):
    settings = app.state.settings
    signing.init_keys(settings.installation.keys_dir)
    settings.packages_dir.parent.mkdir(parents=True, exist_ok=True)
    settings.packages_dir.write_text("not a folder")
    response = _build(app, _confirmed_flag(app, scenario))
    assert response.status_code == 422
    assert "could not write the package" in response.text
    assert str(settings.data_dir) not in response.text
