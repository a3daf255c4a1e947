"""What the public feed is published as: the settings a force configures (``TRACKER_FEED_*``
environment variables), the file names, and instants as the feed states them."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tracker.schemas.feed import HowToReport

JSON_NAME = "most-wanted.json"
ATOM_NAME = "most-wanted.atom"


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def default_publisher() -> str:
    return _env("TRACKER_FEED_PUBLISHER", _env("TRACKER_UNIT_NAME", "Public Protection Unit"))


def checked_base_url(value: str) -> str:
    """Links and tag ids are built from it, so it must be absolute; no trailing slash."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ValueError(f"feed base URL {value!r} must be an absolute http(s) URL, no query")
    return value.rstrip("/")


class FeedSettings(BaseModel):
    """What a force configures about its feed (``TRACKER_FEED_*`` environment variables)."""

    model_config = ConfigDict(validate_default=True)  # the environment is checked too

    base_url: str = Field(
        default_factory=lambda: _env(
            "TRACKER_FEED_BASE_URL", "https://www.example.police.uk/most-wanted"
        ),
        description="Public URL the feed files and each person's page are published under.",
    )
    title: str = "Most wanted: registered offenders whose whereabouts are unknown"
    publisher: str = Field(
        default_factory=default_publisher, description="The feed's author: the publishing unit."
    )
    police_line: str = Field(
        default_factory=lambda: _env(
            "TRACKER_FEED_POLICE_LINE",
            "If you see this person now, call 999. Otherwise call 101, the police "
            "non-emergency number.",
        )
    )
    anonymous_line: str = Field(
        default_factory=lambda: _env(
            "TRACKER_FEED_ANONYMOUS_LINE",
            "To stay anonymous, call Crimestoppers on 0800 555 111 or use crimestoppers-uk.org.",
        )
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


def feed_instant(value: datetime) -> datetime:
    """UTC to the second: the precision every instant in the feed is published at."""
    return value.astimezone(UTC).replace(microsecond=0)
