"""What one web application runs with: the installation's settings, the session secret, the
sign-in policy and the proxies it believes, resolved once by the app factory.

The secret signs the session cookies. It comes from ``TRACKER_SECRET_KEY`` or, failing that,
from a file under the data folder made on first start with owner-only permissions, so a
restart does not sign everybody out and the key never sits in the database.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tracker.access.sign_in_throttle import ThrottlePolicy
from tracker.settings import ApiSettings, Settings, WebSettings
from tracker.web.clients import Network, parse_trusted_proxies

SECRET_FILE_NAME = "web-secret.key"
MIN_SECRET_LENGTH = 32


class SecretKeyError(RuntimeError):
    """The session secret cannot be read or is unsafe."""


@dataclass
class WebAppSettings:
    """Everything the app factory needs, from the installation's ``Settings``; any field can
    be overridden when the app is made (tests, `tracker serve`)."""

    installation: Settings  # the tracker's settings (database, keys, unit, home country)
    secret_key: str
    idle_minutes: int = WebSettings().idle_minutes
    session_hours: int = WebSettings().session_hours
    throttle: ThrottlePolicy = field(default_factory=ThrottlePolicy)
    page_size: int = 50
    # Failed sign-ins from one address, whatever the names, within the throttle's longest
    # delay before names that failed from there are refused (a name that did not still gets
    # its try): trying many names is slowed here. Kept in the database with the pairs.
    client_attempts: int | None = None  # default: the sign-in section's client limit
    # Proxies whose X-Forwarded-For is believed (addresses or CIDRs); none by default.
    trusted_proxies: tuple[Network, ...] | str = ()
    # The API's body limit and rate per token (``tracker.web.api``).
    api: ApiSettings = field(default_factory=ApiSettings)

    def __post_init__(self) -> None:
        if self.client_attempts is not None:
            self.throttle = replace(self.throttle, address_failures=self.client_attempts)
        if isinstance(self.trusted_proxies, str):
            self.trusted_proxies = parse_trusted_proxies(self.trusted_proxies)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> WebAppSettings:
        data_dir = Path(overrides.pop("data_dir", None) or settings.data_dir)
        installation = settings.model_copy(update={"data_dir": data_dir})
        web = settings.web
        configured = web.secret_key.get_secret_value() if web.secret_key else None
        fields: dict[str, Any] = {
            "idle_minutes": web.idle_minutes,
            "session_hours": web.session_hours,
            "throttle": ThrottlePolicy.from_settings(settings.sign_in),
            "trusted_proxies": web.trusted_proxies,
            "api": settings.api,
        }
        fields.update(overrides)
        secret = fields.pop("secret_key", None) or load_secret_key(data_dir, configured)
        return cls(installation=installation, secret_key=secret, **fields)

    @property
    def database_url(self) -> str:
        return self.installation.database.url

    @property
    def data_dir(self) -> Path:
        return self.installation.data_dir

    @property
    def packages_dir(self) -> Path:
        """Where packages built in the web application are written (owner-only folders)."""
        return self.data_dir / "packages"


def load_secret_key(data_dir: Path, configured: str | None = None) -> str:
    """The configured secret (``TRACKER_SECRET_KEY``), else the key file under ``data_dir``
    (made if missing)."""
    if configured:
        if len(configured) < MIN_SECRET_LENGTH:
            raise SecretKeyError(
                f"TRACKER_SECRET_KEY must have at least {MIN_SECRET_LENGTH} characters"
            )
        return configured
    path = data_dir / SECRET_FILE_NAME
    if not path.exists():
        _create_secret_file(path)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise SecretKeyError(
            f"{path} can be read by others (mode {mode:o}); run `chmod 600 {path}`"
        )
    secret = path.read_text(encoding="utf-8").strip()
    if len(secret) < MIN_SECRET_LENGTH:
        raise SecretKeyError(f"{path} holds too short a secret; delete it to make a new one")
    return secret


def _create_secret_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first
        return
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(48) + "\n")
