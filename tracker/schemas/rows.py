"""One model per input row kind: every rule of the data contract's input files, in one place.

A row arrives as text cells keyed by column name (empty cells left out). Validation either
returns typed values or raises errors whose messages the sender can act on; ingest then only
maps values to tables. Rules needing the database (a row's offender must exist) read the
register's known ids from the validation context, which ingest fills in bulk per chunk.
"""

from __future__ import annotations

from datetime import date, datetime
from types import UnionType
from typing import Annotated, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationInfo, model_validator

from tracker.models import enums
from tracker.schemas.common import (
    Country,
    CountryList,
    DateOrDateTime,
    Identifier,
    IsoDate,
    OffsetDateTime,
    Period,
    Port,
    YesNo,
    contract_error,
    identifier_rule,
    one_of,
    shown,
    text_rule,
    too_long,
    whole_number,
)
from tracker.schemas.limits import (
    FLIGHT_NUMBER_LIMIT,
    FREE_TEXT_LIMIT,
    NAME_LIMIT,
    POSTCODE_LIMIT,
)

KNOWN_OFFENDERS = "known_offenders"
"""Validation-context key: the register ids known to exist (a set or a mapping)."""


_TIERS_BY_TEXT = {str(tier): tier for tier in enums.TIERS}


def _parse_tier(value: object) -> int:
    tier = _TIERS_BY_TEXT.get(str(value).strip())
    if tier is None:
        raise contract_error(f"{shown(value)} is not one of {', '.join(_TIERS_BY_TEXT)}")
    return tier


Name = Annotated[str, text_rule(NAME_LIMIT), too_long(NAME_LIMIT, "names")]
FreeText = Annotated[str, text_rule(FREE_TEXT_LIMIT), too_long(FREE_TEXT_LIMIT, "free text")]
OffenderId = Identifier
Postcode = Annotated[str, identifier_rule(POSTCODE_LIMIT), too_long(POSTCODE_LIMIT)]
DocumentNumber = Identifier
NotificationId = Identifier
RecordId = Identifier
SourceName = Identifier
FlightNumber = Annotated[str, identifier_rule(FLIGHT_NUMBER_LIMIT), too_long(FLIGHT_NUMBER_LIMIT)]
BookingRef = Identifier
Sex = Annotated[enums.Sex, one_of(enums.SEXES)]
TravelSex = Annotated[enums.TravelSex, one_of(enums.TRAVEL_SEXES)]
Jurisdiction = Annotated[enums.Jurisdiction, one_of(enums.JURISDICTIONS)]
Tier = Annotated[int, BeforeValidator(_parse_tier)]
RiskLevel = Annotated[enums.RiskLevel, one_of(enums.RISK_LEVELS)]
OffenderStatus = Annotated[enums.OffenderStatus, one_of(enums.OFFENDER_STATUSES)]
AliasKind = Annotated[enums.AliasKind, one_of(enums.ALIAS_KINDS)]
DocType = Annotated[enums.DocType, one_of(enums.DOC_TYPES)]
NotificationKind = Annotated[enums.NotificationKind, one_of(enums.NOTIFICATION_KINDS)]
Direction = Annotated[enums.Direction, one_of(enums.DIRECTIONS)]
TravellerKind = Annotated[enums.TravellerKind, one_of(enums.TRAVELLER_KINDS)]
HeightCm = Annotated[int, whole_number(30, 300, "a height in centimetres")]


class ContractRow(BaseModel):
    """Common configuration: unknown columns are the reader's business, values are not coerced
    beyond what each field's own rule does."""

    model_config = ConfigDict(extra="ignore", validate_default=False, frozen=True)


class RegisterRow(ContractRow):
    """A row that belongs to a register entry, which must already exist."""

    offender_id: OffenderId

    @model_validator(mode="after")
    def _offender_exists(self, info: ValidationInfo):
        known = (info.context or {}).get(KNOWN_OFFENDERS)
        if known is not None and self.offender_id not in known:
            raise contract_error(
                f"{shown(self.offender_id)} is not in the register "
                "(load it with the offenders file first)",
                column="offender_id",
            )
        return self


class OffenderRow(ContractRow):
    """The register extract (key: ``offender_id``)."""

    offender_id: OffenderId
    family_name: Name
    given_names: Name
    date_of_birth: IsoDate
    sex: Sex | None = None
    nationalities: CountryList | None = None
    requirement_start: IsoDate
    notification_period: Period
    jurisdiction: Jurisdiction = "uk-ew"
    tier: Tier | None = None
    risk_level: RiskLevel | None = None
    managing_force: FreeText
    status: OffenderStatus = "active"
    wanted_since: IsoDate | None = None
    fixed_abode: YesNo = True
    address_line: FreeText | None = None
    postcode: Postcode | None = None
    last_known_area: FreeText | None = None
    offence_category: FreeText | None = None
    height_cm: HeightCm | None = None
    description: FreeText | None = None

    @model_validator(mode="after")
    def _profile_rules(self):
        if self.tier is not None and self.jurisdiction != "us-sorna":
            raise contract_error(
                f"{shown(self.tier)} is given, but tiers apply only to us-sorna "
                f"(jurisdiction is {self.jurisdiction})",
                column="tier",
            )
        if self.status == "wanted" and self.wanted_since is None:
            raise contract_error("required when status is wanted", column="wanted_since")
        return self


