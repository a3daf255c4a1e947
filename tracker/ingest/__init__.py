"""Loading the contract's input files: read, validate, upsert, set rejects aside."""

from tracker.ingest.results import (
    EXIT_ALL_LOADED,
    EXIT_NOTHING_LOADED,
    EXIT_SOME_REJECTED,
    FileResult,
    exit_code,
)
from tracker.ingest.service import IngestError, ingest_files, ingest_inbox

__all__ = [
    "EXIT_ALL_LOADED",
    "EXIT_NOTHING_LOADED",
    "EXIT_SOME_REJECTED",
    "FileResult",
    "IngestError",
    "exit_code",
    "ingest_files",
    "ingest_inbox",
]
