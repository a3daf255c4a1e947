"""The allow-list: the fields of a package picked one by one into the versioned schema.

Nothing of a row is read unless it is named here, and the document is validated against
``tracker.schemas.package`` (closed models), so a field added by mistake fails instead of
leaving the unit.
"""

from __future__ import annotations

from datetime import datetime

from tracker.countries import country_name
from tracker.matching.compare import KNOWN_LABELS
from tracker.models import Notification
from tracker.models.enums import (
    ALIAS_KINDS,
    DIRECTIONS,
    FLAG_KINDS,
    OFFENDER_STATUSES,
    RISK_LEVELS,
    SEXES,
    member_of,
)
from tracker.reports.package_facts import PackageFacts, PackageRequest
from tracker.schemas.package import (
    AGREEING_FIELD_NAMES,
    SCHEMA_VERSION,
    AgreeingField,
    AliasName,
    DeclaredTravel,
    Grading,
    IntelligencePackage,
    LegalBasis,
    MatchEvidence,
    Passport,
    Recipient,
    Registration,
    SendingUnit,
    Subject,
    Travel,
)
from tracker.settings import Settings

LEGAL_BASIS = (
    "Data Protection Act 2018 (United Kingdom), Part 3, sections 72 to 78: transfer of "
    "personal data to a relevant authority in a third country for a law-enforcement purpose."
)
PURPOSE = (
    "Law-enforcement purposes (Data Protection Act 2018, s.31): the prevention and detection "
    "of sexual offences and the protection of the public, in particular children, where a "
    "person subject to sex offender notification requirements travels to your country."
)
STATEMENT = (
    "This information is provided for information only. It may not be passed on to any other "
    "person, agency or country, nor used for any other purpose, without the prior written "
    "authorisation of the sending unit. It is not a finding that an offence was committed."
)

FINDINGS = {
    "unnotified_travel": "The subject travelled abroad without notifying the police, as "
    "the law of the sending country requires.",
    "late_travel_notification": "The subject notified this travel later than the law of the "
    "sending country requires.",
    "travel_details_mismatch": "The travel differs from what the subject notified.",
    "missing_return_notification": "The subject did not notify the return as the law of the "
    "sending country requires.",
}
GENERIC_FINDING = "A failure to comply with notification requirements, related to this travel."
# Whether the trip in the package was notified, by finding; other kinds: a notification exists.
NOTIFIED_BY_FINDING = {
    "unnotified_travel": False,
    "late_travel_notification": True,
    "travel_details_mismatch": True,
    "missing_return_notification": False,
}


def _codes(joined: str | None) -> list[str]:
    return [c for c in (joined or "").split("|") if c]


def _subject(facts: PackageFacts) -> Subject:
    o = facts.offender
    return Subject(
        family_name=o.family_name,
        given_names=o.given_names,
        aliases=[
            AliasName(
                family_name=a.family_name,
                given_names=a.given_names,
                kind=member_of(ALIAS_KINDS, a.kind),
            )
            for a in facts.aliases
        ],
        date_of_birth=o.date_of_birth,
        sex=None if o.sex is None else member_of(SEXES, o.sex),
        nationalities=_codes(o.nationalities),
        passports=[
            Passport(
                number=d.doc_number, issuing_country=d.issuing_country, expires_on=d.expires_on
            )
            for d in facts.documents
            if d.doc_type == "P"
        ],
    )


def _declared(notification: Notification | None) -> DeclaredTravel | None:
    if notification is None:
        return None
    return DeclaredTravel(
        notified_on=notification.notified_on,
        departure_date=notification.departure_date,
        return_date=notification.return_date,
        destination_countries=_codes(notification.destination_countries),
    )


def _travel(facts: PackageFacts) -> Travel:
    t, flag = facts.travel, facts.flag
    notified = NOTIFIED_BY_FINDING.get(flag.kind, facts.notification is not None)
    return Travel(
        direction=member_of(DIRECTIONS, t.direction),
        carrier=t.carrier,
        flight_number=t.flight_number,
        departure_port=t.departure_port,
        arrival_port=t.arrival_port,
        departure_country=t.departure_country,
        arrival_country=t.arrival_country,
        departure_time=t.departure_time,
        departure_date=t.departure_local_date,
        notified=notified,
        declared=_declared(facts.notification),
        finding=member_of(FLAG_KINDS, flag.kind),
        finding_description=FINDINGS.get(flag.kind, GENERIC_FINDING),
    )


def _match(facts: PackageFacts) -> MatchEvidence:
    """Probability and the fields that agreed; a level label is sent only if it is one of the
    matcher's own labels, so nothing free-form from the explanation can leave."""
    explanation = facts.link.explanation if facts.link else None
    agreed = [
        AgreeingField(field=row.field, agreement=row.label)
        for row in (explanation.fields if explanation else ())
        if row.field in AGREEING_FIELD_NAMES
        and row.weight > 0
        and row.label in KNOWN_LABELS.get(row.field, ())
    ]
    probability = facts.link.match_probability if facts.link else facts.flag.match_probability
    return MatchEvidence(
        probability=None if probability is None else round(float(probability), 4),
        agreeing_fields=agreed,
        confirmed_by_analyst_on=facts.confirmed_on,
    )


def assemble_package(
    facts: PackageFacts,
    request: PackageRequest,
    *,
    package_id: str,
    created_at: datetime,
    created_by: str,
    settings: Settings,
) -> IntelligencePackage:
    """The allow-list: each field is named here; nothing else of any row is read."""
    o = facts.offender
    return IntelligencePackage(
        schema_version=SCHEMA_VERSION,
        package_id=package_id,
        created_at=created_at,
        created_by=created_by,
        sending_unit=SendingUnit(name=settings.unit_name, contact=settings.unit_contact),
        recipient=Recipient(
            country=request.country,
            country_name=country_name(request.country),
            agency=request.agency,
        ),
        legal=LegalBasis(basis=LEGAL_BASIS, purpose=PURPOSE, statement=STATEMENT),
        grading=Grading(
            source=request.source,
            intelligence=request.intelligence,
            code=request.grading,
            handling=request.handling,
            conditions=request.conditions,
        ),
        subject=_subject(facts),
        offence_category=o.offence_category,
        risk_level=None if o.risk_level is None else member_of(RISK_LEVELS, o.risk_level),
        registration=Registration(
            status=member_of(OFFENDER_STATUSES, o.status),
            requirement_start=o.requirement_start,
            notification_period=o.notification_period,
        ),
        travel=_travel(facts),
        match=_match(facts),
    )


def fields_sent(document: IntelligencePackage) -> list[str]:
    """Dotted paths of every field that carries a value: the disclosure log's "what was sent"."""
    paths: list[str] = []

    def walk(value, prefix: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{prefix}.{key}" if prefix else key)
        elif isinstance(value, list):
            for item in value:
                walk(item, f"{prefix}[]")
        elif value is not None and prefix not in paths:
            paths.append(prefix)

    walk(document.model_dump(mode="json"), "")
    return paths
