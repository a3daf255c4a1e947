"""The app factory: one FastAPI application over the same services the CLI uses.

Middleware, outermost first: security headers on every response, then the signed session
with the CSRF check. Routes live in ``tracker.web.routes``, one module per area; the API for
systems is an application of its own mounted at ``/api/v1`` (``tracker.web.api``).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from tracker import __version__
from tracker.access.permissions import PermissionDenied
from tracker.alerts.dispatch import SWEEP_SECONDS, AlertDispatcher
from tracker.audit_checkpointing import WEB_POLL_SECONDS, PeriodicCheckpoints
from tracker.db import make_engine, make_session_factory
from tracker.review.evidence import FlagNotFound
from tracker.settings import Settings, read_settings
from tracker.web.api import PREFIX as API_PREFIX
from tracker.web.api import create_api
from tracker.web.cache import TimedCache
from tracker.web.headers import SecurityHeadersMiddleware
from tracker.web.pages import NotSignedIn, is_htmx, sign_in_url
from tracker.web.session import SessionMiddleware
from tracker.web.settings import WebAppSettings
from tracker.web.templating import make_templates
from tracker.web.warmup import ScreeningWarmUp

STATIC_DIR = Path(__file__).resolve().parent / "static"


def _settings(config: WebAppSettings | Settings | str | None, overrides: dict) -> WebAppSettings:
    """The app's settings; the environment is read here only when none were given."""
    if isinstance(config, WebAppSettings):
        for name, value in overrides.items():
            setattr(config, name, value)
        config.__post_init__()
        return config
    if not isinstance(config, Settings):
        config = read_settings(database={"url": config} if config else None)
    return WebAppSettings.from_settings(config, **overrides)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """While the server runs, the audit trail is checkpointed between nights, and level-one
    alerts are delivered (and overdue ones escalated) by a worker thread; at start,
    screening's memory is built in another, so start-up is not held by it."""
    installation = app.state.settings.installation
    warm_up = ScreeningWarmUp(app.state.sessions, installation)
    app.state.screening_warm_up = warm_up
    warm_up.start()
    checkpoints = PeriodicCheckpoints(
        app.state.sessions,
        installation.keys_dir,
        installation.data_dir,
        app.state.clock,
        poll=app.state.checkpoint_poll,
    )
    checkpoints.start()
    alerts = AlertDispatcher(
        app.state.sessions, installation, sweep_seconds=app.state.alert_sweep_seconds
    )
    alerts.start()
    app.state.alerts = alerts
    try:
        yield
    finally:
        alerts.stop()
        checkpoints.stop()
        warm_up.stop()


def create_app(
    config: WebAppSettings | Settings | str | None = None,
    *,
    clock: Callable[[], float] = time.time,
    checkpoint_poll: float = WEB_POLL_SECONDS,
    alert_sweep_seconds: float = SWEEP_SECONDS,
    **overrides,
) -> FastAPI:
    """The application for ``config``: web settings, the tracker's settings, or a database URL.

    ``overrides`` set any ``WebAppSettings`` field (``secret_key``, ``idle_minutes``...);
    ``clock`` exists for tests of the idle timeout; ``checkpoint_poll``: seconds between
    looks at whether the audit trail is due a checkpoint; ``alert_sweep_seconds``: between
    escalation sweeps.
    """
    settings = _settings(config, overrides)
    app = FastAPI(
        title="tracker",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=_lifespan,
    )
    app.state.checkpoint_poll = checkpoint_poll
    app.state.alert_sweep_seconds = alert_sweep_seconds
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.state.sessions = make_session_factory(app.state.engine)
    app.state.templates = make_templates()
    app.state.clock = clock
    app.state.charts = TimedCache(ttl=300)
    app.state.choices = TimedCache(ttl=60)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.state.api = create_api(settings, app.state.sessions, clock)
    app.mount(API_PREFIX, app.state.api, name="api")
    _include_routes(app)
    _add_error_pages(app)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        idle_minutes=settings.idle_minutes,
        session_hours=settings.session_hours,
        clock=clock,
    )
    app.add_middleware(SecurityHeadersMiddleware)
    return app


def _include_routes(app: FastAPI) -> None:
    from tracker.web.routes import (
        admin,
        auth,
        duty,
        health,
        offenders,
        packages,
        public,
        queue_bulk,
        queue_export,
        reports,
        review,
        supervisors,
    )

    for module in (
        health,
        auth,
        queue_bulk,
        queue_export,
        review,
        duty,
        offenders,
        supervisors,
        packages,
        reports,
        admin,
        public,
    ):
        app.include_router(module.router)


def _error_page(request: Request, status: int, title: str, message: str) -> Response:
    return request.app.state.templates.TemplateResponse(
        request,
        "error.html",
        {"title": title, "message": message, "status": status},
        status_code=status,
    )


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        target = sign_in_url(request, exc.reason)
        if is_htmx(request):
            return HTMLResponse("", status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(PermissionDenied)
    async def refused(request: Request, exc: PermissionDenied) -> Response:
        return _error_page(request, 403, "Not allowed", str(exc))

    @app.exception_handler(FlagNotFound)
    async def no_flag(request: Request, exc: FlagNotFound) -> Response:
        return _error_page(request, 404, "No such flag", str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        if any(e["loc"][:1] == ("path",) for e in errors):
            # An id that is not a number or is out of range (tracker.web.ids): no such page.
            return _error_page(request, 404, "Not found", "there is no such page")
        fields = ", ".join(".".join(str(p) for p in e["loc"][1:]) for e in errors)
        return _error_page(request, 400, "Bad request", f"the request has a bad value: {fields}")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        titles = {404: "Not found", 405: "Not allowed here"}
        return _error_page(
            request, exc.status_code, titles.get(exc.status_code, "Error"), str(exc.detail)
        )
