"""The readers of each input format, and which one a file takes.

Every reader gives rows in chunks (``rows.SourceRow``) with their line and raw text, and
refuses a file it cannot read at all (``rows.FileRefused``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tracker.ingest.formats.delimited import CsvReader
from tracker.ingest.formats.jsonl import JsonLinesReader
from tracker.ingest.formats.paxlst import PaxlstReader
from tracker.ingest.formats.rows import RowReader
from tracker.schemas import MULTI_VALUED, ContractRow, columns_of, required_columns_of
from tracker.schemas.rows import number_columns_of

FORMATS_BY_SUFFIX = {".csv": "csv", ".jsonl": "jsonl", ".edi": "paxlst", ".paxlst": "paxlst"}


def format_of(path: Path) -> str | None:
    """``csv``, ``jsonl`` or ``paxlst`` from the file ending; None for anything else."""
    return FORMATS_BY_SUFFIX.get(path.suffix.lower())


def known_format(path: Path) -> str:
    """``format_of`` for a file the inbox scan took, whose ending names a format by then."""
    fmt = format_of(path)
    if fmt is None:
        raise ValueError(f"{path.name}: its ending names no input format")
    return fmt


def open_reader(
    path: Path, fmt: str, model: type[ContractRow], home_country: str, today: date | None
) -> RowReader:
    """The streaming reader for a file of this format holding rows of ``model``."""
    if fmt == "paxlst":
        return PaxlstReader(path, home_country, today)
    if fmt == "csv":
        return CsvReader(path, columns_of(model), required_columns_of(model))
    if fmt == "jsonl":
        return JsonLinesReader(path, columns_of(model), MULTI_VALUED, number_columns_of(model))
    raise ValueError(f"no reader for format {fmt!r}")
