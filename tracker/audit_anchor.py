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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeGuard

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.audit import record_event
from tracker.audit_anchor_key import (
    ANCHOR_KEY_OBJECT,
    KEY_DIR_MODE,
    KEY_GONE,
    AnchorError,
    chained_key_fingerprints,
    create_key,
    fingerprint,
    key_path,
    load_key,
)
from tracker.models import AuditEvent, AuditHead

CHECKPOINTS_FILE = "checkpoints.jsonl"
CHECKPOINT_VERSION = "tracker-audit-checkpoint/1"
LOOKUP_BATCH = 500
MAX_CHECKPOINT_LINE = 1_000  # a checkpoint is ~250 characters; anything longer is not one
CHECKPOINT_OBJECT = "audit_checkpoint"
"""Each checkpoint is also an entry of the trail (object type), so a checkpoints file cut back
is found: the trail remembers checkpoints the file no longer holds."""


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
        return {
            "version": CHECKPOINT_VERSION,
            "event_id": self.event_id,
            "entry_hash": self.entry_hash,
            "at": self.at,
            "mac": self.mac,
        }


@dataclass
class AnchorReport:
    """What the checkpoints say about the trail: ``anchored`` is False when there is no key."""

    intact: bool
    anchored: bool
    checkpoints: int = 0
    latest: Checkpoint | None = None
    problems: list[str] = field(default_factory=list)
    shown_problems: list[str] = field(default_factory=list)
    """The problems without server paths, for the web (the CLI shows ``problems``)."""

    def add(self, problem: str, shown: str | None = None) -> None:
        self.problems.append(problem)
        self.shown_problems.append(shown or problem)

    def describe(self, paths: bool = True) -> str:
        if self.problems:
            return "; ".join(self.problems if paths else self.shown_problems)
        if not self.anchored:
            return "not anchored outside the database yet (no anchor key)"
        if self.latest is None:
            return "anchor key present, no checkpoint written yet"
        return (
            f"{self.checkpoints} checkpoint(s) verified; the latest (entry "
            f"{self.latest.event_id}, {self.latest.at}) matches the trail"
        )


def anchor_dir(data_dir: Path) -> Path:
    return data_dir / "audit"


def checkpoints_path(data_dir: Path) -> Path:
    return anchor_dir(data_dir) / CHECKPOINTS_FILE


def chained_checkpoints(session: Session) -> list[Checkpoint]:
    """The checkpoints the trail records as taken (their MAC is in the file only)."""
    found = []
    for details in session.scalars(
        select(AuditEvent.details)
        .where(AuditEvent.object_type == CHECKPOINT_OBJECT)
        .order_by(AuditEvent.id)
    ):
        try:
            found.append(
                Checkpoint(int(details["event_id"]), str(details["entry_hash"]), str(details["at"]))
            )
        except (KeyError, TypeError, ValueError):
            continue
    return found


def _anchor_history(session: Session, data_dir: Path) -> str | None:
    """What says this installation was anchored before, if anything does."""
    if any(True for _ in read_checkpoints(data_dir)):
        return f"{checkpoints_path(data_dir)} holds checkpoints made with it"
    if chained_checkpoints(session):
        return "the audit trail records checkpoints made with it"
    if chained_key_fingerprints(session):
        return "the audit trail records that it was made"
    return None


def ensure_key(session: Session, keys_dir: Path, data_dir: Path, actor: str = "system") -> bool:
    """Make the anchor key for an installation never anchored before, and record that in the
    trail with the key's fingerprint. A key that is gone while checkpoints (in the file or
    the trail) need it is not silently replaced: a new key would vouch for whatever the
    database holds now. True when the key was made now."""
    if key_path(keys_dir).exists():
        return False
    history = _anchor_history(session, data_dir)
    if history:
        raise AnchorError(f"{KEY_GONE} ({key_path(keys_dir)}; {history})", KEY_GONE)
    if not create_key(keys_dir):
        return False
    key = load_key(keys_dir)
    assert key is not None  # made just above
    record_event(
        session,
        actor=actor,
        action="alteration",
        object_type=ANCHOR_KEY_OBJECT,
        object_id=fingerprint(key),
        justification="audit anchor key created",
        details={"fingerprint": fingerprint(key)},
    )
    return True


def _mac(key: bytes, checkpoint: Checkpoint) -> str:
    return hmac.new(key, checkpoint.message(), hashlib.sha256).hexdigest()


def is_genuine(checkpoint: Checkpoint | None, key: bytes) -> TypeGuard[Checkpoint]:
    """A checkpoint line made with this key and unchanged since (None: a line that did not
    parse)."""
    return checkpoint is not None and hmac.compare_digest(_mac(key, checkpoint), checkpoint.mac)


# --- writing checkpoints ----------------------------------------------------------------------


def current_head(session: Session) -> tuple[int, str] | None:
    """The newest entry as the head names it (committed state), or None for an empty trail."""
    head = session.get(AuditHead, 1)
    if head is None or head.last_event_id == 0:
        return None
    return head.last_event_id, head.last_hash


