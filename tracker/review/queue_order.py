"""The queue's search and sort: both become SQL (a WHERE and an ORDER BY), so a page over
100,000 open flags never loads or sorts rows in Python."""

from __future__ import annotations

from sqlalchemy import and_, case, or_, select
from sqlalchemy.sql.elements import ColumnElement

from tracker.models import Flag, Offender, TravelRecord
from tracker.models.enums import SEVERITIES
from tracker.row_ids import MAX_ROW_ID
from tracker.search_names import search_names_holding

#: The columns a queue sorts by (``--sort COLUMN[:desc]``, the web's column headers).
SORTABLE = (
    "flag_id",
    "severity",
    "kind",
    "offender_id",
    "name",
    "managing_force",
    "due_on",
    "detected_on",
    "match_probability",
    "assigned_to",
)
#: Longest search text kept: a name, a reference or an id, never a document.
SEARCH_LIMIT = 200


class SortError(ValueError):
    """A sort that names no column of the queue."""


def parse_sort(text: str | None) -> tuple[str, bool] | None:
    """``COLUMN`` or ``COLUMN:desc`` (``:asc`` too) to (column, descending); None for none."""
    if not text:
        return None
    column, _, direction = text.strip().partition(":")
    if column not in SORTABLE or direction not in ("", "asc", "desc"):
        raise SortError(
            f"cannot sort by {text!r}: give COLUMN or COLUMN:desc, COLUMN one of "
            f"{', '.join(SORTABLE)}"
        )
    return column, direction == "desc"


def sort_key(column: str, assignee) -> ColumnElement:
    """The SQL expression a sort column orders by (severity by rank, most severe first)."""
    if column == "severity":
        return case({s: rank for rank, s in enumerate(SEVERITIES)}, value=Flag.severity)
    if column == "name":
        return Offender.family_name + ", " + Offender.given_names
    if column == "assigned_to":
        return assignee.name
    table = Offender if column in ("offender_id", "managing_force") else Flag
    return getattr(table, "id" if column == "flag_id" else column)


def search_condition(text: str) -> ColumnElement[bool] | None:
    """Flags whose register reference or travel record id is ``text``, whose id it is (a
    number), or whose offender's name or alias holds its words in any script (any other
    text; ``tracker.search_names``). Each part
    is an uncorrelated subquery, run once per statement rather than once per flag."""
    text = text.strip()[:SEARCH_LIMIT]
    if not text:
        return None
    source, _, record = text.rpartition("/")
    travel = or_(
        TravelRecord.record_id == text,
        and_(TravelRecord.source == source, TravelRecord.record_id == record),
    )
    offenders: ColumnElement[bool] = Offender.offender_id.in_({text, text.upper()})
    found: list[ColumnElement[bool]] = [Flag.travel_pk.in_(select(TravelRecord.id).where(travel))]
    number = text.lstrip("#")
    if number.isdigit():  # an id or a reference, never part of a name
        if int(number) <= MAX_ROW_ID:
            found.append(Flag.id == int(number))
    else:
        names = search_names_holding(Offender.search_names, text)
        if names is not None:
            offenders = or_(offenders, names)
    found.append(Flag.offender_pk.in_(select(Offender.id).where(offenders)))
    return or_(*found)
