"""The readers of each input format, and which one a file takes.

Every reader gives rows in chunks (``rows.SourceRow``) with their line and raw text, and
refuses a file it cannot read at all (``rows.FileRefused``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tracker.ingest.formats.delimited import CsvReader
from tracker.ingest.formats.edifact import detect_edifact_message_type, file_message_type
from tracker.ingest.formats.jsonl import JsonLinesReader
from tracker.ingest.formats.paxlst import PaxlstReader
from tracker.ingest.formats.pnrgov import PnrgovReader
from tracker.ingest.formats.rows import RowReader
from tracker.schemas import MULTI_VALUED, ContractRow, columns_of, required_columns_of
from tracker.schemas.rows import number_columns_of

__all__ = ["detect_edifact_message_type", "format_of", "known_format", "open_reader"]

FORMATS_BY_SUFFIX = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".edi": "paxlst",
    ".paxlst": "paxlst",
    ".pnr": "pnrgov",
}
EDIFACT_FORMATS = {"PAXLST": "paxlst", "PNRGOV": "pnrgov"}


def format_of(path: Path) -> str | None:
    """``csv``, ``jsonl``, ``paxlst`` or ``pnrgov`` from the file ending (the file is not
    read: the inbox names kinds before it knows a file is safe to open); None otherwise."""
    return FORMATS_BY_SUFFIX.get(path.suffix.lower())


def known_format(path: Path) -> str:
    """The format of a file about to be loaded: its ending's, except that an EDIFACT file
    (``.edi``, ``.paxlst``, ``.pnr``) is read by the message type its UNH names, so a PNRGOV
    interchange sent as ``.edi`` reaches the PNRGOV reader."""
    fmt = format_of(path)
    if fmt is None:
        raise ValueError(f"{path.name}: its ending names no input format")
    if fmt in EDIFACT_FORMATS.values():
        found = file_message_type(path)
        return EDIFACT_FORMATS[found] if found else fmt
    return fmt


def open_reader(
    path: Path, fmt: str, model: type[ContractRow], home_country: str, today: date | None
) -> RowReader:
    """The streaming reader for a file of this format holding rows of ``model``."""
    if fmt == "paxlst":
        return PaxlstReader(path, home_country, today)
    if fmt == "pnrgov":
        return PnrgovReader(path, home_country, today)
    if fmt == "csv":
        return CsvReader(path, columns_of(model), required_columns_of(model))
    if fmt == "jsonl":
        return JsonLinesReader(path, columns_of(model), MULTI_VALUED, number_columns_of(model))
    raise ValueError(f"no reader for format {fmt!r}")
