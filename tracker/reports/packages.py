"""Intelligence packages: what a liaison officer sends abroad about a confirmed travel flag.

The actions, each a step: a request checked up front (nothing is read or written for a bad
one), then ``build_package`` gathers the facts (``package_facts``), picks the allow-listed
fields (``package_content``), renders and signs the files (``package_files``), writes them
(``package_folder``) and records the disclosure (``package_disclosure``); ``verify_package``
checks a package without the database (``package_verify``); ``list_packages`` lists them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.access.people import Actor
from tracker.countries import ISO_COUNTRY_CODES, country_name
from tracker.models import Package, User
from tracker.models.enums import HANDLING_CODES
from tracker.reports import signing
from tracker.reports.package_content import assemble_package, fields_sent
from tracker.reports.package_disclosure import mark_actioned, record_disclosure
from tracker.reports.package_facts import (
    PackageRefused,
    PackageRequest,
    country_warnings,
    gather_facts,
    packageable_flag,
)
from tracker.reports.package_files import package_files, sha256_hex, zip_bytes
from tracker.reports.package_folder import BuiltPackage, discard_package, write_package
from tracker.reports.package_verify import (
    VerifyReport,
    read_folder,
    schema_problems,
    verify_files,
    verify_zip_bytes,
)
from tracker.schemas.package import (
    GRADING_INTELLIGENCE,
    GRADING_SOURCES,
    SCHEMA_VERSION,
    GradingIntelligence,
    GradingSource,
)
from tracker.settings import Settings

# Source 1: border and carrier passenger data is an official, reliable source. Intelligence B:
# that the traveller is the registered person is inferred by record linkage, then
# corroborated by an analyst's review, so it is known indirectly but corroborated.
DEFAULT_GRADING = "1B"
DEFAULT_HANDLING = "P"


class PackageOptionError(ValueError):
    """An option value is wrong (a usage error); ``option`` names it."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option


# --- the request ------------------------------------------------------------------------------


def parse_country(text: str, home_country: str | None = None) -> str:
    """A real ISO 3166-1 alpha-3 code, and not the unit's own country (packages go abroad)."""
    code = (text or "").strip().upper()
    if code not in ISO_COUNTRY_CODES:
        raise PackageOptionError(
            "--country", f"{text!r} is not an ISO 3166-1 alpha-3 country code (e.g. THA)"
        )
    if home_country and code == home_country.upper():
        raise PackageOptionError(
            "--country", f"{code} is the unit's own country: packages go to overseas partners"
        )
    return code


def parse_grading(text: str) -> tuple[GradingSource, GradingIntelligence]:
    """``1B`` -> ("1", "B"): source 1-3 then intelligence A-E (UK 3x5x2)."""
    code = (text or "").strip().upper()
    source, intelligence = code[:1], code[1:]
    if source not in GRADING_SOURCES or intelligence not in GRADING_INTELLIGENCE:
        raise PackageOptionError(
            "--grading",
            f"{text!r} is not a 3x5x2 grading: source {'/'.join(GRADING_SOURCES)} then "
            f"intelligence {GRADING_INTELLIGENCE[0]}-{GRADING_INTELLIGENCE[-1]} "
            f"(e.g. {DEFAULT_GRADING})",
        )
    return source, intelligence


def default_agency(country: str) -> str:
    return f"INTERPOL NCB {country_name(country)}"


def make_request(
    *,
    flag_id: int,
    country: str,
    out_dir: Path,
    reason: str,
    agency: str | None = None,
    grading: str = DEFAULT_GRADING,
    handling: str = DEFAULT_HANDLING,
    conditions: str | None = None,
    home_country: str | None = None,
) -> PackageRequest:
    """Every option checked up front, so nothing is read or written for a bad request."""
    code = parse_country(country, home_country)
    source, intelligence = parse_grading(grading)
    handling = (handling or "").strip().upper()
    if handling not in HANDLING_CODES:
        raise PackageOptionError("--handling", f"{handling!r} is not a handling code (P or C)")
    conditions = (conditions or "").strip() or None
    if handling == "C" and conditions is None:
        raise PackageOptionError("--conditions", "handling code C needs --conditions TEXT")
    if handling == "P" and conditions is not None:
        raise PackageOptionError(
            "--conditions", "conditions go with handling code C only (add --handling C)"
        )
    reason = (reason or "").strip()
    if not reason:
        raise PackageOptionError(
            "--reason", "a reason is required: why this transfer is necessary (DPA 2018 s.72-78)"
        )
    agency = (agency or "").strip() or default_agency(code)
    return PackageRequest(
        flag_id, code, agency, reason, source, intelligence, handling, conditions, out_dir
    )


