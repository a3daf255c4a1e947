"""Security headers on every response, so no route can forget them, errors included.

An exception no handler caught would otherwise reach Starlette's outermost error middleware,
whose bare 500 carries none of these headers; it is answered here instead, with a page that
names no server path and shows no traceback (the traceback goes to the server's log).

The policy allows scripts, styles and images from this server only (no inline script, no
inline style, no outside address) and no framing. A response that sets its own policy keeps
it: the chart images and the printable daily report are self-contained documents with no
script, whose matplotlib drawing needs inline styles (see ``routes/reports.py``).
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOG = logging.getLogger("tracker.web")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
STATIC_PREFIX = "/static/"

HEADERS = {
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}

SERVER_ERROR_PAGE = (
    b'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
    b"<title>Server error \xc2\xb7 Tracker</title>"
    b'<link rel="stylesheet" href="/static/app.css"></head>\n<body><main id="main">'
    b'<h1>Server error</h1><p class="error">Something went wrong on the server. It has been '
    b"logged; try again, and if it happens again tell the administrator when.</p>"
    b'<p><a href="/">Back to the start page</a></p></main></body></html>\n'
)


class SecurityHeadersMiddleware:
    """Adds the policy and the other headers; pages are never cached (they hold personal data,
    and a shared intranet computer's back button must not show them after sign-out)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        static = scope.get("path", "").startswith(STATIC_PREFIX)
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                present = {name.decode("latin-1").lower() for name, _ in headers}
                extra = dict(HEADERS)
                extra["content-security-policy"] = CONTENT_SECURITY_POLICY
                if not static:
                    extra["cache-control"] = "no-store"
                if https:
                    extra["strict-transport-security"] = "max-age=31536000"
                for name, value in extra.items():
                    if name not in present:
                        headers.append((name.encode("latin-1"), value.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if started:  # part of the answer is on its way: nothing better can be sent
                raise
            LOG.exception(
                "unexpected error answering %s %s", scope.get("method"), scope.get("path")
            )
            await _server_error(send_with_headers)


async def _server_error(send: Send) -> None:
    """The 500 page, through ``send`` so it carries the security headers."""
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(SERVER_ERROR_PAGE)).encode("latin-1")),
            ],
        }
    )
    await send({"type": "http.response.body", "body": SERVER_ERROR_PAGE})
