"""What the API refuses before a manifest is screened, over a real server: bad tokens alike
(401, each reason in the trail), a missing scope (403), cookies (400), wrong types (415),
missing keys (400), large bodies (413, chunked ones too), too many calls (429), an EDIFACT
interchange of another message (415) and no model yet (503, Retry-After)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import APIRouter
from sqlalchemy import select

from tracker.db import transaction
from tracker.models import ApiToken, AuditEvent
from tracker.services.tokens import revoke_token
from tracker.web.api.problems import NO_MODEL_RETRY_SECONDS, refusal_problem

CSV = "text/csv"
MANIFEST = b"family_name,given_names\nSMITH,JO\n"


def _refusals(sessions) -> list[tuple[str, str, str]]:
    with sessions() as session:
        rows = session.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.details)
            .where(AuditEvent.object_type == "api_call")
            .order_by(AuditEvent.id)
        ).all()
    return [(actor, action, details["reason"]) for actor, action, details in rows]


def _push(client, body=MANIFEST, content_type=CSV, key="manifest-1", **headers):
    headers = {"Content-Type": content_type, **headers}
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post("/manifests", content=body, headers=headers)


def test_every_bad_token_gets_the_same_401_and_the_trail_keeps_why(serve, make_token, sessions):
    served = serve()
    expired = make_token("old-feed", now=datetime.now(UTC) - timedelta(days=2), expires_days=1)
    revoked = make_token("gone-feed")
    with transaction(sessions) as session:
        revoke_token(session, "ada", "gone-feed")
    answers = []
    for secret in (None, "trk_" + "x" * 43, expired, revoked):
        with served.client(secret) as client:
            answers.append(_push(client))
    with served.client(Authorization="Basic YWRhOnNlY3JldA==") as client:
        answers.append(_push(client))
    assert {a.status_code for a in answers} == {401}
    assert len({a.text for a in answers}) == 1
    assert answers[0].headers["content-type"] == "application/problem+json"
    assert answers[0].json()["type"] == "urn:tracker:problem:unauthorized"
    assert answers[0].headers["www-authenticate"].startswith("Bearer")
    assert _refusals(sessions) == [
        ("anonymous", "collection", "no token"),
        ("anonymous", "collection", "unknown token"),
        ("token:old-feed", "collection", "expired token"),
        ("token:gone-feed", "collection", "revoked token"),
        ("anonymous", "collection", "not a bearer token"),
    ]
    with sessions() as session:
        trail = str(session.scalars(select(AuditEvent.details)).all())
    assert expired not in trail and revoked not in trail


def test_a_token_without_the_scope_is_refused_403_and_a_read_token_may_read(
    serve, make_token, sessions
):
    served = serve()
    reader = make_token("reader", "screenings:read")
    with served.client(reader) as client:
        refused = _push(client)
        read = client.get("/screenings/999999")
    assert refused.status_code == 403
    assert 'error="insufficient_scope"' in refused.headers["www-authenticate"]
    assert read.status_code == 404  # admitted, and no such screening of its own
    assert _refusals(sessions)[0][:2] == ("token:reader", "collection")


def test_cookies_are_refused_and_never_set(serve, make_token):
    served = serve()
    secret = make_token("border-feed")
    with served.client(secret, Cookie="tracker_session=stolen") as client:
        answer = _push(client)
        spec = client.get("/openapi.json")
    assert answer.status_code == 400 and spec.status_code == 400
    assert answer.json()["type"] == "urn:tracker:problem:cookie-refused"
    with served.client(secret) as client:
        answers = [_push(client, content_type="text/html"), client.get("/openapi.json")]
    assert all("set-cookie" not in a.headers for a in [answer, *answers])


def test_only_manifest_types_with_a_printable_key_are_taken(serve, make_token, sessions):
    served = serve()
    with served.client(make_token("border-feed")) as client:
        wrong_type = _push(client, content_type="application/json")
        no_type = client.post("/manifests", content=MANIFEST, headers={"Idempotency-Key": "k"})
        no_key = _push(client, key=None)
        long_key = _push(client, key="k" * 201)
        empty = _push(client, body=b"")
    assert (wrong_type.status_code, no_type.status_code) == (415, 415)
    assert "text/csv" in wrong_type.json()["detail"]
    assert no_key.status_code == 400 and "Idempotency-Key" in no_key.json()["detail"]
    assert long_key.status_code == 400 and empty.status_code == 400
    reasons = [reason for actor, _, reason in _refusals(sessions)]
    assert len(reasons) == 5 and all(
        actor == "token:border-feed" for actor, *_ in _refusals(sessions)
    )


def test_a_body_over_the_limit_is_refused_declared_or_chunked(serve, make_token):
    served = serve(max_body_bytes=64 * 1024)
    secret = make_token("border-feed")

    def chunks(count: int):
        for _ in range(count):
            yield b"x" * 16 * 1024

    with served.client(secret) as client:
        declared = _push(client, body=b"x" * (64 * 1024 + 1))
        chunked = _push(client, body=chunks(64))
    assert declared.status_code == 413 and chunked.status_code == 413
    assert declared.json()["type"] == "urn:tracker:problem:too-large"
    with served.client(secret) as client:
        at_limit = _push(client, body=chunks(4))
    assert at_limit.status_code not in (400, 413, 415), at_limit.text


def test_the_default_limit_is_five_mebibytes(serve, make_token):
    served = serve()
    with served.client(make_token("border-feed")) as client:
        answer = _push(client, body=b"x" * (5 * 1024 * 1024 + 1))
    assert answer.status_code == 413 and "5242880 bytes" in answer.json()["detail"]


def test_a_token_over_its_rate_waits_and_the_trail_notes_it_once(serve, make_token, sessions):
    served = serve(rate_per_minute=3)
    secret, other = make_token("busy-feed"), make_token("quiet-feed")
    with served.client(secret) as client:
        answers = [_push(client, content_type="text/plain") for _ in range(6)]
    assert [a.status_code for a in answers] == [415, 415, 415, 429, 429, 429]
    assert 1 <= int(answers[3].headers["retry-after"]) <= 20
    assert answers[3].json()["type"] == "urn:tracker:problem:rate-limited"
    limited = [r for r in _refusals(sessions) if r[2] == "rate limit exceeded"]
    assert limited == [("token:busy-feed", "collection", "rate limit exceeded")]
    with served.client(other) as client:
        assert _push(client, content_type="text/plain").status_code == 415  # its own bucket


def test_an_address_sending_bad_tokens_is_slowed_without_writing_more(serve, sessions):
    served = serve()
    with served.client("trk_" + "y" * 43) as client:
        answers = [_push(client).status_code for _ in range(75)]
    refused = answers.count(401)  # a minute's 60, and the few that refilled meanwhile
    assert answers[:60] == [401] * 60 and refused < 70 and answers[-1] == 429
    assert len(_refusals(sessions)) == refused  # a 429 here writes nothing


def test_an_admitted_call_marks_the_token_used(serve, make_token, sessions):
    served = serve()
    with served.client(make_token("reader", "screenings:read")) as client:
        client.get("/screenings/1")
    with sessions() as session:
        used = session.scalars(select(ApiToken.last_used_at)).one()
    assert used is not None and datetime.now(UTC) - used < timedelta(minutes=1)


def test_an_unexpected_error_is_a_problem_without_a_traceback(serve, make_token):
    broken = APIRouter()

    @broken.get("/broken")
    def fails() -> None:
        raise RuntimeError("secret internals /srv/tracker")

    served = serve(routes=broken)
    with served.client() as client:
        answer = client.get("/broken")
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert "internals" not in answer.text and "Traceback" not in answer.text


@pytest.mark.parametrize("path", ["/nothing-here", "/screenings/not-a-number"])
def test_unknown_paths_are_problems_too(serve, path):
    served = serve()
    with served.client() as client:
        answer = client.get(path)
    assert answer.status_code in (401, 404)
    assert answer.headers["content-type"] == "application/problem+json"


def test_refusals_of_the_screening_are_answered_by_their_code(serve, make_token, sessions):
    served = serve()
    not_a_manifest = b"UNA:+.? 'UNB+UNOA:4+X+Y+260301:1200+1'UNH+1+CUSRES:D:05B:UN'UNT+2+1'"
    with served.client(make_token("bcp-heathrow")) as client:
        other_message = _push(client, not_a_manifest, "application/edifact", key="edi-1")
        no_model = _push(client, key="csv-1")
    assert other_message.status_code == 415, other_message.text
    assert other_message.json()["type"] == "urn:tracker:problem:unsupported-message-type"
    assert no_model.status_code == 503, no_model.text
    assert no_model.headers["retry-after"] == str(NO_MODEL_RETRY_SECONDS)
    assert no_model.json()["type"] == "urn:tracker:problem:no-model"
    statuses = [details["status"] for *_, details in _trail(sessions)]
    assert statuses[-2:] == [415, 503]


@pytest.mark.parametrize(
    ("code", "status"),
    [("too_large", 413), ("content_type", 415), ("message_type", 415), ("key_reused", 409),
     ("no_model", 503), ("empty", 400), ("idempotency_key", 400), ("unreadable", 422)],
)  # fmt: skip
def test_each_refusal_code_has_its_status(code, status):
    assert refusal_problem(code, "why").status == status


def _trail(sessions) -> list[tuple]:
    with sessions() as session:
        return session.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.details)
            .where(AuditEvent.object_type == "api_call")
            .order_by(AuditEvent.id)
        ).all()
