"""What one web installation is configured with: the database, the session secret, timeouts.

The secret signs the session cookies. It comes from ``TRACKER_SECRET_KEY`` or, failing that,
from a file under the data folder made on first start with owner-only permissions, so a
restart does not sign everybody out and the key never sits in the database.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

from tracker.access.sign_in_throttle import ThrottlePolicy
from tracker.config import Settings
from tracker.web.clients import Network, parse_trusted_proxies

SECRET_FILE_NAME = "web-secret.key"
MIN_SECRET_LENGTH = 32


class SecretKeyError(RuntimeError):
    """The session secret cannot be read or is unsafe."""


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


@dataclass
class WebSettings:
    """Everything the app factory needs; the defaults come from ``TRACKER_*`` variables."""

    database_url: str
    secret_key: str
    tracker: Settings | None = None  # the installation's settings (keys, unit, home country)
    data_dir: Path = field(default_factory=lambda: Settings().data_dir)
    idle_minutes: int = field(default_factory=lambda: _int_env("TRACKER_IDLE_MINUTES", 30))
    session_hours: int = field(default_factory=lambda: _int_env("TRACKER_SESSION_HOURS", 12))
    throttle: ThrottlePolicy = field(default_factory=ThrottlePolicy.from_environment)
    page_size: int = 50
    # Failed sign-ins from one address, whatever the names, within the throttle's longest
    # delay before names that failed from there are refused (a name that did not still gets
    # its try): trying many names is slowed here. Kept in the database with the pairs.
    client_attempts: int | None = None  # default: TRACKER_SIGNIN_CLIENT_LIMIT, else 30
    # Proxies whose X-Forwarded-For is believed (addresses or CIDRs); none by default.
    trusted_proxies: tuple[Network, ...] | str = field(
        default_factory=lambda: os.environ.get("TRACKER_TRUSTED_PROXIES", "")
    )

    def __post_init__(self) -> None:
        if self.client_attempts is not None:
            self.throttle = replace(self.throttle, address_failures=self.client_attempts)
        if isinstance(self.trusted_proxies, str):
            self.trusted_proxies = parse_trusted_proxies(self.trusted_proxies)

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **overrides) -> WebSettings:
        settings = settings or Settings()
        data_dir = Path(overrides.pop("data_dir", None) or settings.data_dir)
        secret = overrides.pop("secret_key", None) or load_secret_key(data_dir)
        tracker = settings.model_copy(update={"data_dir": data_dir})
        return cls(
            database_url=settings.database_url,
            secret_key=secret,
            data_dir=data_dir,
            tracker=tracker,
            **overrides,
        )

    @property
    def installation(self) -> Settings:
        return self.tracker or Settings(database_url=self.database_url, data_dir=self.data_dir)

    @property
    def packages_dir(self) -> Path:
        """Where packages built in the web application are written (owner-only folders)."""
        return self.data_dir / "packages"


def load_secret_key(data_dir: Path) -> str:
    """``TRACKER_SECRET_KEY``, else the key file under ``data_dir`` (made if missing)."""
    env = os.environ.get("TRACKER_SECRET_KEY")
    if env:
        if len(env) < MIN_SECRET_LENGTH:
            raise SecretKeyError(
                f"TRACKER_SECRET_KEY must have at least {MIN_SECRET_LENGTH} characters"
            )
        return env
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
