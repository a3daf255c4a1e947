"""The unit's Ed25519 signing key pair: kept outside the database, readable by its owner only.

A partner who holds the unit's public key (``tracker keys export-public``) can check that a
package came from the unit unaltered. The key id (first 16 hex characters of the SHA-256 of
the raw public key) names the key in every manifest, so a key can be rotated without doubt
about which one signed what.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PRIVATE_KEY_FILE = "package-signing.ed25519.pem"
PUBLIC_KEY_FILE = "package-signing.ed25519.pub.pem"
RETIRED_PUBLIC_KEY = "package-signing.{key_id}.retired.pub.pem"
KEY_DIR_MODE = 0o700
PRIVATE_KEY_MODE = 0o600
PUBLIC_KEY_MODE = 0o644


class SigningKeyError(Exception):
    """Base for key problems the CLI reports as they are."""


class KeyExists(SigningKeyError):
    pass


class KeyMissing(SigningKeyError):
    pass


class KeyUnsafe(SigningKeyError):
    """The private key file can be read by someone other than its owner."""


class KeyInvalid(SigningKeyError):
    pass


@dataclass(frozen=True)
class KeyInfo:
    key_id: str
    private_path: Path
    public_path: Path


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def _private_pem(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write_exclusive(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` with ``mode`` from the start (no moment where others could read it),
    via a temporary file renamed into place so a crash never leaves half a key."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _secure_directory(keys_dir: Path) -> None:
    keys_dir.mkdir(parents=True, exist_ok=True, mode=KEY_DIR_MODE)
    os.chmod(keys_dir, KEY_DIR_MODE)


def init_keys(keys_dir: Path, force: bool = False) -> KeyInfo:
    """Make a new key pair; an existing one is replaced only with ``force``."""
    private_path = keys_dir / PRIVATE_KEY_FILE
    public_path = keys_dir / PUBLIC_KEY_FILE
    if private_path.exists() and not force:
        try:
            described = f"key id {key_id(load_private_key(keys_dir).public_key())}"
        except SigningKeyError as exc:
            described = f"unusable: {exc}"
        raise KeyExists(
            f"a signing key already exists at {private_path} ({described}); packages signed "
            "with it verify only with it. Use --force to replace it"
        )
    _secure_directory(keys_dir)
    _retire_public_key(keys_dir)
    private_key = Ed25519PrivateKey.generate()
    _write_exclusive(private_path, _private_pem(private_key), PRIVATE_KEY_MODE)
    _write_exclusive(public_path, public_pem(private_key.public_key()).encode(), PUBLIC_KEY_MODE)
    return KeyInfo(key_id(private_key.public_key()), private_path, public_path)


def _retire_public_key(keys_dir: Path) -> None:
    """Keep a replaced key's public half, so packages it signed still verify here."""
    current = keys_dir / PUBLIC_KEY_FILE
    if not current.exists():
        return
    try:
        retired_id = key_id(load_public_key(current))
    except SigningKeyError:
        return
    os.replace(current, keys_dir / RETIRED_PUBLIC_KEY.format(key_id=retired_id))


def current_key_id(keys_dir: Path) -> str | None:
    """The id of the unit's current key, or None when there is none (or it is unreadable)."""
    try:
        return key_id(load_public_key(keys_dir / PUBLIC_KEY_FILE))
    except SigningKeyError:
        return None


def _check_owner_only(path: Path) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyUnsafe(
            f"{path} has permissions {mode:04o}: others could read the unit's signing key. "
            f"Run `chmod 600 {path}` (and check nobody copied it)"
        )


def load_private_key(keys_dir: Path) -> Ed25519PrivateKey:
    path = keys_dir / PRIVATE_KEY_FILE
    if not path.exists():
        raise KeyMissing(f"no signing key at {path}: run `tracker keys init` first")
    _check_owner_only(path)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise KeyInvalid(f"{path} is not a readable PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyInvalid(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A PEM public key (the unit's own, or one a partner supplied)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise KeyMissing(f"no public key at {path}") from exc
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise KeyInvalid(f"{path} is not a PEM public key: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise KeyInvalid(f"{path} is not an Ed25519 public key")
    return key


def unit_public_key(keys_dir: Path) -> Ed25519PublicKey:
    path = keys_dir / PUBLIC_KEY_FILE
    if not path.exists():
        raise KeyMissing(
            f"no public key at {path}: run `tracker keys init`, or give the signer's key "
            "with --public-key"
        )
    return load_public_key(path)


def trusted_unit_keys(keys_dir: Path) -> dict[str, Ed25519PublicKey]:
    """The unit's current public key and the ones it replaced, by key id."""
    current = unit_public_key(keys_dir)
    trusted = {}
    for path in sorted(keys_dir.glob(RETIRED_PUBLIC_KEY.format(key_id="*"))):
        retired = load_public_key(path)
        trusted[key_id(retired)] = retired
    trusted[key_id(current)] = current
    return trusted


def sign(private_key: Ed25519PrivateKey, message: bytes) -> str:
    return base64.b64encode(private_key.sign(message)).decode("ascii")


def decode_signature(text: str) -> bytes:
    """Strict base64: a signature spelled any other way than the one it was written with is
    refused, so no byte of a manifest can change without verification failing."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyInvalid(f"the signature is not valid base64: {exc}") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise KeyInvalid("the signature is not in canonical base64")
    return raw


def signature_valid(public_key: Ed25519PublicKey, message: bytes, signature: bytes) -> bool:
    try:
        public_key.verify(signature, message)
    except InvalidSignature:
        return False
    return True
