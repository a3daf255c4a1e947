"""The audit trail anchored outside the database: checkpoints of its head, each with an HMAC.

Whoever owns the database can drop its triggers, edit an entry and recompute every hash after
it and the head; the chain alone then still adds up. A checkpoint (entry id, entry hash, time)
written to the data folder with an HMAC-SHA256 under a key kept in ``keys/`` (owner only,
never in the database) cannot be forged from the database: a trail edited, cut back or
emptied below a checkpoint no longer holds the entry it names (DPA 2018 s.62 logs must be
trustworthy, domain.md s.6).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.models import AuditEvent, AuditHead

ANCHOR_KEY_FILE = "audit-anchor.key"
CHECKPOINTS_FILE = "checkpoints.jsonl"
CHECKPOINT_VERSION = "tracker-audit-checkpoint/1"
KEY_BYTES = 32
KEY_DIR_MODE = 0o700  # as the package signing key's folder (tracker.reports.signing)
PRIVATE_KEY_MODE = 0o600
LOOKUP_BATCH = 500
MAX_CHECKPOINT_LINE = 1_000  # a checkpoint is ~250 characters; anything longer is not one


class AnchorError(Exception):
    """The anchor key cannot be used (unreadable, unsafe or malformed)."""


@dataclass(frozen=True)
class Checkpoint:
    """The trail's newest entry at one moment, and the MAC that vouches for it."""

    event_id: int
    entry_hash: str
    at: str
    mac: str = ""

    def message(self) -> bytes:
        return f"{CHECKPOINT_VERSION}|{self.event_id}|{self.entry_hash}|{self.at}".encode()

    def as_dict(self) -> dict:
        return {"version": CHECKPOINT_VERSION, "event_id": self.event_id,
                "entry_hash": self.entry_hash, "at": self.at, "mac": self.mac}  # fmt: skip


@dataclass
class AnchorReport:
    """What the checkpoints say about the trail: ``anchored`` is False when there is no key."""

    intact: bool
    anchored: bool
    checkpoints: int = 0
    latest: Checkpoint | None = None
    problems: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.problems:
            return "; ".join(self.problems)
        if not self.anchored:
            return "not anchored outside the database yet (no anchor key)"
        if self.latest is None:
            return "anchor key present, no checkpoint written yet"
        return (f"{self.checkpoints} checkpoint(s) verified; the latest (entry "
                f"{self.latest.event_id}, {self.latest.at}) matches the trail")  # fmt: skip


def anchor_dir(data_dir: Path) -> Path:
    return data_dir / "audit"


def key_path(keys_dir: Path) -> Path:
    return keys_dir / ANCHOR_KEY_FILE


def checkpoints_path(data_dir: Path) -> Path:
    return anchor_dir(data_dir) / CHECKPOINTS_FILE


