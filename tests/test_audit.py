"""The audit trail is append-only and any tampering is found and named."""

from __future__ import annotations

import json

import pytest
from factories import add_offender
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tracker.audit import AuditError, record_event, verify_chain
from tracker.audit_anchor import checkpoint_now, checkpoints_path, verify_anchor
from tracker.audit_anchor_key import create_key, key_path
from tracker.audit_chain import ERASED_VALUES, GENESIS_HASH, VALUES_DIGEST, hash_event, id_ranges
from tracker.db import transaction
from tracker.models import AuditEvent, AuditEventValues, AuditHead

GUARDED_TABLES = ("audit_events", "audit_head", "audit_event_values")
SQLITE_GUARDS = (
    "audit_events_refuse_update",
    "audit_events_refuse_delete",
    "audit_head_refuse_delete",
    "audit_head_refuse_rewind",
    "audit_event_values_refuse_update",
    "audit_event_values_refuse_delete",
)


def _write_events(sessions, n: int = 5) -> None:
    with transaction(sessions) as s:
        for i in range(n):
            record_event(
                s,
                actor="system",
                action="collection",
                object_type="source_file",
                object_id=i,
                justification="nightly load",
                details={"rows": i, "name": "Zoë <b>"},
            )


def _bypass_append_only(engine, backend: str, statement: str) -> None:
    """Tamper as a database administrator would: switch the guard off, then edit."""
    with engine.begin() as conn:
        if backend == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            conn.execute(text(statement))
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_refuse_update"))
            conn.execute(text("DROP TRIGGER audit_events_refuse_delete"))
            conn.execute(text(statement))


def test_untouched_trail_verifies(sessions):
    _write_events(sessions)
    with transaction(sessions) as s:
        report = verify_chain(s)
    assert report.intact and report.entries == 5


def test_empty_trail_verifies(sessions):
    with transaction(sessions) as s:
        assert verify_chain(s).intact


def test_database_refuses_update_and_delete(engine, sessions):
    _write_events(sessions, 2)
    for statement in (
        "UPDATE audit_events SET actor = 'someone' WHERE id = 1",
        "DELETE FROM audit_events WHERE id = 2",
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))


def test_altered_entry_is_named(engine, sessions, backend):
    _write_events(sessions)
    _bypass_append_only(
        engine, backend, "UPDATE audit_events SET justification = 'edited' WHERE id = 3"
    )
    with transaction(sessions) as s:
        report = verify_chain(s)
    assert not report.intact
    assert report.first_broken_id == 3
    assert "altered" in report.problem


def test_deleted_middle_entry_is_named(engine, sessions, backend):
    _write_events(sessions)
    _bypass_append_only(engine, backend, "DELETE FROM audit_events WHERE id = 2")
    with transaction(sessions) as s:
        report = verify_chain(s)
    assert not report.intact and report.first_broken_id == 2


def test_deleted_last_entry_is_found_through_the_head(engine, sessions, backend):
    _write_events(sessions)
    _bypass_append_only(engine, backend, "DELETE FROM audit_events WHERE id = 5")
    with transaction(sessions) as s:
        report = verify_chain(s)
    assert not report.intact and report.first_broken_id == 5
    assert "deleted" in report.problem


def test_unknown_action_is_refused(sessions):
    with pytest.raises(AuditError, match="unknown audit action"), transaction(sessions) as s:
        record_event(s, actor="system", action="shredding", object_type="x")


# --- the database's owner rewriting the trail: caught by checkpoints kept outside it ----------


@pytest.fixture
def folders(tmp_path):
    """The data folder and its keys folder, as ``Settings`` lays them out."""
    return tmp_path / "keys", tmp_path


def _as_owner(engine, backend: str, tamper) -> None:
    """Switch every guard of the trail off (as its owner can), then ``tamper(session)``."""
    with engine.begin() as conn:
        if backend == "postgresql":
            for table in GUARDED_TABLES:
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:
            for trigger in SQLITE_GUARDS:
                conn.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
        session = Session(bind=conn)
        tamper(session)
        session.flush()
        if backend == "postgresql":
            for table in GUARDED_TABLES:
                conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))


