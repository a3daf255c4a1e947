"""RFC 4180 CSV with a header row, streamed: rows in chunks, each with its line and raw text.

Files are read line by line, never whole, so a million-row travel file costs one chunk of
memory. A file that cannot be read at all (not UTF-8, no header, a header without the
required columns) raises ``FileRefused``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain, islice
from pathlib import Path

from tracker.ingest.formats.rows import CHUNK_ROWS, CellChunk, FileRefused, SourceRow, is_blank
from tracker.ingest.formats.text_file import TextFile, not_utf8

csv.field_size_limit(16 * 1024 * 1024)  # a pathological cell is a row problem, not a crash


def _nul_problem(values: Mapping[str, object]) -> tuple[str | None, str]:
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


class CsvReader:
    """RFC 4180 CSV with a header row; columns matched case-insensitively, extras ignored."""

    format = "csv"

    def __init__(self, path: Path, columns: tuple[str, ...], required: tuple[str, ...]):
        self.path = path
        self.columns = columns
        self.required = required
        self.warnings: list[str] = []
        self._file = TextFile(path)

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
                raise not_utf8(self.path) from None

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
                raise not_utf8(self.path) from None

    def _block_cells(
        self, block: list[str], records: list[list[str]], names: list[str | None], line: int
    ) -> CellChunk:
        width = len(names)
        lines = list(range(line + 1, line + 1 + len(block)))
        broken: list[SourceRow] = []
        if set(map(len, records)) != {width} or "\x00" in "".join(block):
            whole = []
            for number, raw, record in zip(lines, block, records, strict=True):
                if not record:
                    continue  # a blank line is not a row
                if len(record) != width:
                    problem = f"has {len(record)} cells but the header row has {width}"
                    broken.append(SourceRow(number, raw, problem=(None, problem)))
                elif "\x00" in raw:
                    values = {
                        n: c for n, c in zip(names, record, strict=True) if n and not is_blank(c)
                    }
                    broken.append(SourceRow(number, raw, problem=_nul_problem(values)))
                else:
                    whole.append((number, raw, record))
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
