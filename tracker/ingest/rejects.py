"""Rejected rows: written whole to a reject file (formula-like cells marked as text) and
unchanged to the rejects table.

The reject file is a CSV (``source_file, line, column, reason, raw``) the sender can read and
correct from. Its cells go through ``tracker.tabular`` like every export: a raw row a
spreadsheet would take for a formula (it starts with ``=``, ``+``, ``-``, ``@``...) is written
after an apostrophe, so opening the file cannot run it; the rejects table keeps it unchanged.

The file is written beside the load under a temporary name and only takes its real name when
the file's transaction commits, so a failed load leaves no reject file claiming rows that
were never judged.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from sqlalchemy import Connection

from tracker.ingest.bulk import BulkWriter
from tracker.ingest.readers import raw_text
from tracker.models import Reject
from tracker.settings import Settings
from tracker.tabular import SafeCsvWriter

REJECT_COLUMNS = ("source_file", "line", "column", "reason", "raw")
REJECT_SUFFIX = ".rejects.csv"


def reject_folder(settings: Settings, run_id: int | None, source_file_id: int) -> Path:
    """``run-<id>/`` for a nightly run (all its files together), else ``load-<id>/`` per file."""
    name = f"run-{run_id}" if run_id is not None else f"load-{source_file_id}"
    return settings.rejects_dir / name


def reject_file_path(
    settings: Settings, run_id: int | None, source_file_id: int, input_name: str
) -> Path:
    return reject_folder(settings, run_id, source_file_id) / f"{input_name}{REJECT_SUFFIX}"


class RejectSink:
    """Collects one file's rejects; nothing touches the disk unless a row is rejected."""

    def __init__(self, connection: Connection, source_file_id: int, source_name: str, path: Path):
        self.path = path
        self.source_file_id = source_file_id
        self.source_name = source_name
        self.count = 0
        self._writer = BulkWriter(connection, Reject.__table__)
        self._pending: list[dict] = []
        self._partial = path.with_name(path.name + ".partial")
        self._stream: IO[str] | None = None
        self._csv: SafeCsvWriter | None = None

    def add(self, line: int | None, column: str | None, reason: str, raw: str, count: int = 1):
        """One rejected entry standing for ``count`` input rows (a whole PAXLST message: many)."""
        text = raw_text(raw)
        if self._csv is None:
            self._open()
        self._csv.writerow((self.source_name, line, column or "", reason, text))
        self._pending.append(
            {
                "source_file_id": self.source_file_id,
                "line": line,
                "column": column or None,
                "reason": reason,
                "raw": text,
            }
        )
        self.count += count

    def _open(self) -> None:
        self._partial.parent.mkdir(parents=True, exist_ok=True)
        self._stream = open(self._partial, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._csv = SafeCsvWriter(self._stream)
        self._csv.writerow(REJECT_COLUMNS)

    def flush(self) -> None:
        """Send the rejects gathered so far to the rejects table."""
        self._writer.insert(self._pending)
        self._pending = []

    @property
    def written(self) -> bool:
        return self._stream is not None

    def commit(self) -> Path | None:
        """Give the reject file its real name (after the database committed)."""
        if self._stream is None:
            return None
        self._stream.close()
        self._partial.replace(self.path)
        return self.path

    def discard(self) -> None:
        """The load failed: no reject file is left behind."""
        if self._stream is None:
            return
        self._stream.close()
        self._partial.unlink(missing_ok=True)
