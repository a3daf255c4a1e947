"""Border systems' API tokens as admins manage them, and the check of every API call.

Making and revoking a token are ``user_change`` entries (object ``api_token``), like a
person's access. Each call of the API is admitted or refused here: an admitted call marks
the token used; a refused one is written to the trail under the token's name when it is
known (``anonymous`` otherwise), with the reason and never the secret. Manifests are
``collection`` entries, reads ``consultation`` ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.access import api_tokens
from tracker.access.api_tokens import TokenError, TokenRefused
from tracker.access.people import ANONYMOUS, require_actor
from tracker.audit import record_event
from tracker.models import ApiToken

CallPurpose = Literal["collection", "consultation"]  # the audit action of a call's entry


@dataclass(frozen=True)
class CreatedToken:
    """A token just made; ``secret`` exists only here (the database keeps its hash), and is
    left out of the repr so no log, traceback or debugger line can show it."""

    name: str
    secret: str = field(repr=False)
    scopes: list[str]
    expires_at: datetime
    sources: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AdmittedCall:
    """Who an API call acts as (``token:NAME``), or why it was refused: ``refused`` for the
    trail, ``status`` the HTTP answer (401 for every bad token, 403 for a missing scope)."""

    name: str | None
    scopes: tuple[str, ...] = ()
    refused: str | None = None
    status: int = 200

    @property
    def admitted(self) -> bool:
        return self.refused is None

    @property
    def sender(self) -> str:
        """``token:NAME``: the actor of an admitted call's screenings and audit entries."""
        if self.name is None or self.refused is not None:
            raise ValueError("a refused call acts as nobody")
        return api_tokens.sender_of(self.name)


def _record_token_change(
    session: Session, actor: str, name: str, justification: str, **details: object
) -> None:
    record_event(
        session,
        actor=actor,
        action="user_change",
        object_type="api_token",
        object_id=name,
        justification=justification,
        details=details,
    )


def create_token(
    session: Session,
    who: str | None,
    name: str,
    scopes: Iterable[str],
    expires_days: int = api_tokens.DEFAULT_EXPIRY_DAYS,
    *,
    sources: Iterable[str] = (),
    now: datetime | None = None,
) -> CreatedToken:
    """Make a token for a border system (admins). The secret is returned once, here. A
    manifests:write token names the travel ``sources`` it may write (exact or ``*`` globs)."""
    actor = require_actor(session, who, "tokens.create")
    now = now or datetime.now(UTC)
    name = api_tokens.checked_name(name)
    chosen = api_tokens.checked_scopes(scopes)
    patterns = api_tokens.checked_sources(sources, chosen)
    expires_at = api_tokens.expiry(now, expires_days)
    if api_tokens.find_token(session, name) is not None:
        raise TokenError(f"a token named {name!r} exists already (names are never reused)")
    secret = api_tokens.new_secret()
    session.add(
        ApiToken(
            name=name,
            token_hash=api_tokens.hash_secret(secret),
            scopes=chosen,
            sources=patterns,
            created_at=now,
            created_by=actor.name,
            expires_at=expires_at,
        )
    )
    session.flush()
    _record_token_change(
        session,
        actor.name,
        name,
        "API token created",
        event="token_created",
        scopes=chosen,
        sources=patterns,
        expires_at=expires_at,
    )
    return CreatedToken(name, secret, chosen, expires_at, patterns)


def _token_row(token: ApiToken, now: datetime) -> dict:
    """What an admin sees of a token, never its hash; scopes and source patterns
    space-separated (as OAuth writes scopes), one cell in every format."""
    return {
        "name": token.name,
        "scopes": " ".join(token.scopes or []),
        "sources": " ".join(token.sources or []),
        "state": api_tokens.token_state(token, now),
        "created_at": token.created_at,
        "created_by": token.created_by,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
        "revoked_by": token.revoked_by,
    }


def list_tokens(session: Session, who: str | None, now: datetime | None = None) -> list[dict]:
    """Every token by name, with its state as of ``now`` (admins)."""
    require_actor(session, who, "tokens.list")
    now = now or datetime.now(UTC)
    tokens = session.scalars(select(ApiToken).order_by(ApiToken.name))
    return [_token_row(token, now) for token in tokens]


def revoke_token(
    session: Session, who: str | None, name: str, *, now: datetime | None = None
) -> ApiToken:
    """Stop a token working at once (admins). Revoking a revoked token is refused, so the
    trail keeps the first revocation as the one that counted."""
    actor = require_actor(session, who, "tokens.revoke")
    token = api_tokens.find_token(session, name.strip())
    if token is None:
        raise TokenError(f"no token named {name[:120]!r}")
    if token.revoked_at is not None:
        raise TokenError(f"token {token.name!r} was revoked already, by {token.revoked_by}")
    token.revoked_at = now or datetime.now(UTC)
    token.revoked_by = actor.name
    session.flush()
    _record_token_change(
        session, actor.name, token.name, "API token revoked", event="token_revoked"
    )
    return token


def admit_call(
    session: Session,
    authorization: str | None,
    scopes: Iterable[str],
    *,
    purpose: CallPurpose,
    client: str,
    path: str,
    now: datetime | None = None,
) -> AdmittedCall:
    """Whether the ``Authorization`` header's bearer token may make this call, holding one of
    ``scopes``. An admitted token is marked used; a refusal is written to the trail. The
    caller commits either way (a refusal must be kept though the call fails)."""
    now = now or datetime.now(UTC)
    try:
        secret = api_tokens.bearer_secret(authorization)
        token = api_tokens.verify_secret(session, secret, now)
    except TokenRefused as refused:
        record_refused_call(session, refused.name, refused.reason, purpose, client, path)
        return AdmittedCall(refused.name, refused=refused.reason, status=401)
    if not any(api_tokens.has_scope(token, scope) for scope in scopes):
        reason = f"{api_tokens.MISSING_SCOPE}: needs {' or '.join(scopes)}"
        record_refused_call(session, token.name, reason, purpose, client, path)
        return AdmittedCall(token.name, refused=reason, status=403)
    token.last_used_at = now
    session.flush()
    return AdmittedCall(token.name, tuple(token.scopes or []))


def record_repeated_manifest(
    session: Session, name: str, screening_id: int, client: str, path: str
) -> None:
    """A manifest sent again under its key: answered with the first screening and nothing
    stored, but the call is in the trail like any other."""
    record_event(
        session,
        actor=api_tokens.sender_of(name),
        action="collection",
        object_type="screening",
        object_id=screening_id,
        justification="manifest sent again under its Idempotency-Key: nothing stored",
        details={"event": "repeated", "client": client, "path": path[:200]},
    )


def record_rate_limited(
    session: Session, secret: str, purpose: CallPurpose, client: str, path: str
) -> None:
    """A token kept over its rate, in the trail under its name (once a minute: the adapter
    counts the calls, so a flood costs the database nothing more)."""
    token = api_tokens.find_by_secret(session, secret)
    name = token.name if token is not None else None
    record_refused_call(session, name, api_tokens.RATE_LIMITED, purpose, client, path)


def record_refused_call(
    session: Session,
    name: str | None,
    reason: str,
    purpose: CallPurpose,
    client: str,
    path: str,
    **details: object,
) -> None:
    """One refused API call in the trail: the token's name when known, why, from where."""
    record_event(
        session,
        actor=api_tokens.sender_of(name) if name else ANONYMOUS,
        action=purpose,
        object_type="api_call",
        object_id=path[:200],
        justification=f"API call refused: {reason}",
        details={"event": "refused", "reason": reason, "client": client, **details},
    )
