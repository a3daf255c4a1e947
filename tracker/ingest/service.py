"""Loading input files: one transaction per file, a summary per file, the contract's exit code.

For each file: record it (name, sha256, size), read it in chunks, validate each row against
its kind's schema, upsert the valid ones and set the rejected ones aside, then record the
counts and a ``collection`` audit entry. Rows read = rows loaded + rows rejected, always. A
file that cannot be read at all is refused whole with the reason, and nothing of it is kept
but that record.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from tracker.audit import AuditEntry, record_event, record_events
from tracker.db import transaction
from tracker.ingest.bulk import sqlite_bulk_load
from tracker.ingest.columnar import (
    ColumnValidator,
    PreparedCells,
    cell_chunks,
    offender_ids_in,
    prepare_cells,
)
from tracker.ingest.inbox import kind_of, scan_inbox
from tracker.ingest.kinds import KINDS, KindSpec
from tracker.ingest.prepare import make_reader, offender_ids, prepare_chunk
from tracker.ingest.readers import CHUNK_ROWS, FileRefused, SourceRow, format_of
from tracker.ingest.rejects import RejectSink, reject_file_path
from tracker.ingest.small_files import digest_or_refusal, read_all
from tracker.ingest.upsert import OffenderIndex, Upserter, pack_settled, unpack_settled
from tracker.ingest.worker import can_fork, run_in_child
from tracker.models import SourceFile
from tracker.settings import Settings

BYTES_PER_ROW_ESTIMATE = 100  # to judge a file's size in rows before reading it
EXIT_ALL_LOADED = 0
EXIT_NOTHING_LOADED = 1
EXIT_SOME_REJECTED = 3


class IngestError(Exception):
    """The files asked for cannot be loaded at all (missing, a folder, an unknown format)."""


@dataclass
class FileResult:
    """What happened to one input file."""

    path: Path
    kind: str
    format: str
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    reject_file: Path | None = None
    refused: str | None = None
    skipped: bool = False  # not a regular file: never opened
    warnings: list[str] = field(default_factory=list)
    source_file_id: int | None = None
    seconds: float = 0.0

    @property
    def loaded(self) -> int:
        return self.new + self.updated + self.unchanged

    def summary(self) -> str:
        """The line the command prints for this file."""
        if self.refused:
            return f"{self.path}: refused, nothing loaded: {self.refused}"
        line = (
            f"{self.path}: read {self.read}, loaded {self.loaded} (new {self.new}, "
            f"updated {self.updated}, unchanged {self.unchanged}), rejected {self.rejected}"
        )
        if self.reject_file is not None:
            line += f"; rejects in {self.reject_file}"
        return line

    def as_dict(self) -> dict:
        return {
            "path": str(self.path),
            "kind": self.kind,
            "read": self.read,
            "loaded": self.loaded,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "reject_file": str(self.reject_file) if self.reject_file else None,
            "refused": self.refused,
        }


def exit_code(results: list[FileResult]) -> int:
    """0 when every row loaded, 3 when some were rejected and the rest loaded, 1 when nothing
    could be loaded."""
    troubled = any(r.refused or r.rejected for r in results)
    if not troubled:
        return EXIT_ALL_LOADED
    if sum(r.loaded for r in results) == 0:
        return EXIT_NOTHING_LOADED
    return EXIT_SOME_REJECTED


# --- checking what was asked -----------------------------------------------------------------


def check_paths(kind: str, paths: list[Path]) -> list[tuple[Path, str]]:
    """(path, format) for each file, or IngestError naming every path that cannot be loaded."""
    if kind not in KINDS:
        raise IngestError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    problems = []
    planned = []
    for path in paths:
        fmt = format_of(path)
        if not path.exists():
            problems.append(f"{path}: no such file")
        elif path.is_dir():
            problems.append(f"{path}: is a folder, not a file")
        elif fmt is None:
            problems.append(
                f"{path}: unknown format {path.suffix or '(no ending)'}; "
                "expected .csv, .jsonl, or .edi/.paxlst for travel"
            )
        elif fmt == "paxlst" and kind != "travel":
            problems.append(f"{path}: PAXLST files hold travel records, not {kind}")
        else:
            planned.append((path, fmt))
    if problems:
        raise IngestError("; ".join(problems) + "; nothing was loaded")
    return planned


# --- loading ---------------------------------------------------------------------------------


SMALL_FILE_BYTES = 1 << 20
"""Files smaller than this load together with their small neighbours of the same kind."""
BATCH_BYTES = 32 << 20
BATCH_FILES = 1_000


def ingest_files(
    sessions: sessionmaker[Session],
    kind: str,
    paths: list[Path],
    *,
    settings: Settings,
    actor: str,
    run_id: int | None = None,
    progress: bool = False,
    today: date | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> list[FileResult]:
    """Load files of one kind in the order given, each file all or nothing."""
    planned = [(kind, path, fmt) for path, fmt in check_paths(kind, paths)]
    return _load_planned(
        sessions,
        planned,
        settings=settings,
        actor=actor,
        run_id=run_id,
        progress=progress,
        today=today,
        chunk_rows=chunk_rows,
    )


def ingest_inbox(
    sessions: sessionmaker[Session],
    inbox: Path,
    *,
    settings: Settings,
    actor: str,
    run_id: int | None = None,
    progress: bool = False,
    today: date | None = None,
) -> list[FileResult]:
    """Load every recognised file of an inbox folder: offenders first, travel last."""
    if not inbox.is_dir():
        raise IngestError(f"{inbox}: inbox folder does not exist")
    scan = scan_inbox(inbox)
    planned = [(kind, path, format_of(path)) for kind, path in scan.files]
    skipped = [
        FileResult(path, kind_of(path) or "", format_of(path) or "", refused=reason, skipped=True)
        for path, reason in scan.skipped
    ]
    return skipped + _load_planned(
        sessions,
        planned,
        settings=settings,
        actor=actor,
        run_id=run_id,
        progress=progress,
        today=today,
    )


def _load_planned(
    sessions: sessionmaker[Session],
    planned: list[tuple[str, Path, str]],
    **options,
) -> list[FileResult]:
    results: list[FileResult] = []
    for batch in batches_of_small_files(planned):
        if len(batch) == 1:
            kind, path, fmt = batch[0]
            results.append(load_file(sessions, kind, path, fmt, **options))
        else:
            results.extend(load_small_files(sessions, batch, **options))
    return results


def batches_of_small_files(
    planned: list[tuple[str, Path, str]],
) -> Iterator[list[tuple[str, Path, str]]]:
    """Consecutive small files of one kind, grouped so they load in one transaction.

    A border feed sends one PAXLST file per flight: thousands a night, a few kilobytes each.
    Loaded one by one, the fixed cost of each (a transaction, its own key look-ups, an audit
    entry with the head locked again) outweighed reading it. A large file always loads alone.
    """
    batch: list[tuple[str, Path, str]] = []
    batch_bytes = 0
    for item in planned:
        kind, path, _fmt = item
        size = _size_of(path)
        small = size < SMALL_FILE_BYTES
        if batch and (
            not small
            or kind != batch[0][0]
            or len(batch) >= BATCH_FILES
            or batch_bytes + size > BATCH_BYTES
        ):
            yield batch
            batch, batch_bytes = [], 0
        if not small:
            yield [item]
            continue
        batch.append(item)
        batch_bytes += size
    if batch:
        yield batch


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # the load itself reports the file as unreadable


def load_file(
    sessions: sessionmaker[Session],
    kind: str,
    path: Path,
    fmt: str,
    *,
    settings: Settings,
    actor: str,
    run_id: int | None = None,
    progress: bool = False,
    today: date | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> FileResult:
    """Load one file in one transaction; a refused file leaves only its refusal recorded."""
    started = time.perf_counter()
    result = FileResult(path, kind, fmt)
    loader = _FileLoad(
        KINDS[kind], result, settings=settings, actor=actor, run_id=run_id, today=today
    )
    try:
        with transaction(sessions) as session:
            loader.run(session, progress=progress, chunk_rows=chunk_rows)
    except FileRefused as exc:
        loader.discard()
        _reset_counts(result)
        result.refused = str(exc)
        with transaction(sessions) as session:
            _record_refusal(session, result, actor=actor, run_id=run_id)
    except BaseException:
        loader.discard()
        raise
    else:
        result.reject_file = loader.commit_rejects()
    result.seconds = time.perf_counter() - started
    return result


def load_small_files(
    sessions: sessionmaker[Session],
    files: list[tuple[str, Path, str]],
    *,
    settings: Settings,
    actor: str,
    run_id: int | None = None,
    progress: bool = False,
    today: date | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> list[FileResult]:
    """Load small files of one kind in one transaction, each file all or nothing.

    Each file is read whole before anything of it is written, so a file that cannot be read
    is refused alone (its refusal recorded) while the others load; anything else that goes
    wrong rolls the lot back, and loading again converges as for one file.
    """
    [kind] = {kind for kind, _, _ in files}
    loader = _SmallFilesLoad(
        KINDS[kind], settings=settings, actor=actor, run_id=run_id, today=today
    )
    try:
        with transaction(sessions) as session:
            loader.run(session, files, progress=progress, chunk_rows=chunk_rows)
    except BaseException:
        loader.discard()
        raise
    loader.commit_rejects()
    return loader.results


def _reset_counts(result: FileResult) -> None:
    result.read = result.new = result.updated = result.unchanged = result.rejected = 0
    result.reject_file = None


def _source_file(result: FileResult, run_id: int | None) -> SourceFile:
    sha256, size = digest_or_refusal(result.path)
    return _source_record(result, run_id, sha256, size)


def _source_record(result: FileResult, run_id: int | None, sha256: str, size: int) -> SourceFile:
    return SourceFile(
        run_id=run_id,
        name=result.path.name,
        path=str(result.path.resolve()),
        kind=result.kind,
        format=result.format,
        sha256=sha256,
        size_bytes=size,
    )


def _record_refusal(
    session: Session, result: FileResult, *, actor: str, run_id: int | None
) -> None:
    try:
        source = _source_file(result, run_id)
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


class _FileLoad:
    """The work of loading one file inside its transaction."""

    def __init__(
        self,
        spec: KindSpec,
        result: FileResult,
        *,
        settings: Settings,
        actor: str,
        run_id: int | None,
        today: date | None,
    ):
        self.spec = spec
        self.result = result
        self.settings = settings
        self.actor = actor
        self.run_id = run_id
        self.today = today
        self.rejects: RejectSink | None = None

    def run(self, session: Session, *, progress: bool, chunk_rows: int) -> None:
        result = self.result
        source = _source_file(result, self.run_id)
        session.add(source)
        session.flush()
        result.source_file_id = source.id
        reject_path = reject_file_path(self.settings, self.run_id, source.id, source.name)
        connection = session.connection()
        self.rejects = RejectSink(connection, source.id, source.name, reject_path)
        upserter = Upserter(
            session, self.spec, source_file_id=source.id, actor=self.actor, run_id=self.run_id
        )
        bar = tqdm(
            total=source.size_bytes,
            unit="B",
            unit_scale=True,
            desc=source.name,
            disable=not progress,
            leave=False,
            file=sys.stderr,
        )
        expected_rows = source.size_bytes // BYTES_PER_ROW_ESTIMATE
        try:
            # More than a chunk or two: the next chunks are read, checked and settled (what
            # goes in as it is, from the keys stored now) in a second process while this one
            # stores the last.
            settle = None
            if expected_rows > 2 * chunk_rows and can_fork():
                settle = partial(upserter.settle, settled=upserter.stored_keys())
            chunks = closing(self._prepared_chunks(connection, chunk_rows, settle))
            with (
                _collector_paused(),
                sqlite_bulk_load(connection, self.spec.table, expected_rows),
                chunks as prepared_chunks,
            ):
                for prepared in prepared_chunks:
                    result.read += prepared.read
                    if prepared.rows is not None:
                        upserter.apply_settled(prepared)
                    else:
                        upserter.apply_prepared(prepared)
                    for row in prepared.rejected:
                        self.rejects.add(row.line, row.column, row.reason, row.raw, row.count)
                    self.rejects.flush()
                    bar.update(prepared.position - bar.n)
        finally:
            bar.close()
        result.new, result.updated = upserter.counts.new, upserter.counts.updated
        result.unchanged = upserter.counts.unchanged
        result.rejected = self.rejects.count
        _check_counts(result)
        source.rows_read, source.rows_loaded = result.read, result.loaded
        source.rows_rejected = result.rejected
        source.reject_file = str(reject_path) if self.rejects.written else None
        self._record_collection(session, source)

    def _prepared_chunks(
        self,
        connection,
        chunk_rows: int,
        settle: Callable[[PreparedCells], PreparedCells] | None = None,
    ) -> Iterator[PreparedCells]:
        """Valid records and rejects, chunk by chunk, validated by columns; the register's ids
        are looked up in bulk for each chunk of a kind whose rows refer to it. With ``settle``
        a forked process prepares and settles the chunks (``run_in_child``), so the whole
        register's ids are fetched first and the child never touches the connection."""
        offenders = OffenderIndex(connection) if self.spec.needs_offender else None
        if settle is not None:
            if offenders is not None:
                offenders.load_all()
            produce = partial(self._checked_chunks, offenders, chunk_rows, settle)
            warnings = yield from run_in_child(produce, pack_settled, unpack_settled)
        else:
            warnings = yield from self._checked_chunks(offenders, chunk_rows)
        self.result.warnings.extend(warnings)

    def _checked_chunks(
        self,
        offenders: OffenderIndex | None,
        chunk_rows: int,
        settle: Callable[[PreparedCells], PreparedCells] | None = None,
    ) -> Generator[PreparedCells, None, list[str]]:
        """The chunks, then (as the generator's value) the reader's warnings."""
        result = self.result
        reader = make_reader(
            self.spec.kind, result.path, result.format, self.settings.home_country, self.today
        )
        validator = ColumnValidator(self.spec.model)
        for chunk in cell_chunks(reader, self.spec.model, chunk_rows):
            known = offenders.resolve(offender_ids_in(chunk)) if offenders else None
            prepared = prepare_cells(chunk, self.spec, validator, known)
            yield settle(prepared) if settle is not None else prepared
        return reader.warnings

    def _record_collection(self, session: Session, source: SourceFile) -> None:
        entry = _collection_entry(self.spec, self.result, source, self.actor, self.run_id)
        record_events(session, [entry])

    def commit_rejects(self) -> Path | None:
        return self.rejects.commit() if self.rejects else None

    def discard(self) -> None:
        if self.rejects is not None:
            self.rejects.discard()