# --- building ---------------------------------------------------------------------------------


def build_package(
    session: Session, actor: Actor, request: PackageRequest, settings: Settings
) -> BuiltPackage:
    """Check, assemble, sign, write and record one package in the caller's transaction.

    If the caller's commit then fails, it should call ``discard_package`` on the result.
    """
    try:
        private_key = signing.load_private_key(settings.keys_dir)
    except signing.SigningKeyError as exc:
        raise PackageRefused(str(exc)) from exc
    flag = packageable_flag(session, request.flag_id)
    facts = gather_facts(session, flag)
    created_at = datetime.now(UTC).replace(microsecond=0)
    package_id = str(uuid.uuid4())
    try:
        document = assemble_package(
            facts,
            request,
            package_id=package_id,
            created_at=created_at,
            created_by=actor.name,
            settings=settings,
        )
    except ValidationError as exc:
        problems = "; ".join(schema_problems(exc, exc.title.lower()))
        raise PackageRefused(
            f"flag {flag.id}: the data does not fit package schema {SCHEMA_VERSION}, so nothing "
            f"was built ({problems})"
        ) from exc
    files = package_files(document, private_key)
    archive = zip_bytes(files)
    mark_actioned(session, flag.id, created_at)
    built = BuiltPackage(
        package_id=package_id,
        flag_id=flag.id,
        folder=request.out_dir / package_id,
        zip_path=request.out_dir / f"{package_id}.zip",
        zip_sha256=sha256_hex(archive),
        key_id=signing.key_id(private_key.public_key()),
        country=request.country,
        agency=request.agency,
        fields_sent=fields_sent(document),
        warnings=country_warnings(request, facts.travel),
    )
    folder, _ = write_package(request.out_dir, package_id, files, archive)
    try:
        record_disclosure(session, actor, request, built, facts, created_at, folder)
    except BaseException:
        discard_package(built)
        raise
    return built


# --- verifying --------------------------------------------------------------------------------


def trusting(*keys: Ed25519PublicKey) -> dict[str, Ed25519PublicKey]:
    """Keys by id, as verification looks them up."""
    return {signing.key_id(key): key for key in keys}


def verify_package(path: Path, trusted: Mapping[str, Ed25519PublicKey]) -> VerifyReport:
    """A package folder or its zip, against the trusted keys (by key id)."""
    if path.is_dir():
        files, problems = read_folder(path)
        return verify_files(files, trusted, VerifyReport(path, problems))
    try:
        data = path.read_bytes()
    except OSError as exc:
        return VerifyReport(path, [f"cannot read {path}: {exc.strerror}"])
    return verify_zip_bytes(data, trusted, path)


# --- listing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackageRow:
    package_id: str
    flag_id: int
    country: str
    agency: str | None
    grading: str
    handling: str
    created_by: str
    created_at: datetime
    path: str

    def as_dict(self) -> dict:
        return {**self.__dict__, "created_at": self.created_at.isoformat()}


def list_packages(
    session: Session, *, flag_id: int | None = None, country: str | None = None
) -> list[PackageRow]:
    statement = select(Package, User.name).join(User, User.id == Package.created_by)
    if flag_id is not None:
        statement = statement.where(Package.flag_id == flag_id)
    if country:
        statement = statement.where(Package.destination_country == country.upper())
    rows = session.execute(statement.order_by(Package.created_at.desc(), Package.id.desc()))
    return [
        PackageRow(
            p.package_uid,
            p.flag_id,
            p.destination_country,
            p.destination_agency,
            p.grading,
            p.handling,
            name,
            p.created_at,
            p.path,
        )
        for p, name in rows
    ]
