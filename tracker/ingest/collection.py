"""What is kept of each input file: its ``source_files`` record (name, sha256, size, counts)
and its ``collection`` audit entry, for a file loaded or refused whole (DPA 2018 s.62
logging)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy.orm import Session

from tracker.audit import AuditEntry, record_event
from tracker.ingest.formats.rows import FileRefused
from tracker.ingest.results import FileResult
from tracker.models import SourceFile


def file_digest(path: Path) -> tuple[str, int]:
    """(SHA-256 hex, size in bytes), read in blocks."""
    with open(path, "rb") as stream:
        digest = hashlib.file_digest(stream, "sha256")
    return digest.hexdigest(), path.stat().st_size


def digest_or_refusal(path: Path) -> tuple[str, int]:
    """``file_digest``, or the file refused when it cannot be read."""
    try:
        return file_digest(path)
    except OSError as exc:
        raise FileRefused(f"cannot be read: {exc.strerror}") from None


def source_record(result: FileResult, run_id: int | None, sha256: str, size: int) -> SourceFile:
    return SourceFile(
        run_id=run_id,
        name=result.path.name,
        path=str(result.path.resolve()),
        kind=result.kind,
        format=result.format,
        sha256=sha256,
        size_bytes=size,
    )


def record_refusal(session: Session, result: FileResult, *, actor: str, run_id: int | None) -> None:
    """The refused file's record (with its digest, when it can be read) and its entry."""
    try:
        source = source_record(result, run_id, *digest_or_refusal(result.path))
    except FileRefused:
        source = SourceFile(
            run_id=run_id,
            name=result.path.name,
            path=str(result.path),
            kind=result.kind,
            format=result.format,
            sha256="",
            size_bytes=0,
        )
    source.error = result.refused
    session.add(source)
    session.flush()
    result.source_file_id = source.id
    record_event(
        session,
        actor=actor,
        action="collection",
        object_type="source_file",
        object_id=source.id,
        justification=f"{result.kind} file refused whole",
        details={"file": source.name, "sha256": source.sha256, "refused": result.refused},
        run_id=run_id,
    )


def collection_entry(
    result: FileResult, source: SourceFile, actor: str, run_id: int | None
) -> AuditEntry:
    """The ``collection`` entry for a loaded file: what came in, from where, and what of it
    was kept."""
    return AuditEntry(
        actor=actor,
        action="collection",
        object_type="source_file",
        object_id=source.id,
        justification=f"{result.kind} file loaded",
        details={
            "file": source.name,
            "path": source.path,
            "kind": result.kind,
            "format": source.format,
            "sha256": source.sha256,
            "size_bytes": source.size_bytes,
            "read": result.read,
            "loaded": result.loaded,
            "new": result.new,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "rejected": result.rejected,
            "reject_file": source.reject_file,
            "warnings": result.warnings,
        },
        run_id=run_id,
    )
