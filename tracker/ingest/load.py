"""One load: files of one kind in one transaction, each file all or nothing.

For each file: record it (name, sha256, size), read it in chunks, validate each chunk by
columns against its kind's schema, upsert the valid rows and set the rejected ones aside, then
record the counts and a ``collection`` audit entry. Rows read = rows loaded + rows rejected,
always. A file that cannot be read at all is refused whole with the reason, and nothing of it
is kept but that record.

A file loaded alone is stored as it is read (with more than a chunk or two, read and checked
in a second process meanwhile). Several small files are each read whole first, so one that
cannot be read is refused alone, and their chunks are stored together: a thousand passenger
lists cost a few key look-ups and writes, not a thousand.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from tracker.audit import record_events
from tracker.db import transaction
from tracker.ingest.bulk import sqlite_bulk_load
from tracker.ingest.collection import (
    collection_entry,
    digest_or_refusal,
    record_refusal,
    source_record,
)
from tracker.ingest.columnar import (
    ColumnValidator,
    PreparedCells,
    merged,
    pack_settled,
    unpack_settled,
)
from tracker.ingest.context import LoadContext
from tracker.ingest.formats.rows import FileRefused
from tracker.ingest.keyed_lookup import OffenderIndex
from tracker.ingest.kinds import KindSpec
from tracker.ingest.reading import prepared_chunks, read_all
from tracker.ingest.rejects import RejectSink
from tracker.ingest.results import FileResult
from tracker.ingest.upsert import Upserter
from tracker.ingest.worker import can_fork, run_in_child
from tracker.models import SourceFile
from tracker.search_names import refresh_search_names

BYTES_PER_ROW_ESTIMATE = 100  # to judge a file's size in rows before reading it
#: Kinds whose load changes a name the queue searches (``offenders.search_names``).
NAMED_KINDS = ("offenders", "aliases")


def load_files(
    sessions: sessionmaker[Session], context: LoadContext, files: list[tuple[Path, str]]
) -> list[FileResult]:
    """Load ``files`` (path, format) of the context's kind in one transaction, in order.

    One file is read as it is stored: found unreadable part way, the transaction rolls back
    and only its refusal is recorded. Several are read whole first, each refused alone; any
    other failure rolls the lot back, and loading again converges.
    """
    started = time.perf_counter()
    load = _Load(context, files)
    try:
        with transaction(sessions) as session:
            load.run(session)
    except FileRefused as exc:  # only a file read as it is stored is refused this late
        load.discard()
        [result] = load.results
        result.refuse(str(exc))
        with transaction(sessions) as session:
            record_refusal(session, result, actor=context.actor, run_id=context.run_id)
    except BaseException:
        load.discard()
        raise
    else:
        load.commit_rejects()
    load.share_seconds(time.perf_counter() - started)
    return load.results


def load_file_here(
    session: Session, context: LoadContext, path: Path, fmt: str
) -> tuple[FileResult, list[tuple]]:
    """One small file loaded in the caller's transaction: a screened manifest's travellers and
    its screening commit together. Read whole first, so a file that cannot be read is refused
    with only its record kept. Returns its result and the keys of the valid rows it held; its
    reject file takes its name when the caller commits (and is dropped if it rolls back)."""
    load = _Load(context, [(path, fmt)], read_whole=True)
    keys: list[tuple] = []
    load.on_stored = keys.extend
    try:
        load.run(session)
    except BaseException:
        load.discard()
        raise
    _rejects_follow_transaction(session, load)
    [result] = load.results
    return result, keys


def _rejects_follow_transaction(session: Session, load: _Load) -> None:
    def committed(_session: Session) -> None:
        event.remove(session, "after_soft_rollback", rolled_back)
        load.commit_rejects()

    def rolled_back(_session: Session, _previous) -> None:
        event.remove(session, "after_commit", committed)
        load.discard()

    event.listen(session, "after_commit", committed, once=True)
    event.listen(session, "after_soft_rollback", rolled_back, once=True)


@dataclass
class _File:
    """A file being loaded: its result, its record, its chunks still to store, its rejects."""

    result: FileResult
    source: SourceFile
    chunks: Iterable[PreparedCells]
    rejects: RejectSink


class _Load:
    """The work of one load inside its transaction: the files recorded, read (as they are
    stored, or whole first), stored, and their counts and entries written at the end."""

    def __init__(
        self, context: LoadContext, files: list[tuple[Path, str]], read_whole: bool = False
    ):
        self.context = context
        self.files = files
        self.read_whole = read_whole  # a file alone read whole first too (never forked)
        self.results: list[FileResult] = []
        self._loading: list[_File] = []
        self.on_stored: Callable[[list[tuple]], None] | None = None  # keys of valid rows

    def run(self, session: Session) -> None:
        context, spec = self.context, self.context.spec
        connection = session.connection()
        upserter = Upserter(session, spec, actor=context.actor, run_id=context.run_id)
        offenders = OffenderIndex(connection) if spec.needs_offender else None
        validator = ColumnValidator(spec.model)
        total = sum(file_size(path) for path, _ in self.files)
        with ExitStack() as stack:
            stack.enter_context(_collector_paused())
            bar = stack.enter_context(closing(self._progress_bar(total)))
            if len(self.files) == 1 and not self.read_whole:
                self._start_streaming(session, upserter, offenders, validator, stack)
            else:
                self._read_whole(session, offenders, validator, bar)
            expected_rows = sum(f.source.size_bytes for f in self._loading)
            stack.enter_context(
                sqlite_bulk_load(connection, spec.table, expected_rows // BYTES_PER_ROW_ESTIMATE)
            )
            self._store(upserter, bar)
        if spec.kind in NAMED_KINDS:
            refresh_search_names(connection, [file.source.id for file in self._loading])
        self._finish(session, upserter)

    def _start_streaming(
        self,
        session: Session,
        upserter: Upserter,
        offenders: OffenderIndex | None,
        validator: ColumnValidator,
        stack: ExitStack,
    ) -> None:
        """Record the one file, and ready its chunks to be read as they are stored.

        More than a chunk or two: the next chunks are read, checked and settled (what goes in
        as it is, from the keys stored now) in a second process while this one stores the
        last; the whole register's ids are fetched first, so the child never touches the
        connection."""
        context = self.context
        [(path, fmt)] = self.files
        result = FileResult(path, context.kind, fmt)
        self.results.append(result)
        source = source_record(result, context.run_id, *digest_or_refusal(path))
        session.add(source)
        session.flush()
        produce = partial(
            prepared_chunks, context, path, fmt, validator, offenders, source_file_id=source.id
        )
        if source.size_bytes // BYTES_PER_ROW_ESTIMATE > 2 * context.chunk_rows and can_fork():
            if offenders is not None:
                offenders.load_all()
            settle = partial(upserter.settle, settled=upserter.stored_keys())
            chunks = run_in_child(partial(produce, settle=settle), pack_settled, unpack_settled)
        else:
            chunks = produce()
        stack.enter_context(closing(chunks))
        self._loading.append(self._opened(session, result, source, _warned(result, chunks)))

    def _read_whole(
        self,
        session: Session,
        offenders: OffenderIndex | None,
        validator: ColumnValidator,
        bar: tqdm,
    ) -> None:
        """Read every file whole, recording each refusal as it is found; then record the
        files read, all at once."""
        context = self.context
        read: list[tuple[FileResult, SourceFile, list[PreparedCells]]] = []
        with closing(read_all(context, self.files, validator, offenders)) as readings:
            for (path, fmt), reading in zip(self.files, readings, strict=True):
                result = FileResult(path, context.kind, fmt, seconds=reading.seconds)
                self.results.append(result)
                bar.update(reading.size_bytes)
                if reading.refused is not None:
                    result.refused = reading.refused
                    record_refusal(session, result, actor=context.actor, run_id=context.run_id)
                    continue
                result.warnings.extend(reading.warnings)
                source = source_record(result, context.run_id, reading.sha256, reading.size_bytes)
                read.append((result, source, reading.chunks))
        if not read:
            return
        session.add_all([source for _, source, _ in read])
        session.flush()
        for result, source, chunks in read:
            for prepared in chunks:
                prepared.attach_source(source.id)
            self._loading.append(self._opened(session, result, source, chunks))

    def _opened(
        self,
        session: Session,
        result: FileResult,
        source: SourceFile,
        chunks: Iterable[PreparedCells],
    ) -> _File:
        result.source_file_id = source.id
        path = self.context.reject_path(source.id, source.name)
        rejects = RejectSink(session.connection(), source.id, source.name, path)
        return _File(result, source, chunks, rejects)

    def _store(self, upserter: Upserter, bar: tqdm) -> None:
        """Every file's chunks in order: a streamed file's as they come, small files' together
        (a chunk's worth at a time)."""
        pending: list[PreparedCells] = []
        pending_records = 0
        streaming = len(self.files) == 1 and not self.read_whole
        for file in self._loading:
            for prepared in file.chunks:
                file.result.read += prepared.read
                for row in prepared.rejected:
                    file.rejects.add(row.line, row.column, row.reason, row.raw, row.count)
                file.rejects.flush()
                if streaming:
                    bar.update(prepared.position - bar.n)
                if prepared.rows is not None:  # settled where it was read
                    upserter.apply_settled(prepared)
                    continue
                if self.on_stored is not None:
                    self.on_stored(_valid_keys(self.context.spec, prepared))
                pending.append(prepared)
                pending_records += prepared.records
                if streaming or pending_records >= self.context.chunk_rows:
                    upserter.apply_prepared(merged(pending))
                    pending, pending_records = [], 0
            file.chunks = ()
        if pending:
            upserter.apply_prepared(merged(pending))

    def _finish(self, session: Session, upserter: Upserter) -> None:
        """Each file's counts on its record, and its collection entry, all at once."""
        context = self.context
        entries = []
        for file in self._loading:
            result, source = file.result, file.source
            counts = upserter.counts_by_source.get(source.id)
            if counts is not None:
                result.new, result.updated = counts.new, counts.updated
                result.unchanged = counts.unchanged
            result.rejected = file.rejects.count
            result.check_counts()
            source.rows_read, source.rows_loaded = result.read, result.loaded
            source.rows_rejected = result.rejected
            source.reject_file = str(file.rejects.path) if file.rejects.written else None
            entries.append(collection_entry(result, source, context.actor, context.run_id))
        session.flush()
        record_events(session, entries)

    def _progress_bar(self, total: int) -> tqdm:
        streaming = len(self.files) == 1
        return tqdm(
            total=total,
            unit="B",
            unit_scale=True,
            desc=self.files[0][0].name if streaming else f"{self.context.kind} files",
            disable=not self.context.progress,
            leave=False,
            file=sys.stderr,
        )

    def commit_rejects(self) -> None:
        for file in self._loading:
            file.result.reject_file = file.rejects.commit()

    def discard(self) -> None:
        for file in self._loading:
            file.rejects.discard()

    def share_seconds(self, seconds: float) -> None:
        """What the load took beyond reading files whole, shared by rows read."""
        shared = seconds - sum(result.seconds for result in self.results)
        rows = sum(result.read for result in self.results)
        for result in self.results:
            share = result.read / rows if rows else 1 / len(self.results)
            result.seconds += shared * share


def _valid_keys(spec: KindSpec, prepared: PreparedCells) -> list[tuple]:
    """The contract keys of a chunk's valid rows, those judged by columns and by the model."""
    columns = prepared.columns
    keys = list(zip(*(columns[name] for name in spec.key), strict=True)) if prepared.count else []
    keys.extend(spec.key_of(record) for _, record in prepared.checked)
    return keys


def _warned(result: FileResult, chunks):
    """The chunks; the reader's warnings go to the file's result once they are all read."""
    result.warnings.extend((yield from chunks))


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # the load itself reports the file as unreadable


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
