"""Streaming readers for CSV and JSON Lines: rows in chunks, each with its line and raw text.

Files are read line by line, never whole, so a million-row travel file costs one chunk of
memory. Each row keeps the text it was read from, unchanged, because a rejected row is written
to the reject file exactly as the sender sent it. A file that cannot be read at all (not
UTF-8, no header, a header without the required columns) raises ``FileRefused``.
"""

from __future__ import annotations

import codecs
import csv
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import IO, Protocol

CHUNK_ROWS = 10_000
FORMATS_BY_SUFFIX = {".csv": "csv", ".jsonl": "jsonl", ".edi": "paxlst", ".paxlst": "paxlst"}

csv.field_size_limit(16 * 1024 * 1024)  # a pathological cell is a row problem, not a crash


class FileRefused(Exception):
    """The whole file cannot be loaded; the message says why (the caller names the file)."""


@dataclass(slots=True)
class SourceRow:
    """One input row as read: its values by column, or the reason it could not be split.

    ``count`` is how many input rows this entry stands for: 1, except for a PAXLST message
    rejected whole, which stands for every passenger in it.
    """

    line: int
    raw: str
    values: dict[str, object] | None = None
    problem: tuple[str | None, str] | None = None
    count: int = 1
    labels: dict[str, str] | None = None


@dataclass
class CellChunk:
    """Rows as columns: ``cells[name][i]`` is row i's text for that column (None or blank:
    not given). ``broken`` are rows that could not even be split into cells."""

    lines: list[int]
    raws: list[str]
    cells: dict[str, list]
    broken: list[SourceRow] = field(default_factory=list)
    labels: dict[str, str] | None = None
    position: int = 0

    @property
    def read(self) -> int:
        """Input rows this chunk stands for."""
        return len(self.lines) + sum(row.count for row in self.broken)

    @classmethod
    def from_rows(
        cls, rows: list[SourceRow], columns: Iterable[str], position: int = 0
    ) -> CellChunk:
        """The columnar form of a reader's rows (JSON Lines, PAXLST, or CSV's slow path)."""
        whole = [row for row in rows if row.problem is None]
        broken = [row for row in rows if row.problem is not None]
        cells = {name: [row.values.get(name) for row in whole] for name in columns}
        labels = next((row.labels for row in rows if row.labels), None)
        return cls(
            [row.line for row in whole],
            [row.raw for row in whole],
            cells,
            broken,
            labels,
            position,
        )

    def values_of(self, index: int) -> dict[str, object]:
        """Row ``index`` as the row model reads it: given cells only, blanks left out."""
        values = {}
        for name, column in self.cells.items():
            cell = column[index]
            if not is_blank(cell):
                values[name] = cell
        return values

    def source_row(self, index: int) -> SourceRow:
        return SourceRow(
            self.lines[index], self.raws[index], self.values_of(index), labels=self.labels
        )


def is_blank(cell: object) -> bool:
    return cell is None or (type(cell) is str and (not cell or cell.isspace()))


class RowReader(Protocol):
    warnings: list[str]

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[list[SourceRow]]: ...

    def position(self) -> int: ...


def format_of(path: Path) -> str | None:
    """``csv``, ``jsonl`` or ``paxlst`` from the file ending; None for anything else."""
    return FORMATS_BY_SUFFIX.get(path.suffix.lower())


def raw_text(raw: str) -> str:
    """A row's text without the line ending that closed it."""
    return raw[:-2] if raw.endswith("\r\n") else raw.rstrip("\r\n")


