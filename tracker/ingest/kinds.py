"""What each input kind is keyed by, which table it fills and how valid rows become records.

The contract's keys and the fields compared for "did this record change" live here, so the
upsert machinery is the same for every kind. Records keep the text as given: matching
normalises names and document numbers itself, as it reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter

from sqlalchemy import Table

from tracker.models import Alias, Document, Notification, Offender, TravelRecord
from tracker.schemas import (
    AliasRow,
    ContractRow,
    DocumentRow,
    NotificationRow,
    OffenderRow,
    TravelRow,
)


@dataclass(frozen=True)
class KindSpec:
    """How one input kind is stored.

    ``key`` are the record fields of the contract's key; ``lookup`` and ``group_by`` say how to
    fetch existing records for a chunk in few queries (``lookup IN (...)`` per distinct
    ``group_by`` value, both served by an index); ``compared`` are the contract's fields,
    compared with what is stored to tell new, changed and unchanged records apart.
    """

    kind: str
    model: type[ContractRow]
    table: Table
    object_type: str
    key: tuple[str, ...]
    lookup: str
    group_by: tuple[str, ...]
    compared: tuple[str, ...]
    table_columns: Callable[[dict[str, list], list | None], dict[str, list]]
    """The table's columns from the contract's validated columns (and the rows' offender
    primary keys, for kinds that refer to the register)."""
    needs_offender: bool = True

    def __post_init__(self):
        getter = itemgetter(*self.key)
        key_of = getter if len(self.key) > 1 else (lambda record: (getter(record),))
        object.__setattr__(self, "key_of", key_of)

    def key_of(self, record: dict) -> tuple:  # replaced per instance by a C-level getter
        return tuple(record[name] for name in self.key)

    def key_text(self, record: dict) -> str:
        """The key as people read it: ``VR-0001234``, ``api-lhr|R1``, ``P|123456789|GBR``."""
        names = ("offender_id", *self.key[1:]) if self.key[0] == "offender_pk" else self.key
        return "|".join(str(record[name]) for name in names)


def _date_parts(values: list) -> list:
    """The local date of each date-time (at its own offset), dates as they are."""
    return [value.date() if isinstance(value, datetime) else value for value in values]


def _instants_or_none(values: list) -> list:
    return [value if isinstance(value, datetime) else None for value in values]


def _offender_columns(columns: dict[str, list], _offender_pks: list | None) -> dict[str, list]:
    return dict(columns)


def _register_keys(offender_pks: list | None) -> list:
    """The offenders' primary keys a register row's builder is given (never None for one)."""
    if offender_pks is None:
        raise ValueError("a register row's columns are built with its offenders' keys")
    return offender_pks


def _alias_columns(columns: dict[str, list], offender_pks: list | None) -> dict[str, list]:
    return {
        "offender_pk": _register_keys(offender_pks),
        "offender_id": columns["offender_id"],
        "family_name": columns["family_name"],
        "given_names": columns["given_names"],
        "kind": columns["kind"],
    }


def _document_columns(columns: dict[str, list], offender_pks: list | None) -> dict[str, list]:
    return {
        "offender_pk": _register_keys(offender_pks),
        "offender_id": columns["offender_id"],
        "doc_type": columns["doc_type"],
        "doc_number": columns["doc_number"],
        "issuing_country": columns["issuing_country"],
        "expires_on": columns["expires_on"],
    }


def _notification_columns(columns: dict[str, list], offender_pks: list | None) -> dict[str, list]:
    built = dict(columns)
    built["offender_pk"] = _register_keys(offender_pks)
    built["notified_on"] = _date_parts(columns["notified_on"])
    built["notified_at"] = _instants_or_none(columns["notified_on"])
    return built


def _travel_columns(columns: dict[str, list], _offender_pks: list | None) -> dict[str, list]:
    built = dict(columns)
    built["departure_local_date"] = _date_parts(columns["departure_time"])
    return built


KINDS: dict[str, KindSpec] = {
    "offenders": KindSpec(
        kind="offenders",
        model=OffenderRow,
        table=Offender.__table__,
        object_type="offender",
        key=("offender_id",),
        lookup="offender_id",
        group_by=(),
        compared=tuple(OffenderRow.model_fields),
        table_columns=_offender_columns,
        needs_offender=False,
    ),
    "aliases": KindSpec(
        kind="aliases",
        model=AliasRow,
        table=Alias.__table__,
        object_type="alias",
        key=("offender_pk", "family_name", "given_names"),
        lookup="offender_pk",
        group_by=(),
        compared=("offender_id", "family_name", "given_names", "kind"),
        table_columns=_alias_columns,
    ),
    "documents": KindSpec(
        kind="documents",
        model=DocumentRow,
        table=Document.__table__,
        object_type="document",
        key=("doc_type", "doc_number", "issuing_country"),
        lookup="doc_number",
        group_by=("doc_type",),
        compared=("offender_id", "doc_type", "doc_number", "issuing_country", "expires_on"),
        table_columns=_document_columns,
    ),
    "notifications": KindSpec(
        kind="notifications",
        model=NotificationRow,
        table=Notification.__table__,
        object_type="notification",
        key=("notification_id",),
        lookup="notification_id",
        group_by=(),
        compared=(
            "notification_id",
            "offender_id",
            "kind",
            "notified_on",
            "notified_at",
            "effective_on",
            "departure_date",
            "return_date",
            "destination_countries",
            "departure_port",
            "arrival_port",
            "carrier",
        ),
        table_columns=_notification_columns,
    ),
    "travel": KindSpec(
        kind="travel",
        model=TravelRow,
        table=TravelRecord.__table__,
        object_type="travel_record",
        key=("source", "record_id"),
        lookup="record_id",
        group_by=("source",),
        compared=(*TravelRow.model_fields, "departure_local_date"),
        table_columns=_travel_columns,
        needs_offender=False,
    ),
}