def _collection_entry(
    spec: KindSpec, result: FileResult, source: SourceFile, actor: str, run_id: int | None
) -> AuditEntry:
    """The ``collection`` entry for a loaded file: what came in, from where, and what of it
    was kept (DPA 2018 s.62 logging)."""
    return AuditEntry(
        actor=actor,
        action="collection",
        object_type="source_file",
        object_id=source.id,
        justification=f"{spec.kind} file loaded",
        details={
            "file": source.name,
            "path": source.path,
            "kind": spec.kind,
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


def _check_counts(result: FileResult) -> None:
    if result.read != result.loaded + result.rejected:  # pragma: no cover - a bug if seen
        raise RuntimeError(
            f"{result.path}: read {result.read} but loaded {result.loaded} "
            f"and rejected {result.rejected}"
        )


@dataclass
class _ReadFile:
    result: FileResult
    source: SourceFile
    chunks: list[list[SourceRow]]
    sink: RejectSink | None = None


class _SmallFilesLoad:
    """The work of loading several small files of one kind inside one transaction.

    Their valid records go through one Upserter in shared chunks (each record naming its
    file), so a thousand passenger lists cost a few key look-ups and writes, not a thousand.
    """

    def __init__(
        self,
        spec: KindSpec,
        *,
        settings: Settings,
        actor: str,
        run_id: int | None,
        today: date | None,
    ):
        self.spec = spec
        self.settings = settings
        self.actor = actor
        self.run_id = run_id
        self.today = today
        self.results: list[FileResult] = []
        self._read: list[_ReadFile] = []

    def run(
        self,
        session: Session,
        files: list[tuple[str, Path, str]],
        *,
        progress: bool,
        chunk_rows: int,
    ) -> None:
        started = time.perf_counter()
        with _collector_paused():
            self._read_files(session, files, progress=progress, chunk_rows=chunk_rows)
            if self._read:
                session.add_all([item.source for item in self._read])
                session.flush()
                self._load_rows(session, chunk_rows)
        self._finish(session)
        shared = time.perf_counter() - started - sum(r.seconds for r in self.results)
        rows = sum(r.read for r in self.results) or 1
        for result in self.results:
            result.seconds += shared * result.read / rows

    def _read_files(
        self,
        session: Session,
        files: list[tuple[str, Path, str]],
        *,
        progress: bool,
        chunk_rows: int,
    ) -> None:
        """Every file's rows, read whole; a file that cannot be read is refused here."""
        bar = tqdm(
            files,
            unit="file",
            desc=f"{self.spec.kind} files",
            disable=not progress,
            leave=False,
            file=sys.stderr,
        )
        readings = read_all(
            files, home_country=self.settings.home_country, today=self.today, chunk_rows=chunk_rows
        )
        for (kind, path, fmt), reading in zip(bar, readings, strict=True):
            result = FileResult(path, kind, fmt)
            self.results.append(result)
            if reading.refused is not None:
                result.refused = reading.refused
                _record_refusal(session, result, actor=self.actor, run_id=self.run_id)
            else:
                source = _source_record(result, self.run_id, reading.sha256, reading.size_bytes)
                result.warnings.extend(reading.warnings)
                self._read.append(_ReadFile(result, source, reading.chunks))
            result.seconds = reading.seconds

    def _load_rows(self, session: Session, chunk_rows: int) -> None:
        connection = session.connection()
        spec = self.spec
        upserter = Upserter(
            session, spec, source_file_id=None, actor=self.actor, run_id=self.run_id
        )
        offenders = OffenderIndex(connection) if spec.needs_offender else None
        pending: list[tuple[int, dict]] = []
        for item in self._read:
            source, result = item.source, item.result
            result.source_file_id = source.id
            reject_path = reject_file_path(self.settings, self.run_id, source.id, source.name)
            item.sink = RejectSink(connection, source.id, source.name, reject_path)
            for chunk in item.chunks:
                known = offenders.resolve(offender_ids(chunk)) if offenders else None
                prepared = prepare_chunk(chunk, spec, known)
                result.read += prepared.read
                for _line, record in prepared.valid:
                    record["source_file_id"] = source.id
                pending.extend(prepared.valid)
                for row in prepared.rejected:
                    item.sink.add(row.line, row.column, row.reason, row.raw, row.count)
            item.chunks = []
            item.sink.flush()
            result.rejected = item.sink.count
            if len(pending) >= chunk_rows:
                upserter.apply(pending)
                pending = []
        upserter.apply(pending)
        for item in self._read:
            counts = upserter.counts_by_source.get(item.source.id)
            if counts is not None:
                item.result.new, item.result.updated = counts.new, counts.updated
                item.result.unchanged = counts.unchanged

    def _finish(self, session: Session) -> None:
        """Each file's counts on its record, and its collection entry, all at once."""
        entries = []
        for item in self._read:
            result, source = item.result, item.source
            _check_counts(result)
            source.rows_read, source.rows_loaded = result.read, result.loaded
            source.rows_rejected = result.rejected
            source.reject_file = str(item.sink.path) if item.sink.written else None
            entries.append(_collection_entry(self.spec, result, source, self.actor, self.run_id))
        session.flush()
        record_events(session, entries)

    def commit_rejects(self) -> None:
        for item in self._read:
            if item.sink is not None:
                item.result.reject_file = item.sink.commit()

    def discard(self) -> None:
        for item in self._read:
            if item.sink is not None:
                item.sink.discard()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a file loads.

    A chunk holds a few hundred thousand small objects; each automatic collection would walk
    them all again, which (measured) doubles the cost of a large load. Loading creates no
    reference cycles worth collecting, and one collection runs at the end.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect(1)