def _not_utf8(path: Path) -> FileRefused:
    """The refusal naming the first byte that is not UTF-8, and its line."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, offset = 1, 0
    with open(path, "rb") as stream:
        while block := stream.read(1 << 16):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                # The decoder may hold back up to 3 bytes of an unfinished character.
                start = max(0, exc.start - len(exc.object) + len(block))
                bad = offset + start
                line += block[:start].count(b"\n")
                byte = exc.object[exc.start : exc.start + 1].hex().upper()
                return FileRefused(
                    f"is not UTF-8 text: byte 0x{byte} at offset {bad} (line {line}) is not "
                    "UTF-8; save the file as UTF-8 and load it again"
                )
            line += block.count(b"\n")
            offset += len(block)
    return FileRefused("is not UTF-8 text; save it as UTF-8 and load it again")


def _nul_problem(values: dict[str, object]) -> tuple[str | None, str]:
    for name, value in values.items():
        if isinstance(value, str) and "\x00" in value:
            return name, "contains a NUL character, which cannot be stored"
    return None, "the row contains a NUL character, which cannot be stored"


class _LineTap:
    """Hands lines to the csv module and remembers them, so a record's raw text is known even
    when a quoted cell spans several lines."""

    __slots__ = ("lines", "lines_read", "taken")

    def __init__(self, stream: Iterable[str], lines_read: int = 0):
        self.taken: list[str] = []
        self.lines_read = lines_read
        self.lines = self._lines(stream)

    def _lines(self, stream: Iterable[str]) -> Iterator[str]:
        taken = self.taken
        for line in stream:
            taken.append(line)
            yield line

    def take(self) -> tuple[int, str]:
        """(first line number, raw text) of the record just read."""
        taken = self.taken
        first = self.lines_read + 1
        self.lines_read += len(taken)
        raw = taken[0] if len(taken) == 1 else "".join(taken)
        taken.clear()
        return first, raw


class _TextFile:
    """A UTF-8 text file (a leading byte-order mark is dropped) whose byte position is known."""

    def __init__(self, path: Path):
        self.path = path
        self.stream: IO[str] | None = None

    def open(self) -> IO[str]:
        self.stream = open(self.path, encoding="utf-8-sig", newline="")  # noqa: SIM115
        return self.stream

    def position(self) -> int:
        if self.stream is None or self.stream.closed:
            return 0
        return self.stream.buffer.tell()


class CsvReader:
    """RFC 4180 CSV with a header row; columns matched case-insensitively, extras ignored."""

    format = "csv"

    def __init__(self, path: Path, columns: tuple[str, ...], required: tuple[str, ...]):
        self.path = path
        self.columns = columns
        self.required = required
        self.warnings: list[str] = []
        self._file = _TextFile(path)

    def position(self) -> int:
        return self._file.position()

    def _header(self, reader, tap: _LineTap) -> list[str | None]:
        """The contract column each cell holds, by position (None: a column we ignore)."""
        try:
            cells = next(reader)
        except StopIteration:
            raise FileRefused("is empty: a header row is expected") from None
        except csv.Error as exc:
            raise FileRefused(f"has a header row that is not valid CSV ({exc})") from None
        tap.take()
        names: list[str | None] = []
        unknown: list[str] = []
        for index, cell in enumerate(cells):
            name = cell.strip().lower()
            if name not in self.columns:
                names.append(None)
                unknown.append(cell.strip() or f"(unnamed column {index + 1})")
            elif name in names:
                raise FileRefused(f"names column {name!r} twice in its header row")
            else:
                names.append(name)
        missing = [c for c in self.required if c not in names]
        if missing:
            known = [name for name in names if name is not None]
            # Only the contract's own names are echoed: a file without a header row would
            # otherwise put a person's details into the log and the report.
            found = (
                f"found the contract's {', '.join(known)} and {len(unknown)} other(s)"
                if known
                else f"none of its {len(cells)} cells names a contract column: "
                "is the header row missing?"
            )
            raise FileRefused(f"has no {', '.join(missing)} column in its header row ({found})")
        if unknown:
            shown = ", ".join(name[:30] for name in unknown[:5])
            more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
            self.warnings.append(f"ignored unknown column(s): {shown}{more}")
        return names

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[list[SourceRow]]:
        with self._file.open() as stream:
            tap = _LineTap(stream)
            reader = csv.reader(tap.lines, strict=True)
            try:
                names = self._header(reader, tap)
                yield from self._row_chunks(reader, tap, names, size)
            except UnicodeDecodeError:
                raise _not_utf8(self.path) from None

    def _row_chunks(
        self, reader, tap: _LineTap, names: list[str | None], size: int
    ) -> Iterator[list[SourceRow]]:
        """Records one by one, each with its raw text even when a quoted cell spans lines."""
        width = len(names)
        chunk: list[SourceRow] = []
        taken = tap.taken
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                line, raw = tap.take()
                chunk.append(SourceRow(line, raw, problem=(None, f"not valid CSV: {exc}")))
            else:
                if len(taken) == 1:  # the usual one-line record, without a call
                    tap.lines_read = line = tap.lines_read + 1
                    raw = taken.pop()
                else:
                    line, raw = tap.take()
                if not cells:
                    continue  # a blank line is not a row
                if len(cells) != width:
                    problem = f"has {len(cells)} cells but the header row has {width}"
                    chunk.append(SourceRow(line, raw, problem=(None, problem)))
                    continue
                values = {
                    name: cell
                    for name, cell in zip(names, cells, strict=True)
                    if name and cell and not cell.isspace()
                }
                if "\x00" in raw:
                    chunk.append(SourceRow(line, raw, problem=_nul_problem(values)))
                else:
                    chunk.append(SourceRow(line, raw, values))
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def cell_chunks(self, size: int = CHUNK_ROWS) -> Iterator[CellChunk]:
        """The rows as columns, a block of lines at a time.

        A block where every line is one whole record (the usual case: no quoted cell spans
        lines) is split by the csv module in one call and turned into columns with ``zip``;
        from the first block that is not, the rest of the file is read record by record as
        ``chunks`` reads it, so the outcome is the same either way.
        """
        with self._file.open() as stream:
            tap = _LineTap(stream)
            reader = csv.reader(tap.lines, strict=True)
            try:
                names = self._header(reader, tap)
                line = tap.lines_read
                while block := list(islice(stream, size)):
                    records = _one_record_per_line(block)
                    if records is None:
                        rest = _LineTap(chain(block, stream), lines_read=line)
                        rest_reader = csv.reader(rest.lines, strict=True)
                        for rows in self._row_chunks(rest_reader, rest, names, size):
                            yield CellChunk.from_rows(rows, self.columns, self.position())
                        return
                    yield self._block_cells(block, records, names, line)
                    line += len(block)
            except UnicodeDecodeError:
                raise _not_utf8(self.path) from None

    def _block_cells(
        self, block: list[str], records: list[list[str]], names: list[str | None], line: int
    ) -> CellChunk:
        width = len(names)
        lines = list(range(line + 1, line + 1 + len(block)))
        broken: list[SourceRow] = []
        if set(map(len, records)) != {width} or "\x00" in "".join(block):
            whole = []
            for number, raw, cells in zip(lines, block, records, strict=True):
                if not cells:
                    continue  # a blank line is not a row
                if len(cells) != width:
                    problem = f"has {len(cells)} cells but the header row has {width}"
                    broken.append(SourceRow(number, raw, problem=(None, problem)))
                elif "\x00" in raw:
                    values = {
                        n: c for n, c in zip(names, cells, strict=True) if n and not is_blank(c)
                    }
                    broken.append(SourceRow(number, raw, problem=_nul_problem(values)))
                else:
                    whole.append((number, raw, cells))
            lines = [number for number, _, _ in whole]
            block = [raw for _, raw, _ in whole]
            records = [cells for _, _, cells in whole]
        if records:
            columns = dict(zip(names, zip(*records, strict=True), strict=True))
        else:
            columns = dict.fromkeys(names, ())
        cells = {
            name: list(columns[name]) if name in columns else [None] * len(lines)
            for name in self.columns
        }
        return CellChunk(lines, block, cells, broken, position=self.position())


def _one_record_per_line(block: list[str]) -> list[list[str]] | None:
    """The block's records when each line holds exactly one (blank lines giving ``[]``);
    None when a quoted cell spans lines or the block is not valid CSV."""
    try:
        records = list(csv.reader(block, strict=True))
    except csv.Error:
        return None
    return records if len(records) == len(block) else None


class JsonLinesReader:
    """One JSON object per line; arrays allowed for multi-valued fields."""

    format = "jsonl"

    def __init__(
        self,
        path: Path,
        columns: tuple[str, ...],
        multi_valued: frozenset[str] = frozenset(),
        numbers: frozenset[str] | None = None,
    ):
        self.path = path
        self.columns = frozenset(columns)
        self.multi_valued = multi_valued
        # Columns where a JSON number or boolean is the value; None: any column (the readers'
        # own tests), else one anywhere else rejects its row (data contract 1.1).
        self.numbers = numbers
        self.warnings: list[str] = []
        self._unknown: dict[str, None] = {}
        self._file = _TextFile(path)

    def position(self) -> int:
        return self._file.position()

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[list[SourceRow]]:
        line_number = 0
        with self._file.open() as stream:
            try:
                chunk: list[SourceRow] = []
                for line in stream:
                    line_number += 1
                    if not line.strip():
                        continue
                    chunk.append(self._row(line_number, line))
                    if len(chunk) >= size:
                        yield chunk
                        chunk = []
                if chunk:
                    yield chunk
            except UnicodeDecodeError:
                raise _not_utf8(self.path) from None
        if self._unknown:
            self.warnings.append(f"ignored unknown column(s): {', '.join(self._unknown)}")

    def _row(self, line: int, raw: str) -> SourceRow:
        try:
            document = _decode_json(raw_text(raw))
        except json.JSONDecodeError as exc:
            return SourceRow(
                line, raw, problem=(None, f"not valid JSON: {exc.msg} (column {exc.colno})")
            )
        except RecursionError:
            return SourceRow(line, raw, problem=(None, "not valid JSON: nested too deeply"))
        except ValueError as exc:  # a number no contract field can hold
            return SourceRow(line, raw, problem=(None, str(exc)))
        if not isinstance(document, dict):
            return SourceRow(line, raw, problem=(None, "not a JSON object"))
        values = self._plain_values(document)
        if values is None:
            outcome = self._checked_values(line, raw, document)
            if isinstance(outcome, SourceRow):
                return outcome
            values = outcome
        if "\\u" in raw or "\x00" in raw:
            problem = _unstorable_text(values)
            if problem:
                return SourceRow(line, raw, problem=problem)
        return SourceRow(line, raw, values)

    def _plain_values(self, document: dict) -> dict[str, object] | None:
        """The cells of the common object, every key a contract column as written and every
        value text, in one pass each (no key can then clash with another, no value is a
        number, an array or an object); None for any other, which ``_checked_values`` judges.
        A row costs a few microseconds here instead of some sixty key by key."""
        if not self.columns.issuperset(document):
            return None
        if not all(type(value) is str for value in document.values()):
            return None
        return {name: value for name, value in document.items() if value and not value.isspace()}

    def _checked_values(self, line: int, raw: str, document: dict) -> dict[str, object] | SourceRow:
        """The cells of any object, key by key: its values as a CSV row would hold them, or
        the row rejected with the first problem found."""
        values: dict[str, object] = {}
        for key, value in document.items():
            name = key.strip().lower()
            if name not in self.columns:
                self._unknown.setdefault(key, None)
                continue
            if name in values:
                return SourceRow(line, raw, problem=(name, "given twice"))
            if self.numbers is not None and name not in self.numbers and _holds_number(value):
                return SourceRow(
                    line,
                    raw,
                    problem=(name, "is a JSON number or true/false where text is expected"),
                )
            try:
                cell = _json_cell(value, many=name in self.multi_valued)
            except ValueError as exc:
                return SourceRow(line, raw, problem=(name, str(exc)))
            if cell is not None:
                values[name] = cell
        return values


MAX_JSON_NUMBER_DIGITS = 64  # the contract's longest identifier; no field holds a longer number


def _refuse_constant(name: str) -> object:
    """``NaN``, ``Infinity`` and ``-Infinity``: JSON extensions that name no value."""
    raise ValueError(f"{name} is not a value the contract accepts")


def _bounded_int(text: str) -> int:
    """An integer, refused past 64 digits before Python is asked to convert it (beyond 4,300
    digits that raises, and nothing shorter than 65 digits is a contract value anyway)."""
    digits = len(text.lstrip("-"))
    if digits > MAX_JSON_NUMBER_DIGITS:
        raise ValueError(
            f"a number of {digits:,} digits; no field holds more than {MAX_JSON_NUMBER_DIGITS}"
        )
    return int(text)


def _finite_float(text: str) -> float:
    """A decimal number, refused when it is too long or overflows to infinity (1e99999)."""
    if len(text) > MAX_JSON_NUMBER_DIGITS:
        raise ValueError(
            f"a number of {len(text):,} characters; no field holds more than "
            f"{MAX_JSON_NUMBER_DIGITS}"
        )
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text} is out of range")
    return value


_JSON_DECODER = json.JSONDecoder(
    parse_constant=_refuse_constant, parse_int=_bounded_int, parse_float=_finite_float
)


def _decode_json(text: str) -> object:
    """``json.loads`` with the hooks above, through one decoder for every line (``loads``
    with hooks builds a new decoder per call), refusing a leading BOM as ``loads`` does."""
    if text.startswith("\ufeff"):
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    return _JSON_DECODER.decode(text)


def _holds_number(value: object) -> bool:
    """A JSON number or boolean, alone or in an array."""
    if isinstance(value, list):
        return any(isinstance(item, int | float) for item in value)  # bool is an int
    return isinstance(value, int | float)


def _json_scalar(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return None if not value or value.isspace() else value
    raise ValueError(f"holds a JSON {type(value).__name__} where a value is expected")


def _json_cell(value: object, many: bool) -> object:
    """A JSON value as the text a CSV cell would hold (arrays, where allowed, lists of text)."""
    if isinstance(value, list):
        if not many:
            raise ValueError("is a JSON array, but this column takes one value")
        items = [_json_scalar(item) for item in value]
        kept = [item for item in items if item is not None]
        return kept or None
    if isinstance(value, dict):
        raise ValueError("is a JSON object, but this column takes a value")
    return _json_scalar(value)


def _unstorable_text(values: dict[str, object]) -> tuple[str, str] | None:
    """JSON escapes can spell a NUL or half a surrogate pair, which no database stores."""
    for name, value in values.items():
        for text in value if isinstance(value, list) else [value]:
            if "\x00" in text:
                return name, "contains a NUL character, which cannot be stored"
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                return name, "contains an unpaired surrogate escape, not text"
    return None


def open_reader(
    path: Path,
    fmt: str,
    columns: tuple[str, ...],
    required: tuple[str, ...],
    multi_valued: frozenset[str] = frozenset(),
    numbers: frozenset[str] | None = None,
) -> RowReader:
    """The reader for a CSV or JSON Lines file (PAXLST has its own module)."""
    if fmt == "csv":
        return CsvReader(path, columns, required)
    if fmt == "jsonl":
        return JsonLinesReader(path, columns, multi_valued, numbers)
    raise ValueError(f"no tabular reader for format {fmt!r}")
