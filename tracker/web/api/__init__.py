"""The API for border systems, mounted at ``/api/v1`` in the web application.

A FastAPI application of its own: its own OpenAPI document (``/api/v1/openapi.json``), errors
as problem details (``problems``), bearer tokens instead of sessions (``auth``), no cookies
(``guard``), a body limit (``pushed``) and a rate per token (``limits``). Like the pages, it
only adapts HTTP to the use cases in ``tracker.services``, which check and audit.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from tracker import __version__
from tracker.web.api.auth import REFUSED_PER_MINUTE
from tracker.web.api.guard import ApiGuardMiddleware
from tracker.web.api.limits import RateLimiter
from tracker.web.api.problems import add_problem_handlers
from tracker.web.settings import WebAppSettings

PREFIX = "/api/v1"
DESCRIPTION = """\
Border systems push passenger manifests (PAXLST or PNRGOV interchanges, or travel records of
the data contract as CSV or JSON Lines) and read what screening found.

Authentication: a bearer token made by an admin (`tracker tokens create NAME --scope
manifests:write --source PATTERN`). A token writes only the travel sources it was made for:
a row of another source is rejected alone. Cookies are refused. Every call, admitted or
refused, is written to the audit trail under the token's name. Each token has a rate (600
calls a minute by default; 429 with `Retry-After` beyond it) and each manifest a size limit
(5 MiB by default; 413 beyond it).

Errors are problem details (RFC 9457, `application/problem+json`) whose `type` is a URN such
as `urn:tracker:problem:rate-limited`.
"""


def create_api(
    settings: WebAppSettings, sessions: sessionmaker[Session], clock: Callable[[], float]
) -> FastAPI:
    """The API over ``sessions``; ``clock`` (seconds) dates token checks and uses."""
    api = FastAPI(
        title="tracker API for border systems",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    api.state.sessions = sessions
    api.state.installation = settings.installation  # what screening reads (thresholds...)
    api.state.clock = clock
    api.state.trusted_proxies = settings.trusted_proxies
    api.state.api_settings = settings.api
    api.state.rate_limiter = RateLimiter(settings.api.rate_per_minute)
    api.state.refusal_limiter = RateLimiter(REFUSED_PER_MINUTE)
    add_problem_handlers(api)
    _include_routes(api)
    api.add_middleware(ApiGuardMiddleware)
    return api


def _include_routes(api: FastAPI) -> None:
    from tracker.web.api import routes

    api.include_router(routes.router)
