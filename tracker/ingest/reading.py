"""A file's prepared chunks: read, turned into columns, validated and built as records, with
nothing written (the register's ids come from the ``OffenderIndex`` the caller gives).

Small files are read whole before anything of them is stored, so one that cannot be read is
refused alone. A border feed's night is thousands of PAXLST interchanges of a few kilobytes
each; reading them is pure Python and was most of their load, on one core while the other sat
idle. With enough of them, a forked child reads the second half of the batch while this
process reads the first, and hands each file's reading over as it finishes it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from tracker.ingest.collection import digest_or_refusal
from tracker.ingest.columnar import (
    ColumnValidator,
    PreparedCells,
    cell_chunks,
    offender_ids_in,
    prepare_cells,
)
from tracker.ingest.context import LoadContext
from tracker.ingest.formats.rows import FileRefused
from tracker.ingest.keyed_lookup import OffenderIndex
from tracker.ingest.worker import can_fork, start_in_child

PARALLEL_FROM_FILES = 16
"""Fewer files than this are read here alone: a fork costs more than reading them."""


@dataclass
class FileReading:
    """One file read whole: its digest and prepared chunks, or why it was refused."""

    sha256: str = ""
    size_bytes: int = 0
    chunks: list[PreparedCells] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    refused: str | None = None
    seconds: float = 0.0


def prepared_chunks(
    context: LoadContext,
    path: Path,
    fmt: str,
    validator: ColumnValidator,
    offenders: OffenderIndex | None,
    *,
    source_file_id: int | None = None,
    settle: Callable[[PreparedCells], PreparedCells] | None = None,
) -> Generator[PreparedCells, None, list[str]]:
    """The file's chunks, validated by columns, then (as the generator's value) the reader's
    warnings. With ``source_file_id`` every row names its file; with ``settle`` each chunk
    is settled where it is prepared."""
    reader = context.reader(path, fmt)
    spec = context.spec
    for chunk in cell_chunks(reader, spec.model, context.chunk_rows):
        known = offenders.resolve(offender_ids_in(chunk)) if offenders is not None else None
        prepared = prepare_cells(
            chunk, spec, validator, known, source_refusal=context.source_refusal
        )
        if source_file_id is not None:
            prepared.attach_source(source_file_id)
        yield settle(prepared) if settle is not None else prepared
    return reader.warnings


def read_whole(
    context: LoadContext,
    path: Path,
    fmt: str,
    validator: ColumnValidator,
    offenders: OffenderIndex | None,
) -> FileReading:
    """A file's digest and every chunk, or its refusal (a file that cannot be read at all)."""
    started = time.perf_counter()
    reading = FileReading()
    try:
        reading.sha256, reading.size_bytes = digest_or_refusal(path)
        chunks = prepared_chunks(context, path, fmt, validator, offenders)
        while True:
            try:
                reading.chunks.append(next(chunks))
            except StopIteration as end:
                reading.warnings = list(end.value)
                break
    except FileRefused as exc:
        reading = FileReading(reading.sha256, reading.size_bytes, refused=str(exc))
    reading.seconds = time.perf_counter() - started
    return reading


def read_all(
    context: LoadContext,
    files: list[tuple[Path, str]],
    validator: ColumnValidator,
    offenders: OffenderIndex | None,
) -> Generator[FileReading, None, None]:
    """Each file's reading, in the order given; with enough files, the second half is read
    in a forked child at the same time as the first half here (the child never touches the
    database: the whole register's ids are fetched before it starts)."""

    def read(planned: list[tuple[Path, str]]) -> Generator[FileReading, None, None]:
        for path, fmt in planned:
            yield read_whole(context, path, fmt, validator, offenders)

    if len(files) < PARALLEL_FROM_FILES or not can_fork():
        yield from read(files)
        return
    if offenders is not None:
        offenders.load_all()
    half = len(files) // 2
    with closing(start_in_child(lambda: read(files[half:]))) as from_child:
        yield from list(read(files[:half]))
        yield from from_child
