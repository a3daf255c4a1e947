"""What every call of the API passes first: no cookies, and no unexpected error as a page.

The API authenticates by bearer token only. A request carrying a ``Cookie`` header is refused
before anything reads it, so a browser holding an analyst's session can never be made to push
or read through the API (no CSRF surface), and no route here sets a cookie. An error no
handler expected is logged and answered as a problem, without the traceback.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracker.web.api.problems import LOG, problem_response


class ApiGuardMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "cookie" in Headers(scope=scope):
            refused = problem_response(
                400, "cookie-refused", "the API takes no cookies: send only the bearer token"
            )
            await refused(scope, receive, send)
            return
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except Exception:
            if started:
                raise
            LOG.exception("unexpected error answering %s %s", scope.get("method"), scope["path"])
            failed = problem_response(
                500, "server-error", "the server failed to answer; it has been logged"
            )
            await failed(scope, receive, send)
