"""Keyed upserts, a chunk at a time: new records inserted, changed ones updated and audited.

For each chunk the stored records with the chunk's keys are fetched in a few queries (never
one per row), compared field by field with the incoming ones, and only the differences are
written. Loading the same file twice therefore writes nothing; a later row with the same key
(in a later file or further down the same one) wins, and every change is recorded in the
audit trail as an alteration with the old and new values.
"""

from __future__ import annotations

import marshal
import pickle
import secrets
from collections import defaultdict
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from operator import itemgetter

from sqlalchemy import ARRAY, Connection, any_, bindparam, select
from sqlalchemy.orm import Session

from tracker.audit import AuditEntry, record_events
from tracker.ingest.bulk import BulkWriter
from tracker.ingest.columnar import PreparedCells, row_at, take
from tracker.ingest.kinds import KindSpec
from tracker.models import Offender

ANALYZE_AFTER_ROWS = 20_000
LOOKUP_BATCH = 5_000  # values per IN (...): far below every backend's parameter limit


def _batches(values: list, size: int = LOOKUP_BATCH) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _one_of(postgres: bool, column, values: list):
    """``column IN (...)``; on PostgreSQL ``= ANY(array)``, one parameter instead of thousands."""
    if postgres:
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)


def columns_for_insert(spec: KindSpec, columns: dict[str, list], count: int) -> dict[str, list]:
    """The columns as inserted: an offender also gets its public id, random and never derived
    from the register's id."""
    if spec.kind != "offenders":
        return columns
    return {**columns, "public_id": [secrets.token_hex(8) for _ in range(count)]}


def pack_settled(prepared: PreparedCells) -> bytes:
    """A settled chunk as bytes: its rows (text, numbers, None) by ``marshal``, which writes
    a million strings about ten times faster than pickle; the rest, small, by pickle."""
    rows, prepared.rows = prepared.rows, None
    rest = pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL)
    prepared.rows = rows
    return len(rest).to_bytes(8, "little") + rest + marshal.dumps(rows)


