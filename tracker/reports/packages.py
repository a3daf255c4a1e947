"""Intelligence packages: what a liaison officer sends abroad about a confirmed travel flag.

One step per function: check the request and the flag, gather the facts, pick the allow-listed
fields into the versioned schema (``tracker.schemas.package``), render package.json and
summary.html from that document alone, sign a manifest of their hashes, write the folder and
a deterministic zip, then record the package, the disclosure and one audit entry, and mark the
flag actioned. Verification needs no database, so a partner can run it with the public key.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import uuid
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pycountry
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tracker.access.people import Actor
from tracker.audit import record_event
from tracker.matching.compare import KNOWN_LABELS
from tracker.matching.explain import agreeing_fields
from tracker.models import (
    Alias,
    Decision,
    Disclosure,
    Document,
    Flag,
    Link,
    Notification,
    Offender,
    Package,
    TravelRecord,
    User,
)
from tracker.reports import signing
from tracker.schemas.package import (
    GRADING_INTELLIGENCE,
    GRADING_SOURCES,
    MANIFEST_VERSION,
    SCHEMA_VERSION,
    SIGNATURE_ALGORITHM,
    AgreeingField,
    AliasName,
    DeclaredTravel,
    Grading,
    IntelligencePackage,
    LegalBasis,
    Manifest,
    MatchEvidence,
    Passport,
    Recipient,
    Registration,
    SendingUnit,
    Subject,
    Travel,
)
from tracker.settings import Settings

PACKAGE_JSON = "package.json"
SUMMARY_HTML = "summary.html"
MANIFEST_JSON = "manifest.json"
SIGNED_FILES = (PACKAGE_JSON, SUMMARY_HTML)
ZIP_ORDER = (PACKAGE_JSON, SUMMARY_HTML, MANIFEST_JSON)
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
MAX_FILE_BYTES = 20 * 1024 * 1024
FOLDER_MODE = 0o700
FILE_MODE = 0o600

# Source 1: border and carrier passenger data is an official, reliable source. Intelligence B:
# that the traveller is the registered person is inferred by record linkage, then
# corroborated by an analyst's review, so it is known indirectly but corroborated.
DEFAULT_GRADING = "1B"
DEFAULT_HANDLING = "P"

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

SOURCE_LABELS = {"1": "reliable", "2": "untested", "3": "not reliable"}
INTELLIGENCE_LABELS = {
    "A": "known directly to the source",
    "B": "known indirectly but corroborated",
    "C": "known indirectly",
    "D": "not known",
    "E": "suspected to be false",
}
HANDLING_LABELS = {"P": "lawful sharing permitted", "C": "lawful sharing permitted with conditions"}

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

_GRADING = re.compile(r"^([123])([A-E])$")


class PackageOptionError(ValueError):
    """An option value is wrong (a usage error); ``option`` names it."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option


class PackageRefused(Exception):
    """The package may not be built (wrong flag, state changed, no key)."""


# --- the request ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackageRequest:
    flag_id: int
    country: str
    agency: str
    reason: str
    source: str
    intelligence: str
    handling: str
    conditions: str | None
    out_dir: Path

    @property
    def grading(self) -> str:
        return f"{self.source}{self.intelligence}"


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_3=code)
    return getattr(country, "common_name", None) or country.name


def parse_country(text: str, home_country: str | None = None) -> str:
    """A real ISO 3166-1 alpha-3 code, and not the unit's own country (packages go abroad)."""
    code = (text or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code) or pycountry.countries.get(alpha_3=code) is None:
        raise PackageOptionError(
            "--country", f"{text!r} is not an ISO 3166-1 alpha-3 country code (e.g. THA)"
        )
    if home_country and code == home_country.upper():
        raise PackageOptionError(
            "--country", f"{code} is the unit's own country: packages go to overseas partners"
        )
    return code


def parse_grading(text: str) -> tuple[str, str]:
    """``1B`` -> ("1", "B"): source 1-3 then intelligence A-E (UK 3x5x2)."""
    match = _GRADING.fullmatch((text or "").strip().upper())
    if match is None:
        raise PackageOptionError(
            "--grading",
            f"{text!r} is not a 3x5x2 grading: source {'/'.join(GRADING_SOURCES)} then "
            f"intelligence {GRADING_INTELLIGENCE[0]}-{GRADING_INTELLIGENCE[-1]} "
            f"(e.g. {DEFAULT_GRADING})",
        )
    return match.group(1), match.group(2)


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
    if handling not in HANDLING_LABELS:
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


# --- the facts --------------------------------------------------------------------------------


