"""The contract's value rules as reusable pydantic field types, and plain-English errors.

Every rule raises its own message (naming the value and what was expected), so a rejected row
tells the sender exactly what to fix. Validators are plain functions built once per field type:
a row pays for a dictionary lookup or a regular expression, not for constructing anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    GetPydanticSchema,
    StringConstraints,
    ValidationError,
)
from pydantic_core import PydanticCustomError
from pydantic_core.core_schema import literal_schema

from tracker.countries import COUNTRY_CODES, COUNTRY_LIST_SEPARATOR
from tracker.schemas.limits import IDENTIFIER_LIMIT

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?"
    r"(?P<offset>Z|z|[+-]\d{2}:?\d{2})?"
)
_PERIOD = re.compile(r"P(?:(?P<years>\d{1,3})Y)?(?:(?P<months>\d{1,4})M)?", re.IGNORECASE)
_WHOLE_NUMBER = re.compile(r"\+?\d{1,9}")
_SHOWN_VALUE_LENGTH = 60

DATE_EXPECTED = "expected YYYY-MM-DD"
DATETIME_EXAMPLE = "2026-03-01T06:40:00+00:00 or 2026-03-01T06:40:00Z"


def contract_error(reason: str, column: str | None = None) -> PydanticCustomError:
    """A rule broken: ``reason`` is shown as it is; ``column`` names the field for row rules."""
    return PydanticCustomError("contract", "{reason}", {"reason": reason, "column": column})


def shown(value: object) -> str:
    """The offending value quoted for a message, cut short if it is long."""
    text = str(value)
    if len(text) > _SHOWN_VALUE_LENGTH:
        text = text[: _SHOWN_VALUE_LENGTH - 1] + "…"
    return repr(text)


def _single(value: object) -> str:
    """The cell's text; a JSON array where one value belongs is refused."""
    if type(value) is str:
        return value
    if isinstance(value, list):
        raise contract_error(f"{shown(value)} is a list, but this column takes one value")
    return str(value)


# --- natively checked values ----------------------------------------------------------------


@dataclass(frozen=True)
class Explain:
    """What a value breaking a natively checked rule is told: "'XX' <reason>".

    Text, codes and vocabularies are checked by pydantic's compiled core (a million travel
    rows cannot afford a Python call per cell); this note puts the contract's words on the
    failure instead of pydantic's.
    """

    reason: str


def identifier_rule(limit: int = IDENTIFIER_LIMIT) -> StringConstraints:
    """An id or code's rule: surrounding spaces dropped, no longer than ``limit``."""
    return StringConstraints(strip_whitespace=True, max_length=limit)


def text_rule(max_length: int) -> StringConstraints:
    """Text in any script and case, kept exactly as given, no longer than ``max_length``."""
    return StringConstraints(max_length=max_length)


def too_long(limit: int, what: str | None = None) -> Explain:
    """The words for text over its limit (``what`` names the contract's kind of text)."""
    if what is None:
        return Explain(f"is longer than {limit} characters")
    return Explain(f"is longer than {limit:,} characters, the contract's limit for {what}")


def one_of(allowed: Iterable[object]) -> Explain:
    """The words for a value outside one of the contract's closed lists."""
    return Explain(f"is not one of {', '.join(str(v) for v in allowed)}")


Identifier = Annotated[str, identifier_rule(), too_long(IDENTIFIER_LIMIT)]
"""An id or code at the contract's usual identifier limit."""

Text = str
"""Text with no limit of its own (values checked against a closed list or a pattern)."""


def parse_yes_no(value: object) -> bool:
    text = _single(value).strip().lower()
    if text in ("yes", "true"):
        return True
    if text in ("no", "false"):
        return False
    raise contract_error(f"{shown(value)} is not yes or no")


YesNo = Annotated[bool, BeforeValidator(parse_yes_no)]


# --- countries and codes ---------------------------------------------------------------------


def parse_country_list(value: object) -> str:
    """``GBR|THA`` (or a JSON array) -> ``GBR|THA``; each code checked, order kept."""
    parts = value if isinstance(value, list) else str(value).split(COUNTRY_LIST_SEPARATOR)
    codes = []
    for part in parts:
        text = str(part).strip().upper()
        if not text:
            continue
        if text not in COUNTRY_CODES:
            raise contract_error(
                f"{shown(part)} in {shown(_joined(value))} is not an ISO 3166-1 alpha-3 "
                "country code"
            )
        codes.append(text)
    if not codes:
        raise contract_error(f"{shown(_joined(value))} holds no country code")
    return COUNTRY_LIST_SEPARATOR.join(codes)


def _joined(value: object) -> str:
    return COUNTRY_LIST_SEPARATOR.join(map(str, value)) if isinstance(value, list) else str(value)


