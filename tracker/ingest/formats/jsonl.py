"""JSON Lines: one JSON object per line, arrays allowed for multi-valued fields, each row's
values as a CSV row would hold them.

Files are read line by line, never whole; a file that is not UTF-8 raises ``FileRefused``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

from tracker.ingest.formats.rows import CHUNK_ROWS, SourceRow, raw_text
from tracker.ingest.formats.text_file import TextFile, not_utf8

JsonCell = str | list[str]
"""A JSON value as a CSV cell would hold it: text, or a list of texts where several may go."""


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
        self._unknown_overflow = False  # more distinct unknown keys than UNKNOWN_KEPT
        self._file = TextFile(path)

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
                raise not_utf8(self.path) from None
        if self._unknown:
            self.warnings.append(self._unknown_warning())

    def _unknown_warning(self) -> str:
        """The keys ignored, as the CSV reader names unknown columns: the first five, each
        cut to 30 characters (a sender's keys may be anything, of any number and length)."""
        shown = ", ".join(key[:30] for key in list(self._unknown)[:UNKNOWN_SHOWN])
        more = len(self._unknown) - UNKNOWN_SHOWN
        if more <= 0:
            return f"ignored unknown column(s): {shown}"
        return (
            f"ignored unknown column(s): {shown} and {'over ' * self._unknown_overflow}{more} more"
        )

    def _note_unknown(self, key: str) -> None:
        if key in self._unknown or len(self._unknown) < UNKNOWN_KEPT:
            self._unknown.setdefault(key, None)
        else:
            self._unknown_overflow = True

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

    def _plain_values(self, document: dict) -> dict[str, JsonCell] | None:
        """The cells of the common object, every key a contract column as written and every
        value text, in one pass each (no key can then clash with another, no value is a
        number, an array or an object); None for any other, which ``_checked_values`` judges.
        A row costs a few microseconds here instead of some sixty key by key."""
        if not self.columns.issuperset(document):
            return None
        if not all(type(value) is str for value in document.values()):
            return None
        return {name: value for name, value in document.items() if value and not value.isspace()}

    def _checked_values(
        self, line: int, raw: str, document: dict
    ) -> dict[str, JsonCell] | SourceRow:
        """The cells of any object, key by key: its values as a CSV row would hold them, or
        the row rejected with the first problem found."""
        values: dict[str, JsonCell] = {}
        for key, value in document.items():
            name = key.strip().lower()
            if name not in self.columns:
                self._note_unknown(key)
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


UNKNOWN_SHOWN, UNKNOWN_KEPT = 5, 1_000  # unknown keys named in the warning, and counted
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


def _json_cell(value: object, many: bool) -> JsonCell | None:
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


def _unstorable_text(values: dict[str, JsonCell]) -> tuple[str, str] | None:
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
