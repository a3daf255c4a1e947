"""Many rows into one table at once: executemany on SQLite, COPY on PostgreSQL.

The records are already valid, so the per-row work here is only putting values in column
order (and, for SQLite, into the text forms SQLAlchemy's own types would store, so what is
written is indistinguishable from an ORM insert).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Dialect,
    Table,
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

from tracker.db import driver_connection
from tracker.models.base import UTCDateTime


def iso_date(value: date | None) -> str | None:
    """A date as SQLAlchemy's SQLite DATE stores it and as COPY's text reads it: ISO 8601."""
    return None if value is None else value.isoformat()


def _with_offset(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()} refused: an offset is required")
    return value


def sqlite_utc_datetime(value: datetime | None) -> str | None:
    """As ``UTCDateTime`` stores an instant on SQLite: UTC, ``YYYY-MM-DD HH:MM:SS.ffffff``."""
    if value is None:
        return None
    return _with_offset(value).astimezone(UTC).isoformat(" ", "microseconds")[:26]


def postgres_instant(value: datetime | None) -> str | None:
    """An instant as COPY's text reads it into ``timestamptz``: ISO 8601 with its offset."""
    return None if value is None else _with_offset(value).isoformat()


# Encoders of dates and instants: their columns repeat values a great deal, so
# ``rows_from_columns`` encodes each distinct value once.
DATE_ENCODERS = (iso_date, sqlite_utc_datetime, postgres_instant)


def _postgres_text_encoder(column: Column):
    """Dates and instants as text for COPY: the server parses them as it would the objects,
    and text is several times cheaper to hand from the reading process than date objects."""
    if isinstance(column.type, UTCDateTime):
        return postgres_instant
    if type(column.type) is Date:
        return iso_date
    return None


def _sqlite_encoder(column: Column, dialect: Dialect):
    """A fast equivalent of the column type's SQLite bind processor, or that processor."""
    if isinstance(column.type, UTCDateTime):
        return sqlite_utc_datetime
    if type(column.type) is Date:
        return iso_date
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def _default_of(column: Column):
    """The value an ORM insert would give a column the record leaves out."""
    default = column.default
    if isinstance(default, CallableColumnDefault):
        # SQLAlchemy wraps the models' zero-argument defaults (utcnow, dict, list) to take an
        # execution context they never read; a bulk insert has none to give.
        return default.arg(None)  # type: ignore[arg-type]
    if isinstance(default, ScalarElementColumnDefault):
        return default.arg
    return None