Country = Annotated[
    str,
    GetPydanticSchema(lambda _source, _handler: literal_schema(sorted(COUNTRY_CODES))),
    Explain("is not an ISO 3166-1 alpha-3 country code"),
]
"""A code from a list known only at run time (pycountry's), checked by pydantic's core as a
literal is; to the type checker it is text."""
CountryList = Annotated[str, BeforeValidator(parse_country_list)]
Port = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z0-9]{3,5}$"),
    Explain("is not an airport or port code (expected an IATA code such as LHR)"),
]


# --- numbers, dates, times, periods ----------------------------------------------------------


def whole_number(low: int, high: int, what: str) -> BeforeValidator:
    """A whole number from ``low`` to ``high``; ``what`` names it in the refusal."""

    def validate(value: object) -> int:
        text = _single(value).strip()
        if not _WHOLE_NUMBER.fullmatch(text):
            raise contract_error(f"{shown(value)} is not a whole number")
        number = int(text)
        if not low <= number <= high:
            raise contract_error(f"{shown(value)} is not {what} (expected {low} to {high})")
        return number

    return BeforeValidator(validate)


def parse_date(value: object) -> date:
    text = _single(value).strip()
    if _DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise contract_error(f"{shown(value)} is not a date ({DATE_EXPECTED})")


def parse_datetime(value: object) -> datetime:
    """ISO 8601 with an offset; without one the instant is unknown, so the row is refused."""
    text = _single(value).strip()
    match = _DATETIME.fullmatch(text)
    if match is None:
        raise contract_error(
            f"{shown(value)} is not a datetime (expected ISO 8601 with an offset, e.g. "
            f"{DATETIME_EXAMPLE})"
        )
    if match.group("offset") is None:
        raise contract_error(
            f"{shown(value)} has no UTC offset, so the moment is unknown "
            f"(expected e.g. {DATETIME_EXAMPLE})"
        )
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or parsed.utcoffset() is None:
        raise contract_error(f"{shown(value)} is not a real date and time")
    return parsed


def parse_date_or_datetime(value: object) -> date | datetime:
    """A date, or a datetime with an offset (the notification's moment is then kept too)."""
    text = _single(value).strip()
    if _DATE.fullmatch(text):
        return parse_date(text)
    if _DATETIME.fullmatch(text):
        return parse_datetime(text)
    raise contract_error(
        f"{shown(value)} is not a date ({DATE_EXPECTED}) or a datetime with an offset "
        f"(e.g. {DATETIME_EXAMPLE})"
    )


def parse_period(value: object) -> str:
    """``indefinite`` or an ISO 8601 period in years and months (``P10Y``, ``P2Y6M``)."""
    text = _single(value).strip()
    if text.lower() == "indefinite":
        return "indefinite"
    match = _PERIOD.fullmatch(text)
    if match and int(match.group("years") or 0) + int(match.group("months") or 0) > 0:
        return text.upper()
    raise contract_error(
        f"{shown(value)} is not a notification period (expected indefinite or an ISO 8601 "
        "period in years and months, e.g. P10Y or P2Y6M)"
    )


IsoDate = Annotated[date, BeforeValidator(parse_date)]
OffsetDateTime = Annotated[datetime, BeforeValidator(parse_datetime)]
DateOrDateTime = Annotated[date | datetime, BeforeValidator(parse_date_or_datetime)]
Period = Annotated[str, BeforeValidator(parse_period)]


# --- errors as the user reads them -----------------------------------------------------------


def row_problems(error: ValidationError, model: type[BaseModel]) -> list[tuple[str | None, str]]:
    """(column, reason) for each rule a row broke, in the order the columns come."""
    explained = explanations(model)
    problems: list[tuple[str | None, str]] = []
    for item in error.errors(include_url=False):
        context = item.get("ctx") or {}
        column = context.get("column") or (str(item["loc"][0]) if item["loc"] else None)
        if item["type"] == "contract":
            reason = context["reason"]
        elif item["type"] == "missing":
            reason = "required, but empty or missing"
        elif column in explained:
            reason = f"{shown(item['input'])} {explained[column]}"
        else:
            reason = f"{shown(item['input'])}: {item['msg']}"
        problems.append((column, reason))
    return problems


@cache
def explanations(model: type[BaseModel]) -> dict[str, str]:
    """Field -> the ``Explain`` reason its type carries (looking inside ``X | None``)."""
    found = {}
    for name, field in model.model_fields.items():
        notes = [m for m in field.metadata if isinstance(m, Explain)]
        notes += _notes_in(field.annotation)
        if notes:
            found[name] = notes[0].reason
    return found


def _notes_in(annotation: Any) -> list[Explain]:
    notes = []
    for arg in get_args(annotation):
        if isinstance(arg, Explain):
            notes.append(arg)
        elif get_args(arg):
            notes += _notes_in(arg)
    return notes
