"""package.json and manifest.json: what an overseas partner receives, and nothing more.

Every field a package may carry is declared here and nowhere else; ``extra="forbid"`` on every
model means a field added by mistake to the builder fails validation instead of leaving the
unit. The JSON Schema of ``IntelligencePackage`` is published as ``docs/package.schema.json``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from tracker.models.enums import (
    AliasKind,
    Direction,
    FlagKind,
    HandlingCode,
    OffenderStatus,
    RiskLevel,
    Sex,
)

PackageSchemaVersion = Literal["1.0"]
SCHEMA_VERSION: PackageSchemaVersion = "1.0"
ManifestVersion = Literal["1.0"]
MANIFEST_VERSION: ManifestVersion = "1.0"
SignatureAlgorithm = Literal["Ed25519"]
SIGNATURE_ALGORITHM: SignatureAlgorithm = "Ed25519"
# UK 3x5x2 grading: each code and what it means, in the words the summary page prints.
GradingSource = Literal["1", "2", "3"]
GradingIntelligence = Literal["A", "B", "C", "D", "E"]
GRADING_SOURCES: tuple[GradingSource, ...] = get_args(GradingSource)
GRADING_INTELLIGENCE: tuple[GradingIntelligence, ...] = get_args(GradingIntelligence)
SOURCE_LABELS: dict[GradingSource, str] = {"1": "reliable", "2": "untested", "3": "not reliable"}
INTELLIGENCE_LABELS: dict[GradingIntelligence, str] = {
    "A": "known directly to the source",
    "B": "known indirectly but corroborated",
    "C": "known indirectly",
    "D": "not known",
    "E": "suspected to be false",
}
HANDLING_LABELS: dict[HandlingCode, str] = {
    "P": "lawful sharing permitted",
    "C": "lawful sharing permitted with conditions",
}
# The matcher's fields a package names as agreeing (the matcher's name order is not sent).
AgreeingFieldName = Literal[
    "family_name", "given_names", "date_of_birth", "document", "sex", "nationality"
]
AGREEING_FIELD_NAMES: tuple[AgreeingFieldName, ...] = get_args(AgreeingFieldName)
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

    source: GradingSource
    intelligence: GradingIntelligence
    code: Annotated[str, StringConstraints(pattern=r"^[123][A-E]$")]
    handling: HandlingCode
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
    kind: AliasKind


class Passport(Strict):
    number: NonEmpty
    issuing_country: CountryCode = Field(description="ISO alpha-3, or an ICAO code such as D")
    expires_on: date | None = None


class Subject(Strict):
    family_name: str
    given_names: str
    aliases: list[AliasName]
    date_of_birth: date
    sex: Sex | None
    nationalities: list[CountryCode]
    passports: list[Passport]


class Registration(Strict):
    """The registration status; the requirement start is the conviction, caution or release."""

    status: OffenderStatus
    requirement_start: date
    notification_period: str = Field(description="indefinite, or ISO 8601 (P10Y, P2Y6M)")


class DeclaredTravel(Strict):
    """What the subject notified, when a travel notification exists."""

    notified_on: date
    departure_date: date | None
    return_date: date | None
    destination_countries: list[CountryCode]


class Travel(Strict):
    direction: Direction
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
    finding: FlagKind = Field(description="The compliance finding an analyst confirmed.")
    finding_description: str


class AgreeingField(Strict):
    field: AgreeingFieldName
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

    schema_version: PackageSchemaVersion
    package_id: PackageId = Field(description="Random (uuid4): derived from no internal id.")
    created_at: AwareDatetime
    created_by: NonEmpty
    sending_unit: SendingUnit
    recipient: Recipient
    legal: LegalBasis
    grading: Grading
    subject: Subject
    offence_category: str | None
    risk_level: RiskLevel | None
    registration: Registration
    travel: Travel
    match: MatchEvidence


class Manifest(Strict):
    """manifest.json: each file's SHA-256 and an Ed25519 signature over the rest of it."""

    schema_version: ManifestVersion
    package_id: PackageId
    files: dict[str, Sha256Hex]
    key_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
    algorithm: SignatureAlgorithm
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
