"""Validating a chunk column by column: each distinct value checked once, by the very field
types of the contract's row models, so a million rows cost a few hundred thousand checks.

A feed repeats itself: ten sources, fifty countries, thirty thousand birth dates across a
million passengers. Row-by-row validation paid for every cell (~10 us a row); here a column's
distinct values go through the field's own pydantic validator once and the column is mapped
through the result. Rows that break any rule, or that a cross-field rule might reject, are
not judged here: they go to the row model itself, which gives the sender its exact reasons,
so the outcome is the row path's outcome and only its cost differs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import StringConstraints, TypeAdapter, ValidationError

from tracker.ingest.kinds import KindSpec
from tracker.ingest.prepare import RejectedRow, rejected_row
from tracker.ingest.readers import CellChunk, is_blank
from tracker.schemas import (
    KNOWN_OFFENDERS,
    MULTI_VALUED,
    ContractRow,
    DocumentRow,
    NotificationRow,
    OffenderRow,
    TravelRow,
)
from tracker.schemas.common import Explain, row_problems
from tracker.schemas.rows import KINDS_NEEDING_EFFECTIVE_DATE, AliasRow

CACHE_LIMIT = 200_000
"""Distinct values a column remembers between chunks (a unique column would grow forever)."""


class _Absent:
    """A cell with nothing in it: the field's default, or a required field missing."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()
_INVALID = object()


class FieldCheck:
    """One field's validator, remembering what each distinct cell became.

    The bookkeeping is in sets so that a column costs a few passes in C (a set of its cells,
    set differences, one mapping) and Python touches only cells never seen before.
    """

    def __init__(self, name: str, model: type[ContractRow]):
        info = model.model_fields[name]
        annotation = (
            Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        )
        self.name = name
        self.required = info.is_required()
        self.default = ABSENT if self.required else info.get_default()
        self.text_length = _text_length(info)
        self.plain_text = (info.annotation in (str, str | None) and not info.metadata) or (
            self.text_length is not None
        )
        self.many = name in MULTI_VALUED
        self.identifier_length = _identifier_length(info)
        self._validate = TypeAdapter(annotation).validator.validate_python
        self._known: dict[object, object] = {}
        self._failing: set[object] = set()
        """Cells that break the rule, or are blank where a value is required."""
        self._altered: set[object] = set()
        """Cells whose value is not the cell's own text (a date, a default, a trimmed id)."""

    def column(self, cells: list) -> tuple[list, set[int]]:
        """The column's values, and the rows whose cell breaks the field's rule or is missing
        when required."""
        if self.plain_text:
            return self._text_column(cells)
        if self.identifier_length is not None:
            values = self._identifier_column(cells)
            if values is not None:
                return values, set()
        if len(self._known) > CACHE_LIMIT:
            self._known.clear()
            self._failing.clear()
            self._altered.clear()
        if self.many:  # JSON arrays arrive as lists, which cannot be looked up as they are
            keys = [tuple(cell) if type(cell) is list else cell for cell in cells]
        else:
            keys = cells
        distinct = set(keys)
        for cell in distinct.difference(self._known):
            self._learn(cell)
        if distinct.isdisjoint(self._altered):
            values = list(keys)
        else:
            values = list(map(self._known.__getitem__, keys))
        if distinct.isdisjoint(self._failing):
            return values, set()
        failing = self._failing
        return values, {i for i, cell in enumerate(keys) if cell in failing}

    def _learn(self, cell: object) -> None:
        if is_blank(cell):
            value = self.default
        else:
            try:
                value = self._validate(list(cell) if type(cell) is tuple else cell)
            except ValidationError:
                value = _INVALID
        self._known[cell] = value
        if value is _INVALID or value is ABSENT:
            self._failing.add(cell)
        if not (type(value) is str and value == cell):
            self._altered.add(cell)

    def _identifier_column(self, cells: list) -> list | None:
        """An id or code column that needs nothing done (no surrounding spaces, none too
        long; blanks only where a value may be missing) as it is, found in C; None when some
        cell needs more, for the general path to judge."""
        texts = cells if None not in cells else ["" if cell is None else cell for cell in cells]
        try:
            stripped = list(map(str.strip, texts))
        except TypeError:  # a value that is not text
            return None
        if stripped != texts or max(map(len, texts), default=0) > self.identifier_length:
            return None
        if "" not in texts:
            return list(texts)
        if self.required:
            return None
        default = self.default
        return [default if text == "" else text for text in texts]

    def _text_column(self, cells: list) -> tuple[list, set[int]]:
        """Free text is kept as given; only a missing value, or one over the field's length
        limit, needs a look."""
        too_long = self._too_long(cells)
        if None not in cells and "" not in cells:
            try:
                if not any(map(str.isspace, cells)):
                    return list(cells), too_long
            except TypeError:  # a value that is not text: leave it to the model
                pass
        values = [self.default if is_blank(cell) else cell for cell in cells]
        if not self.required or ABSENT not in values:
            return values, too_long
        return values, too_long | {i for i, v in enumerate(values) if v is ABSENT}

    def _too_long(self, cells: list) -> set[int]:
        """Rows whose text is longer than the field allows (checked in C when none is)."""
        limit = self.text_length
        if limit is None:
            return set()
        try:
            longest = max(map(len, cells), default=0)
        except TypeError:  # missing cells
            longest = max((len(cell) for cell in cells if type(cell) is str), default=0)
        if longest <= limit:
            return set()
        return {i for i, cell in enumerate(cells) if type(cell) is str and len(cell) > limit}


