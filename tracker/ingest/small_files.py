"""Reading a batch of small files whole, half of them in a second process.

A border feed's night is thousands of PAXLST interchanges of a few kilobytes each; parsing
them is pure Python and was most of their load (12 of 15 s for 2,624 files), on one core
while the other sat idle. A forked child reads the second half of the batch while this
process reads the first, and hands each file's rows over as it finishes it. Nothing here
touches the database: the caller records each file, its refusal or its rows, in file order,
exactly as when one process read them all.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tracker.ingest.prepare import make_reader
from tracker.ingest.readers import FileRefused, SourceRow
from tracker.ingest.worker import can_fork, start_in_child

PARALLEL_FROM_FILES = 16
"""Fewer files than this are read here alone: a fork costs more than reading them."""


@dataclass
class FileReading:
    """One file read whole: its digest and rows, or why it was refused."""

    sha256: str = ""
    size_bytes: int = 0
    chunks: list[list[SourceRow]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    refused: str | None = None
    seconds: float = 0.0


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


def read_whole(
    kind: str, path: Path, fmt: str, *, home_country: str, today: date | None, chunk_rows: int
) -> FileReading:
    """A file's digest and every row, or its refusal (a file that cannot be read at all)."""
    started = time.perf_counter()
    reading = FileReading()
    try:
        reading.sha256, reading.size_bytes = digest_or_refusal(path)
        reader = make_reader(kind, path, fmt, home_country, today)
        reading.chunks = list(reader.chunks(chunk_rows))
    except FileRefused as exc:
        reading = FileReading(reading.sha256, reading.size_bytes, refused=str(exc))
    else:
        reading.warnings = list(reader.warnings)
    reading.seconds = time.perf_counter() - started
    return reading


def read_all(
    files: list[tuple[str, Path, str]],
    *,
    home_country: str,
    today: date | None,
    chunk_rows: int,
) -> Iterator[FileReading]:
    """Each file's reading, in the order given; with enough files, the second half is read
    in a forked child at the same time as the first half here."""
    options = {"home_country": home_country, "today": today, "chunk_rows": chunk_rows}

    def read(planned: list[tuple[str, Path, str]]) -> Iterator[FileReading]:
        for kind, path, fmt in planned:
            yield read_whole(kind, path, fmt, **options)

    if len(files) < PARALLEL_FROM_FILES or not can_fork():
        yield from read(files)
        return
    half = len(files) // 2
    with closing(start_in_child(lambda: read(files[half:]))) as from_child:
        yield from list(read(files[:half]))
        yield from from_child
