"""Rejected rows: written whole to a reject file (formula-like cells marked as text) and
unchanged to the rejects table.

The reject file is a CSV (``source_file, line, column, reason, raw``) the sender can read and
correct from. Its cells go through ``tracker.tabular`` like every export: a raw row a
spreadsheet would take for a formula (it starts with ``=``, ``+``, ``-``, ``@``...) is written
after an apostrophe, so opening the file cannot run it; the rejects table keeps it unchanged
(but for a NUL character, which PostgreSQL cannot store: both show it as ``\u2400``).

The file is written beside the load under a temporary name and only takes its real name when
the file's transaction commits, so a failed load leaves no reject file claiming rows that
were never judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import Connection

from tracker.ingest.bulk import BulkWriter
from tracker.ingest.formats.rows import SourceRow, raw_text
from tracker.models import Reject
from tracker.tabular import SafeCsvWriter

REJECT_COLUMNS = ("source_file", "line", "column", "reason", "raw")
REJECT_SUFFIX = ".rejects.csv"
NUL_SHOWN = "\u2400"  # SYMBOL FOR NULL: PostgreSQL's text holds no NUL, so a reject shows it so


def storable(text: str) -> str:
    """``text`` with each NUL character shown as the symbol for null (a sender's NUL byte
    in a rejected row must not fail the load that rejects it)."""
    return text.replace("\x00", NUL_SHOWN)


@dataclass(slots=True)
class RejectedRow:
    """A row set aside: its line, the columns at fault, every reason, and its text as sent."""

    line: int | None
    column: str
    reason: str
    raw: str
    count: int = 1


def broken_row(row: SourceRow) -> RejectedRow:
    """The reject entry of a row that could not be split into cells, for its one problem."""
    if row.problem is None:
        raise ValueError(f"line {row.line} was set aside as broken without a problem")
    return rejected_row(row, [row.problem])


def rejected_row(row: SourceRow, problems: list[tuple[str | None, str]]) -> RejectedRow:
    """The reject entry: the columns at fault and every reason, each naming its column."""
    labels = row.labels or {}
    columns: dict[str, None] = {}
    reasons = []
    for column, reason in problems:
        if column is None:
            reasons.append(reason)
            continue
        label = f"{column} ({labels[column]})" if column in labels else column
        columns[label] = None
        reasons.append(f"{label}: {reason}")
    return RejectedRow(row.line, ", ".join(columns), "; ".join(reasons), row.raw, row.count)


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
        text, reason, column = storable(raw_text(raw)), storable(reason), storable(column or "")
        if self._csv is None:
            self._csv = self._open()
        self._csv.writerow((self.source_name, line, column, reason, text))
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

    def _open(self) -> SafeCsvWriter:
        """The reject file's writer, its header written (opened at the first reject)."""
        self._partial.parent.mkdir(parents=True, exist_ok=True)
        self._stream = open(self._partial, "w", encoding="utf-8", newline="")  # noqa: SIM115
        writer = SafeCsvWriter(self._stream)
        writer.writerow(REJECT_COLUMNS)
        return writer

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
