"""A level-one alert as it leaves the system (e-mail, webhook): the allow-list of its fields.

The duty officer gets the minimum to act on: which alert, how urgent, which flight and when it
leaves, where to open the flag and how to acknowledge. No name, no address, no date of birth:
the person behind the flag is seen on the flag page, whose every opening is logged. A field
not declared here cannot be sent (``extra="forbid"``).
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

ALERT_MESSAGE_VERSION: Final = "1.0"


class AlertMessage(BaseModel):
    """What every channel carries; the webhook's JSON body is exactly this."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal["1.0"] = ALERT_MESSAGE_VERSION
    event: Literal["raised", "escalated"] = Field(
        description="raised: to the duty officer; escalated: to supervisors, not acknowledged"
    )
    alert_id: int
    severity: str = Field(max_length=20)
    flight: str | None = Field(max_length=40)
    departure_time: AwareDatetime | None
    raised_at: AwareDatetime
    flag_url: str = Field(max_length=2100, description="The flag's page in the web application")
    duty_url: str = Field(max_length=2100, description="The duty page, where it is acknowledged")
    acknowledge_command: str = Field(max_length=200)
