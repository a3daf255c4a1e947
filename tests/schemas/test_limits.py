"""The contract's field limits are defined in ``schemas`` and storage is sized from them: every
value a row model accepts fits the column it is loaded into."""

from __future__ import annotations

import pytest

from tracker.models import Alias, Document, Notification, Offender, TravelRecord
from tracker.schemas import ROW_MODELS
from tracker.schemas.limits import FLIGHT_NUMBER_LIMIT, IDENTIFIER_LIMIT, POSTCODE_LIMIT

TABLE_OF = {
    "offenders": Offender,
    "aliases": Alias,
    "documents": Document,
    "notifications": Notification,
    "travel": TravelRecord,
}


def _max_length(field) -> int | None:
    """The ``max_length`` a row field's type carries (looking inside ``X | None``)."""
    notes = list(field.metadata)
    for arg in getattr(field.annotation, "__args__", ()):
        notes += getattr(arg, "__metadata__", ())
    lengths = [n.max_length for n in notes if getattr(n, "max_length", None) is not None]
    return min(lengths, default=None)


LIMITED = [
    (kind, name, _max_length(field))
    for kind, model in ROW_MODELS.items()
    for name, field in model.model_fields.items()
    if _max_length(field) is not None and name in TABLE_OF[kind].__table__.c
]


def test_the_identifier_limits_are_found():
    assert ("offenders", "offender_id", IDENTIFIER_LIMIT) in LIMITED
    assert ("offenders", "postcode", POSTCODE_LIMIT) in LIMITED
    assert ("travel", "flight_number", FLIGHT_NUMBER_LIMIT) in LIMITED


@pytest.mark.parametrize(("kind", "column", "limit"), LIMITED)
def test_every_accepted_value_fits_its_column(kind, column, limit):
    width = getattr(TABLE_OF[kind].__table__.c[column].type, "length", None)
    assert width is None or width >= limit, f"{kind}.{column}: {width} < the contract's {limit}"
