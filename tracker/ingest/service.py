"""Loading input files: which files, in which loads, and the contract's exit code.

Each file loads all or nothing, with a summary (``FileResult``); large files load alone, and
consecutive small files of one kind load together (``load.load_files``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from functools import partial
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tracker.ingest.context import LoadContext
from tracker.ingest.formats import format_of, known_format
from tracker.ingest.formats.rows import CHUNK_ROWS
from tracker.ingest.inbox import kind_of, scan_inbox
from tracker.ingest.kinds import KINDS
from tracker.ingest.load import file_size, load_files
from tracker.ingest.results import FileResult
from tracker.settings import Settings


class IngestError(Exception):
    """The files asked for cannot be loaded at all (missing, a folder, an unknown format)."""


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
                "expected .csv, .jsonl, or .edi/.paxlst/.pnr for travel"
            )
        elif fmt in ("paxlst", "pnrgov") and kind != "travel":
            problems.append(f"{path}: {fmt.upper()} files hold travel records, not {kind}")
        else:
            planned.append((path, known_format(path)))
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
    context_for = partial(
        LoadContext.of,
        settings=settings,
        actor=actor,
        run_id=run_id,
        today=today,
        chunk_rows=chunk_rows,
        progress=progress,
    )
    return _load_planned(sessions, planned, context_for)


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
    planned = [(kind, path, known_format(path)) for kind, path in scan.files]
    skipped = [
        FileResult(path, kind_of(path) or "", format_of(path) or "", refused=reason, skipped=True)
        for path, reason in scan.skipped
    ]
    context_for = partial(
        LoadContext.of,
        settings=settings,
        actor=actor,
        run_id=run_id,
        today=today,
        progress=progress,
    )
    return skipped + _load_planned(sessions, planned, context_for)


def _load_planned(
    sessions: sessionmaker[Session],
    planned: list[tuple[str, Path, str]],
    context_for: Callable[[str], LoadContext],
) -> list[FileResult]:
    results: list[FileResult] = []
    for batch in batches_of_small_files(planned):
        files = [(path, fmt) for _, path, fmt in batch]
        results.extend(load_files(sessions, context_for(batch[0][0]), files))
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
        size = file_size(path)
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
