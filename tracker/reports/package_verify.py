"""Verifying a package's files: the manifest's form, each file's hash, the signature and the
document's schema, every failure named precisely. Needs no database, so a partner can run it
with the unit's public key.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError

from tracker.reports import signing
from tracker.reports.package_files import (
    MANIFEST_JSON,
    PACKAGE_JSON,
    SIGNED_FILES,
    canonical_json,
    manifest_file_bytes,
    sha256_hex,
    unsigned_manifest,
    zip_bytes,
)
from tracker.schemas.package import SCHEMA_VERSION, IntelligencePackage, Manifest

MAX_FILE_BYTES = 20 * 1024 * 1024


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


def schema_problems(error: ValidationError, what: str) -> list[str]:
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
        return None, schema_problems(exc, f"{MANIFEST_JSON} is not a valid manifest")
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
        return schema_problems(exc, f"{PACKAGE_JSON} does not match schema {SCHEMA_VERSION}")
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
