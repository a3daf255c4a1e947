"""For admins (and supervisors, as the table allows): people and roles, passwords, and the
audit trail with its filters and the chain's verification."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from tracker.access.people import ADDRESS_WIDE, UserError
from tracker.models.enums import AUDIT_ACTIONS, ROLES
from tracker.services import people
from tracker.services.audit_trail import BadFilter, read_audit_log, verify_audit_trail
from tracker.web.pages import Page, now_seconds, signed_in

router = APIRouter()
AUDIT_LIMITS = (50, 200, 1000)


def _users_page(request: Request, status_code: int = 200, **context: object) -> Response:
    with signed_in(request) as p:
        now = datetime.fromtimestamp(now_seconds(request), UTC)
        policy = request.app.state.settings.throttle
        listing = people.list_users(p.db, p.actor.name, now, policy)
        return p.render(
            "users.html",
            status_code=status_code,
            users=listing.people,
            roles=ROLES,
            error=context.get("error"),
            throttles=listing.throttles or [],
            address_wide=ADDRESS_WIDE,
            address_limit=policy.address_failures,
            window_minutes=policy.max_delay_minutes,
            form=context.get("form", {}),
        )


def _access_change(
    request: Request, change: Callable[[Page], object], done: str, form: dict | None = None
) -> Response:
    """Run one access change; back to the Users page with what happened, or the page again
    with the reason it was refused."""
    try:
        with signed_in(request) as p:
            change(p)
            return p.redirect("/admin/users", ("success", done))
    except UserError as exc:
        problem = str(exc)
    return _users_page(request, 422, error=problem, form=form or {})


@router.get("/admin/users")
def users(request: Request) -> Response:
    return _users_page(request)


@router.post("/admin/users")
def add(request: Request, name: str = Form(""), role: str = Form("")) -> Response:
    return _access_change(
        request,
        lambda p: people.add_user(p.db, p.actor.name, name, role),
        f"Added {name.strip()} as {role}.",
        {"name": name, "role": role},
    )


@router.post("/admin/users/password")
def password(
    request: Request, name: str = Form(""), password: str = Form(""), repeat: str = Form("")
) -> Response:
    return _access_change(
        request,
        lambda p: people.set_password(p.db, p.actor.name, name, password, repeat),
        f"Password set for {name}.",
        {"password_for": name},
    )


@router.post("/admin/users/deactivate")
def deactivate(request: Request, name: str = Form("", max_length=100)) -> Response:
    return _access_change(
        request,
        lambda p: people.deactivate_user(p.db, p.actor.name, name),
        f"Deactivated {name}: their sessions have ended.",
    )


@router.post("/admin/users/activate")
def activate(request: Request, name: str = Form("", max_length=100)) -> Response:
    return _access_change(
        request,
        lambda p: people.activate_user(p.db, p.actor.name, name),
        f"Activated {name}.",
    )


@router.post("/admin/users/role")
def role(
    request: Request, name: str = Form("", max_length=100), role: str = Form("", max_length=20)
) -> Response:
    return _access_change(
        request,
        lambda p: people.set_role(p.db, p.actor.name, name, role),
        f"{name} is now {role}: their sessions have ended.",
    )


@router.post("/admin/users/throttle/clear")
def unthrottle(
    request: Request, account: str = Form("", max_length=100), client: str = Form("", max_length=64)
) -> Response:
    whom = "every name" if account == ADDRESS_WIDE else account
    return _access_change(
        request,
        lambda p: people.clear_throttle(p.db, p.actor.name, account, client),
        f"Sign-in throttle cleared for {whom} from {client}.",
    )


def _unknown_audit_filters(action: str, limit: str) -> str | None:
    """The audit page's choices outside its lists, named (as the queue names its own)."""
    bad = []
    if action and action not in AUDIT_ACTIONS:
        bad.append(f"action={action[:50]}")
    if limit and limit not in {str(n) for n in AUDIT_LIMITS}:
        bad.append(f"limit={limit[:20]}")
    if not bad:
        return None
    return "Unknown filter value: " + ", ".join(bad) + ". Choose from the lists above."


@router.get("/admin/audit")
def audit(request: Request) -> Response:
    q = request.query_params
    chosen = q.get("limit") or ""
    limit = int(chosen) if chosen in {str(n) for n in AUDIT_LIMITS} else 200
    unknown = _unknown_audit_filters(q.get("action") or "", chosen)
    shown: dict[str, Any] = {
        "actions": AUDIT_ACTIONS,
        "limits": AUDIT_LIMITS,
        "limit": limit,
        "q": q,
    }
    with signed_in(request) as p:
        if unknown and p.can("audit.read"):  # refused before reading, nothing logged
            return p.render("audit.html", status_code=400, entries=[], problem=unknown, **shown)
        try:
            # Restricted values (address, postcode, date of birth, documents) never shown here.
            entries = read_audit_log(
                p.db,
                p.actor.name,
                actor=(q.get("actor") or "").strip()[:100] or None,
                action=q.get("action") or None,
                object_type=(q.get("object_type") or "").strip()[:50] or None,
                object_id=(q.get("object_id") or "").strip()[:100] or None,
                since=q.get("since"),
                until=q.get("until"),
                limit=limit,
                channel="web",
            )
        except BadFilter as exc:  # nothing read, so nothing logged
            return p.render("audit.html", status_code=400, entries=[], problem=str(exc), **shown)
        return p.render("audit.html", entries=entries, problem=None, **shown)


@router.get("/admin/audit/verify")
def verify(request: Request) -> Response:
    """The chain recomputed and checked against the checkpoints kept outside the database; a
    fragment for the audit page (or a page of its own)."""
    installation = request.app.state.settings.installation
    with signed_in(request) as p:
        check = verify_audit_trail(p.db, p.actor.name, installation.keys_dir, installation.data_dir)
        return p.render(
            "audit_verify.html",
            report=check.chain,
            anchor=check.anchor,
            fragment=request.headers.get("hx-request") == "true",
        )