@dataclass
class PackageFacts:
    """The rows a package is picked from (the picking itself is ``assemble_package``)."""

    flag: Flag
    offender: Offender
    aliases: list[Alias]
    documents: list[Document]
    travel: TravelRecord
    link: Link | None
    notification: Notification | None
    confirmed_on: date | None


def packageable_flag(session: Session, flag_id: int) -> Flag:
    """A confirmed travel flag, locked; anything else is refused, naming kind and status."""
    flag = session.get(Flag, flag_id, with_for_update=True)
    if flag is None:
        raise PackageRefused(f"no flag with id {flag_id}")
    if flag.travel_pk is None:
        raise PackageRefused(
            f"flag {flag_id} ({flag.kind}, {flag.status}) has no travel record: packages are "
            "built for travel flags only"
        )
    if flag.status == "actioned":
        earlier = session.scalars(
            select(Package).where(Package.flag_id == flag_id).order_by(Package.id.desc())
        ).first()
        sent = (
            f": package {earlier.package_uid} went to {earlier.destination_country} on "
            f"{earlier.created_at:%Y-%m-%d}"
            if earlier
            else ""
        )
        raise PackageRefused(f"flag {flag_id} ({flag.kind}) is already actioned{sent}")
    if flag.status != "confirmed":
        raise PackageRefused(
            f"flag {flag_id} ({flag.kind}) is {flag.status}: only a flag an analyst or "
            "supervisor confirmed can be packaged (tracker review decide --decision confirm)"
        )
    return flag


def gather_facts(session: Session, flag: Flag) -> PackageFacts:
    offender = session.get(Offender, flag.offender_pk)
    aliases = session.scalars(
        select(Alias).where(Alias.offender_pk == offender.id).order_by(Alias.id)
    )
    documents = session.scalars(
        select(Document).where(Document.offender_pk == offender.id).order_by(Document.id)
    )
    confirmed_at = session.scalar(
        select(Decision.decided_at)
        .where(Decision.flag_id == flag.id, Decision.decision == "confirm")
        .order_by(Decision.decided_at.desc())
        .limit(1)
    )
    link = session.get(Link, flag.link_id) if flag.link_id else None
    notification = session.get(Notification, flag.notification_pk) if flag.notification_pk else None
    return PackageFacts(
        flag=flag,
        offender=offender,
        aliases=list(aliases),
        documents=list(documents),
        travel=session.get(TravelRecord, flag.travel_pk),
        link=link,
        notification=notification,
        confirmed_on=confirmed_at.date() if confirmed_at else None,
    )


def country_warnings(request: PackageRequest, travel: TravelRecord) -> list[str]:
    arrival = "DEU" if travel.arrival_country == "D" else travel.arrival_country
    if request.country != arrival:
        return [
            f"flag {request.flag_id}'s travel arrived in {travel.arrival_country}, but the "
            f"package goes to {request.country}: check the destination"
        ]
    return []


# --- the allow-list ---------------------------------------------------------------------------


def _codes(joined: str | None) -> list[str]:
    return [c for c in (joined or "").split("|") if c]


def _subject(facts: PackageFacts) -> Subject:
    o = facts.offender
    return Subject(
        family_name=o.family_name,
        given_names=o.given_names,
        aliases=[
            AliasName(family_name=a.family_name, given_names=a.given_names, kind=a.kind)
            for a in facts.aliases
        ],
        date_of_birth=o.date_of_birth,
        sex=o.sex,
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
        direction=t.direction,
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
        finding=flag.kind,
        finding_description=FINDINGS.get(flag.kind, GENERIC_FINDING),
    )


