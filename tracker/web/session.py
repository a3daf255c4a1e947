"""Signed session cookies with an idle timeout, and the CSRF check on every form.

The cookie holds only who is signed in, when, the person's session version and the CSRF
token, signed with the installation's secret (itsdangerous); it is HttpOnly,
SameSite=Strict, and Secure whenever the request came over TLS. Each answered request
re-signs it with a new "last seen" time, so a session ends after ``idle_minutes`` without a
request, and in any case ``session_hours`` after sign-in. The version is checked against the
person's row on every request (``tracker.web.pages``): sign-out, a password or role change and
deactivation move it on, so every copy of an earlier cookie stops working at once.

Every POST (and any other unsafe method) must carry the session's CSRF token, as the form
field ``csrf_token`` or the ``X-CSRF-Token`` header. The check is made here, before any route
runs, so no route can forget it; the sign-in form has a token too (from an anonymous session).
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from urllib.parse import parse_qs

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE_NAME = "tracker_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_FORM_BYTES = 64 * 1024
# Paths that never need a session: static files, the operators' health check, the public feed,
# and the API for systems (bearer tokens, no cookie read or set: ``tracker.web.api``).
SESSIONLESS_PREFIXES = ("/static/", "/public/", "/healthz", "/favicon.ico", "/api/")

REFUSED_FORM = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Form refused</title><link rel="stylesheet" href="/static/app.css"></head>
<body><main class="narrow"><h1>The form was refused</h1>
<p>It was out of date, or it did not come from this application's own pages
(its security token was {problem}). Nothing was changed.</p>
<p><a href="/">Go back to the application</a>, reload the page and try again.</p>
</main></body></html>"""


@dataclass
class WebSession:
    """One browser's session; ``ended`` says why an earlier one was closed (not stored)."""

    csrf: str = ""
    user_id: int | None = None
    name: str | None = None
    version: int | None = None
    since: float | None = None
    seen: float = 0.0
    flash: list[list[str]] = field(default_factory=list)
    ended: str | None = None
    dirty: bool = False
    cleared: bool = False

    STORED = ("csrf", "user_id", "name", "version", "since", "seen", "flash")

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None and self.name is not None

    def csrf_token(self) -> str:
        if not self.csrf:
            self.csrf = secrets.token_urlsafe(32)
            self.dirty = True
        return self.csrf

    def sign_in(self, user_id: int, name: str, version: int, now: float) -> None:
        """A new token at sign-in, so a token planted before it is worthless (fixation)."""
        self.user_id, self.name, self.version = user_id, name, version
        self.since = self.seen = now
        self.csrf = secrets.token_urlsafe(32)
        self.ended = None
        self.dirty = True

    def clear(self, reason: str | None = None) -> None:
        self.csrf, self.user_id, self.name, self.version = "", None, None, None
        self.since = None
        self.flash = []
        self.ended = reason
        self.cleared = True

    def add_flash(self, kind: str, text: str) -> None:
        self.flash.append([kind, text])
        self.dirty = True

    def pop_flash(self) -> list[list[str]]:
        messages, self.flash = self.flash, []
        if messages:
            self.dirty = True
        return messages

    def dump(self) -> dict:
        data = asdict(self)
        return {k: data[k] for k in self.STORED}


def load_session(
    serializer: URLSafeSerializer,
    cookie: str | None,
    now: float,
    idle_seconds: float,
    max_seconds: float,
) -> WebSession:
    """The session in ``cookie``; a fresh anonymous one if it is missing, forged or expired."""
    if not cookie:
        return WebSession()
    try:
        data = serializer.loads(cookie)
    except (BadSignature, ValueError, json.JSONDecodeError):
        return WebSession(ended="invalid")
    if not isinstance(data, dict):
        return WebSession(ended="invalid")
    session = WebSession(**{k: data[k] for k in WebSession.STORED if k in data})
    if session.signed_in:
        if now - float(session.seen or 0) > idle_seconds:
            return WebSession(ended="idle")
        if now - float(session.since or 0) > max_seconds:
            return WebSession(ended="expired")
    return session


class SessionMiddleware:
    """Loads the session into ``scope["web_session"]``, checks CSRF, writes the cookie back."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        secret_key: str,
        idle_minutes: int,
        session_hours: int,
        clock: Callable[[], float] = time.time,
    ):
        self.app = app
        self.serializer = URLSafeSerializer(secret_key, salt="tracker.web.session")
        self.idle_seconds = idle_minutes * 60
        self.max_seconds = session_hours * 3600
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(SESSIONLESS_PREFIXES):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        now = self.clock()
        session = load_session(
            self.serializer, _cookie(headers), now, self.idle_seconds, self.max_seconds
        )
        if session.signed_in:
            session.seen = now
        scope["web_session"] = session
        scope["web_clock"] = self.clock
        if scope["method"] not in SAFE_METHODS:
            body = await _read_body(receive)
            if body is None:
                await HTMLResponse("Form too large", status_code=413)(scope, receive, send)
                return
            problem = _csrf_problem(session, headers, body)
            if problem:
                await HTMLResponse(REFUSED_FORM.format(problem=problem), status_code=403)(
                    scope, receive, send
                )
                return
            receive = _replay(body)
        secure = scope.get("scheme") == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = self._cookie_header(session, secure)
                if cookie:
                    MutableHeaders(scope=message).append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _cookie_header(self, session: WebSession, secure: bool) -> str | None:
        attributes = "Path=/; HttpOnly; SameSite=Strict" + ("; Secure" if secure else "")
        if session.cleared and not session.dirty:
            return f"{COOKIE_NAME}=; Max-Age=0; {attributes}"
        if not (session.signed_in or session.dirty):
            return None
        return f"{COOKIE_NAME}={self.serializer.dumps(session.dump())}; {attributes}"


def _cookie(headers: Headers) -> str | None:
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE_NAME:
            return value
    return None


async def _read_body(receive: Receive) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _csrf_problem(session: WebSession, headers: Headers, body: bytes) -> str | None:
    """None when the request carries the session's token; otherwise what was wrong."""
    if not session.csrf:
        return "missing from the session (it had expired)"
    sent = headers.get(CSRF_HEADER)
    if sent is None:
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return "missing (the form was not sent as an ordinary form)"
        values = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).get(CSRF_FIELD)
        sent = values[0] if values else None
    if not sent:
        return "missing"
    if not hmac.compare_digest(sent.encode(), session.csrf.encode()):
        return "wrong"
    return None