def _rehash_to_the_head(session: Session) -> None:
    """Recompute every hash after an edit, and point the head at the new last one."""
    previous = GENESIS_HASH
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    for event in events:
        event.prev_hash = previous
        event.entry_hash = previous = hash_event(event)
    head = session.get(AuditHead, 1)
    head.last_event_id = events[-1].id if events else 0
    head.last_hash = previous


def _checkpointed(sessions, folders, n: int = 5) -> None:
    """``n`` entries and a checkpoint of them (the key made beforehand, outside the trail)."""
    _write_events(sessions, n)
    keys_dir, data_dir = folders
    create_key(keys_dir)
    with transaction(sessions) as s:
        assert checkpoint_now(s, keys_dir, data_dir).event_id == n


def _anchor(sessions, folders):
    with transaction(sessions) as s:
        return verify_chain(s), verify_anchor(s, *folders)


def test_an_entry_edited_and_rehashed_to_the_head_is_not_intact(engine, sessions, backend, folders):
    _checkpointed(sessions, folders)

    def edit_and_rehash(session):
        session.get(AuditEvent, 2).justification = "edited"
        session.flush()
        _rehash_to_the_head(session)

    _as_owner(engine, backend, edit_and_rehash)
    chain, anchor = _anchor(sessions, folders)
    assert chain.intact  # the chain alone cannot tell
    assert not anchor.intact
    assert "entry 5 is not the one checkpointed" in anchor.describe()
    assert "rewritten" in anchor.describe()


def test_a_tail_deleted_with_the_head_rewound_is_not_intact(engine, sessions, backend, folders):
    _checkpointed(sessions, folders)

    def cut_the_tail(session):
        session.execute(text("DELETE FROM audit_events WHERE id > 3"))
        _rehash_to_the_head(session)

    _as_owner(engine, backend, cut_the_tail)
    chain, anchor = _anchor(sessions, folders)
    assert chain.intact and chain.entries == 3
    assert not anchor.intact
    assert "names entry 5, but the trail ends at entry 3: entries were deleted" in (
        anchor.describe()
    )


def test_a_trail_emptied_while_data_is_present_is_not_intact(engine, sessions, backend, folders):
    _checkpointed(sessions, folders)
    with transaction(sessions) as s:
        add_offender(s)

    def empty_everything(session):  # and wind the head back to the start
        session.execute(text("DELETE FROM audit_event_values"))
        session.execute(text("DELETE FROM audit_events"))
        _rehash_to_the_head(session)

    _as_owner(engine, backend, empty_everything)
    chain, anchor = _anchor(sessions, folders)
    assert not chain.intact and chain.entries == 0
    assert "the trail is empty but the database holds offenders" in chain.problem
    assert not anchor.intact and "the trail is empty" in anchor.describe()


def test_the_head_row_cannot_be_deleted_or_rewound(engine, sessions):
    _write_events(sessions, 3)
    for statement in ("DELETE FROM audit_head", "UPDATE audit_head SET last_event_id = 1"):
        with pytest.raises(DBAPIError, match="forward"), engine.begin() as conn:
            conn.execute(text(statement))


def test_a_deleted_head_is_named_and_refuses_writes_without_a_traceback(engine, sessions, backend):
    _write_events(sessions, 3)
    _as_owner(engine, backend, lambda s: s.execute(text("DELETE FROM audit_head")))
    with transaction(sessions) as s:
        report = verify_chain(s)
    assert not report.intact and "head row (audit_head) is missing" in report.problem
    refused = pytest.raises(AuditError, match="its head row .audit_head. is gone")
    with refused, transaction(sessions) as s:
        record_event(s, actor="system", action="collection", object_type="source_file")


