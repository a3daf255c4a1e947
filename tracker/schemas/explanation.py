"""Why a pair was linked: the prior, each field's level and weight, the total, and the register
name the travel record was compared as.

Matching writes it (``tracker.matching.explain``); the evidence page, its waterfall and the
intelligence packages read it. It is stored as JSON in ``links.explanation`` in exactly this
shape (the same keys in the same order as before the type existed, so rows already stored read
unchanged); an empty object stands for a link stored without one. Plain immutable classes
rather than pydantic models, because a night writes tens of thousands of them; pydantic only
checks the stored form when it is read back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from pydantic import TypeAdapter


class ExplainedField(NamedTuple):
    """A compared field's level and weight, or an adjustment to the total (level None).
    Named tuples for the rows: a night makes hundreds of thousands, and a tuple is several
    times cheaper to make than a frozen dataclass."""

    field: str
    level: int | None
    label: str
    weight: float


class NameUsed(NamedTuple):
    """Which of the register's names was compared (each None when none was)."""

    source: str | None
    family: str | None
    given: str | None


@dataclass(frozen=True, slots=True)
class LinkExplanation:
    """What the matcher concluded about one pair, in the terms an analyst reads."""

    prior_weight: float
    fields: tuple[ExplainedField, ...]
    total_weight: float
    probability: float
    name_used: NameUsed
    order_swapped: bool

    def to_json(self) -> dict:
        """The stored form (written out by hand: several times faster than pydantic's)."""
        used = self.name_used
        return {
            "prior_weight": self.prior_weight,
            "fields": [
                {"field": row.field, "level": row.level, "label": row.label, "weight": row.weight}
                for row in self.fields
            ],
            "total_weight": self.total_weight,
            "probability": self.probability,
            "name_used": {"source": used.source, "family": used.family, "given": used.given},
            "order_swapped": self.order_swapped,
        }

    @classmethod
    def from_json(cls, stored: Mapping | None) -> LinkExplanation | None:
        """The stored form read back (checked against this shape); None for an empty one."""
        if not stored:
            return None
        return _STORED.validate_python(stored)


_STORED = TypeAdapter(LinkExplanation)
