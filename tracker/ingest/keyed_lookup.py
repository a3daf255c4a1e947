"""Looking stored rows up by many keys at once: in batches, one query per batch, never one
per row; and the register's ids, fetched in bulk and remembered for a whole load."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ARRAY, Connection, any_, bindparam, select

from tracker.models import Offender

LOOKUP_BATCH = 5_000  # values per IN (...): far below every backend's parameter limit


def batches(values: list, size: int = LOOKUP_BATCH) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def one_of_values(postgres: bool, column, values: list):
    """``column IN (...)``; on PostgreSQL ``= ANY(array)``, one parameter instead of thousands."""
    if postgres:
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)


class OffenderIndex:
    """Register ids to primary keys, fetched in bulk and remembered for the whole load."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.known: dict[str, int] = {}
        self._absent: set[str] = set()
        self._complete = False

    def load_all(self) -> OffenderIndex:
        """Fetch the whole register's ids at once, so ``resolve`` never asks the database
        again (and can run where the connection must not be touched)."""
        query = select(Offender.offender_id, Offender.id)
        self.known = {key: pk for key, pk in self.connection.execute(query)}
        self._complete = True
        return self

    def resolve(self, offender_ids: Iterable[str]) -> dict[str, int]:
        """Look up the ids not seen yet; returns the mapping of every id known so far."""
        if self._complete:
            return self.known
        wanted = sorted({i for i in offender_ids if i not in self.known and i not in self._absent})
        for batch in batches(wanted):
            postgres = self.connection.dialect.name == "postgresql"
            query = select(Offender.offender_id, Offender.id).where(
                one_of_values(postgres, Offender.offender_id, batch)
            )
            self.known.update((key, pk) for key, pk in self.connection.execute(query))
        self._absent.update(i for i in wanted if i not in self.known)
        return self.known
