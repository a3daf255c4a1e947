"""Settings resolved once from command-line options and the environment.

Precedence everywhere: an explicit option, then a ``TRACKER_*`` environment variable, then the
default. Keeping it in one place means the CLI, the nightly job and the tests agree.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field

DEFAULT_DATABASE_FILE = "tracker.db"
SYSTEM_ACTOR = "system"
DEFAULT_UNIT_NAME = "Public Protection Unit"
DEFAULT_UNIT_CONTACT = "Public Protection Unit liaison desk, ppu.liaison@police.example"


def default_database_url(cwd: Path | None = None) -> str:
    """The contract's default: a SQLite file ``tracker.db`` in the working directory."""
    base = cwd or Path.cwd()
    return f"sqlite:///{(base / DEFAULT_DATABASE_FILE).as_posix()}"


def resolve_database_url(option: str | None = None) -> str:
    """``--db URL`` beats ``TRACKER_DATABASE_URL`` beats the local SQLite file."""
    if option:
        return option
    env = os.environ.get("TRACKER_DATABASE_URL")
    if env:
        return env
    return default_database_url()


class Settings(BaseModel):
    """Everything configurable about one installation (a unit's tracker)."""

    database_url: str = Field(default_factory=resolve_database_url)
    home_country: str = Field(
        default_factory=lambda: os.environ.get("TRACKER_HOME_COUNTRY", "GBR"),
        description="ISO alpha-3 country whose borders the travel feeds watch.",
    )
    data_dir: Path = Field(
        default_factory=lambda: Path(os.environ.get("TRACKER_DATA_DIR", "tracker-data")),
        description="Where rejects, run logs, archives and keys live (outside the database).",
    )
    user: str | None = Field(default_factory=lambda: os.environ.get("TRACKER_USER") or None)
    unit_name: str = Field(
        default_factory=lambda: os.environ.get("TRACKER_UNIT_NAME") or DEFAULT_UNIT_NAME,
        description="The sending unit named in every intelligence package.",
    )
    unit_contact: str = Field(
        default_factory=lambda: os.environ.get("TRACKER_UNIT_CONTACT") or DEFAULT_UNIT_CONTACT,
        description="How a partner agency reaches the sending unit about a package.",
    )

    @property
    def rejects_dir(self) -> Path:
        return self.data_dir / "rejects"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def runs_dir(self) -> Path:
        return self.data_dir / "runs"
