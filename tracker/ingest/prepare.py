"""From rows as read to valid records and rejects, without touching the database.

This is the pure half of a load, testable without a database. The only rule needing the
register, "the row's offender exists", gets the known ids from the caller, who looks them up
in bulk for each chunk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from tracker.ingest.kinds import KINDS, KindSpec
from tracker.ingest.paxlst import PaxlstReader
from tracker.ingest.readers import RowReader, SourceRow, open_reader
from tracker.schemas import KNOWN_OFFENDERS, MULTI_VALUED, columns_of, required_columns_of
from tracker.schemas.common import row_problems
from tracker.schemas.rows import number_columns_of


@dataclass(slots=True)
class RejectedRow:
    line: int | None
    column: str
    reason: str
    raw: str
    count: int = 1


@dataclass
class PreparedChunk:
    valid: list[tuple[int, dict]] = field(default_factory=list)
    """(line, record) for each valid row, in file order."""
    rejected: list[RejectedRow] = field(default_factory=list)
    read: int = 0
    """Input rows this chunk stands for (valid + rejected)."""
    position: int = 0
    """Bytes of the file read so far, for the progress bar."""


def make_reader(
    kind: str, path: Path, fmt: str, home_country: str, today: date | None
) -> RowReader:
    """The streaming reader for a file of this kind and format."""
    if fmt == "paxlst":
        return PaxlstReader(path, home_country, today)
    model = KINDS[kind].model
    return open_reader(
        path,
        fmt,
        columns_of(model),
        required_columns_of(model),
        MULTI_VALUED,
        number_columns_of(model),
    )


def prepare_chunk(
    chunk: list[SourceRow],
    spec: KindSpec,
    known_offenders: dict[str, int] | None = None,
    position: int = 0,
) -> PreparedChunk:
    """Validate each row against its kind's schema and build the records of the valid ones."""
    if spec.needs_offender and known_offenders is None:
        raise ValueError(f"{spec.kind} rows need the register's known ids to be checked")
    validate = spec.model.__pydantic_validator__.validate_python
    build = spec.build
    needs_offender = spec.needs_offender
    context = None if known_offenders is None else {KNOWN_OFFENDERS: known_offenders}
    prepared = PreparedChunk(position=position)
    valid = prepared.valid
    read = 0
    for row in chunk:
        read += row.count
        if row.problem is not None:
            prepared.rejected.append(rejected_row(row, [row.problem]))
            continue
        try:
            model = validate(row.values, context=context)
        except ValidationError as exc:
            prepared.rejected.append(rejected_row(row, row_problems(exc, spec.model)))
            continue
        offender_pk = known_offenders.get(model.offender_id) if needs_offender else None
        valid.append((row.line, build(model, offender_pk)))
    prepared.read = read
    return prepared


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


def offender_ids(chunk: list[SourceRow]) -> set[str]:
    """The register ids a chunk refers to, as the schema will read them (trimmed)."""
    ids = set()
    for row in chunk:
        if row.values is not None:
            value = row.values.get("offender_id")
            if isinstance(value, str):
                ids.add(value.strip())
    return ids
