"""The one way a route gets the acting person: the signed-in user, checked against the same
permission table the CLI uses (``require_actor``), inside one database transaction.

A route says which action it performs; ``page`` refuses with ``NotSignedIn`` (the app answers
with the sign-in page) or ``PermissionDenied`` (the app answers 403) before the route's own
code runs, and commits what the route wrote when it returns.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tracker.access.people import Actor, require_actor
from tracker.access.permissions import allowed
from tracker.db import transaction
from tracker.models import User
from tracker.web.clients import client_address
from tracker.web.redirects import safe_local_path
from tracker.web.session import WebSession

# The pages in the navigation bar, each shown only to roles that may open it.
NAVIGATION = (
    ("Review queue", "/queue", "review.queue"),
    ("Escalations", "/escalations", "review.escalations"),
    ("Most wanted", "/approvals", "feed.preview"),
    ("Packages", "/packages", "package.build"),
    ("Latest run", "/reports/latest", "report.read"),
    ("Users", "/admin/users", "users.list"),
    ("Audit log", "/admin/audit", "audit.read"),
)


class NotSignedIn(Exception):
    """No valid session: the request is sent to the sign-in page."""

    def __init__(self, reason: str | None = None):
        super().__init__(reason or "not signed in")
        self.reason = reason


def web_session(request: Request) -> WebSession:
    return request.scope["web_session"]


def now_seconds(request: Request) -> float:
    return request.scope["web_clock"]()


def client_of(request: Request) -> str:
    """The address the request came from (a proxy's header only from a trusted proxy)."""
    return client_address(request.scope, request.app.state.settings.trusted_proxies)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a path on this site (``tracker.web.redirects``); the sign-in form's name for it."""
    return safe_local_path(target, default)


def sign_in_url(request: Request, reason: str | None = None) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = f"/sign-in?next={quote(target, safe='')}"
    return url + (f"&ended={quote(reason)}" if reason else "")


@dataclass
class Page:
    """What a route works with: the request, a session in a transaction and the actor."""

    request: Request
    db: Session
    actor: Actor
    session: WebSession

    def can(self, action: str) -> bool:
        return self.actor.role is not None and allowed(self.actor.role, action)

    def render(self, template: str, status_code: int = 200, **context: object) -> HTMLResponse:
        templates = self.request.app.state.templates
        return templates.TemplateResponse(
            self.request,
            template,
            {
                "actor": self.actor,
                "can": self.can,
                "nav": self.navigation(),
                "flashes": self.session.pop_flash(),
                **context,
            },
            status_code=status_code,
        )

    def navigation(self) -> list[tuple[str, str, bool]]:
        path = self.request.url.path
        return [
            (label, url, path.startswith(url))
            for label, url, action in NAVIGATION
            if self.can(action)
        ]

    def redirect(self, url: str, flash: tuple[str, str] | None = None) -> Response:
        if flash:
            self.session.add_flash(*flash)
        return RedirectResponse(url, status_code=303)


def signed_in_actor(db: Session, session: WebSession) -> Actor:
    """The session's user, if they still exist, are active and the session's version is still
    theirs (sign-out, a password or role change and deactivation move it on)."""
    if not session.signed_in:
        raise NotSignedIn(session.ended)
    user = db.get(User, session.user_id)
    if (
        user is None
        or user.name != session.name
        or not user.active
        or session.version is None
        or user.session_version != session.version
    ):
        session.clear("changed")
        raise NotSignedIn("changed")
    return Actor(user.name, user.role, user.id)


@contextmanager
def page(request: Request, action: str) -> Iterator[Page]:
    """Open a transaction, find the signed-in person and check ``action`` for them."""
    session = web_session(request)
    if not session.signed_in:
        raise NotSignedIn(session.ended)
    with transaction(request.app.state.sessions) as db:
        person = signed_in_actor(db, session)
        actor = require_actor(db, person.name, action)
        yield Page(request, db, actor, session)


@contextmanager
def signed_in(request: Request) -> Iterator[Page]:
    """Any signed-in person, whatever their role (the home page, sign-out)."""
    session = web_session(request)
    with transaction(request.app.state.sessions) as db:
        actor = signed_in_actor(db, session)
        yield Page(request, db, actor, session)
