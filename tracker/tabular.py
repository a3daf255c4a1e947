"""The one place CSV and XLSX cells are made safe to open in a spreadsheet (data contract:
"CSV and XLSX exports never begin a cell with =, +, - or @ unless it is a number").

A text cell a spreadsheet would read as a formula (OWASP "CSV injection": it starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return, also after leading blanks) gets a
leading apostrophe, the mark a spreadsheet itself uses for "this is text". Numbers are left
alone, so a negative weight stays ``-1.5`` and stays a number; only text is touched. Every CSV
the tracker writes goes through ``csv_text``/``SafeCsvWriter``; the workbook uses ``safe_cell``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import IO, Any

# Characters that make a spreadsheet evaluate a cell (the full-width forms too: some locales
# of Excel read them as the ASCII ones).
FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# Characters that are dangerous as the very first character (a field separator or a line
# break some importers drop, leaving what follows at the start of the cell).
LEADING_CONTROLS = frozenset("\t\r\n")
TEXT_MARK = "'"


def plain(value: Any) -> Any:
    """A date as its ISO text (what the exports and the JSON show), anything else as is."""
    if isinstance(value, date):
        return value.isoformat()
    return value


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula."""
    if text[:1] in LEADING_CONTROLS:
        return True
    return text.lstrip()[:1] in FORMULA_STARTS


def safe_cell(value: Any) -> Any:
    """``value`` as it may go into a cell: formula-like text marked as text, the rest as is."""
    if isinstance(value, str) and formula_like(value):
        return TEXT_MARK + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


class SafeCsvWriter:
    """``csv.writer`` whose every row is made safe first; for files written row by row."""

    def __init__(self, stream: IO[str], **options: Any):
        self._writer = csv.writer(stream, **options)

    def writerow(self, values: Iterable[Any]) -> None:
        self._writer.writerow(safe_row(values))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def write_records(
    stream: IO[str], columns: Sequence[str], records: Iterable[Mapping[str, Any]]
) -> None:
    """A header and one row per record in ``columns`` (absent keys empty), all made safe."""
    writer = SafeCsvWriter(stream, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow(record.get(c, "") for c in columns)


def csv_text(columns: Sequence[str], records: Iterable[Mapping[str, Any]]) -> str:
    """The CSV of ``records`` as a string (the exports' form)."""
    buffer = io.StringIO()
    write_records(buffer, columns, records)
    return buffer.getvalue()
