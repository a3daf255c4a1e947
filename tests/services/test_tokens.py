"""API tokens: the secret shown once and stored hashed, scopes and expiry checked, revocation
at once, and every refusal of a call written to the trail with its reason but no secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tracker.access import api_tokens
from tracker.access.api_tokens import TokenError, TokenRefused
from tracker.models import ApiToken, AuditEvent
from tracker.services.people import add_user
from tracker.services.tokens import admit_call, create_token, list_tokens, revoke_token

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(session):
    add_user(session, None, "ada", "admin")
    return session


def _admit(db, secret, scopes=("manifests:write",), now=NOW):
    header = secret if secret is None or " " in secret else f"Bearer {secret}"
    return admit_call(
        db, header, scopes, purpose="collection", client="192.0.2.1", path="/manifests", now=now
    )


def test_a_token_is_shown_once_and_only_its_hash_is_kept(db):
    made = create_token(db, "ada", "border-feed", ["manifests:write"], now=NOW, sources=["api-*"])
    assert made.secret.startswith("trk_") and len(made.secret) > 40
    row = db.scalars(select(ApiToken)).one()
    assert row.token_hash == api_tokens.hash_secret(made.secret) != made.secret
    assert made.secret not in str(db.scalars(select(AuditEvent.details)).all())
    assert made.expires_at == NOW + timedelta(days=365)
    [listed] = list_tokens(db, "ada", now=NOW)
    assert "token_hash" not in listed and made.secret not in str(listed)
    assert listed["state"] == "active" and listed["scopes"] == "manifests:write"
    assert made.secret not in repr(made) and made.secret not in str(made)


def test_token_names_scopes_and_expiry_are_checked(db):
    with pytest.raises(TokenError, match="scope"):
        create_token(db, "ada", "a", [])
    with pytest.raises(TokenError, match="unknown scope"):
        create_token(db, "ada", "a", ["admin:all"])
    with pytest.raises(TokenError, match="1 to 730 days"):
        create_token(db, "ada", "a", ["manifests:write"], 731, sources=["api-*"])
    with pytest.raises(TokenError, match="token name"):
        create_token(db, "ada", "Border Feed; drop", ["manifests:write"], sources=["api-*"])
    create_token(db, "ada", "a", ["screenings:read", "manifests:write"], sources=["api-*"])
    with pytest.raises(TokenError, match="exists already"):
        create_token(db, "ada", "a", ["manifests:write"], sources=["api-*"])
    assert db.scalars(select(ApiToken.scopes)).one() == ["manifests:write", "screenings:read"]


def test_a_call_is_admitted_with_the_scope_and_marks_the_token_used(db):
    made = create_token(db, "ada", "border-feed", ["manifests:write"], now=NOW, sources=["api-*"])
    call = _admit(db, made.secret, now=NOW + timedelta(minutes=1))
    assert call.admitted and call.sender == "token:border-feed"
    assert db.scalars(select(ApiToken.last_used_at)).one() == NOW + timedelta(minutes=1)
    read = _admit(db, made.secret, ("screenings:read",))
    assert (read.admitted, read.status) == (False, 403)


def _refusals(db) -> list[tuple[str, str, str]]:
    rows = db.execute(
        select(AuditEvent.actor, AuditEvent.action, AuditEvent.details).where(
            AuditEvent.object_type == "api_call"
        )
    ).all()
    return [(actor, action, details["reason"]) for actor, action, details in rows]


def test_unknown_revoked_and_expired_tokens_are_refused_alike_with_distinct_reasons(db):
    made = create_token(db, "ada", "old-feed", ["manifests:write"], 1, now=NOW, sources=["api-*"])
    kept = create_token(db, "ada", "gone-feed", ["manifests:write"], now=NOW, sources=["api-*"])
    revoke_token(db, "ada", "gone-feed", now=NOW)
    calls = [
        _admit(db, "trk_" + "x" * 43),
        _admit(db, made.secret, now=NOW + timedelta(days=1)),
        _admit(db, kept.secret),
        _admit(db, "Basic something"),
        _admit(db, None),
        _admit(db, "Bearer not-ours"),
    ]
    assert {call.status for call in calls} == {401}
    assert _refusals(db) == [
        ("anonymous", "collection", "unknown token"),
        ("token:old-feed", "collection", "expired token"),
        ("token:gone-feed", "collection", "revoked token"),
        ("anonymous", "collection", "not a bearer token"),
        ("anonymous", "collection", "no token"),
        ("anonymous", "collection", "not a bearer token"),
    ]
    trail = str(db.scalars(select(AuditEvent.details)).all())
    assert made.secret not in trail and kept.secret not in trail


def test_revoking_twice_or_an_unknown_token_is_refused(db):
    create_token(db, "ada", "feed", ["manifests:write"], sources=["api-*"])
    revoke_token(db, "ada", "feed")
    with pytest.raises(TokenError, match="revoked already"):
        revoke_token(db, "ada", "feed")
    with pytest.raises(TokenError, match="no token"):
        revoke_token(db, "ada", "nope")
    assert list_tokens(db, "ada")[0]["state"] == "revoked"


def test_verify_refuses_oversized_secrets_without_looking_them_up(db):
    with pytest.raises(TokenRefused) as refused:
        api_tokens.verify_secret(db, "trk_" + "a" * 500, NOW)
    assert refused.value.reason == api_tokens.MALFORMED


def test_a_manifests_token_names_the_sources_it_may_write(db):
    with pytest.raises(TokenError, match="--source PATTERN"):
        create_token(db, "ada", "feed-a", ["manifests:write"])
    with pytest.raises(TokenError, match="only they write travel rows"):
        create_token(db, "ada", "room", ["screenings:read"], sources=["api-*"])
    for bad in ("x" * 101, "api-\n*", " "):
        with pytest.raises(TokenError, match="1 to 100 printable"):
            create_token(db, "ada", "feed-a", ["manifests:write"], sources=[bad])
    with pytest.raises(TokenError, match="at most 50"):
        create_token(db, "ada", "feed-a", ["manifests:write"], sources=map(str, range(51)))
    made = create_token(
        db, "ada", "feed-a", ["manifests:write"], sources=["api-a", "paxlst-*", "api-a"]
    )
    assert made.sources == ["api-a", "paxlst-*"]
    assert db.scalars(select(ApiToken.sources)).one() == ["api-a", "paxlst-*"]
    [listed] = list_tokens(db, "ada", now=NOW)
    assert listed["sources"] == "api-a paxlst-*"
    created = db.scalars(select(AuditEvent.details).where(AuditEvent.object_id == "feed-a"))
    assert created.one()["sources"] == ["api-a", "paxlst-*"]
    control_room = create_token(db, "ada", "room", ["screenings:read"])
    assert control_room.sources == []


def test_a_source_matches_exactly_or_by_a_case_sensitive_glob():
    patterns = ["api-a", "paxlst-bcp*", "odd[1]"]
    assert api_tokens.may_write_source(patterns, "api-a")
    assert api_tokens.may_write_source(patterns, "paxlst-bcp-lhr")
    assert api_tokens.may_write_source(patterns, "odd[1]")  # exact, though [ is a glob's
    assert not api_tokens.may_write_source(patterns, "api-ab")
    assert not api_tokens.may_write_source(patterns, "PAXLST-BCP-LHR")
    refusal = api_tokens.source_refusal(patterns)
    assert refusal("api-a") is None
    assert refusal("nightly") == (
        "source 'nightly' is not one this token may write (allowed: api-a, paxlst-bcp*, odd[1])"
    )
    many = api_tokens.source_refusal([f"s{i}" for i in range(8)])("x")
    assert many is not None and "s4 and 3 more)" in many
    assert "none: make the system a token with --source" in str(api_tokens.source_refusal([])("x"))
