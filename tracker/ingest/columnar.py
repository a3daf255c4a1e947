"""Validating a chunk column by column, and building its records as columns.

Every field's column is checked once per distinct value (``field_checks``); rows that break a
rule, or that a cross-field rule might reject (``row_rules``), are not judged here: they go to
the row model itself, which gives the sender its exact reasons, so the outcome is the row
model's and only its cost differs.
"""

from __future__ import annotations

import marshal
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from pydantic import ValidationError

from tracker.ingest.field_checks import FieldCheck
from tracker.ingest.formats.rows import CellChunk
from tracker.ingest.kinds import KindSpec
from tracker.ingest.rejects import RejectedRow, broken_row, rejected_row
from tracker.ingest.row_rules import ROW_RULES
from tracker.schemas import KNOWN_OFFENDERS, ContractRow
from tracker.schemas.common import row_problems


@dataclass
class PreparedCells:
    """A chunk's outcome: the valid rows judged here as columns, the rows the model judged
    (valid ones as records, in file order), and the rejects.

    Once its file is recorded, every row names it (a ``source_file_id`` column, and the key in
    each record) and ``sources`` lists the files the chunk holds, in file order: the chunks of
    several small files are stored together.
    """

    lines: list[int]
    columns: dict[str, list]
    checked: list[tuple[int, dict]] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    read: int = 0
    position: int = 0
    sources: tuple[int, ...] = ()
    # Set by ``Upserter.settle`` where the chunk was prepared: the rows to insert as they are,
    # every other row as a record in ``checked``, and ``columns`` then emptied.
    rows: list[tuple] | None = None

    @property
    def count(self) -> int:
        return len(self.lines)

    @property
    def records(self) -> int:
        """Valid rows, as columns or as records."""
        return len(self.lines) + len(self.checked)

    def attach_source(self, source_file_id: int) -> PreparedCells:
        """Every valid row now names the file it came from."""
        self.columns["source_file_id"] = [source_file_id] * self.count
        for _line, record in self.checked:
            record["source_file_id"] = source_file_id
        self.sources = (source_file_id,)
        return self


def merged(chunks: list[PreparedCells]) -> PreparedCells:
    """Chunks of files recorded in one load (in file order) as one chunk to store; their
    rejects stay with each file."""
    if len(chunks) == 1:
        return chunks[0]
    names = chunks[0].columns
    return PreparedCells(
        list(chain.from_iterable(chunk.lines for chunk in chunks)),
        {name: list(chain.from_iterable(c.columns[name] for c in chunks)) for name in names},
        list(chain.from_iterable(chunk.checked for chunk in chunks)),
        sources=tuple(dict.fromkeys(chain.from_iterable(chunk.sources for chunk in chunks))),
    )


def pack_settled(prepared: PreparedCells) -> bytes:
    """A settled chunk as bytes: its rows (text, numbers, None) by ``marshal``, which writes
    a million strings about ten times faster than pickle; the rest, small, by pickle."""
    rows, prepared.rows = prepared.rows, None
    rest = pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL)
    prepared.rows = rows
    return len(rest).to_bytes(8, "little") + rest + marshal.dumps(rows)


def unpack_settled(data: bytes) -> PreparedCells:
    size = int.from_bytes(data[:8], "little")
    prepared = pickle.loads(data[8 : 8 + size])
    prepared.rows = marshal.loads(data[8 + size :])
    return prepared


class ColumnValidator:
    """Validates a load's chunks for one row model (the distinct values seen are kept
    between chunks, so a birth date is checked once per load, not once per chunk)."""

    def __init__(self, model: type[ContractRow]):
        self.model = model
        self.checks = {name: FieldCheck(name, model) for name in model.model_fields}
        self.rules = list(ROW_RULES[model].values())
        self._validate_row = model.__pydantic_validator__.validate_python

    def validated_columns(self, chunk: CellChunk) -> tuple[dict[str, list], set[int]]:
        """Every field's column (defaults filled in), and the rows needing the model."""
        count = len(chunk.lines)
        columns: dict[str, list] = {}
        suspects: set[int] = set()
        for name, check in self.checks.items():
            cells = chunk.cells.get(name)
            if cells is None:
                cells = [None] * count
            values, bad = check.column(cells)
            columns[name] = values
            suspects |= bad
        return columns, suspects

    def rule_suspects(
        self, columns: dict[str, list], known: dict[str, int] | None, skip: set[int]
    ) -> set[int]:
        """Rows a cross-field rule could refuse (rows already set aside are not asked)."""
        found: set[int] = set()
        for rule in self.rules:
            found |= rule(columns, known)
        return found - skip

    def judge_row(self, chunk: CellChunk, index: int, known: dict[str, int] | None):
        """The row model's own verdict on one row: (model, None) or (None, reject)."""
        row = chunk.source_row(index)
        context = None if known is None else {KNOWN_OFFENDERS: known}
        try:
            return self._validate_row(row.values, context=context), None
        except ValidationError as exc:
            return None, rejected_row(row, row_problems(exc, self.model))


