"""One field's check over a whole column: each distinct value validated once, by the very field
type of the contract's row model, so a million rows cost a few hundred thousand checks.

A feed repeats itself: ten sources, fifty countries, thirty thousand birth dates across a
million passengers. Validating row by row paid for every cell (~10 us a row); here a column's
distinct values go through the field's own pydantic validator once and the column is mapped
through the result.
"""

from __future__ import annotations

from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import StringConstraints, TypeAdapter, ValidationError

from tracker.ingest.formats.rows import is_blank
from tracker.schemas import MULTI_VALUED, ContractRow
from tracker.schemas.common import Explain

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
        if info.annotation is None:
            raise TypeError(f"{model.__name__}.{name} has no type to check its cells by")
        # The field's type with its constraints, put back together at run time for pydantic:
        # a type form no static annotation can spell.
        annotation: Any = (
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
            values = self._identifier_column(cells, self.identifier_length)
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

    def _identifier_column(self, cells: list, limit: int) -> list | None:
        """An id or code column that needs nothing done (no surrounding spaces, none too
        long; blanks only where a value may be missing) as it is, found in C; None when some
        cell needs more, for the general path to judge."""
        texts = cells if None not in cells else ["" if cell is None else cell for cell in cells]
        try:
            stripped = list(map(str.strip, texts))
        except TypeError:  # a value that is not text
            return None
        if stripped != texts or max(map(len, texts), default=0) > limit:
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
