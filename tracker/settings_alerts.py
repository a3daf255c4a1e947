"""The ``alerts`` section of the settings (``tracker.settings.Settings.alerts``): where level-one
alerts go. Kept beside ``settings.py`` so that module stays one screenful per concept; it is
read the same way, each field from its documented flat ``TRACKER_*`` variable."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_core.core_schema import ValidationInfo

SMTP_SCHEMES = {"smtp": 25, "smtps": 465}  # smtps: TLS from the first byte
ADDRESS_LIMIT = 254


def _names(field_name: str, variable: str) -> AliasChoices:
    """The field's own name (options, nested variables), then its documented variable."""
    return AliasChoices(field_name, variable)


def checked_smtp_url(value: str | None) -> str | None:
    """``smtp://host[:port]`` (STARTTLS when the server offers it) or ``smtps://host[:port]``."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in SMTP_SCHEMES or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError("must be smtp://HOST:PORT or smtps://HOST:PORT")
    if parts.username or parts.query:
        raise ValueError("must be smtp://HOST:PORT or smtps://HOST:PORT (no login, no query)")
    _ = parts.port  # a port out of range is a ValueError here
    return value


def checked_addresses(value: str | None) -> str | None:
    """One address or several separated by commas, each ``local@domain``, no display names."""
    if value is None:
        return None
    for address in (a.strip() for a in value.split(",")):
        local, at, domain = address.partition("@")
        plain = not any(c in address for c in ' <>"\r\n')
        if not (local and at and domain and plain and len(address) <= ADDRESS_LIMIT):
            raise ValueError(f"{address!r} is not an e-mail address (local@domain)")
    return value


class AlertSettings(BaseModel):
    """The duty officer's e-mail, the supervisors' after an escalation, an optional signed
    webhook. With none configured, alerts reach people through the duty page alone."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    smtp_url: str | None = Field(
        None,
        max_length=500,
        validation_alias=_names("smtp_url", "TRACKER_SMTP_URL"),
        description="The mail server: smtp://host:port (STARTTLS when offered) or smtps://.",
    )
    duty_email: str | None = Field(
        None, max_length=2000, validation_alias=_names("duty_email", "TRACKER_DUTY_EMAIL")
    )
    alert_from: str = Field(
        "tracker@localhost", validation_alias=_names("alert_from", "TRACKER_ALERT_FROM")
    )
    escalation_email: str | None = Field(
        None,
        max_length=2000,
        validation_alias=_names("escalation_email", "TRACKER_ESCALATION_EMAIL"),
        description="Supervisors, written to when an alert is not acknowledged in time.",
    )
    escalate_after_minutes: int = Field(
        15,
        ge=1,
        le=24 * 60,
        validation_alias=_names("escalate_after_minutes", "TRACKER_ESCALATE_AFTER_MINUTES"),
    )
    webhook_url: str | None = Field(
        None, max_length=2000, validation_alias=_names("webhook_url", "TRACKER_WEBHOOK_URL")
    )
    webhook_secret: SecretStr | None = Field(
        None,
        validate_default=True,
        validation_alias=_names("webhook_secret", "TRACKER_WEBHOOK_SECRET"),
        description="Keys the HMAC-SHA256 of every webhook body; needed with a webhook URL.",
    )
    timeout_seconds: float = Field(
        5, gt=0, le=60, validation_alias=_names("timeout_seconds", "TRACKER_ALERT_TIMEOUT_SECONDS")
    )

    @field_validator("smtp_url")
    @classmethod
    def _smtp(cls, value: str | None) -> str | None:
        return checked_smtp_url(value)

    @field_validator("duty_email", "alert_from", "escalation_email")
    @classmethod
    def _addresses(cls, value: str | None) -> str | None:
        return checked_addresses(value)

    @field_validator("webhook_url")
    @classmethod
    def _webhook(cls, value: str | None) -> str | None:
        parts = urlsplit(value or "")
        if value is not None and (parts.scheme not in ("http", "https") or not parts.hostname):
            raise ValueError("must be an absolute http(s) URL")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        """A webhook whose body nobody can verify is refused: the secret comes with the URL."""
        if value is None:
            if info.data.get("webhook_url"):
                raise ValueError("needed with TRACKER_WEBHOOK_URL (signs each body)")
            return None
        if len(value.get_secret_value()) < 16:
            raise ValueError("must have at least 16 characters")
        return value

    @staticmethod
    def recipients(value: str | None) -> list[str]:
        """The addresses of a comma-separated setting, in order."""
        return [a.strip() for a in (value or "").split(",") if a.strip()]