def _string_rule(info) -> dict | None:
    """The settings of a field that is text under one StringConstraints and nothing else
    (optional or not), or None."""
    annotation, metadata = info.annotation, list(info.metadata)
    if get_origin(annotation) in (Union, UnionType):
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(members) != 1 or get_origin(members[0]) is not Annotated or info.is_required():
            return None
        annotation, *metadata = get_args(members[0])
    if annotation is not str:
        return None
    constraints = [m for m in metadata if not isinstance(m, Explain)]
    if len(constraints) != 1 or not isinstance(constraints[0], StringConstraints):
        return None
    return {k: v for k, v in vars(constraints[0]).items() if v is not None}


def _text_length(info) -> int | None:
    """N for a field that is text kept as given and at most N long."""
    rule = _string_rule(info)
    return rule["max_length"] if rule is not None and set(rule) == {"max_length"} else None


def _identifier_length(info) -> int | None:
    """N for a field that is text, trimmed and at most N long."""
    rule = _string_rule(info)
    if rule is None or set(rule) != {"strip_whitespace", "max_length"}:
        return None
    return rule["max_length"] if rule["strip_whitespace"] else None


# --- cross-field rules -----------------------------------------------------------------------
# Each row model's model validators, as predicates over validated columns that pick out every
# row the validator could refuse (a superset is fine: those rows are judged by the model).

RowRule = Callable[[dict[str, list], dict[str, int] | None], set[int]]


def _offender_not_known(columns: dict[str, list], known: dict[str, int] | None) -> set[int]:
    if known is None:
        return set()
    return {i for i, offender_id in enumerate(columns["offender_id"]) if offender_id not in known}


def _offender_profile_rules(columns: dict[str, list], _known) -> set[int]:
    suspects = set()
    rows = zip(
        columns["tier"],
        columns["jurisdiction"],
        columns["status"],
        columns["wanted_since"],
        strict=True,
    )
    for i, (tier, jurisdiction, status, wanted_since) in enumerate(rows):
        if (tier is not None and jurisdiction != "us-sorna") or (
            status == "wanted" and wanted_since is None
        ):
            suspects.add(i)
    return suspects


def _notification_kind_rules(columns: dict[str, list], _known) -> set[int]:
    suspects = set()
    rows = zip(
        columns["kind"],
        columns["effective_on"],
        columns["departure_date"],
        columns["destination_countries"],
        strict=True,
    )
    for i, (kind, effective_on, departure_date, destinations) in enumerate(rows):
        if (kind in KINDS_NEEDING_EFFECTIVE_DATE and effective_on is None) or (
            kind == "foreign_travel" and (departure_date is None or destinations is None)
        ):
            suspects.add(i)
    return suspects


ROW_RULES: dict[type[ContractRow], dict[str, RowRule]] = {
    OffenderRow: {"_profile_rules": _offender_profile_rules},
    AliasRow: {"_offender_exists": _offender_not_known},
    DocumentRow: {"_offender_exists": _offender_not_known},
    NotificationRow: {
        "_offender_exists": _offender_not_known,
        "_kind_rules": _notification_kind_rules,
    },
    TravelRow: {},
}
"""Keyed by the model validator each predicate stands for; a test keeps the two in step."""


# --- a chunk ---------------------------------------------------------------------------------


@dataclass
class PreparedCells:
    """A chunk's outcome: the valid rows judged here as columns, the rows the model judged
    (valid ones as records, in file order), and the rejects."""

    lines: list[int]
    columns: dict[str, list]
    checked: list[tuple[int, dict]] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    read: int = 0
    position: int = 0
    # Set by ``Upserter.settle`` where the chunk was prepared: the rows to insert as they are,
    # every other row as a record in ``checked``, and ``columns`` then emptied.
    rows: list[tuple] | None = None

    @property
    def count(self) -> int:
        return len(self.lines)


class ColumnValidator:
    """Validates one file's chunks for one row model (the distinct values seen are kept
    between chunks, so a birth date is checked once per file, not once per chunk)."""

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


def prepare_cells(
    chunk: CellChunk,
    spec: KindSpec,
    validator: ColumnValidator,
    known_offenders: dict[str, int] | None = None,
) -> PreparedCells:
    """Validate a chunk by columns and build its records as columns; the few rows a rule
    may refuse are judged one by one by the row model, exactly as ``prepare_chunk`` would."""
    if spec.needs_offender and known_offenders is None:
        raise ValueError(f"{spec.kind} rows need the register's known ids to be checked")
    rejected = [rejected_row(row, [row.problem]) for row in chunk.broken]
    columns, suspects = validator.validated_columns(chunk)
    suspects |= validator.rule_suspects(columns, known_offenders, suspects)
    lines = chunk.lines
    offender_pks = (
        list(map(known_offenders.get, columns["offender_id"])) if spec.needs_offender else None
    )
    checked: list[tuple[int, dict]] = []
    if suspects:
        for index in sorted(suspects):
            model, reject = validator.judge_row(chunk, index, known_offenders)
            if reject is not None:
                rejected.append(reject)
                continue
            offender_pk = known_offenders.get(model.offender_id) if spec.needs_offender else None
            checked.append((lines[index], spec.build(model, offender_pk)))
        keep = [i for i in range(len(lines)) if i not in suspects]
        columns = take(columns, keep)
        lines = [lines[i] for i in keep]
        if offender_pks is not None:
            offender_pks = [offender_pks[i] for i in keep]
    rejected.sort(key=lambda row: row.line or 0)
    return PreparedCells(
        lines,
        spec.build_columns(columns, offender_pks),
        checked,
        rejected,
        chunk.read,
        chunk.position,
    )
