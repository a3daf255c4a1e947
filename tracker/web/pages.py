"""The one way a route gets the acting person: the signed-in user, inside one database
transaction. ``signed_in`` refuses with ``NotSignedIn`` (the app answers with the sign-in page);
the use cases the route calls refuse with ``PermissionDenied`` (the app answers 403). What the
route wrote is committed when it returns.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from tracker.access.people import Actor
from tracker.db import transaction
from tracker.services.account import current_person
from tracker.web.clients import client_address
from tracker.web.redirects import safe_local_path
from tracker.web.session import WebSession

# The pages in the navigation bar, each shown only to roles that may open it.
NAVIGATION = (
    ("Review queue", "/queue", "review.queue"),
    ("Escalations", "/escalations", "review.escalations"),
    ("Duty", "/duty", "alerts.list"),
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
        """Whether to offer a control or a link; the use case behind it decides."""
        return action in self.actor.actions

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
    """The session's person (``tracker.services.account.current_person``), else not signed in."""
    if not session.signed_in:
        raise NotSignedIn(session.ended)
    person = current_person(db, session.user_id, session.name, session.version)
    if person is None:
        session.clear("changed")
        raise NotSignedIn("changed")
    return person


@contextmanager
def signed_in(request: Request) -> Iterator[Page]:
    """Any signed-in person, whatever their role (the home page, sign-out)."""
    session = web_session(request)
    with transaction(request.app.state.sessions) as db:
        actor = signed_in_actor(db, session)
        yield Page(request, db, actor, session)
