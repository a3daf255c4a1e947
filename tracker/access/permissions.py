"""Who may do what: one table, one check, used by every command and every web route."""

from __future__ import annotations

from tracker.models.enums import ROLES

# action -> roles allowed. Actions not listed here need no acting person (e.g. `stats`).
PERMISSIONS: dict[str, frozenset[str]] = {
    "users.add": frozenset({"admin"}),
    "users.list": frozenset({"admin", "supervisor"}),
    "users.set_password": frozenset({"admin"}),
    "users.deactivate": frozenset({"admin"}),
    "users.activate": frozenset({"admin"}),
    "users.set_role": frozenset({"admin"}),
    "users.clear_throttle": frozenset({"admin"}),
    "review.queue": frozenset({"analyst", "supervisor"}),
    "review.escalations": frozenset({"supervisor"}),
    "review.show": frozenset({"analyst", "supervisor", "liaison"}),
    "review.decide": frozenset({"analyst", "supervisor"}),
    "offenders.show": frozenset({"analyst", "supervisor", "liaison"}),
    "review.assign": frozenset({"analyst", "supervisor"}),
    "flags.read": frozenset({"analyst", "supervisor", "liaison", "admin"}),
    "links.export": frozenset({"analyst", "supervisor"}),
    "ingest.run": frozenset({"admin"}),
    "match.evaluate": frozenset({"analyst", "supervisor", "admin"}),
    "match.health": frozenset({"analyst", "supervisor", "admin"}),
    "match.train": frozenset({"supervisor", "admin"}),
    "package.build": frozenset({"liaison"}),
    "package.list": frozenset({"liaison", "supervisor", "admin"}),
    "feed.approve": frozenset({"supervisor"}),
    "feed.withdraw": frozenset({"supervisor"}),
    "feed.preview": frozenset({"supervisor"}),
    "report.read": frozenset({"analyst", "supervisor", "admin"}),
    "audit.read": frozenset({"admin", "supervisor"}),
    "audit.verify": frozenset({"admin", "supervisor"}),
    "keys.manage": frozenset({"admin", "liaison"}),
    "tokens.create": frozenset({"admin"}),
    "tokens.list": frozenset({"admin"}),
    "tokens.revoke": frozenset({"admin"}),
    "screening.screen": frozenset({"analyst", "supervisor", "admin"}),
    "screening.show": frozenset({"analyst", "supervisor", "admin"}),
    "account.change_password": frozenset(ROLES),
    "alerts.list": frozenset({"analyst", "supervisor", "admin"}),
    "alerts.acknowledge": frozenset({"analyst", "supervisor", "admin"}),
    "alerts.escalate": frozenset({"supervisor", "admin"}),
}

assert all(roles <= set(ROLES) for roles in PERMISSIONS.values())


class PermissionDenied(PermissionError):
    """The acting person is unknown, inactive, or their role may not do this."""


def allowed(role: str, action: str) -> bool:
    if action not in PERMISSIONS:
        raise KeyError(f"no permission rule for action {action!r}")
    return role in PERMISSIONS[action]


def roles_for(action: str) -> list[str]:
    return sorted(PERMISSIONS[action])


def actions_for(role: str | None) -> frozenset[str]:
    """Every action ``role`` may take: what a page may offer its reader (never a check;
    the use case checks)."""
    if role is None:
        return frozenset()
    return frozenset(action for action, roles in PERMISSIONS.items() if role in roles)
