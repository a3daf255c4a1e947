"""The screening tests' clock: manifests depart the day after "now" (inside every profile's
notice period, within level one's 72 hours)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

NOW = datetime.now(UTC).replace(microsecond=0)
DEPARTURE = NOW + timedelta(hours=22)