def make_checkpoint(
    key: bytes, event_id: int, entry_hash: str, now: datetime | None = None
) -> Checkpoint:
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
    out.write_text(
        json.dumps(checkpoint.as_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return out


def checkpoint_now(
    session: Session,
    keys_dir: Path,
    data_dir: Path,
    create: bool = True,
    actor: str = "system",
    now: datetime | None = None,
) -> Checkpoint | None:
    """Checkpoint the committed head (making the key first when ``create`` and the
    installation was never anchored); None for an empty trail. The checkpoint is then
    recorded in the trail (that entry moves the head: the next checkpoint covers it). Call it
    only after the entries it should cover were committed; the file line is written before
    the entry commits, so a failed commit leaves the file ahead, never behind."""
    if create and ensure_key(session, keys_dir, data_dir, actor):
        session.commit()  # the key's own entry: committed, so the checkpoint may cover it
    key = load_key(keys_dir)
    if key is None:
        raise AnchorError(f"no audit anchor key at {key_path(keys_dir)}", KEY_GONE)
    head = current_head(session)
    if head is None:
        return None
    checkpoint = make_checkpoint(key, *head, now)
    append_checkpoint(data_dir, checkpoint)
    record_event(
        session,
        actor=actor,
        action="collection",
        object_type=CHECKPOINT_OBJECT,
        object_id=checkpoint.event_id,
        justification="audit trail checkpointed outside the database",
        details={
            "event_id": checkpoint.event_id,
            "entry_hash": checkpoint.entry_hash,
            "at": checkpoint.at,
        },
    )
    return checkpoint


# --- checking the trail against them ---------------------------------------------------------


def read_checkpoints(data_dir: Path) -> Iterator[tuple[int, Checkpoint | None]]:
    """(line number, checkpoint) per line; None for a line that is not a checkpoint."""
    path = checkpoints_path(data_dir)
    if not path.exists():
        return
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            yield number, parsed(line)


def parsed(line: str) -> Checkpoint | None:
    if len(line) > MAX_CHECKPOINT_LINE:
        return None
    try:
        data = json.loads(line)
        checkpoint = Checkpoint(
            int(data["event_id"]), str(data["entry_hash"]), str(data["at"]), str(data["mac"])
        )
    except (ValueError, KeyError, TypeError):
        return None
    return checkpoint if data.get("version") == CHECKPOINT_VERSION else None


def _stored_hashes(session: Session, event_ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(event_ids), LOOKUP_BATCH):
        batch = event_ids[start : start + LOOKUP_BATCH]
        found.update(
            dict(
                session.execute(
                    select(AuditEvent.id, AuditEvent.entry_hash).where(AuditEvent.id.in_(batch))
                ).all()
            )
        )
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
                f"trail {f'ends at entry {last}' if last else 'is empty'}: entries were deleted"
            )
        elif found != checkpoint.entry_hash:
            problems.append(
                f"entry {checkpoint.event_id} is not the one checkpointed at {checkpoint.at}: "
                "the trail up to it was rewritten (hashes recomputed)"
            )
        if problems:
            break  # the first one says where; the rest follow from it
    return problems


def _unrecorded_in_file(session: Session, valid: list[Checkpoint]) -> list[str]:
    """Checkpoints the trail records as taken that the file no longer holds: the file was cut
    back or replaced (a rewritten trail would otherwise be measured against fewer checkpoints)."""
    held = {(c.event_id, c.entry_hash, c.at) for c in valid}
    lost = [c for c in chained_checkpoints(session) if (c.event_id, c.entry_hash, c.at) not in held]
    if not lost:
        return []
    first = lost[0]
    return [
        f"the trail records {len(lost)} checkpoint(s) the checkpoints file lacks (the first "
        f"of entry {first.event_id} at {first.at}): the file was cut back or replaced"
    ]


def _key_problems(session: Session, key: bytes | None, lines: int, keys_dir: Path) -> list[str]:
    """A key that is gone, or is not the one the trail records as made."""
    made = chained_key_fingerprints(session)
    if key is None:
        needed = lines or len(chained_checkpoints(session)) or len(made)
        if needed:
            return [
                f"the audit anchor key {key_path(keys_dir)} is gone but {needed} "
                "checkpoint(s) need it: restore it from the backup of the keys folder"
            ]
        return []
    if made and made[-1] != fingerprint(key):
        return [
            f"the audit anchor key (fingerprint {fingerprint(key)}) is not the one the "
            f"trail records as made ({made[-1]}): it was replaced; restore keys/ from backup"
        ]
    return []


def verify_anchor(session: Session, keys_dir: Path, data_dir: Path) -> AnchorReport:
    """Every checkpoint's MAC must verify, the trail must still hold each checkpointed entry
    with its hash, and the file must hold every checkpoint the trail records."""
    try:
        key = load_key(keys_dir)
        lines = list(read_checkpoints(data_dir))
    except AnchorError as exc:
        report = AnchorReport(False, True)
        report.add(str(exc), exc.shown)
        return report
    except OSError as exc:  # e.g. a keys folder this process may not read
        report = AnchorReport(False, True)
        report.add(
            f"cannot read the audit anchor ({exc.strerror}: {exc.filename})",
            f"this process cannot read the audit anchor key or checkpoints "
            f"({exc.strerror}): run `tracker audit verify` as the installation's owner",
        )
        return report
    if key is None:
        report = AnchorReport(False, False, len(lines))
        for problem in _key_problems(session, None, len(lines), keys_dir):
            report.add(
                problem,
                "the audit anchor key is gone but checkpoints need it: "
                "restore it from the backup of the keys folder",
            )
        return report
    report = AnchorReport(True, True)
    valid = []
    for number, checkpoint in lines:
        if not is_genuine(checkpoint, key):
            report.add(
                f"checkpoint line {number} of {checkpoints_path(data_dir)} was altered or "
                "not made with this key",
                f"checkpoint line {number} was altered or not made with this key",
            )
            continue
        valid.append(checkpoint)
    report.checkpoints = len(valid)
    report.latest = max(valid, key=lambda c: c.event_id, default=None)
    for problem in (
        _key_problems(session, key, len(lines), keys_dir)
        + _unrecorded_in_file(session, valid)
        + (_trail_problems(session, valid) if valid else [])
    ):
        report.add(problem)
    report.intact = not report.problems
    return report