def _match(facts: PackageFacts) -> MatchEvidence:
    """Probability and the fields that agreed; a level label is sent only if it is one of the
    matcher's own labels, so nothing free-form from the explanation can leave."""
    explanation = facts.link.explanation if facts.link else {}
    labels = {f.get("field"): f.get("label") for f in explanation.get("fields", [])}
    agreed = [
        AgreeingField(field=name, agreement=labels[name])
        for name in agreeing_fields(explanation)
        if labels.get(name) in KNOWN_LABELS.get(name, ())
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
        risk_level=o.risk_level,
        registration=Registration(
            status=o.status,
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


# --- rendering and signing (pure: no database, no files) -------------------------------------


def render_package_json(document: IntelligencePackage) -> bytes:
    payload = document.model_dump(mode="json")
    return (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _template_environment() -> Environment:
    return Environment(
        loader=PackageLoader("tracker", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_summary_html(document: IntelligencePackage, key_id: str) -> bytes:
    """The printable page, rendered from the validated document only (never from rows)."""
    template = _template_environment().get_template("package_summary.html")
    html = template.render(
        p=document,
        key_id=key_id,
        source_label=SOURCE_LABELS[document.grading.source],
        intelligence_label=INTELLIGENCE_LABELS[document.grading.intelligence],
        handling_label=HANDLING_LABELS[document.grading.handling],
    )
    return html.encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json(value: Mapping) -> bytes:
    """Sorted keys, no whitespace: the exact bytes a manifest signature covers."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def manifest_file_bytes(manifest: Mapping) -> bytes:
    """The one way a manifest is written, so verification can insist on every byte."""
    return (json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=True) + "\n").encode()


def unsigned_manifest(manifest: Mapping) -> dict:
    return {k: v for k, v in manifest.items() if k != "signature"}


def sign_manifest(
    package_id: str, files: Mapping[str, bytes], private_key: Ed25519PrivateKey
) -> bytes:
    body = {
        "schema_version": MANIFEST_VERSION,
        "package_id": package_id,
        "files": {name: sha256_hex(files[name]) for name in SIGNED_FILES},
        "key_id": signing.key_id(private_key.public_key()),
        "algorithm": SIGNATURE_ALGORITHM,
    }
    signed = {**body, "signature": signing.sign(private_key, canonical_json(body))}
    Manifest.model_validate(signed)
    return manifest_file_bytes(signed)


def package_files(
    document: IntelligencePackage, private_key: Ed25519PrivateKey
) -> dict[str, bytes]:
    """The three files of a package, in zip order."""
    files = {
        PACKAGE_JSON: render_package_json(document),
        SUMMARY_HTML: render_summary_html(document, signing.key_id(private_key.public_key())),
    }
    files[MANIFEST_JSON] = sign_manifest(document.package_id, files, private_key)
    return {name: files[name] for name in ZIP_ORDER}


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    """Stored (not compressed), fixed timestamps and attributes, fixed order: the same files
    always give the same zip, whatever the zlib, so its hash is stable and checkable."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in ZIP_ORDER:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = (0o100000 | 0o644) << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


# --- writing ----------------------------------------------------------------------------------


@dataclass
class BuiltPackage:
    package_id: str
    flag_id: int
    folder: Path
    zip_path: Path
    zip_sha256: str
    key_id: str
    country: str
    agency: str
    fields_sent: list[str]
    warnings: list[str] = field(default_factory=list)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def make_private_folder(path: Path) -> None:
    """Create ``path`` and any missing parent owner-only (0700, whatever the umask): a folder
    listing package names must not be readable by other accounts. Existing folders are left
    as they are (``--out`` may name a shared folder the tracker does not own)."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
        folder.chmod(FOLDER_MODE)
    if not path.is_dir():
        raise NotADirectoryError(20, "Not a directory", str(path))


def tighten_own_folder(path: Path) -> None:
    """Make a folder that is the tracker's own (the web application's packages folder)
    owner-only, also when an earlier version created it world-listable."""
    make_private_folder(path)
    status = path.stat()
    if status.st_uid == os.geteuid() and status.st_mode & 0o077:
        path.chmod(FOLDER_MODE)


def write_package(
    out_dir: Path, package_id: str, files: Mapping[str, bytes], archive: bytes
) -> tuple[Path, Path]:
    """Written beside the target under hidden names, then renamed: a reader never sees half a
    package. Owner-only, as the files hold personal data."""
    try:
        make_private_folder(out_dir)
    except OSError as exc:
        raise PackageRefused(f"cannot create {out_dir}: {exc.strerror}") from exc
    folder, zip_path = out_dir / package_id, out_dir / f"{package_id}.zip"
    staging = out_dir / f".{package_id}.partial"
    zip_staging = out_dir / f".{package_id}.zip.partial"
    try:
        staging.mkdir(mode=FOLDER_MODE)
        staging.chmod(FOLDER_MODE)  # whatever the umask
        for name, data in files.items():
            _write_private(staging / name, data)
        _write_private(zip_staging, archive)
        os.replace(staging, folder)
        os.replace(zip_staging, zip_path)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        zip_staging.unlink(missing_ok=True)
        raise PackageRefused(f"cannot write the package under {out_dir}: {exc}") from exc
    return folder, zip_path


def discard_package(built: BuiltPackage) -> None:
    """Remove a package's files when its database record did not commit."""
    shutil.rmtree(built.folder, ignore_errors=True)
    built.zip_path.unlink(missing_ok=True)


# --- recording --------------------------------------------------------------------------------


def mark_actioned(session: Session, flag_id: int, now: datetime) -> None:
    """Confirmed -> actioned, only if still confirmed: two officers cannot both send it."""
    result = session.execute(
        update(Flag)
        .where(Flag.id == flag_id, Flag.status == "confirmed")
        .values(status="actioned", updated_at=now)
    )
    if result.rowcount != 1:
        raise PackageRefused(f"flag {flag_id} changed while the package was built; try again")


def record_disclosure(
    session: Session,
    actor: Actor,
    request: PackageRequest,
    built: BuiltPackage,
    facts: PackageFacts,
    created_at: datetime,
    folder: Path,
) -> Package:
    """The package row, the disclosure log row and the one audit entry (DPA 2018 s.62, s.72-78:
    who, to which country and agency, when, what and why)."""
    package = Package(
        package_uid=built.package_id,
        flag_id=request.flag_id,
        destination_country=request.country,
        destination_agency=request.agency,
        grading=request.grading,
        handling=request.handling,
        conditions=request.conditions,
        created_by=actor.user_id,
        created_at=created_at,
        path=str(folder.resolve()),
        zip_sha256=built.zip_sha256,
        key_id=built.key_id,
    )
    session.add(package)
    session.flush()
    session.add(
        Disclosure(
            package_id=package.id,
            recipient_country=request.country,
            recipient_agency=request.agency,
            user_id=actor.user_id,
            disclosed_at=created_at,
            justification=request.reason,
            fields_sent=built.fields_sent,
        )
    )
    record_event(
        session,
        actor=actor.name,
        action="disclosure",
        object_type="package",
        object_id=built.package_id,
        justification=request.reason,
        details={
            "package_id": built.package_id,
            "flag_id": request.flag_id,
            "flag_status": "confirmed -> actioned",
            "offender_id": facts.offender.offender_id,
            "recipient_country": request.country,
            "recipient_agency": request.agency,
            "grading": request.grading,
            "handling": request.handling,
            "conditions": request.conditions,
            "fields_sent": built.fields_sent,
            "zip_sha256": built.zip_sha256,
            "key_id": built.key_id,
        },
    )
    session.flush()
    return package


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
        problems = "; ".join(_schema_problems(exc, exc.title.lower()))
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


@dataclass
class VerifyReport:
    path: Path
    problems: list[str] = field(default_factory=list)
    package_id: str | None = None
    key_id: str | None = None
    files: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def read_folder(path: Path) -> tuple[dict[str, bytes], list[str]]:
    files: dict[str, bytes] = {}
    problems: list[str] = []
    for entry in sorted(path.iterdir()):
        if entry.is_symlink() or not entry.is_file():
            problems.append(f"unexpected entry {entry.name!r}: a package holds only its files")
        elif entry.stat().st_size > MAX_FILE_BYTES:
            problems.append(f"{entry.name} is too large to be part of a package")
        else:
            files[entry.name] = entry.read_bytes()
    return files, problems


# What a damaged or hostile zip can raise while being read (encrypted: RuntimeError).
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    ValueError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    zlib.error,
)


def read_zip(data: bytes) -> tuple[dict[str, bytes], list[str]]:
    """The members of a package zip, read in memory (nothing is extracted to disk)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS as exc:
        return {}, [f"unreadable zip: {exc}"]
    files: dict[str, bytes] = {}
    problems: list[str] = []
    with archive:
        for info in archive.infolist():
            name = info.filename
            if name in files:
                problems.append(f"the zip holds {name!r} more than once")
            elif info.is_dir() or "/" in name or "\\" in name:
                problems.append(
                    f"unexpected entry {name!r} in the zip: a package holds only its files"
                )
            elif info.file_size > MAX_FILE_BYTES:
                problems.append(f"{name} in the zip is too large to be part of a package")
            else:
                try:
                    files[name] = archive.read(info)
                except ZIP_ERRORS as exc:
                    problems.append(f"{name} in the zip is corrupt: {exc}")
    return files, problems


def _schema_problems(error: ValidationError, what: str) -> list[str]:
    return [
        f"{what}: {'.'.join(str(p) for p in item['loc']) or 'top level'}: {item['msg']}"
        for item in error.errors(include_url=False)
    ]


def _read_manifest(files: Mapping[str, bytes]) -> tuple[Manifest | None, list[str]]:
    data = files.get(MANIFEST_JSON)
    if data is None:
        return None, [f"{MANIFEST_JSON} is missing: nothing can be verified"]
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [f"{MANIFEST_JSON} is not valid JSON: {exc}"]
    try:
        manifest = Manifest.model_validate(raw)
    except ValidationError as exc:
        return None, _schema_problems(exc, f"{MANIFEST_JSON} is not a valid manifest")
    problems = []
    if manifest_file_bytes(raw) != data:
        problems.append(
            f"{MANIFEST_JSON} was altered: its bytes differ from the form in which it was signed"
        )
    return manifest, problems


def _hash_problems(manifest: Manifest, files: Mapping[str, bytes]) -> list[str]:
    problems = []
    for name in SIGNED_FILES:
        if name not in manifest.files:
            problems.append(f"the manifest does not list {name}")
    for name, expected in manifest.files.items():
        if name not in SIGNED_FILES:
            problems.append(f"the manifest lists {name!r}, which is not part of a package")
        if name not in files:
            problems.append(f"{name} is missing")
            continue
        actual = sha256_hex(files[name])
        if actual != expected:
            problems.append(
                f"{name} was altered: its SHA-256 is {actual}, the manifest says {expected}"
            )
    for name in files:
        if name != MANIFEST_JSON and name not in manifest.files:
            problems.append(f"extra file {name!r} is not in the manifest")
    return problems


def _signature_problems(manifest: Manifest, trusted: Mapping[str, Ed25519PublicKey]) -> list[str]:
    public_key = trusted.get(manifest.key_id)
    if public_key is None:
        return [
            f"unknown key id {manifest.key_id}: the package says it was signed with that key, "
            f"but the verifying key is {', '.join(sorted(trusted)) or 'none'}; the "
            "signature cannot be checked"
        ]
    try:
        signature = signing.decode_signature(manifest.signature)
    except signing.SigningKeyError as exc:
        return [f"signature invalid: {exc}"]
    message = canonical_json(unsigned_manifest(manifest.model_dump()))
    if not signing.signature_valid(public_key, message, signature):
        return [
            f"signature invalid: the manifest's Ed25519 signature does not verify with key "
            f"{manifest.key_id}"
        ]
    return []


def _content_problems(manifest: Manifest, files: Mapping[str, bytes]) -> list[str]:
    data = files.get(PACKAGE_JSON)
    if data is None:
        return []
    try:
        document = IntelligencePackage.model_validate_json(data)
    except ValidationError as exc:
        return _schema_problems(exc, f"{PACKAGE_JSON} does not match schema {SCHEMA_VERSION}")
    if document.package_id != manifest.package_id:
        return [
            f"{PACKAGE_JSON} is package {document.package_id}, but the manifest is for "
            f"{manifest.package_id}"
        ]
    return []


def verify_files(
    files: Mapping[str, bytes], trusted: Mapping[str, Ed25519PublicKey], report: VerifyReport
) -> VerifyReport:
    """Every check on the package's files, each failure named precisely."""
    report.files = sorted(files)
    manifest, problems = _read_manifest(files)
    report.problems += problems
    if manifest is None:
        return report
    report.package_id, report.key_id = manifest.package_id, manifest.key_id
    report.problems += _hash_problems(manifest, files)
    report.problems += _signature_problems(manifest, trusted)
    report.problems += _content_problems(manifest, files)
    return report


def verify_zip_bytes(
    data: bytes, trusted: Mapping[str, Ed25519PublicKey], path: Path = Path("<zip>")
) -> VerifyReport:
    files, problems = read_zip(data)
    report = VerifyReport(path, problems)
    if not files and problems:
        return report
    verify_files(files, trusted, report)
    if report.intact and zip_bytes(files) != data:
        report.problems.append(
            "the zip itself was altered (its files are intact, but it is not byte for byte the "
            "zip that was built): verify the folder"
        )
    return report


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


def render_package_rows(rows: Iterable[PackageRow], fmt: str) -> str:
    rows = list(rows)
    if fmt == "json":
        return json.dumps([r.as_dict() for r in rows], indent=2, ensure_ascii=False)
    if not rows:
        return "no packages yet"
    lines = [
        f"{'package':<36}  {'flag':>6}  {'to':<3}  {'agency':<28}  {'grade':<6}"
        f"{'by':<14}  {'created (UTC)':<16}  path"
    ]
    for r in rows:
        lines.append(
            f"{r.package_id:<36}  {r.flag_id:>6}  {r.country:<3}  {(r.agency or '-')[:28]:<28}  "
            f"{r.grading + '/' + r.handling:<6}{r.created_by[:14]:<14}  "
            f"{r.created_at:%Y-%m-%d %H:%M}  {r.path}"
        )
    return "\n".join(lines)
