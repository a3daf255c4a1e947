"""A package's files, rendered from the validated document alone, signed and zipped.

Pure: no database and no disk. package.json and summary.html are rendered from the document,
manifest.json lists their SHA-256 and carries an Ed25519 signature over the rest of it, and
the zip is deterministic, so the same files always give the same bytes and the same hash.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jinja2 import Environment, PackageLoader, StrictUndefined

from tracker.reports import signing
from tracker.schemas.package import (
    HANDLING_LABELS,
    INTELLIGENCE_LABELS,
    MANIFEST_VERSION,
    SIGNATURE_ALGORITHM,
    SOURCE_LABELS,
    IntelligencePackage,
    Manifest,
)

PACKAGE_JSON = "package.json"
SUMMARY_HTML = "summary.html"
MANIFEST_JSON = "manifest.json"
SIGNED_FILES = (PACKAGE_JSON, SUMMARY_HTML)
ZIP_ORDER = (PACKAGE_JSON, SUMMARY_HTML, MANIFEST_JSON)
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


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
