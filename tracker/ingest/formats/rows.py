"""What every reader hands on: rows as read (line, raw text, cells) or as columns, and the
refusal of a file that cannot be read at all.

Each row keeps the text it was read from, unchanged, because a rejected row is written to the
reject file exactly as the sender sent it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

CHUNK_ROWS = 10_000


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
    values: Mapping[str, object] | None = None
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
        values = [row.values for row in whole if row.values is not None]
        if len(values) != len(whole):
            raise ValueError("a row read without a problem carries no values")
        cells = {name: [row_values.get(name) for row_values in values] for name in columns}
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


def raw_text(raw: str) -> str:
    """A row's text without the line ending that closed it."""
    return raw[:-2] if raw.endswith("\r\n") else raw.rstrip("\r\n")