# --- the key ----------------------------------------------------------------------------------


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
        raise AnchorError(f"{path} has permissions {mode:04o}: others could read the audit "
                          f"anchor key. Run `chmod 600 {path}`")  # fmt: skip
    text = path.read_text(encoding="ascii", errors="replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError as exc:
        raise AnchorError(f"{path} is not an audit anchor key (hex expected)") from exc
    if len(key) != KEY_BYTES:
        raise AnchorError(f"{path} holds {len(key)} bytes, not {KEY_BYTES}")
    return key


def _mac(key: bytes, checkpoint: Checkpoint) -> str:
    return hmac.new(key, checkpoint.message(), hashlib.sha256).hexdigest()


# --- writing checkpoints ----------------------------------------------------------------------


def current_head(session: Session) -> tuple[int, str] | None:
    """The newest entry as the head names it (committed state), or None for an empty trail."""
    head = session.get(AuditHead, 1)
    if head is None or head.last_event_id == 0:
        return None
    return head.last_event_id, head.last_hash


def make_checkpoint(key: bytes, event_id: int, entry_hash: str,
                    now: datetime | None = None) -> Checkpoint:  # fmt: skip
    at = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    unsigned = Checkpoint(event_id, entry_hash, at)
    return Checkpoint(event_id, entry_hash, at, _mac(key, unsigned))


def append_checkpoint(data_dir: Path, checkpoint: Checkpoint) -> Path:
    """One JSON line per checkpoint, appended and flushed to disk before returning."""
    path = checkpoints_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True, mode=KEY_DIR_MODE)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(checkpoint.as_dict(), sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return path


def export_checkpoint(checkpoint: Checkpoint, out: Path) -> Path:
    """A copy of the checkpoint for the outbox, so it also lives off this machine."""
    out.write_text(json.dumps(checkpoint.as_dict(), indent=2, sort_keys=True) + "\n",
                   encoding="utf-8")  # fmt: skip
    return out


def checkpoint_now(session: Session, keys_dir: Path, data_dir: Path,
                   create: bool = True) -> Checkpoint | None:  # fmt: skip
    """Checkpoint the committed head (making the key first when ``create``); None for an empty
    trail. Call it only after the entries it should cover were committed."""
    if create:
        create_key(keys_dir)
    key = load_key(keys_dir)
    if key is None:
        raise AnchorError(f"no audit anchor key at {key_path(keys_dir)}")
    head = current_head(session)
    if head is None:
        return None
    checkpoint = make_checkpoint(key, *head)
    append_checkpoint(data_dir, checkpoint)
    return checkpoint


# --- checking the trail against them ---------------------------------------------------------


def read_checkpoints(data_dir: Path) -> Iterator[tuple[int, Checkpoint | None]]:
    """(line number, checkpoint) per line; None for a line that is not a checkpoint."""
    path = checkpoints_path(data_dir)
    if not path.exists():
        return
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            yield number, _parsed(line)


def _parsed(line: str) -> Checkpoint | None:
    if len(line) > MAX_CHECKPOINT_LINE:
        return None
    try:
        data = json.loads(line)
        checkpoint = Checkpoint(int(data["event_id"]), str(data["entry_hash"]), str(data["at"]),
                                str(data["mac"]))  # fmt: skip
    except (ValueError, KeyError, TypeError):
        return None
    return checkpoint if data.get("version") == CHECKPOINT_VERSION else None


def _stored_hashes(session: Session, event_ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(event_ids), LOOKUP_BATCH):
        batch = event_ids[start:start + LOOKUP_BATCH]
        found.update(dict(session.execute(
            select(AuditEvent.id, AuditEvent.entry_hash).where(AuditEvent.id.in_(batch))
        ).all()))  # fmt: skip
    return found


def _trail_problems(session: Session, checkpoints: list[Checkpoint]) -> list[str]:
    """Does the trail still hold every checkpointed entry, with the same hash? (Each
    checkpoint is checked: one taken after a rewrite must not hide the ones before it.)"""
    stored = _stored_hashes(session, sorted({c.event_id for c in checkpoints}))
    problems = []
    for checkpoint in sorted(checkpoints, key=lambda c: c.event_id):
        found = stored.get(checkpoint.event_id)
        if found is None:
            last = session.scalar(select(func.max(AuditEvent.id)))
            problems.append(
                f"the checkpoint of {checkpoint.at} names entry {checkpoint.event_id}, but the "
                f"trail {f'ends at entry {last}' if last else 'is empty'}: entries were deleted")
        elif found != checkpoint.entry_hash:
            problems.append(
                f"entry {checkpoint.event_id} is not the one checkpointed at {checkpoint.at}: "
                "the trail up to it was rewritten (hashes recomputed)")
        if problems:
            break  # the first one says where; the rest follow from it
    return problems


def verify_anchor(session: Session, keys_dir: Path, data_dir: Path) -> AnchorReport:
    """Every checkpoint's MAC must verify, and the trail must still hold each checkpointed
    entry with its hash."""
    try:
        key = load_key(keys_dir)
    except AnchorError as exc:
        return AnchorReport(False, True, problems=[str(exc)])
    lines = list(read_checkpoints(data_dir))
    if key is None:
        if lines:
            return AnchorReport(False, False, len(lines), problems=[
                f"the audit anchor key {key_path(keys_dir)} is gone but {len(lines)} "
                "checkpoint(s) need it: restore it from the backup of the keys folder"])
        return AnchorReport(False, False)
    report = AnchorReport(True, True)
    valid = []
    for number, checkpoint in lines:
        if checkpoint is None or not hmac.compare_digest(_mac(key, checkpoint), checkpoint.mac):
            report.problems.append(f"checkpoint line {number} of {checkpoints_path(data_dir)} "
                                   "was altered or not made with this key")  # fmt: skip
            continue
        valid.append(checkpoint)
    report.checkpoints = len(valid)
    report.latest = max(valid, key=lambda c: c.event_id, default=None)
    if valid:
        report.problems.extend(_trail_problems(session, valid))
    report.intact = not report.problems
    return report
