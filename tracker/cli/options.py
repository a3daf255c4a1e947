"""Bounded number types for command options: an id no column can hold, a page no query can
reach or a day count no date can span is refused by click with a usage error, not a
traceback (issue 19, finding 8); a date no calendar has is called impossible (issue 21)."""

from __future__ import annotations

import calendar
import os
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from tracker.row_ids import MAX_ROW_ID

ROW_ID = click.IntRange(1, MAX_ROW_ID)
PAGE = click.IntRange(1, 1_000_000)
DAYS = click.IntRange(1, 36_500)  # a century: timedelta and the databases' dates stay in range
RETENTION_DAYS = click.IntRange(0, 36_500)
GENERATED_ROWS = click.IntRange(0, 10_000_000)
SEED = click.IntRange(0, 2**32 - 1)
PORT = click.IntRange(1, 65_535)


class CalendarDate(click.DateTime):
    """A date option (YYYY-MM-DD, or the other ``formats``) whose refusal says what is wrong:
    a date in the right form that no calendar has (2026-02-30) is called impossible, not
    badly written. Gives a ``datetime``, as ``click.DateTime`` does."""

    name = "date"

    def __init__(self, formats: Sequence[str] = ("%Y-%m-%d",)):
        super().__init__(list(formats))

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        for fmt in self.formats:
            try:
                return datetime.strptime(text, fmt)
            except ValueError:
                continue
        reason = impossible_date_reason(text)
        if reason is not None:
            self.fail(f"{text!r} is an impossible date: {reason}", param, ctx)
        forms = " or ".join(_FORM_NAMES.get(f, f) for f in self.formats)
        self.fail(f"{text!r} is not a date written as {forms}", param, ctx)


_FORM_NAMES = {"%Y-%m-%d": "YYYY-MM-DD", "%Y-%m-%dT%H:%M:%S%z": "YYYY-MM-DDTHH:MM:SS+HH:MM"}
_DATE_SHAPE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T ])")


def impossible_date_reason(text: str) -> str | None:
    """Why a text that starts like YYYY-MM-DD names no real day (None when it does, or is
    not of that shape)."""
    shape = _DATE_SHAPE.match(text)
    if shape is None:
        return None
    year, month, day = (int(part) for part in shape.groups())
    if year < 1:
        return "there is no year 0"
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{calendar.month_name[month]} {year} has {days} days"
    return None


DATE = CalendarDate()
DATE_OR_INSTANT = CalendarDate(("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S%z"))


class OutputPath(click.Path):
    """A file (or folder) a command writes: the folder it goes in must already exist, and is
    never made for it. Refused while the options are read, so before any database work or
    logged consultation, with the words and exit status `emit` uses for a listing's --out."""

    def __init__(self, folder: bool = False):
        super().__init__(file_okay=not folder, dir_okay=folder, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        path = Path(os.fsdecode(super().convert(value, param, ctx)))
        if not path.parent.is_dir():
            raise click.ClickException(f"cannot write {path}: folder {path.parent} does not exist")
        return path


OUTPUT_FILE = OutputPath()
OUTPUT_FOLDER = OutputPath(folder=True)


def folder_to_write(path: Path, mkdir: bool) -> Path:
    """A folder a command writes into: it must exist (a typo must not scatter personal data
    into a new folder), unless ``--mkdir`` asks for it to be made. Checked before any work."""
    if path.exists() and not path.is_dir():
        raise click.ClickException(f"cannot write into {path}: it is not a folder")
    if path.exists() or mkdir:
        return path
    raise click.ClickException(
        f"cannot write into {path}: folder {path} does not exist (give --mkdir to create it)"
    )
