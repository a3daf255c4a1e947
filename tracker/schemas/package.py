"""package.json and manifest.json: what an overseas partner receives, and nothing more.

Every field a package may carry is declared here and nowhere else; ``extra="forbid"`` on every
model means a field added by mistake to the builder fails validation instead of leaving the
unit. The JSON Schema of ``IntelligencePackage`` is published as ``docs/package.schema.json``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from tracker.models.enums import (
    ALIAS_KINDS,
    DIRECTIONS,
    FLAG_KINDS,
    HANDLING_CODES,
    OFFENDER_STATUSES,
    RISK_LEVELS,
    SEXES,
)

SCHEMA_VERSION = "1.0"
MANIFEST_VERSION = "1.0"
SIGNATURE_ALGORITHM = "Ed25519"
# UK 3x5x2 grading: each code and what it means, in the words the summary page prints.
SOURCE_LABELS = {"1": "reliable", "2": "untested", "3": "not reliable"}
INTELLIGENCE_LABELS = {
    "A": "known directly to the source",
    "B": "known indirectly but corroborated",
    "C": "known indirectly",
    "D": "not known",
    "E": "suspected to be false",
}
HANDLING_LABELS = {"P": "lawful sharing permitted", "C": "lawful sharing permitted with conditions"}
GRADING_SOURCES = tuple(SOURCE_LABELS)
GRADING_INTELLIGENCE = tuple(INTELLIGENCE_LABELS)
PUBLISHED_SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "package.schema.json"

Iso3 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
# As the data holds it: ISO alpha-3, or a travel-document code the contract keeps (D, GBN...).
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,3}$")]
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]
PackageId = Annotated[
    str,
    StringConstraints(
        pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
    ),
]


class Strict(BaseModel):
    """Closed models: an unlisted field is an error, never silently carried."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SendingUnit(Strict):
    name: NonEmpty
    contact: NonEmpty


class Recipient(Strict):
    country: Iso3 = Field(description="ISO 3166-1 alpha-3")
    country_name: str
    agency: NonEmpty


class LegalBasis(Strict):
    basis: NonEmpty = Field(description="The law under which the transfer is made.")
    purpose: NonEmpty
    statement: NonEmpty = Field(
        description="For information only; not to be passed on without the sender's authority."
    )


class Grading(Strict):
    """UK 3x5x2: source reliability, intelligence assessment, handling code."""

    source: Literal[GRADING_SOURCES]
    intelligence: Literal[GRADING_INTELLIGENCE]
    code: Annotated[str, StringConstraints(pattern=r"^[123][A-E]$")]
    handling: Literal[HANDLING_CODES]
    conditions: NonEmpty | None = Field(
        default=None, description="Present exactly when handling is C; they travel with the data."
    )

    @model_validator(mode="after")
    def _consistent(self):
        if self.code != f"{self.source}{self.intelligence}":
            raise ValueError(f"grading code {self.code} is not source + intelligence")
        if (self.handling == "C") != (self.conditions is not None):
            raise ValueError("conditions are given exactly when the handling code is C")
        return self


class AliasName(Strict):
    family_name: str
    given_names: str
    kind: Literal[ALIAS_KINDS]


class Passport(Strict):
    number: NonEmpty
    issuing_country: CountryCode = Field(description="ISO alpha-3, or an ICAO code such as D")
    expires_on: date | None = None


class Subject(Strict):
    family_name: str
    given_names: str
    aliases: list[AliasName]
    date_of_birth: date
    sex: Literal[SEXES] | None
    nationalities: list[CountryCode]
    passports: list[Passport]


class Registration(Strict):
    """The registration status; the requirement start is the conviction, caution or release."""

    status: Literal[OFFENDER_STATUSES]
    requirement_start: date
    notification_period: str = Field(description="indefinite, or ISO 8601 (P10Y, P2Y6M)")


class DeclaredTravel(Strict):
    """What the subject notified, when a travel notification exists."""

    notified_on: date
    departure_date: date | None
    return_date: date | None
    destination_countries: list[CountryCode]


class Travel(Strict):
    direction: Literal[DIRECTIONS]
    carrier: str | None
    flight_number: str | None
    departure_port: str | None
    arrival_port: str | None
    departure_country: CountryCode
    arrival_country: CountryCode
    departure_time: AwareDatetime
    departure_date: date = Field(description="Local calendar date of departure.")
    notified: bool = Field(description="Whether the subject notified this travel at all.")
    declared: DeclaredTravel | None
    finding: Literal[FLAG_KINDS] = Field(description="The compliance finding an analyst confirmed.")
    finding_description: str


class AgreeingField(Strict):
    field: Literal["family_name", "given_names", "date_of_birth", "document", "sex", "nationality"]
    agreement: str


class MatchEvidence(Strict):
    """Why this traveller is taken to be the subject: a scored match a person confirmed."""

    probability: float | None = Field(ge=0, le=1)
    agreeing_fields: list[AgreeingField]
    confirmed_by_analyst_on: date | None = Field(
        description="Date a person reviewed and confirmed the match (never automated alone)."
    )


class IntelligencePackage(Strict):
    """The machine-readable intelligence package (package.json)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="Intelligence package",
        json_schema_extra={"x-schema-version": SCHEMA_VERSION},
    )

    schema_version: Literal[SCHEMA_VERSION]
    package_id: PackageId = Field(description="Random (uuid4): derived from no internal id.")
    created_at: AwareDatetime
    created_by: NonEmpty
    sending_unit: SendingUnit
    recipient: Recipient
    legal: LegalBasis
    grading: Grading
    subject: Subject
    offence_category: str | None
    risk_level: Literal[RISK_LEVELS] | None
    registration: Registration
    travel: Travel
    match: MatchEvidence


class Manifest(Strict):
    """manifest.json: each file's SHA-256 and an Ed25519 signature over the rest of it."""

    schema_version: Literal[MANIFEST_VERSION]
    package_id: PackageId
    files: dict[str, Sha256Hex]
    key_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
    algorithm: Literal[SIGNATURE_ALGORITHM]
    signature: str


def package_json_schema() -> dict:
    """The JSON Schema partners validate package.json against."""
    return IntelligencePackage.model_json_schema(mode="serialization")


def render_json_schema() -> str:
    return json.dumps(package_json_schema(), indent=2, ensure_ascii=False) + "\n"


def write_json_schema(path: Path = PUBLISHED_SCHEMA) -> Path:
    """Regenerate the published schema: ``python -m tracker.schemas.package``."""
    path.write_text(render_json_schema(), encoding="utf-8")
    return path


if __name__ == "__main__":  # pragma: no cover
    print(f"wrote {write_json_schema()}")
