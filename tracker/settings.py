"""Every setting of an installation, read from the environment once and passed down.

Precedence everywhere: an explicit option, then a ``TRACKER_*`` environment variable, then the
default. The CLI's root command, the web app factory and the demo read it; nothing else looks
at the environment, so one run cannot see two configurations.

Each section field names its documented flat variable (``TRACKER_IDLE_MINUTES``) in its
``validation_alias``; the nested form (``TRACKER_WEB__IDLE_MINUTES``) works too.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from tracker.schemas.feed import HowToReport
from tracker.settings_alerts import AlertSettings

ENV_PREFIX = "TRACKER_"
DEFAULT_DATABASE_FILE = "tracker.db"
SYSTEM_ACTOR = "system"
DEFAULT_UNIT_NAME = "Public Protection Unit"
DEFAULT_UNIT_CONTACT = "Public Protection Unit liaison desk, ppu.liaison@police.example"
# Sections ignore the keys their AliasChoices did not pick (a flat variable beside an option).
SECTION_CONFIG = ConfigDict(frozen=True, extra="ignore")


def default_database_url(cwd: Path | None = None) -> str:
    """The contract's default: a SQLite file ``tracker.db`` in the working directory."""
    base = cwd or Path.cwd()
    return f"sqlite:///{(base / DEFAULT_DATABASE_FILE).as_posix()}"


def _names(field_name: str, *variables: str) -> AliasChoices:
    """The field's own name first (options, nested variables), then its documented variables:
    an option given beats the environment."""
    return AliasChoices(field_name, *variables)


def checked_base_url(value: str) -> str:
    """Links and tag ids are built from it, so it must be absolute; no trailing slash."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ValueError(f"feed base URL {value!r} must be an absolute http(s) URL, no query")
    return value.rstrip("/")


class DatabaseSettings(BaseModel):
    """Where the register is kept."""

    model_config = SECTION_CONFIG

    url: str = Field(
        default_factory=default_database_url,
        validation_alias=_names("url", "TRACKER_DATABASE_URL"),
        description="SQLAlchemy URL: SQLite file or postgresql+psycopg://user@host/dbname.",
    )


class MatchingSettings(BaseModel):
    """The night's bands, when the model is refitted, and how long unmatched travel is kept."""

    model_config = SECTION_CONFIG

    match_threshold: float = Field(
        0.95, gt=0, lt=1, validation_alias=_names("match_threshold", "TRACKER_MATCH_THRESHOLD")
    )
    review_threshold: float = Field(
        0.5, gt=0, lt=1, validation_alias=_names("review_threshold", "TRACKER_REVIEW_THRESHOLD")
    )
    retrain_after_labels: int = Field(
        50,
        ge=0,
        validation_alias=_names("retrain_after_labels", "TRACKER_RETRAIN_AFTER_LABELS"),
        description="New analysts' decisions that make the night fit a new model (0: never).",
    )
    retention_days: int = Field(
        30,
        ge=0,
        le=36_500,
        validation_alias=_names("retention_days", "TRACKER_RETENTION_DAYS"),
        description="Travel records that matched no one are erased after this many days.",
    )


class FeedSettings(BaseModel):
    """What a force configures about its public most-wanted feed."""

    model_config = SECTION_CONFIG

    base_url: str = Field(
        "https://www.example.police.uk/most-wanted",
        validation_alias=_names("base_url", "TRACKER_FEED_BASE_URL"),
        description="Public URL the feed files and each person's page are published under.",
    )
    title: str = "Most wanted: registered offenders whose whereabouts are unknown"
    publisher: str = Field(
        DEFAULT_UNIT_NAME,
        validation_alias=_names("publisher", "TRACKER_FEED_PUBLISHER"),
        description="The feed's author; unset, the unit's name.",
    )
    police_line: str = Field(
        "If you see this person now, call 999. Otherwise call 101, the police "
        "non-emergency number.",
        validation_alias=_names("police_line", "TRACKER_FEED_POLICE_LINE"),
    )
    anonymous_line: str = Field(
        "To stay anonymous, call Crimestoppers on 0800 555 111 or use crimestoppers-uk.org.",
        validation_alias=_names("anonymous_line", "TRACKER_FEED_ANONYMOUS_LINE"),
    )
    advice: str = (
        "Do not approach this person or act yourself. Note where and when you saw them, "
        "and report it."
    )

    @field_validator("base_url")
    @classmethod
    def _absolute(cls, value: str) -> str:
        return checked_base_url(value)

    def how_to_report(self) -> HowToReport:
        return HowToReport(
            police=self.police_line, anonymous=self.anonymous_line, advice=self.advice
        )


class WebSettings(BaseModel):
    """The web application's sessions, its session secret and the proxies it believes."""

    model_config = SECTION_CONFIG

    idle_minutes: int = Field(
        30, ge=1, validation_alias=_names("idle_minutes", "TRACKER_IDLE_MINUTES")
    )
    session_hours: int = Field(
        12, ge=1, validation_alias=_names("session_hours", "TRACKER_SESSION_HOURS")
    )
    trusted_proxies: str = Field(
        "",
        validation_alias=_names("trusted_proxies", "TRACKER_TRUSTED_PROXIES"),
        description="Addresses or CIDRs whose X-Forwarded-For is believed; none by default.",
    )
    secret_key: SecretStr | None = Field(
        None,
        validation_alias=_names("secret_key", "TRACKER_SECRET_KEY"),
        description="Signs session cookies; unset, a key file under the data folder is used.",
    )
    base_url: str = Field(
        "",
        validation_alias=_names("base_url", "TRACKER_WEB_BASE_URL"),
        description="Where analysts reach the web application; the daily report's links to "
        "flags start with it (unset: links relative to the web application's root).",
    )


