"""Bounded number types for command options: an id no column can hold, a page no query can
reach or a day count no date can span is refused by click with a usage error, not a
traceback (issue 19, finding 8)."""

from __future__ import annotations

import click

from tracker.row_ids import MAX_ROW_ID

ROW_ID = click.IntRange(1, MAX_ROW_ID)
PAGE = click.IntRange(1, 1_000_000)
DAYS = click.IntRange(1, 36_500)  # a century: timedelta and the databases' dates stay in range
RETENTION_DAYS = click.IntRange(0, 36_500)
GENERATED_ROWS = click.IntRange(0, 10_000_000)
SEED = click.IntRange(0, 2**32 - 1)
PORT = click.IntRange(1, 65_535)