class AliasRow(RegisterRow):
    """Another name an offender is known by (key: offender_id + family_name + given_names)."""

    family_name: Name
    given_names: Name
    kind: AliasKind = "alias"


class DocumentRow(RegisterRow):
    """A travel or identity document (key: doc_type + doc_number + issuing_country)."""

    doc_type: DocType
    doc_number: DocumentNumber
    issuing_country: Country
    expires_on: IsoDate | None = None


KINDS_NEEDING_EFFECTIVE_DATE = frozenset(
    k for k in enums.NOTIFICATION_KINDS if k == "initial" or k.startswith("change_")
)


class NotificationRow(RegisterRow):
    """What the offender told the police (key: ``notification_id``)."""

    notification_id: NotificationId
    kind: NotificationKind
    notified_on: DateOrDateTime
    effective_on: IsoDate | None = None
    departure_date: IsoDate | None = None
    return_date: IsoDate | None = None
    destination_countries: CountryList | None = None
    departure_port: Port | None = None
    arrival_port: Port | None = None
    carrier: FreeText | None = None

    @model_validator(mode="after")
    def _kind_rules(self):
        if self.kind in KINDS_NEEDING_EFFECTIVE_DATE and self.effective_on is None:
            raise contract_error(f"required for a {self.kind} notification", column="effective_on")
        if self.kind == "foreign_travel":
            for column in ("departure_date", "destination_countries"):
                if getattr(self, column) is None:
                    raise contract_error(
                        "required for a foreign_travel notification", column=column
                    )
        return self

    @property
    def notified_date(self) -> date:
        """The calendar date the rules count from, at the offset the source gave."""
        value = self.notified_on
        return value.date() if isinstance(value, datetime) else value

    @property
    def notified_at(self) -> datetime | None:
        return self.notified_on if isinstance(self.notified_on, datetime) else None


class TravelRow(ContractRow):
    """A passenger or border record (key: source + record_id), as the carrier wrote it."""

    record_id: RecordId
    source: SourceName
    family_name: Name
    given_names: Name | None = None
    date_of_birth: IsoDate | None = None
    sex: TravelSex | None = None
    nationality: Country | None = None
    doc_type: DocType | None = None
    doc_number: DocumentNumber | None = None
    doc_issuing_country: Country | None = None
    direction: Direction
    departure_port: Port | None = None
    arrival_port: Port | None = None
    departure_country: Country
    arrival_country: Country
    departure_time: OffsetDateTime
    carrier: FreeText | None = None
    flight_number: FlightNumber | None = None
    traveller_kind: TravellerKind = "passenger"
    booking_ref: BookingRef | None = None

    @property
    def departure_local_date(self) -> date:
        """The departure's calendar date at the offset the source gave: what the rules compare."""
        return self.departure_time.date()


MULTI_VALUED = frozenset({"nationalities", "destination_countries"})
"""Columns that may hold several values (``|``-separated, or a JSON array)."""

ROW_MODELS: dict[str, type[ContractRow]] = {
    "offenders": OffenderRow,
    "aliases": AliasRow,
    "documents": DocumentRow,
    "notifications": NotificationRow,
    "travel": TravelRow,
}


def columns_of(model: type[ContractRow]) -> tuple[str, ...]:
    """The contract's column names for a row kind, in the contract's order."""
    return tuple(model.model_fields)


def required_columns_of(model: type[ContractRow]) -> tuple[str, ...]:
    return tuple(name for name, field in model.model_fields.items() if field.is_required())


def number_columns_of(model: type[ContractRow]) -> frozenset[str]:
    """Columns holding a number or a yes/no: the only ones where a JSON number or boolean is
    the value itself (data contract 1.1: anywhere else it rejects the row)."""
    numeric = set()
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if get_origin(annotation) in (Union, UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        if annotation in (int, bool, float):
            numeric.add(name)
    return frozenset(numeric)


__all__ = [
    "KNOWN_OFFENDERS",
    "MULTI_VALUED",
    "number_columns_of",
    "ROW_MODELS",
    "AliasRow",
    "ContractRow",
    "DocumentRow",
    "NotificationRow",
    "OffenderRow",
    "TravelRow",
    "columns_of",
    "required_columns_of",
]
