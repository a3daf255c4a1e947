"""Who is calling: the bearer token checked by the use case, then the token's rate.

Order, cheapest refusal first: an address whose bad tokens were refused a minute's worth of
times is refused without touching the database; a known secret over its rate is refused by
its hash before any lookup; only then is the token looked up, its scope checked, its use
recorded (``tracker.services.tokens.admit_call``, which writes refusals to the trail).
Every bad token gets the same 401, whatever the reason the trail keeps.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime

from fastapi import Depends, Request
from fastapi.security import HTTPBearer
from starlette.concurrency import run_in_threadpool

from tracker.access.api_tokens import TokenRefused, bearer_secret, hash_secret
from tracker.db import transaction
from tracker.services.tokens import (
    AdmittedCall,
    CallPurpose,
    admit_call,
    record_rate_limited,
    record_refused_call,
)
from tracker.web.api.problems import ApiProblem
from tracker.web.clients import client_address

MANIFESTS_WRITE, SCREENINGS_READ = "manifests:write", "screenings:read"
REFUSED_PER_MINUTE = 60  # calls with bad tokens one address may make a minute

# Declares the scheme in the OpenAPI document; the header itself is read below.
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearerToken",
    bearerFormat="trk_…",
    description="A token made by an admin with `tracker tokens create NAME --scope SCOPE "
    "[--source PATTERN]`, sent as `Authorization: Bearer <secret>`. Scopes: manifests:write "
    "(push manifests of the token's own travel sources, read their screenings), "
    "screenings:read (alone: read any screening, as a control room does).",
)


def client_of(request: Request) -> str:
    return client_address(request.scope, request.app.state.trusted_proxies)


def now_of(request: Request) -> datetime:
    return datetime.fromtimestamp(request.app.state.clock(), UTC)


def _too_many(retry_after: int) -> ApiProblem:
    return ApiProblem(
        429,
        "rate-limited",
        f"too many calls: try again in {retry_after} seconds",
        {"Retry-After": str(retry_after)},
    )


def _refusal(call: AdmittedCall, scopes: Iterable[str]) -> ApiProblem:
    if call.status == 403:
        challenge = f'Bearer error="insufficient_scope", scope="{" ".join(scopes)}"'
        return ApiProblem(
            403, "insufficient-scope", "this token may not do this", {"WWW-Authenticate": challenge}
        )
    return ApiProblem(
        401,
        "unauthorized",
        "a valid API token is needed: Authorization: Bearer <token>",
        {"WWW-Authenticate": 'Bearer realm="tracker"'},
    )


async def _spend_rate(request: Request, purpose: CallPurpose, client: str) -> None:
    """Refuse a known secret over its rate by its hash (nothing read from the database but,
    once a minute, the token's name for the trail)."""
    state = request.app.state
    try:
        secret = bearer_secret(request.headers.get("authorization"))
    except TokenRefused:
        return
    verdict = state.rate_limiter.take("token:" + hash_secret(secret))
    if verdict.allowed:
        return
    if verdict.log_refusal:
        await run_in_threadpool(
            _in_transaction, state, record_rate_limited, secret, purpose, client, request.url.path
        )
    raise _too_many(verdict.retry_after)


def _in_transaction(state: object, use_case: Callable, *args: object, **kwargs: object):
    with transaction(state.sessions) as session:  # type: ignore[attr-defined]
        return use_case(session, *args, **kwargs)


def admitted(purpose: CallPurpose, *scopes: str) -> Callable[..., Awaitable[AdmittedCall]]:
    """A dependency admitting a call holding one of ``scopes``, refusing it otherwise."""

    async def dependency(request: Request, _: object = Depends(bearer_scheme)) -> AdmittedCall:
        state, client = request.app.state, client_of(request)
        refusals = "refused:" + client
        verdict = state.refusal_limiter.check(refusals)
        if not verdict.allowed:
            raise _too_many(verdict.retry_after)
        await _spend_rate(request, purpose, client)
        call = await run_in_threadpool(
            _in_transaction,
            state,
            admit_call,
            request.headers.get("authorization"),
            scopes,
            purpose=purpose,
            client=client,
            path=request.url.path,
            now=now_of(request),
        )
        if not call.admitted:
            state.refusal_limiter.take(refusals)
            raise _refusal(call, scopes)
        return call

    return dependency


async def refuse(
    request: Request, call: AdmittedCall, purpose: CallPurpose, problem: ApiProblem
) -> ApiProblem:
    """``problem`` for an admitted call, written to the trail under the token's name first."""
    await run_in_threadpool(
        _in_transaction,
        request.app.state,
        record_refused_call,
        call.name,
        problem.detail,
        purpose,
        client_of(request),
        request.url.path,
        status=problem.status,
    )
    return problem
