"""The audit anchor's key: 32 random bytes in ``keys/`` (folder 0700, file 0600), never in the
database, so whoever owns the database cannot forge a checkpoint. The trail records each key
made by its fingerprint, so a key replaced later is found."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import AuditEvent

ANCHOR_KEY_FILE = "audit-anchor.key"
KEY_BYTES = 32
KEY_DIR_MODE = 0o700  # as the package signing key's folder (tracker.reports.signing)
PRIVATE_KEY_MODE = 0o600
ANCHOR_KEY_OBJECT = "audit_anchor_key"
"""The entry recording that an anchor key was made, with its fingerprint."""
KEY_GONE = "the anchor key is gone: restore keys/ from backup"


class AnchorError(Exception):
    """The anchor key cannot be used (unreadable, unsafe, malformed or gone). ``shown``: the
    same without server paths, for the web."""

    def __init__(self, message: str, shown: str | None = None):
        super().__init__(message)
        self.shown = shown or message


def key_path(keys_dir: Path) -> Path:
    return keys_dir / ANCHOR_KEY_FILE


def create_key(keys_dir: Path) -> bool:
    """Make the anchor key if there is none (folder 0700, file 0600 from the start). True when
    it was made now. An existing key is never replaced: checkpoints it signed verify only with
    it."""
    path = key_path(keys_dir)
    if path.exists():
        return False
    keys_dir.mkdir(parents=True, exist_ok=True, mode=KEY_DIR_MODE)
    os.chmod(keys_dir, KEY_DIR_MODE)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_KEY_MODE)
    except FileExistsError:  # made by a concurrent run a moment ago
        return False
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(KEY_BYTES) + "\n")
    return True


def load_key(keys_dir: Path) -> bytes | None:
    """The key's bytes, or None when there is no key file."""
    path = key_path(keys_dir)
    if not path.exists():
        return None
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise AnchorError(
            f"{path} has permissions {mode:04o}: others could read the audit "
            f"anchor key. Run `chmod 600 {path}`",
            f"the audit anchor key has permissions {mode:04o}: others could read it",
        )
    text = path.read_text(encoding="ascii", errors="replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError as exc:
        raise AnchorError(
            f"{path} is not an audit anchor key (hex expected)",
            "the audit anchor key file is not a key (hex expected)",
        ) from exc
    if len(key) != KEY_BYTES:
        raise AnchorError(
            f"{path} holds {len(key)} bytes, not {KEY_BYTES}",
            f"the audit anchor key holds {len(key)} bytes, not {KEY_BYTES}",
        )
    return key


def fingerprint(key: bytes) -> str:
    """Names a key in the trail without revealing it."""
    return hashlib.sha256(b"tracker-audit-anchor-key|" + key).hexdigest()[:16]


def chained_key_fingerprints(session: Session) -> list[str]:
    """The fingerprints of the anchor keys the trail records as made, oldest first."""
    rows = session.scalars(
        select(AuditEvent.object_id)
        .where(AuditEvent.object_type == ANCHOR_KEY_OBJECT)
        .order_by(AuditEvent.id)
    )
    return [row for row in rows if row]