class SignInSettings(BaseModel):
    """How failed sign-ins are slowed (see ``tracker.access.sign_in_throttle``)."""

    model_config = SECTION_CONFIG

    max_failures: int = Field(
        5, ge=0, validation_alias=_names("max_failures", "TRACKER_SIGNIN_MAX_FAILURES")
    )
    max_delay_minutes: int = Field(
        15,
        ge=1,
        validation_alias=_names(
            "max_delay_minutes",
            "TRACKER_SIGNIN_MAX_DELAY_MINUTES",
            "TRACKER_SIGNIN_LOCK_MINUTES",  # its name before delays replaced the lock
        ),
    )
    client_limit: int = Field(
        30, ge=1, validation_alias=_names("client_limit", "TRACKER_SIGNIN_CLIENT_LIMIT")
    )


class ApiSettings(BaseModel):
    """What one border system may send the API: the largest manifest and how many calls a
    token makes a minute (``tracker.web.api``)."""

    model_config = SECTION_CONFIG

    max_body_bytes: int = Field(
        5 * 1024 * 1024,
        ge=1024,
        le=256 * 1024 * 1024,
        validation_alias=_names("max_body_bytes", "TRACKER_API_MAX_BODY_BYTES"),
        description="A manifest larger than this is refused (413) before it is all read.",
    )
    rate_per_minute: int = Field(
        600,
        ge=1,
        le=100_000,
        validation_alias=_names("rate_per_minute", "TRACKER_API_RATE_PER_MINUTE"),
        description="Calls a token may make a minute (bursts up to as many); more get 429.",
    )


class Settings(BaseSettings):
    """Everything configurable about one installation (a unit's tracker)."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        env_ignore_empty=True,  # an empty variable means unset, as it always has
        extra="forbid",
    )

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    matching: MatchingSettings = Field(default_factory=MatchingSettings)
    feed: FeedSettings = Field(default_factory=FeedSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    sign_in: SignInSettings = Field(default_factory=SignInSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    home_country: str = Field(
        "GBR", description="ISO alpha-3 country whose borders the travel feeds watch."
    )
    data_dir: Path = Field(
        Path("tracker-data"),
        description="Where rejects, run logs, archives and keys live (outside the database).",
    )
    user: str | None = Field(None, description="The person acting (CLI).")
    unit_name: str = Field(
        DEFAULT_UNIT_NAME, description="The sending unit named in every intelligence package."
    )
    unit_contact: str = Field(
        DEFAULT_UNIT_CONTACT,
        description="How a partner agency reaches the sending unit about a package.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        assert isinstance(env_settings, EnvSettingsSource)
        flat = FlatSectionVariables(settings_cls, env_settings.env_vars)
        return init_settings, flat, env_settings

    @model_validator(mode="after")
    def _feed_published_by_the_unit(self) -> Settings:
        if "publisher" not in self.feed.model_fields_set:
            self.feed = self.feed.model_copy(update={"publisher": self.unit_name})
        return self

    @property
    def rejects_dir(self) -> Path:
        return self.data_dir / "rejects"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def runs_dir(self) -> Path:
        return self.data_dir / "runs"


def _flat_names(field: FieldInfo) -> list[str]:
    """The documented variables a section field is read from, in order of preference."""
    alias = field.validation_alias
    choices = alias.choices if isinstance(alias, AliasChoices) else []
    return [c for c in choices if isinstance(c, str) and c.startswith(ENV_PREFIX)]


class FlatSectionVariables(PydanticBaseSettingsSource):
    """Section fields from their flat variables, keyed by the variable so that the section's
    ``AliasChoices`` picks among them (a newer name before its old alias) and errors name it."""

    def __init__(self, settings_cls: type[BaseSettings], environment: Mapping[str, str | None]):
        super().__init__(settings_cls)
        self.environment = environment

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # whole sections are read in __call__

    def __call__(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name, field in self.settings_cls.model_fields.items():
            section = field.annotation
            if not (isinstance(section, type) and issubclass(section, BaseModel)):
                continue
            for sub in section.model_fields.values():
                for variable in _flat_names(sub):
                    value = self.environment.get(variable.lower())
                    if value is not None:
                        found.setdefault(name, {})[variable] = value
        return found


class SettingsError(ValueError):
    """A setting has a value it cannot take; the message names the variable and the value."""


def _variable(loc: tuple[int | str, ...]) -> str:
    """The variable an error is about: the flat name it was read from, else the nested one."""
    last = str(loc[-1]) if loc else ""
    if last.startswith(ENV_PREFIX):
        return last
    return ENV_PREFIX + "__".join(str(part) for part in loc).upper()


def describe_errors(exc: ValidationError) -> str:
    """Each refused value as ``TRACKER_NAME='value': why``, joined by "; " (secrets hidden)."""
    lines = []
    for error in exc.errors():
        variable = _variable(error["loc"])
        value = "<hidden>" if "SECRET" in variable else repr(error.get("input"))
        reason = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"{variable}={value}: {reason}")
    return "; ".join(lines)


def read_settings(**overrides: Any) -> Settings:
    """The settings from the environment under ``overrides`` (options given; None: not given),
    or ``SettingsError`` naming each refused variable and value."""
    given = {name: value for name, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        raise SettingsError(f"invalid setting: {describe_errors(exc)}") from None
