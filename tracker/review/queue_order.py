"""The queue's search and sort: both become SQL (a WHERE and an ORDER BY), so a page over
100,000 open flags never loads or sorts rows in Python."""

from __future__ import annotations

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from tracker.matching.names import fold_name
from tracker.models import Alias, Flag, Offender, TravelRecord
from tracker.models.enums import SEVERITIES
from tracker.row_ids import MAX_ROW_ID

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


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _words(column, words: list[str]) -> ColumnElement[bool]:
    return and_(*(column.like(f"%{w}%", "\\") for w in words))


def _names_holding(text: str, family, given) -> ColumnElement[bool]:
    """A name holds every word of ``text``: as typed (a register name in another script),
    upper-cased, or folded to the matcher's upper-case ASCII."""
    name = family + " " + given
    typed = [_escaped(w) for w in text.split()]
    folded = [_escaped(w) for w in fold_name(text).split()]
    as_typed = and_(
        *(
            or_(name.like(f"%{w}%", "\\"), func.upper(name).like(f"%{w.upper()}%", "\\"))
            for w in typed
        )
    )
    found = [as_typed]
    if folded:
        found.append(_words(func.upper(name), folded))
    return or_(*found)


def search_condition(text: str) -> ColumnElement[bool] | None:
    """Flags whose register reference or travel record id is ``text``, whose id it is (a
    number), or whose offender's name or alias holds its words (any other text). Each part
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
        offenders = or_(offenders, _names_holding(text, Offender.family_name, Offender.given_names))
        aliases = _names_holding(text, Alias.family_name, Alias.given_names)
        found.append(Flag.offender_pk.in_(select(Alias.offender_pk).where(aliases)))
    found.append(Flag.offender_pk.in_(select(Offender.id).where(offenders)))
    return or_(*found)
