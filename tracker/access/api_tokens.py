"""Border systems' bearer tokens: making a secret, keeping only its hash, checking one.

A secret is ``trk_`` and 32 random bytes (``secrets.token_urlsafe``): the prefix lets a secret
pasted into a log or a ticket be recognised and searched for. So much entropy needs no slow
password hash (nothing can be guessed), so SHA-256 is kept and a secret is found by its hash;
the stored and computed hashes are still compared in constant time.

A check refuses an unknown, revoked or expired token with a distinct reason (for the audit
trail) while the caller answers every refusal the same way (HTTP 401), so a caller learns
nothing about which tokens exist.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import ApiToken
from tracker.models.enums import TOKEN_SCOPES

TOKEN_PREFIX = "trk_"
SECRET_BYTES = 32
MAX_SECRET_LENGTH = 200  # a real secret has 47 characters; anything far longer is not one
DEFAULT_EXPIRY_DAYS = 365
MAX_EXPIRY_DAYS = 730
SENDER_PREFIX = "token:"  # how a token acts in screenings and in the audit trail
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
WRITES_TRAVEL = "manifests:write"  # the scope whose tokens store travel rows
READS_SCREENINGS = "screenings:read"
SOURCE_PATTERN_LIMIT = 100
MAX_SOURCE_PATTERNS = 50
SHOWN_PATTERNS = 5  # patterns named in a rejected row's reason
NO_SOURCE = "none: make the system a token with --source"  # a token made before sources

# Why a token was refused: each is written to the audit trail, none is told to the caller.
UNKNOWN, REVOKED, EXPIRED, MALFORMED, MISSING, MISSING_SCOPE, RATE_LIMITED = (
    "unknown token",
    "revoked token",
    "expired token",
    "not a bearer token",
    "no token",
    "scope missing",
    "rate limit exceeded",
)


class TokenError(ValueError):
    """A token cannot be made or changed as asked (name, scopes, expiry)."""


class TokenRefused(Exception):
    """The presented secret opens nothing: ``reason`` for the trail, ``name`` when the token
    is known (revoked or expired), else None."""

    def __init__(self, reason: str, name: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.name = name


def new_secret() -> str:
    """A fresh secret, shown once to the admin who made it."""
    return TOKEN_PREFIX + secrets.token_urlsafe(SECRET_BYTES)


def hash_secret(secret: str) -> str:
    """What is stored of a secret: its SHA-256, in hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def sender_of(name: str) -> str:
    """The actor a token's calls are recorded under: ``token:NAME``."""
    return SENDER_PREFIX + name


