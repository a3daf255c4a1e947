"""For admins (and supervisors, as the table allows): people and roles, passwords, and the
audit trail with its filters and the chain's verification."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from tracker.access.passwords import PasswordError, set_password
from tracker.access.people import (
    ADDRESS_WIDE,
    UserError,
    activate_user,
    add_user,
    deactivate_user,
    list_users,
    set_role,
)
from tracker.access.sign_in_throttle import clear_throttle, current_throttles
from tracker.audit import query_audit_log, record_event, verify_chain
from tracker.audit_anchor import verify_anchor
from tracker.audit_view import shown_entries
from tracker.models.enums import AUDIT_ACTIONS, ROLES
from tracker.web.pages import Page, now_seconds, page

router = APIRouter()
AUDIT_LIMITS = (50, 200, 1000)


def _users_page(request: Request, status_code: int = 200, **context) -> Response:
    with page(request, "users.list") as p:
        now = datetime.fromtimestamp(now_seconds(request), UTC)
        policy = request.app.state.settings.throttle
        throttles = current_throttles(p.db, now, policy) if p.can("users.clear_throttle") else []
        return p.render(
            "users.html",
            status_code=status_code,
            users=list_users(p.db),
            roles=ROLES,
            error=context.get("error"),
            now=now,
            throttles=throttles,
            address_wide=ADDRESS_WIDE,
            address_limit=policy.address_failures,
            window_minutes=policy.max_delay_minutes,
            form=context.get("form", {}),
        )


@router.get("/admin/users")
def users(request: Request) -> Response:
    return _users_page(request)


@router.post("/admin/users")
def add(request: Request, name: str = Form(""), role: str = Form("")) -> Response:
    try:
        with page(request, "users.add") as p:
            add_user(p.db, p.actor.name, name, role)
            return p.redirect("/admin/users", ("success", f"Added {name.strip()} as {role}."))
    except UserError as exc:
        problem = str(exc)
    return _users_page(request, 422, error=problem, form={"name": name, "role": role})


@router.post("/admin/users/password")
def password(
    request: Request, name: str = Form(""), password: str = Form(""), repeat: str = Form("")
) -> Response:
    try:
        with page(request, "users.set_password") as p:
            if password != repeat:
                raise PasswordError("the two passwords typed differ")
            set_password(p.db, p.actor.name, name, password)
            return p.redirect("/admin/users", ("success", f"Password set for {name}."))
    except PasswordError as exc:
        problem = str(exc)
    return _users_page(request, 422, error=problem, form={"password_for": name})


def _access_change(request: Request, action: str, change, done: str) -> Response:
    """Run one access change for an admin; back to the Users page with what happened."""
    try:
        with page(request, action) as p:
            change(p)
            return p.redirect("/admin/users", ("success", done))
    except UserError as exc:
        problem = str(exc)
    return _users_page(request, 422, error=problem)


@router.post("/admin/users/deactivate")
def deactivate(request: Request, name: str = Form("", max_length=100)) -> Response:
    def change(p: Page) -> None:
        deactivate_user(p.db, p.actor.name, name)

    return _access_change(
        request, "users.deactivate", change, f"Deactivated {name}: their sessions have ended."
    )


@router.post("/admin/users/activate")
def activate(request: Request, name: str = Form("", max_length=100)) -> Response:
    def change(p: Page) -> None:
        activate_user(p.db, p.actor.name, name)

    return _access_change(request, "users.activate", change, f"Activated {name}.")


@router.post("/admin/users/role")
def role(
    request: Request, name: str = Form("", max_length=100), role: str = Form("", max_length=20)
) -> Response:
    def change(p: Page) -> None:
        set_role(p.db, p.actor.name, name, role)

    return _access_change(
        request, "users.set_role", change, f"{name} is now {role}: their sessions have ended."
    )


@router.post("/admin/users/throttle/clear")
def unthrottle(
    request: Request, account: str = Form("", max_length=100), client: str = Form("", max_length=64)
) -> Response:
    def change(p: Page) -> None:
        clear_throttle(p.db, p.actor.name, account, client)

    whom = "every name" if account == ADDRESS_WIDE else account
    return _access_change(
        request,
        "users.clear_throttle",
        change,
        f"Sign-in throttle cleared for {whom} from {client}.",
    )


class BadFilter(ValueError):
    """A date typed in the filter form that is not one, or lies outside the calendar once
    read in UTC (``0001-01-01T00:00:00+14:00``)."""


def _instant(label: str, text: str | None) -> datetime | None:
    """A date or date-time typed in the filter form, in UTC (read as UTC without offset)."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text[:40])
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise BadFilter(
            f"“{label}” must be a date (2026-11-20) or a date and time with its "
            "offset, between the years 1 and 9999 in UTC"
        ) from None


def _audit_filters(q) -> dict:
    return {
        "actor": (q.get("actor") or "").strip()[:100] or None,
        "action": q.get("action") if q.get("action") in AUDIT_ACTIONS else None,
        "object_type": (q.get("object_type") or "").strip()[:50] or None,
        "object_id": (q.get("object_id") or "").strip()[:100] or None,
        "since": _instant("Since", q.get("since")),
        "until": _instant("Until", q.get("until")),
    }


@router.get("/admin/audit")
def audit(request: Request) -> Response:
    q = request.query_params
    limit = int(q.get("limit")) if q.get("limit") in {str(n) for n in AUDIT_LIMITS} else 200
    with page(request, "audit.read") as p:
        try:
            filters = _audit_filters(q)
        except BadFilter as exc:  # nothing read, so nothing to log
            return p.render(
                "audit.html",
                status_code=400,
                entries=[],
                problem=str(exc),
                actions=AUDIT_ACTIONS,
                limits=AUDIT_LIMITS,
                limit=limit,
                q=q,
            )
        # Restricted values (address, postcode, date of birth, documents) never shown here.
        entries = shown_entries(p.db, query_audit_log(p.db, limit=limit, **filters))
        record_event(
            p.db,
            actor=p.actor.name,
            action="consultation",
            object_type="audit_log",
            justification="audit log read in the web application",
            details={"entries": len(entries)},
        )
        return p.render(
            "audit.html",
            entries=entries,
            problem=None,
            actions=AUDIT_ACTIONS,
            limits=AUDIT_LIMITS,
            limit=limit,
            q=q,
        )


@router.get("/admin/audit/verify")
def verify(request: Request) -> Response:
    """The chain recomputed and checked against the checkpoints kept outside the database; a
    fragment for the audit page (or a page of its own)."""
    installation = request.app.state.settings.installation
    with page(request, "audit.verify") as p:
        report = verify_chain(p.db)
        anchor = verify_anchor(p.db, installation.keys_dir, installation.data_dir)
        return p.render(
            "audit_verify.html",
            report=report,
            anchor=anchor,
            fragment=request.headers.get("hx-request") == "true",
        )
