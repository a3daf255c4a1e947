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
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any, Literal, overload

import xlsxwriter

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


# --- one renderer for every listing ----------------------------------------------------------

FORMATS = ("table", "csv", "json", "xlsx")


@dataclass(frozen=True)
class Column:
    """One column of a listing: the record key (also the CSV/JSON/XLSX header), how the table
    heads it, which side it aligns to and how the table shows a value."""

    key: str
    heading: str | None = None
    align: str = "<"
    shown: Callable[[Any], str] | None = None

    @property
    def title(self) -> str:
        return self.heading if self.heading is not None else self.key

    def text(self, value: Any) -> str:
        if value is None:
            return ""
        if self.shown is not None:
            return self.shown(value)
        return str(plain(value))


def probability(value: float) -> str:
    """A probability in a table: three decimals, enough to tell bands apart."""
    return f"{value:.3f}"


PROBABILITY_PLACES = 4
#: Columns a spreadsheet (CSV, XLSX) shows rounded, by key, whichever listing they are in: a
#: manager forwards 0.9871, not 0.9870999843. JSON keeps the full value for programs.
SHEET_PLACES: dict[str, int] = {"match_probability": PROBABILITY_PLACES}


def sheet_value(key: str, value: Any) -> Any:
    """``value`` as a CSV or XLSX cell shows it: a rounded column's float rounded."""
    places = SHEET_PLACES.get(key)
    if places is not None and isinstance(value, float):
        return round(value, places)
    return value


def _columns(columns: Sequence[Column | str]) -> list[Column]:
    return [c if isinstance(c, Column) else Column(c) for c in columns]


def records(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column | str]) -> list[dict]:
    """Each row as a plain record of just ``columns`` (dates as ISO text): the JSON form."""
    keys = [c.key for c in _columns(columns)]
    return [{k: plain(row.get(k)) for k in keys} for row in rows]


def sheet_records(rows: Iterable[Mapping[str, Any]], columns: Sequence[Column | str]) -> list[dict]:
    """Each row as the CSV shows it: the JSON form with the rounded columns rounded."""
    return [{k: sheet_value(k, v) for k, v in record.items()} for record in records(rows, columns)]


def table_text(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[Column | str], footer: str | None = None
) -> str:
    """Aligned columns under a header, each as wide as its widest value; the last column is
    not padded (it is usually free text)."""
    cols = _columns(columns)
    cells = [[c.text(row.get(c.key)) for c in cols] for row in rows]
    widths = [max([len(c.title), *(len(r[i]) for r in cells)]) for i, c in enumerate(cols)]

    def line(values: Sequence[str]) -> str:
        parts = [
            f"{v:{c.align}{w}}" if i < len(cols) - 1 or c.align == ">" else v
            for i, (v, c, w) in enumerate(zip(values, cols, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    lines = [line([c.title for c in cols]), *(line(r) for r in cells)]
    if footer:
        lines.append(footer)
    return "\n".join(lines)


def json_text(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[Column | str],
    envelope: Mapping[str, Any] | None = None,
    items_key: str = "items",
) -> str:
    """The records as a JSON list, or inside ``envelope`` under ``items_key`` (paged listings)."""
    items = records(rows, columns)
    document: Any = {**envelope, items_key: items} if envelope is not None else items
    return json.dumps(document, indent=2, ensure_ascii=False, default=str)


def xlsx_bytes(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[Column | str], sheet: str = "rows"
) -> bytes:
    """A workbook a manager can use as it opens: bold frozen header with a filter, columns
    sized to their content, dates as dates, numbers as numbers (probabilities rounded, as in
    the CSV), text never a formula."""
    cols = _columns(columns)
    buffer = io.BytesIO()
    options = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    workbook = xlsxwriter.Workbook(buffer, options)
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    instant = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    worksheet = workbook.add_worksheet(sheet[:31])
    widths = [len(c.key) for c in cols]
    worksheet.write_row(0, 0, [c.key for c in cols], bold)
    count = 0
    for count, row in enumerate(rows, start=1):
        for index, column in enumerate(cols):
            value = sheet_value(column.key, row.get(column.key))
            widths[index] = max(widths[index], min(len(str(plain(value) or "")), 60))
            _write_cell(worksheet, count, index, value, day, instant)
    worksheet.freeze_panes(1, 0)
    worksheet.autofilter(0, 0, count, len(cols) - 1)
    for index, width in enumerate(widths):
        worksheet.set_column(index, index, width + 2)
    workbook.close()
    return buffer.getvalue()


def _write_cell(worksheet: Any, row: int, column: int, value: Any, day: Any, instant: Any) -> None:
    if value is None:
        worksheet.write_blank(row, column, None)
    elif isinstance(value, datetime):
        worksheet.write_datetime(row, column, value.replace(tzinfo=None), instant)
    elif isinstance(value, date):
        worksheet.write_datetime(row, column, datetime(value.year, value.month, value.day), day)
    elif isinstance(value, bool):
        worksheet.write_boolean(row, column, value)
    elif isinstance(value, int | float):
        worksheet.write_number(row, column, value)
    else:
        # Text always as text, formula-like text marked as text, as in the CSV.
        worksheet.write_string(row, column, safe_cell(str(value)))


@overload
def render(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column | str],
    fmt: Literal["xlsx"],
    *,
    footer: str | None = None,
    envelope: Mapping[str, Any] | None = None,
    items_key: str = "items",
    sheet: str = "rows",
) -> bytes: ...


@overload
def render(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column | str],
    fmt: Literal["table", "csv", "json"],
    *,
    footer: str | None = None,
    envelope: Mapping[str, Any] | None = None,
    items_key: str = "items",
    sheet: str = "rows",
) -> str: ...


@overload
def render(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column | str],
    fmt: str,
    *,
    footer: str | None = None,
    envelope: Mapping[str, Any] | None = None,
    items_key: str = "items",
    sheet: str = "rows",
) -> str | bytes: ...


def render(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column | str],
    fmt: str,
    *,
    footer: str | None = None,
    envelope: Mapping[str, Any] | None = None,
    items_key: str = "items",
    sheet: str = "rows",
) -> str | bytes:
    """``rows`` as a table, CSV, JSON or an XLSX workbook: every listing's one way out.

    ``footer`` only shows under the table; ``envelope`` wraps the JSON list (``items_key``)."""
    if fmt == "table":
        return table_text(rows, columns, footer)
    if fmt == "csv":
        return csv_text([c.key for c in _columns(columns)], sheet_records(rows, columns))
    if fmt == "json":
        return json_text(rows, columns, envelope, items_key)
    if fmt == "xlsx":
        return xlsx_bytes(rows, columns, sheet)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
