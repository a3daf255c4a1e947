"""Signing in and out, changing one's own password, and the start page that sends each role
to its first page."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from tracker.access.passwords import MIN_PASSWORD_LENGTH, PasswordError
from tracker.db import transaction
from tracker.services.account import change_own_password, sign_in, sign_out
from tracker.web.pages import (
    NotSignedIn,
    client_of,
    now_seconds,
    safe_next,
    signed_in,
    web_session,
)

router = APIRouter()

REFUSED = (
    "Sign-in refused: the name or password is wrong, or there were too many attempts "
    "from here. Try again later, or ask an admin."
)
ENDED = {
    "idle": "You were signed out after a period without activity. Please sign in again.",
    "expired": "Your session reached its time limit. Please sign in again.",
    "changed": "Your account changed (new password or role, or deactivated). Please sign in.",
    "invalid": "Your session could not be read. Please sign in.",
}


def _form(request: Request, status: int = 200, **context: object) -> Response:
    settings = request.app.state.settings
    values = {
        "next": "/",
        "name": "",
        "error": None,
        "notice": None,
        "max_failures": settings.throttle.free_failures,
        "max_delay_minutes": settings.throttle.max_delay_minutes,
        "idle_minutes": settings.idle_minutes,
        "flashes": web_session(request).pop_flash(),
        **context,
    }
    return request.app.state.templates.TemplateResponse(
        request, "sign_in.html", values, status_code=status
    )


@router.get("/sign-in")
def sign_in_form(request: Request, next: str = "/", ended: str | None = None) -> Response:
    session = web_session(request)
    if session.signed_in:
        return RedirectResponse(safe_next(next), status_code=303)
    return _form(request, next=safe_next(next), notice=ENDED.get(ended or session.ended or ""))


@router.post("/sign-in")
def sign_in_submit(
    request: Request, name: str = Form(""), password: str = Form(""), next: str = Form("/")
) -> Response:
    """Both brakes, per (name, address) and per address, are in the database and count the
    attempt before the password is checked (``tracker.access.sign_in_throttle``)."""
    settings = request.app.state.settings
    client, now = client_of(request), now_seconds(request)
    name = name[:200]  # longer than any name; the throttle and the trail keep 100
    with transaction(request.app.state.sessions) as db:
        result = sign_in(
            db,
            name,
            password,
            now=datetime.fromtimestamp(now, UTC),
            policy=settings.throttle,
            client=client,
        )
    actor, version = result.actor, result.session_version
    if actor is None or actor.user_id is None or version is None:
        status = 429 if result.throttled else 401
        return _form(request, status, next=safe_next(next), name=name, error=REFUSED)
    web_session(request).sign_in(actor.user_id, actor.name, version, now)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/sign-out")
def sign_out_submit(request: Request) -> Response:
    """Ends every session of the person, so a copy of this cookie taken earlier is worthless."""
    session = web_session(request)
    try:
        with signed_in(request) as page:
            sign_out(page.db, page.actor.name)
    except NotSignedIn:
        pass
    session.clear()
    session.add_flash("info", "You have signed out.")
    return RedirectResponse("/sign-in", status_code=303)


def _password_page(request: Request, status: int = 200, error: str | None = None) -> Response:
    with signed_in(request) as page:
        return page.render(
            "password.html", status_code=status, error=error, min_length=MIN_PASSWORD_LENGTH
        )


@router.get("/account/password")
def password_form(request: Request) -> Response:
    return _password_page(request)


@router.post("/account/password")
def change_password(
    request: Request, current: str = Form(""), password: str = Form(""), repeat: str = Form("")
) -> Response:
    """Every other session of the person ends; this one stays signed in under the new version."""
    now = now_seconds(request)
    problem = None
    with signed_in(request) as page:
        try:
            if password != repeat:
                raise PasswordError("the two new passwords typed differ")
            user = change_own_password(
                page.db,
                page.actor.name,
                current,
                password,
                client=client_of(request),
                now=datetime.fromtimestamp(now, UTC),
                policy=request.app.state.settings.throttle,
            )
        except PasswordError as exc:  # the transaction still commits a failure counted
            problem = str(exc)
        else:
            page.session.sign_in(user.id, user.name, user.session_version, now)
            return page.redirect(
                "/account/password",
                ("success", "Password changed. Your other sessions have ended."),
            )
    return _password_page(request, 422, problem)


@router.get("/")
def home(request: Request) -> Response:
    with signed_in(request) as page:
        pages = page.navigation()  # the pages the person's role may open, in order
        if pages:
            return RedirectResponse(pages[0][1], status_code=303)
        return page.render("home.html")
