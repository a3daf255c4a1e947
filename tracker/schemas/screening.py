"""What a screening answers (the body of ``GET /api/v1/screenings/{id}``, and what `tracker
screen` prints): an explicit allow-list of ids, counts, bands and reasons, never a name, an
address or a date of birth."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class HitReason(BaseModel):
    """One line of the link's explanation: a field's level and its weight."""

    model_config = ConfigDict(frozen=True)

    field: str
    label: str
    weight: float


class ScreeningHitOut(BaseModel):
    """A traveller linked to a register entry: by their ids, the band and the reasons."""

    model_config = ConfigDict(frozen=True)

    hit_id: int
    travel_pk: int
    travel_source: str
    travel_record_id: str
    offender_id: str
    band: str
    match_probability: float
    match_weight: float
    reasons: list[HitReason]
    flag_id: int | None = None


class ScreeningAlertOut(BaseModel):
    """A level-one alert the screening raised: the minimum to act on."""

    model_config = ConfigDict(frozen=True)

    alert_id: int
    flag_id: int
    reason: str | None = Field(
        description="Why the hit is level one (the offender's status or risk level): "
        "shown to people, null in the API's answers to border systems."
    )
    severity: str
    flight: str | None
    departure_time: datetime | None
    state: str


class ScreeningOutcome(BaseModel):
    """One screening: what was read, what it found, what it raised."""

    model_config = ConfigDict(frozen=True)

    id: int
    status: str
    received_at: datetime
    screened_at: datetime | None
    travellers_read: int
    travellers_rejected: int
    model_version: int | None
    error: str | None
    warnings: list[str]
    hits: list[ScreeningHitOut]
    alerts: list[ScreeningAlertOut]
    duplicate: bool = False

    def to_json(self) -> dict:
        """The JSON body (dates as ISO 8601)."""
        return self.model_dump(mode="json")