def checked_name(name: str) -> str:
    """A token's name: lower-case letters, digits, ``.``, ``_`` and ``-``, at most 100, so it
    reads the same in the trail, in ``token:NAME`` and on the command line."""
    name = name.strip()
    if not NAME_PATTERN.fullmatch(name):
        raise TokenError(
            f"token name {name[:120]!r} must be 1 to 100 of a-z, 0-9, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def checked_scopes(scopes: Iterable[str]) -> list[str]:
    """The scopes asked for, each one of ``TOKEN_SCOPES``, at least one, in a fixed order."""
    asked = set(scopes)
    if not asked:
        raise TokenError(f"a token needs at least one scope: {', '.join(TOKEN_SCOPES)}")
    unknown = sorted(asked - set(TOKEN_SCOPES))
    if unknown:
        raise TokenError(
            f"unknown scope {', '.join(unknown)}; expected one of {', '.join(TOKEN_SCOPES)}"
        )
    return [scope for scope in TOKEN_SCOPES if scope in asked]


def checked_sources(sources: Iterable[str], scopes: Iterable[str]) -> list[str]:
    """The travel sources a token may write: exact names or ``*`` globs, 1 to 100 printable
    characters, at most 50. A manifests:write token needs one (rows are kept by source and
    record id, so a token writing any source could overwrite any traveller); no other may
    have one."""
    asked = list(dict.fromkeys(pattern.strip() for pattern in sources))
    writes = WRITES_TRAVEL in set(scopes)
    if writes and not asked:
        raise TokenError(
            "a manifests:write token needs --source PATTERN (repeatable): the travel sources "
            "it may write, an exact source such as api-bcp-heathrow or a glob such as paxlst-*"
        )
    if asked and not writes:
        raise TokenError("--source is for manifests:write tokens: only they write travel rows")
    if len(asked) > MAX_SOURCE_PATTERNS:
        raise TokenError(f"a token may have at most {MAX_SOURCE_PATTERNS} source patterns")
    for pattern in asked:
        if not pattern or len(pattern) > SOURCE_PATTERN_LIMIT or not pattern.isprintable():
            raise TokenError(
                f"source pattern {pattern[:120]!r} must be 1 to {SOURCE_PATTERN_LIMIT} "
                "printable characters"
            )
    return asked


def may_write_source(patterns: Iterable[str], source: str) -> bool:
    """Whether ``source`` is one of ``patterns`` or matches one of them as a glob
    (``fnmatch``, case-sensitive: ``paxlst-*`` is not ``PAXLST-*``)."""
    return any(source == pattern or fnmatchcase(source, pattern) for pattern in patterns)


class SourceGate:
    """The check of a token's travel rows: called with a row's source, why it may not be
    written (its reject reason) or None. Each distinct source is matched once; ``refused``
    counts the rows refused, for the screening's answer."""

    def __init__(self, patterns: list[str]):
        self.patterns = patterns
        self.refused = 0
        named = ", ".join(patterns[:SHOWN_PATTERNS]) or NO_SOURCE
        if len(patterns) > SHOWN_PATTERNS:
            named += f" and {len(patterns) - SHOWN_PATTERNS} more"
        self.allowed = named
        self._verdicts: dict[str, str | None] = {}

    def __call__(self, source: str) -> str | None:
        if source not in self._verdicts:
            self._verdicts[source] = (
                None
                if may_write_source(self.patterns, source)
                else f"source {source!r} is not one this token may write (allowed: {self.allowed})"
            )
        reason = self._verdicts[source]
        self.refused += reason is not None
        return reason


def source_refusal(patterns: list[str]) -> SourceGate:
    """The gate of a token with these source patterns."""
    return SourceGate(patterns)


def token_of_sender(session: Session, sender: str) -> ApiToken | None:
    """The token a ``token:NAME`` sender is, or None (a person, or no such token)."""
    if not sender.startswith(SENDER_PREFIX):
        return None
    return find_token(session, sender[len(SENDER_PREFIX) :])


def reads_every_screening(token: ApiToken | None) -> bool:
    """A control room's token (screenings:read without manifests:write) reads any
    screening; a token that pushes manifests reads only its own."""
    scopes = set(token.scopes or []) if token is not None else set()
    return READS_SCREENINGS in scopes and WRITES_TRAVEL not in scopes


def expiry(now: datetime, days: int) -> datetime:
    """When a token made at ``now`` for ``days`` stops working (1 to 730 days)."""
    if not 1 <= days <= MAX_EXPIRY_DAYS:
        raise TokenError(f"a token expires after 1 to {MAX_EXPIRY_DAYS} days, not {days}")
    return now + timedelta(days=days)


def find_token(session: Session, name: str) -> ApiToken | None:
    return session.scalars(select(ApiToken).where(ApiToken.name == name)).one_or_none()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def token_state(token: ApiToken, now: datetime) -> str:
    """``active``, ``revoked`` or ``expired`` as of ``now``."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and _aware(token.expires_at) <= now:
        return "expired"
    return "active"


def bearer_secret(authorization: str | None) -> str:
    """The secret of an ``Authorization: Bearer <secret>`` header's value, or
    ``TokenRefused`` when there is none or it is no token of ours."""
    if not authorization or not authorization.strip():
        raise TokenRefused(MISSING)
    scheme, _, secret = authorization.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise TokenRefused(MALFORMED)
    return secret


def verify_secret(session: Session, secret: str | None, now: datetime) -> ApiToken:
    """The token ``secret`` opens as of ``now``, or ``TokenRefused`` saying why not."""
    if not secret:
        raise TokenRefused(MISSING)
    if len(secret) > MAX_SECRET_LENGTH or not secret.startswith(TOKEN_PREFIX):
        raise TokenRefused(MALFORMED)
    digest = hash_secret(secret)
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).one_or_none()
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        raise TokenRefused(UNKNOWN)
    state = token_state(token, now)
    if state == "revoked":
        raise TokenRefused(REVOKED, token.name)
    if state == "expired":
        raise TokenRefused(EXPIRED, token.name)
    return token


def find_by_secret(session: Session, secret: str) -> ApiToken | None:
    """The token a secret belongs to, whatever its state (to name it in the trail)."""
    digest = hash_secret(secret)
    return session.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).one_or_none()


def has_scope(token: ApiToken, scope: str) -> bool:
    if scope not in TOKEN_SCOPES:
        raise KeyError(f"no such scope {scope!r}")
    return scope in (token.scopes or [])