def test_a_head_wound_back_refuses_writes_without_a_traceback(engine, sessions, backend):
    _write_events(sessions, 3)
    _as_owner(engine, backend, lambda s: s.execute(text("UPDATE audit_head SET last_event_id = 1")))
    with transaction(sessions) as s:
        report = verify_chain(s)
    assert not report.intact and "the head was wound back" in report.problem
    refused = pytest.raises(AuditError, match="wound back to entry 1")
    with refused, transaction(sessions) as s:
        record_event(s, actor="system", action="collection", object_type="source_file")


def test_checkpoints_edited_or_without_their_key_are_refused(sessions, folders):
    _checkpointed(sessions, folders)
    keys_dir, data_dir = folders
    path = checkpoints_path(data_dir)
    line = json.loads(path.read_text())
    path.write_text(json.dumps({**line, "event_id": 2}) + "\n")
    _, anchor = _anchor(sessions, folders)
    assert not anchor.intact and "line 1" in anchor.describe()
    key_path(keys_dir).unlink()
    _, anchor = _anchor(sessions, folders)
    assert not anchor.intact and not anchor.anchored
    assert "is gone but 1 checkpoint(s) need it" in anchor.describe()


def test_an_untouched_checkpointed_trail_is_anchored(sessions, folders):
    _checkpointed(sessions, folders)
    _write_events(sessions, 2)  # entries after the checkpoint are fine
    chain, anchor = _anchor(sessions, folders)
    assert chain.intact and anchor.intact and anchor.anchored
    assert anchor.latest.event_id == 5
    assert oct(key_path(folders[0]).stat().st_mode & 0o777) == "0o600"


# --- values kept beside the chain -------------------------------------------------------------


def _altered(sessions) -> int:
    with transaction(sessions) as s:
        event = record_event(
            s,
            actor="system",
            action="alteration",
            object_type="offender",
            object_id="VR-1",
            details={"changed": ["postcode"]},
            values={"changes": {"postcode": {"old": "AB1 2CD", "new": "EF3 4GH"}}},
        )
        return event.id


def test_values_are_kept_out_of_the_chained_details(sessions):
    event_id = _altered(sessions)
    with transaction(sessions) as s:
        event = s.get(AuditEvent, event_id)
        assert "AB1 2CD" not in json.dumps(event.details)
        assert set(event.details) == {"changed", VALUES_DIGEST}
        payload = s.get(AuditEventValues, event_id).payload
        assert payload["changes"]["postcode"]["old"] == "AB1 2CD"
        assert verify_chain(s).intact


def test_changed_kept_values_break_the_chain(engine, sessions, backend):
    event_id = _altered(sessions)
    with pytest.raises(DBAPIError, match="only erased"), engine.begin() as conn:
        conn.execute(text("UPDATE audit_event_values SET payload = '{}'"))
    _as_owner(
        engine,
        backend,
        lambda s: s.execute(
            text("UPDATE audit_event_values SET payload = :p"), {"p": json.dumps({"changes": {}})}
        ),
    )
    with transaction(sessions) as s:
        report = verify_chain(s)
    assert not report.intact and report.first_broken_id == event_id
    assert "were altered" in report.problem


def _travel_altered(sessions) -> int:
    with transaction(sessions) as s:
        event = record_event(
            s,
            actor="system",
            action="alteration",
            object_type="travel_record",
            object_id="api-test|R1",
            details={"changed": ["family_name"]},
            values={"changes": {"family_name": {"old": "Passengerone", "new": "Passengeronne"}}},
        )
        return event.id


def test_an_offenders_kept_values_deleted_break_the_chain_whatever_entry_follows(
    engine, sessions, backend
):
    """An offender's address-change evidence deleted with ordinary rights is not an erasure,
    not even behind an erasure entry naming it (anyone who can append could write one)."""
    event_id = _altered(sessions)
    _write_events(sessions, 2)
    with (
        pytest.raises(DBAPIError, match="only the kept values of travel records may be erased"),
        engine.begin() as conn,
    ):
        conn.execute(text("DELETE FROM audit_event_values"))
    _as_owner(engine, backend, lambda s: s.execute(text("DELETE FROM audit_event_values")))
    with transaction(sessions) as s:
        record_event(
            s,
            actor="system",
            action="erasure",
            object_type="travel_records",
            details={ERASED_VALUES: id_ranges([event_id])},
        )
        report = verify_chain(s)
    assert not report.intact and report.first_broken_id == event_id
    assert report.problem == (
        f"the values of entry {event_id} (offender) were deleted: only a "
        "travel record's kept values are ever erased"
    )


