"""Keyed upserts, a chunk at a time: new records inserted, changed ones updated and audited.

For each chunk the stored records with the chunk's keys are fetched in a few queries (never
one per row), compared field by field with the incoming ones, and only the differences are
written. Loading the same file twice therefore writes nothing; a later row with the same key
(in a later file or further down the same one) wins, and every change is recorded in the
audit trail as an alteration with the old and new values.
"""

from __future__ import annotations

import secrets
from collections import Counter, defaultdict
from collections.abc import Container
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from tracker.audit import AuditEntry, record_events
from tracker.ingest.bulk import BulkWriter
from tracker.ingest.columnar import PreparedCells, row_at, take
from tracker.ingest.keyed_lookup import batches, one_of_values
from tracker.ingest.kinds import KindSpec
from tracker.models import Offender

ANALYZE_AFTER_ROWS = 20_000


def columns_for_insert(spec: KindSpec, columns: dict[str, list], count: int) -> dict[str, list]:
    """The columns as inserted: an offender also gets its public id, random and never derived
    from the register's id."""
    if spec.kind != "offenders":
        return columns
    return {**columns, "public_id": [secrets.token_hex(8) for _ in range(count)]}


def _repeated_positions(keys: list[tuple]) -> set[int]:
    """Positions of every key that occurs more than once."""
    repeated: set[int] = set()
    if len(set(keys)) != len(keys):
        seen: dict[tuple, int] = {}
        for index, key in enumerate(keys):
            first = seen.setdefault(key, index)
            if first != index:
                repeated.update((first, index))
    return repeated


@dataclass
class Counts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def loaded(self) -> int:
        return self.new + self.updated + self.unchanged


@dataclass(slots=True)
class _Entry:
    """The state of one key within a chunk: stored (pk) or about to be inserted."""

    pk: int | None
    values: dict
    action: str | None = None  # "insert", "update" or None (unchanged so far)


@dataclass
class Alteration:
    key: str
    line: int
    source_file_id: int
    changes: dict[str, dict] = field(default_factory=dict)