def unpack_settled(data: bytes) -> PreparedCells:
    size = int.from_bytes(data[:8], "little")
    prepared = pickle.loads(data[8 : 8 + size])
    prepared.rows = marshal.loads(data[8 + size :])
    return prepared


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
        for batch in _batches(wanted):
            postgres = self.connection.dialect.name == "postgresql"
            query = select(Offender.offender_id, Offender.id).where(
                _one_of(postgres, Offender.offender_id, batch)
            )
            self.known.update((key, pk) for key, pk in self.connection.execute(query))
        self._absent.update(i for i in wanted if i not in self.known)
        return self.known


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

    With ``source_file_id`` every record comes from that one file; without it, each record
    names its own (``record["source_file_id"]``), so several small files can share the work,
    and ``counts_by_source`` tells their counts apart.
    """

    def __init__(
        self,
        session: Session,
        spec: KindSpec,
        *,
        source_file_id: int | None,
        actor: str,
        run_id: int | None = None,
    ):
        self.session = session
        self.spec = spec
        self.connection = session.connection()
        self.postgres = self.connection.dialect.name == "postgresql"
        self.writer = BulkWriter(self.connection, spec.table)
        self.source_file_id = source_file_id
        self.actor = actor
        self.run_id = run_id
        self.counts = Counts()
        self.counts_by_source: dict[int, Counts] = (
            {} if source_file_id is None else {source_file_id: self.counts}
        )
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
            for name in (
                *spec.compared,
                "offender_pk",
                "family_name_norm",
                "given_names_norm",
                "doc_number_norm",
                "source_file_id",
            )
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
        one_source = self.source_file_id
        counted: list[tuple[int, str]] = []  # (source, outcome) when files share the work
        new = unchanged = updated = 0
        for line, record in rows:
            key = key_of(record)
            entry = in_chunk(key)
            if entry is None:
                found = in_database(key)
                if found is None:
                    state[key] = _Entry(None, record, "insert")
                    new += 1
                    if one_source is None:
                        counted.append((record["source_file_id"], "new"))
                    continue
                entry = state[key] = _Entry(found[0], found[1])
            changes = {
                name: {"old": entry.values.get(name), "new": record.get(name)}
                for name in spec.compared
                if entry.values.get(name) != record.get(name)
            }
            source = one_source if one_source is not None else record["source_file_id"]
            if not changes:
                unchanged += 1
                if one_source is None:
                    counted.append((source, "unchanged"))
                continue
            updated += 1
            if one_source is None:
                counted.append((source, "updated"))
            alterations.append(Alteration(spec.key_text(record), line, source, changes))
            entry.values = record
            if entry.action is None:
                entry.action = "update"
        if one_source is None:
            for source, outcome in counted:
                counts = self.counts_by_source.setdefault(source, Counts())
                setattr(counts, outcome, getattr(counts, outcome) + 1)
        self.counts.new += new
        self.counts.unchanged += unchanged
        self.counts.updated += updated
        self._write(state)
        self._audit(alterations)

    def apply_prepared(self, prepared: PreparedCells) -> None:
        """Upsert a chunk prepared by columns: records with a key new to the table and to the
        chunk go in as columns; the rest (a key stored already, repeated, or shared with a
        row the model judged) take ``apply``'s path in file order, so the outcome is the
        same as if every row had."""
        if self.source_file_id is None:
            raise ValueError("columns come from one file: give the Upserter its source_file_id")
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
            columns_for_insert(self.spec, columns, count),
            count,
            validated=True,
            constants=self.constants,
        )
        if self._empty_at_start:
            self._inserted_hashes.update(map(hash, keys))
        self.counts.new += count
        self._refresh_statistics(count)

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
        ``known``. The sort is by line and stable, so rows sharing a line (a one-line PAXLST
        interchange) keep their order and the later of two with one key still wins."""
        judged = {self.spec.key_of(record) for _, record in prepared.checked}
        aside = _repeated_positions(keys)
        aside.update(i for i, key in enumerate(keys) if key in judged or key in known)
        if not aside:
            return list(prepared.checked), prepared.columns, keys
        lines, columns = prepared.lines, prepared.columns
        records = sorted(
            [*prepared.checked, *((lines[i], row_at(columns, i)) for i in sorted(aside))],
            key=lambda row: row[0],
        )
        keep = [i for i in range(prepared.count) if i not in aside]
        return records, take(columns, keep), [keys[i] for i in keep]

    @property
    def constants(self) -> dict:
        """What every record this upserter inserts shares."""
        return {"source_file_id": self.source_file_id}

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
        prepared.rows = (
            self.writer.rows_from_columns(columns, count, self.constants) if count else []
        )
        prepared.checked, prepared.lines, prepared.columns = records, [], {}
        return prepared

    def apply_settled(self, prepared: PreparedCells) -> None:
        """Store a chunk ``settle`` decided: the records through ``apply``, then the rows."""
        self._empty_at_start = False  # the keys of settled rows are not remembered here
        self.apply(prepared.checked)
        self.writer.insert_encoded(prepared.rows, validated=True)
        self.counts.new += len(prepared.rows)
        self._refresh_statistics(len(prepared.rows))

    def _stored(self, keys: set[tuple]) -> dict[tuple, tuple[int, dict]]:
        """Stored records with these keys: key -> (primary key, contract values)."""
        spec = self.spec
        table = spec.table
        names = dict.fromkeys(n for n in ("id", *spec.key, *spec.compared) if n in table.c)
        columns = [table.c[name] for name in names]
        joined = "offender_pk" in table.c
        if joined:
            columns.append(Offender.offender_id.label("offender_id"))
        positions = [spec.key.index(name) for name in spec.group_by]
        group_of = itemgetter(*positions) if positions else (lambda _key: ())
        lookup_of = itemgetter(spec.key.index(spec.lookup))
        groups: dict[object, set] = defaultdict(set)
        for key in keys:
            groups[group_of(key)].add(lookup_of(key))
        found: dict[tuple, tuple[int, dict]] = {}
        for group, lookups in groups.items():
            fixed = group if len(positions) > 1 else (group,) if positions else ()
            for batch in _batches(list(lookups)):
                query = select(*columns).select_from(table)
                if joined:
                    query = query.join(Offender, Offender.id == table.c.offender_pk)
                query = query.where(_one_of(self.postgres, table.c[spec.lookup], batch))
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
        one_source = self.source_file_id
        constants = None if one_source is None else {"source_file_id": one_source}
        self.writer.insert(inserts, validated=True, constants=constants)
        self._refresh_statistics(len(inserts))
        updates = [(e.pk, e.values) for e in state.values() if e.action == "update"]
        if one_source is not None:
            for _, record in updates:
                record["source_file_id"] = one_source
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
