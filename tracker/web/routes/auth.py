"""Signing in and out, and the start page that sends each role to its first page."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from tracker.db import transaction
from tracker.models import User
from tracker.review.passwords import check_sign_in, password_fingerprint, record_sign_out
from tracker.web.pages import (
    NAVIGATION,
    NotSignedIn,
    now_seconds,
    safe_next,
    signed_in,
    web_session,
)

router = APIRouter()

REFUSED = ("Sign-in refused: the name or password is wrong, or the account is locked after "
           "repeated failures. Try again later, or ask an admin.")  # fmt: skip
ENDED = {
    "idle": "You were signed out after a period without activity. Please sign in again.",
    "expired": "Your session reached its time limit. Please sign in again.",
    "changed": "Your account changed (new password or role, or deactivated). Please sign in.",
    "invalid": "Your session could not be read. Please sign in.",
}


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _form(request: Request, status: int = 200, **context) -> Response:
    settings = request.app.state.settings
    values = {"next": "/", "name": "", "error": None, "notice": None,
              "max_failures": settings.lockout.max_failures,
              "lock_minutes": settings.lockout.lock_minutes,
              "idle_minutes": settings.idle_minutes,
              "flashes": web_session(request).pop_flash(), **context}  # fmt: skip
    return request.app.state.templates.TemplateResponse(request, "sign_in.html", values,
                                                        status_code=status)  # fmt: skip


@router.get("/sign-in")
def sign_in_form(request: Request, next: str = "/", ended: str | None = None) -> Response:
    session = web_session(request)
    if session.signed_in:
        return RedirectResponse(safe_next(next), status_code=303)
    return _form(request, next=safe_next(next), notice=ENDED.get(ended or session.ended or ""))


@router.post("/sign-in")
def sign_in(request: Request, name: str = Form(""), password: str = Form(""),
            next: str = Form("/")) -> Response:  # fmt: skip
    settings, throttle = request.app.state.settings, request.app.state.throttle
    client, now = _client(request), now_seconds(request)
    if throttle.blocked(client, now):
        return _form(request, 429, next=safe_next(next), name=name, error=REFUSED)
    with transaction(request.app.state.sessions) as db:
        result = check_sign_in(db, name, password, now=datetime.fromtimestamp(now, UTC),
                               policy=settings.lockout, client=client)  # fmt: skip
        if result.ok:
            user = db.get(User, result.actor.user_id)
            fingerprint = password_fingerprint(user.password_hash)
    if not result.ok:
        throttle.failed(client, now)
        return _form(request, 401, next=safe_next(next), name=name, error=REFUSED)
    throttle.succeeded(client)
    web_session(request).sign_in(result.actor.user_id, result.actor.name, fingerprint, now)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/sign-out")
def sign_out(request: Request) -> Response:
    session = web_session(request)
    try:
        with signed_in(request) as page:
            record_sign_out(page.db, page.actor)
    except NotSignedIn:
        pass
    session.clear()
    session.add_flash("info", "You have signed out.")
    return RedirectResponse("/sign-in", status_code=303)


@router.get("/")
def home(request: Request) -> Response:
    with signed_in(request) as page:
        for _, url, action in NAVIGATION:
            if page.can(action):
                return RedirectResponse(url, status_code=303)
        return page.render("home.html")