class Upserter:
    """Writes valid records, chunk by chunk, in the caller's transaction.

    Every record names its file (``source_file_id``), so the files of one load share the
    work, and ``counts_by_source`` tells their counts apart.
    """

    def __init__(self, session: Session, spec: KindSpec, *, actor: str, run_id: int | None):
        self.session = session
        self.spec = spec
        self.connection = session.connection()
        self.postgres = self.connection.dialect.name == "postgresql"
        self.writer = BulkWriter(self.connection, spec.table)
        self.actor = actor
        self.run_id = run_id
        self.counts_by_source: defaultdict[int, Counts] = defaultdict(Counts)
        self._inserted = 0
        self._analyzed_at = 0
        # A table empty when the load began can hold only keys this load inserted: remember
        # their hashes and ask the database about those alone (a hash collision just costs a
        # lookup). The unique index still guards against any other writer.
        self._empty_at_start = (
            self.connection.execute(select(spec.table.c.id).limit(1)).first() is None
        )
        self._inserted_hashes: set[int] = set()
        table_columns = set(spec.table.c.keys())
        self.written = tuple(
            name
            for name in (*spec.compared, "offender_pk", "source_file_id")
            if name in table_columns and name != "id"
        )

    def apply(self, rows: list[tuple[int, dict]]) -> None:
        """Upsert (line, record) pairs in file order; later rows with the same key win."""
        if not rows:
            return
        spec = self.spec
        keys = {spec.key_of(record) for _, record in rows}
        if self._empty_at_start:
            seen = self._inserted_hashes
            keys = {key for key in keys if hash(key) in seen}
        stored = self._stored(keys) if keys else {}
        state: dict[tuple, _Entry] = {}
        alterations: list[Alteration] = []
        key_of, in_chunk, in_database = spec.key_of, state.get, stored.get
        outcomes: list[tuple[int, str]] = []  # (source, outcome) of each row
        counted = outcomes.append
        for line, record in rows:
            key = key_of(record)
            source = record["source_file_id"]
            entry = in_chunk(key)
            if entry is None:
                found = in_database(key)
                if found is None:
                    state[key] = _Entry(None, record, "insert")
                    counted((source, "new"))
                    continue
                entry = state[key] = _Entry(found[0], found[1])
            changes = {
                name: {"old": entry.values.get(name), "new": record.get(name)}
                for name in spec.compared
                if entry.values.get(name) != record.get(name)
            }
            if not changes:
                counted((source, "unchanged"))
                continue
            counted((source, "updated"))
            alterations.append(Alteration(spec.key_text(record), line, source, changes))
            entry.values = record
            if entry.action is None:
                entry.action = "update"
        for (source, outcome), count in Counter(outcomes).items():
            counts = self.counts_by_source[source]
            setattr(counts, outcome, getattr(counts, outcome) + count)
        self._write(state)
        self._audit(alterations)

    def apply_prepared(self, prepared: PreparedCells) -> None:
        """Upsert a chunk prepared by columns: records with a key new to the table and to the
        chunk go in as columns; the rest (a key stored already, repeated, or shared with a
        row the model judged) take ``apply``'s path in file order, so the outcome is the
        same as if every row had."""
        keys = self._keys(prepared)
        candidates = set(keys)
        if self._empty_at_start:
            seen_hashes = self._inserted_hashes
            candidates = {key for key in candidates if hash(key) in seen_hashes}
        stored = self._stored(candidates) if candidates else {}
        records, columns, keys = self._parted(prepared, keys, stored)
        self.apply(records)
        if not keys:
            return
        count = len(keys)
        self.writer.insert_columns(
            columns_for_insert(self.spec, columns, count), count, validated=True
        )
        if self._empty_at_start:
            self._inserted_hashes.update(map(hash, keys))
        self._count_new(prepared.sources, columns["source_file_id"])
        self._refresh_statistics(count)

    def _count_new(self, sources: tuple[int, ...], inserted_from: list[int]) -> None:
        if len(sources) == 1:
            self.counts_by_source[sources[0]].new += len(inserted_from)
            return
        for source, count in Counter(inserted_from).items():
            self.counts_by_source[source].new += count

    def _keys(self, prepared: PreparedCells) -> list[tuple]:
        columns = prepared.columns
        if not prepared.count:
            return []
        return list(zip(*(columns[name] for name in self.spec.key), strict=True))

    def _parted(
        self, prepared: PreparedCells, keys: list[tuple], known: Container[tuple]
    ) -> tuple[list[tuple[int, dict]], dict[str, list], list[tuple]]:
        """(the records ``apply`` must judge, in file order; the columns and keys of the rest)

        Set aside: a key repeated in the chunk, shared with a row the model judged, or in
        ``known``. The sort is by file, then line, and stable, so rows sharing a line (a
        one-line PAXLST interchange) keep their order and the later of two with one key
        still wins."""
        judged = {self.spec.key_of(record) for _, record in prepared.checked}
        aside = _repeated_positions(keys)
        aside.update(i for i, key in enumerate(keys) if key in judged or key in known)
        if not aside:
            return list(prepared.checked), prepared.columns, keys
        lines, columns = prepared.lines, prepared.columns
        records = [*prepared.checked, *((lines[i], row_at(columns, i)) for i in sorted(aside))]
        if len(prepared.sources) > 1:
            rank = {source: order for order, source in enumerate(prepared.sources)}
            records.sort(key=lambda row: (rank[row[1]["source_file_id"]], row[0]))
        else:
            records.sort(key=lambda row: row[0])
        keep = [i for i in range(prepared.count) if i not in aside]
        return records, take(columns, keep), [keys[i] for i in keep]

    def stored_keys(self) -> set[tuple]:
        """Every key the table holds now (none when it was empty), for ``settle``."""
        if self._empty_at_start:
            return set()
        table = self.spec.table
        query = select(*(table.c[name] for name in self.spec.key))
        return {tuple(row) for row in self.connection.execute(query)}

    def settle(self, prepared: PreparedCells, settled: set[tuple]) -> PreparedCells:
        """Decide, where the chunk was prepared (no connection needed), which rows go in as
        they are: keys neither in ``settled`` (the table's keys before the load, plus every
        earlier chunk's) nor repeated nor shared with a row the model judged. Those become
        insert rows; the rest become ``checked`` records for ``apply``. Only text, numbers
        and the few records then cross to the storing process."""
        keys = self._keys(prepared)
        records, columns, kept = self._parted(prepared, keys, settled)
        settled.update(keys)
        settled.update(self.spec.key_of(record) for _, record in records)
        count = len(kept)
        columns = columns_for_insert(self.spec, columns, count)
        prepared.rows = self.writer.rows_from_columns(columns, count) if count else []
        prepared.checked, prepared.lines, prepared.columns = records, [], {}
        return prepared

    def apply_settled(self, prepared: PreparedCells) -> None:
        """Store a chunk ``settle`` decided: the records through ``apply``, then the rows."""
        self._empty_at_start = False  # the keys of settled rows are not remembered here
        [source] = prepared.sources  # only a file read as it is stored is settled
        rows = prepared.rows
        if rows is None:
            raise ValueError("apply_settled stores a chunk that settle decided; this one is not")
        self.apply(prepared.checked)
        self.writer.insert_encoded(rows, validated=True)
        self.counts_by_source[source].new += len(rows)
        self._refresh_statistics(len(rows))

    def _stored(self, keys: set[tuple]) -> dict[tuple, tuple[int, dict]]:
        """Stored records with these keys: key -> (primary key, contract values)."""
        spec = self.spec
        table = spec.table
        names = dict.fromkeys(n for n in ("id", *spec.key, *spec.compared) if n in table.c)
        columns: list[ColumnElement[Any]] = [table.c[name] for name in names]
        joined = "offender_pk" in table.c
        if joined:
            columns.append(Offender.offender_id.label("offender_id"))
        positions = [spec.key.index(name) for name in spec.group_by]
        group_of = itemgetter(*positions) if positions else (lambda _key: ())
        lookup_of = itemgetter(spec.key.index(spec.lookup))
        groups: dict[Any, set] = defaultdict(set)
        for key in keys:
            groups[group_of(key)].add(lookup_of(key))
        found: dict[tuple, tuple[int, dict]] = {}
        for group, lookups in groups.items():
            fixed = group if len(positions) > 1 else (group,) if positions else ()
            for batch in batches(list(lookups)):
                query = select(*columns).select_from(table)
                if joined:
                    query = query.join(Offender, Offender.id == table.c.offender_pk)
                query = query.where(one_of_values(self.postgres, table.c[spec.lookup], batch))
                for name, value in zip(spec.group_by, fixed, strict=True):
                    query = query.where(table.c[name] == value)
                for row in self.connection.execute(query).mappings():
                    values = dict(row)
                    key = spec.key_of(values)
                    if key in keys:
                        found[key] = (values.pop("id"), values)
        return found

    def _write(self, state: dict[tuple, _Entry]) -> None:
        # In key order: the key's unique index is then filled in runs rather than at random.
        inserts = [e.values for _, e in sorted(state.items()) if e.action == "insert"]
        if self._empty_at_start:
            new_keys = (key for key, entry in state.items() if entry.action == "insert")
            self._inserted_hashes.update(map(hash, new_keys))
        if self.spec.kind == "offenders":
            for record in inserts:
                record["public_id"] = secrets.token_hex(8)  # never derived from offender_id
        self.writer.insert(inserts, validated=True)
        self._refresh_statistics(len(inserts))
        updates: list[tuple[int, dict]] = []
        for entry in state.values():
            if entry.action == "update":
                if entry.pk is None:
                    raise ValueError("an update of a record that was never stored")
                updates.append((entry.pk, entry.values))
        self.writer.update(updates, self.written)

    def _refresh_statistics(self, inserted: int) -> None:
        """On PostgreSQL, re-ANALYZE the table each time this load has doubled what it held.

        The planner judges the key lookups by the table's statistics, which a big load makes
        stale within its own transaction: believing the table tiny, it scans instead of using
        the key's index, and each chunk gets slower than the last. ANALYZE counts the
        transaction's own new rows, and doubling keeps the number of refreshes logarithmic.
        """
        if not self.postgres or not inserted:
            return
        self._inserted += inserted
        if self._inserted >= max(ANALYZE_AFTER_ROWS, 2 * self._analyzed_at):
            table = self.connection.dialect.identifier_preparer.format_table(self.spec.table)
            self.connection.exec_driver_sql(f"ANALYZE {table}")
            self._analyzed_at = self._inserted

    def _audit(self, alterations: list[Alteration]) -> None:
        record_events(
            self.session,
            [
                AuditEntry(
                    actor=self.actor,
                    action="alteration",
                    object_type=self.spec.object_type,
                    object_id=alteration.key,
                    justification=f"a later row with the same key (line {alteration.line})",
                    # The chain keeps which fields changed; their old and new values are
                    # kept beside it, erasable by retention (domain.md s.6).
                    details={
                        "source_file_id": alteration.source_file_id,
                        "line": alteration.line,
                        "changed": sorted(alteration.changes),
                    },
                    run_id=self.run_id,
                    values={"changes": alteration.changes},
                )
                for alteration in alterations
            ],
        )