def take(columns: dict[str, list], keep: list[int]) -> dict[str, list]:
    """The columns with only the rows at ``keep`` (in that order)."""
    return {name: [column[i] for i in keep] for name, column in columns.items()}


def row_at(columns: dict[str, list], index: int) -> dict[str, Any]:
    return {name: column[index] for name, column in columns.items()}


def cell_chunks(reader, model: type[ContractRow], size: int) -> Iterator[CellChunk]:
    """A reader's rows as columns: CSV splits whole blocks itself; the others' rows are
    regrouped."""
    if hasattr(reader, "cell_chunks"):
        yield from reader.cell_chunks(size)
        return
    columns = tuple(model.model_fields)
    for rows in reader.chunks(size):
        yield CellChunk.from_rows(rows, columns, reader.position())


def offender_ids_in(chunk: CellChunk) -> set[str]:
    """The register ids a chunk refers to, as the schema will read them (trimmed)."""
    cells = chunk.cells.get("offender_id") or []
    return {cell.strip() for cell in cells if type(cell) is str}


def records_of(spec: KindSpec, rows: list[ContractRow], offender_pks: list | None) -> list[dict]:
    """The records of rows the row model judged valid, built as the columns are."""
    columns = {name: [getattr(row, name) for row in rows] for name in spec.model.model_fields}
    built = spec.table_columns(columns, offender_pks)
    return [row_at(built, index) for index in range(len(rows))]


SourceRefusal = Callable[[str], "str | None"]
"""Why a valid row's ``source`` may not be written by this sender (its reject reason), or
None: a border system's token writes only its own travel sources."""


def withheld_sources(
    columns: dict[str, list], skip: set[int], refusal: SourceRefusal | None
) -> dict[int, str]:
    """Rows (not already set aside) whose source this sender may not write, with why."""
    if refusal is None or "source" not in columns:
        return {}
    withheld = {}
    for index, source in enumerate(columns["source"]):
        if index not in skip and (reason := refusal(source)) is not None:
            withheld[index] = reason
    return withheld


def _judged(
    validator: ColumnValidator,
    chunk: CellChunk,
    index: int,
    known_offenders: dict[str, int] | None,
    refusal: SourceRefusal | None,
):
    """The row model's verdict on a row a rule may refuse, then its source's."""
    row, reject = validator.judge_row(chunk, index, known_offenders)
    if reject is None and refusal is not None and hasattr(row, "source"):
        reason = refusal(row.source)
        if reason is not None:
            return None, rejected_row(chunk.source_row(index), [("source", reason)])
    return row, reject


def prepare_cells(
    chunk: CellChunk,
    spec: KindSpec,
    validator: ColumnValidator,
    known_offenders: dict[str, int] | None = None,
    *,
    source_refusal: SourceRefusal | None = None,
) -> PreparedCells:
    """Validate a chunk by columns and build its records as columns; the few rows a rule
    may refuse are judged one by one by the row model. A valid row whose source the sender
    may not write (``source_refusal``) is rejected alone, before anything is stored."""
    known: dict[str, int] = {}
    if spec.needs_offender:
        if known_offenders is None:
            raise ValueError(f"{spec.kind} rows need the register's known ids to be checked")
        known = known_offenders
    rejected = [broken_row(row) for row in chunk.broken]
    columns, suspects = validator.validated_columns(chunk)
    suspects |= validator.rule_suspects(columns, known_offenders, suspects)
    withheld = withheld_sources(columns, suspects, source_refusal)
    for index, reason in withheld.items():
        rejected.append(rejected_row(chunk.source_row(index), [("source", reason)]))
    lines = chunk.lines
    offender_pks = list(map(known.get, columns["offender_id"])) if spec.needs_offender else None
    checked: list[tuple[int, dict]] = []
    if suspects:
        judged_lines, judged = [], []
        for index in sorted(suspects):
            row, reject = _judged(validator, chunk, index, known_offenders, source_refusal)
            if reject is not None:
                rejected.append(reject)
            else:
                judged_lines.append(lines[index])
                judged.append(row)
        judged_pks = [known.get(row.offender_id) for row in judged] if spec.needs_offender else None
        checked = list(zip(judged_lines, records_of(spec, judged, judged_pks), strict=True))
    if suspects or withheld:
        keep = [i for i in range(len(lines)) if i not in suspects and i not in withheld]
        columns = take(columns, keep)
        lines = [lines[i] for i in keep]
        if offender_pks is not None:
            offender_pks = [offender_pks[i] for i in keep]
    rejected.sort(key=lambda row: row.line or 0)
    return PreparedCells(
        lines,
        spec.table_columns(columns, offender_pks),
        checked,
        rejected,
        chunk.read,
        chunk.position,
    )
