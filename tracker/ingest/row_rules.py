"""Each row model's cross-field rules (its model validators) as predicates over validated
columns, picking out every row the validator could refuse. A superset is fine: those rows are
judged by the row model itself, which gives the sender its exact reasons."""

from __future__ import annotations

from collections.abc import Callable

from tracker.schemas import ContractRow, DocumentRow, NotificationRow, OffenderRow, TravelRow
from tracker.schemas.rows import KINDS_NEEDING_EFFECTIVE_DATE, AliasRow

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
