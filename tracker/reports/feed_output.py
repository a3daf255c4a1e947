"""What the public feed is published as: its file names and instants as the feed states them.
What a force configures about it is the ``feed`` section of ``tracker.settings``."""

from __future__ import annotations

from datetime import UTC, datetime

JSON_NAME = "most-wanted.json"
ATOM_NAME = "most-wanted.atom"


def feed_instant(value: datetime) -> datetime:
    """UTC to the second: the precision every instant in the feed is published at."""
    return value.astimezone(UTC).replace(microsecond=0)