class BulkWriter:
    """Inserts and updates of one table inside the caller's transaction.

    Rows are assembled column by column (``itemgetter``, ``zip`` and ``map`` run in C), so the
    only Python work per value is turning dates and instants into SQLite's stored text.
    """

    def __init__(self, connection: Connection, table: Table):
        self.connection = connection
        self.table = table
        self.postgres = connection.dialect.name == "postgresql"
        self.columns = [c for c in table.columns if not c.primary_key]
        self._encoders = (
            {
                column.name: encoder
                for column in self.columns
                if (encoder := _postgres_text_encoder(column)) is not None
            }
            if self.postgres
            else {
                column.name: encoder
                for column in self.columns
                if (encoder := _sqlite_encoder(column, connection.dialect)) is not None
            }
        )
        self._dates = {name for name, encoder in self._encoders.items() if encoder in DATE_ENCODERS}
        preparer = connection.dialect.identifier_preparer
        self._table_sql = preparer.format_table(table)
        self._columns_sql = ", ".join(preparer.format_column(c) for c in self.columns)

    def _encoded(self, name: str, values):
        encoder = self._encoders.get(name)
        return values if encoder is None else list(map(encoder, values))

    def rows(self, records: list[dict]) -> list[tuple]:
        """The records as tuples in column order; columns they leave out get their default.

        Every record of one call must have the same keys (a kind's builder guarantees it).
        """
        count = len(records)
        given = [c.name for c in self.columns if c.name in records[0]]
        by_column: dict[str, Sequence[Any]]
        if len(given) == 1:  # itemgetter of one name gives values, not tuples
            by_column = {given[0]: [r[given[0]] for r in records]}
        else:
            columns = zip(*map(itemgetter(*given), records), strict=True)
            by_column = dict(zip(given, columns, strict=True))
        return self._assembled(by_column, count, self._encoded)

    def rows_from_columns(self, columns: dict[str, list], count: int) -> list[tuple]:
        """``rows`` for records held as columns: each column encoded once per distinct value."""
        return self._assembled(columns, count, self._encoded_once_each)

    def _assembled(self, by_column: Mapping[str, Sequence[Any]], count: int, encode) -> list[tuple]:
        assembled = []
        for column in self.columns:
            name = column.name
            if name in by_column:
                assembled.append(encode(name, by_column[name]))
            else:
                [encoded] = self._encoded(name, [_default_of(column)])
                assembled.append([encoded] * count)
        return list(zip(*assembled, strict=True))

    def _encoded_once_each(self, name: str, values: list):
        if name in self._dates:  # repeated a great deal; ~1.5 us each to encode
            encoder = self._encoders[name]
            encoded = {value: encoder(value) for value in set(values)}
            return list(map(encoded.__getitem__, values))
        return self._encoded(name, values)

    def insert_columns(self, columns: dict[str, list], count: int, validated: bool = False) -> None:
        """``insert`` for records held as columns."""
        if count:
            self._insert_rows(self.rows_from_columns(columns, count), validated)

    def insert_encoded(self, rows: list[tuple], validated: bool = False) -> None:
        """``insert`` for rows ``rows_from_columns`` made already (in column order)."""
        if rows:
            self._insert_rows(rows, validated)

    def insert(self, records: list[dict], validated: bool = False) -> None:
        """Insert the records. ``validated``: each value already passed the contract schema,
        whose vocabularies are the very lists the table's CHECK constraints enumerate, so on
        SQLite the statement skips re-checking them (a per-row IN-list test costing about a
        third of the insert). NOT NULL, unique and foreign keys are still enforced."""
        if records:
            self._insert_rows(self.rows(records), validated)

    def _insert_rows(self, rows: list[tuple], validated: bool) -> None:
        if self.postgres:
            self._copy(rows)
            return
        marks = ", ".join("?" for _ in self.columns)
        # Names come from the table's metadata, quoted by the dialect; values are bound.
        statement = f"INSERT INTO {self._table_sql} ({self._columns_sql}) VALUES ({marks})"  # noqa: S608
        if not validated:
            self.connection.exec_driver_sql(statement, rows)
            return
        self.connection.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
        try:
            self.connection.exec_driver_sql(statement, rows)
        finally:
            self.connection.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")

    def _copy(self, rows: list[tuple]) -> None:
        statement = f"COPY {self._table_sql} ({self._columns_sql}) FROM STDIN"
        driver = driver_connection(self.connection)
        error_class = type(driver).Error
        try:
            with driver.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        except error_class as exc:  # the driver's own error, as SQLAlchemy would have wrapped it
            raise DBAPIError.instance(statement, None, exc, error_class) from exc

    def update(self, changes: list[tuple[int, dict]], columns: tuple[str, ...]) -> None:
        """Set ``columns`` of each record (by primary key) to the record's values."""
        if not changes:
            return
        statement = (
            update(self.table)
            .where(self.table.c.id == bindparam("pk_"))
            .values({name: bindparam(f"new_{name}") for name in columns})
        )
        params = [
            {"pk_": pk, **{f"new_{name}": record.get(name) for name in columns}}
            for pk, record in changes
        ]
        self.connection.execute(statement, params)


# --- SQLite bulk-load settings ---------------------------------------------------------------

SQLITE_BULK_CACHE_KIB = 256 * 1024
BULK_INDEX_THRESHOLD_ROWS = 50_000


@contextmanager
def sqlite_heavy_write(
    connection: Connection, table: Table, rebuild_indexes: bool
) -> Iterator[None]:
    """Settings for writing (or deleting) many rows of one SQLite table within the caller's
    transaction: a bigger page cache keeps the indexes being changed in memory, and with
    ``rebuild_indexes`` the table's secondary (non-unique) indexes are dropped and built again
    at the end, in the same transaction. Sorting once is far cheaper than a million random
    index changes, and other readers never see the table without them."""
    if connection.dialect.name != "sqlite":
        yield
        return
    previous_cache = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB}")
    rebuilt = [index for index in table.indexes if not index.unique] if rebuild_indexes else []
    if rebuilt and not driver_connection(connection).in_transaction:
        # Python's sqlite3 opens a transaction only before a write, and DROP INDEX is not
        # one: dropped outside a transaction, the indexes would stay gone if the work after
        # failed. Begin one, so a failure rolls the drop back with everything else.
        connection.exec_driver_sql("BEGIN")
    try:
        for index in rebuilt:
            index.drop(connection)
        yield
        for index in rebuilt:
            index.create(connection)
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(previous_cache)}")


@contextmanager
def sqlite_bulk_load(connection: Connection, table: Table, expected_rows: int) -> Iterator[None]:
    """``sqlite_heavy_write`` for a load, rebuilding the indexes when the load is large
    compared with what the table holds."""
    if connection.dialect.name != "sqlite":
        yield
        return
    stored = connection.execute(select(func.max(table.c.id))).scalar() or 0
    rebuild = expected_rows >= BULK_INDEX_THRESHOLD_ROWS and expected_rows >= stored
    with sqlite_heavy_write(connection, table, rebuild):
        yield
