"""Pydantic models of the data contract: what input rows must be (and, later, what leaves)."""

from tracker.schemas.common import row_problems
from tracker.schemas.rows import (
    KNOWN_OFFENDERS,
    MULTI_VALUED,
    ROW_MODELS,
    AliasRow,
    ContractRow,
    DocumentRow,
    NotificationRow,
    OffenderRow,
    TravelRow,
    columns_of,
    required_columns_of,
)

__all__ = [
    "KNOWN_OFFENDERS",
    "MULTI_VALUED",
    "ROW_MODELS",
    "AliasRow",
    "ContractRow",
    "DocumentRow",
    "NotificationRow",
    "OffenderRow",
    "TravelRow",
    "columns_of",
    "required_columns_of",
    "row_problems",
]