def test_kept_values_deleted_without_an_erasure_entry_break_the_chain(engine, sessions):
    event_id = _travel_altered(sessions)
    _write_events(sessions, 2)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event_values"))
    with transaction(sessions) as s:
        report = verify_chain(s)
    assert not report.intact and report.first_broken_id == event_id
    assert report.problem == (
        f"the values of entry {event_id} were deleted without an erasure entry naming them"
    )


def test_values_erased_with_an_erasure_entry_naming_them_keep_the_chain_intact(engine, sessions):
    first, second = _travel_altered(sessions), _travel_altered(sessions)
    with transaction(sessions) as s:  # an erasure entry written before them vouches for nothing
        record_event(
            s,
            actor="system",
            action="erasure",
            object_type="travel_records",
            details={ERASED_VALUES: [[second + 1, second + 5]]},
        )
    third = _travel_altered(sessions)
    with engine.begin() as conn:
        conn.execute(
            text("DELETE FROM audit_event_values WHERE event_id IN (:a, :b)"),
            {"a": first, "b": third},
        )
    with transaction(sessions) as s:
        record_event(
            s,
            actor="system",
            action="erasure",
            object_type="travel_records",
            details={ERASED_VALUES: id_ranges([first])},
        )
        report = verify_chain(s)
    assert not report.intact and report.first_broken_id == third
    with transaction(sessions) as s:
        record_event(
            s,
            actor="system",
            action="erasure",
            object_type="travel_records",
            details={ERASED_VALUES: id_ranges([third])},
        )
        assert verify_chain(s).intact


def test_erased_ids_are_kept_as_ranges():
    assert id_ranges([7, 3, 4, 5, 9, 10, 4]) == [[3, 5], [7, 7], [9, 10]]
    assert id_ranges([]) == []


def test_writers_at_once_each_get_their_place_in_the_chain(sessions):
    """Twenty web requests logging at the same moment (SQLite ignores FOR UPDATE): none fails
    and the chain stays whole."""
    import threading

    from sqlalchemy import func

    failures: list[BaseException] = []
    start = threading.Barrier(8)

    def consult(n: int) -> None:
        try:
            start.wait()
            for _ in range(5):
                with transaction(sessions) as s:
                    s.scalar(select(func.count()).select_from(AuditEvent))  # a page's reads
                    record_event(s, actor=f"analyst{n}", action="consultation", object_type="flag")
        except BaseException as exc:  # collected for the assertion below
            failures.append(exc)

    with transaction(sessions) as s:  # the head row exists, as in any database in use
        record_event(s, actor="system", action="consultation", object_type="flag")
    writers = [threading.Thread(target=consult, args=(n,)) for n in range(8)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert failures == []
    with transaction(sessions) as s:
        report = verify_chain(s)
        assert report.intact and report.entries == 41


def test_writers_at_once_each_get_their_own_place_in_the_chain(sessions):
    """A writer that has only read so far (no transaction yet on SQLite) must not take the
    head another writer is about to move: the screening and the alert dispatcher write at
    once under `tracker serve`."""
    from concurrent.futures import ThreadPoolExecutor

    def write(worker: int) -> None:
        for n in range(15):
            with transaction(sessions) as session:
                session.execute(select(AuditEvent.id).limit(1)).all()
                record_event(
                    session,
                    actor="system",
                    action="decision",
                    object_type="t",
                    object_id=f"{worker}-{n}",
                )

    with transaction(sessions) as session:  # the trail has begun (its head row exists)
        record_event(session, actor="system", action="decision", object_type="t")
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(4)))
    with sessions() as session:
        ids = session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    assert ids == list(range(1, 62))
    with transaction(sessions) as session:
        assert verify_chain(session).intact
