"""The anchor outside the database: a checkpoints file cut back, a key lost or replaced, and
problems shown without server paths."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tracker.audit import record_event
from tracker.audit_anchor import (
    CHECKPOINT_OBJECT,
    checkpoint_now,
    checkpoints_path,
    ensure_key,
    verify_anchor,
)
from tracker.audit_anchor_key import ANCHOR_KEY_OBJECT, AnchorError, fingerprint, key_path, load_key
from tracker.db import transaction
from tracker.models import AuditEvent


@pytest.fixture
def folders(tmp_path):
    return tmp_path / "keys", tmp_path / "data"


def _write(sessions, n: int = 2) -> None:
    with transaction(sessions) as s:
        for i in range(n):
            record_event(
                s, actor="system", action="collection", object_type="source_file", object_id=i
            )


def _checkpoint(sessions, folders):
    with transaction(sessions) as s:
        return checkpoint_now(s, *folders)


def _anchor(sessions, folders):
    with transaction(sessions) as s:
        return verify_anchor(s, *folders)


def test_each_checkpoint_and_the_key_are_recorded_in_the_trail(sessions, folders):
    _write(sessions)
    checkpoint = _checkpoint(sessions, folders)
    with transaction(sessions) as s:
        made, taken = s.scalars(
            select(AuditEvent).where(AuditEvent.id > 2).order_by(AuditEvent.id)
        ).all()
    assert (made.object_type, made.object_id) == (
        ANCHOR_KEY_OBJECT,
        fingerprint(load_key(folders[0])),
    )
    assert checkpoint.event_id == made.id  # the key's entry was committed first, and covered
    assert taken.object_type == CHECKPOINT_OBJECT
    assert taken.details == {
        "event_id": checkpoint.event_id,
        "entry_hash": checkpoint.entry_hash,
        "at": checkpoint.at,
    }
    assert _anchor(sessions, folders).intact


def test_a_checkpoints_file_cut_back_is_not_intact(sessions, folders):
    _write(sessions)
    _checkpoint(sessions, folders)
    path = checkpoints_path(folders[1])
    first = path.read_text()
    _write(sessions)
    second = _checkpoint(sessions, folders)
    path.write_text(first)  # the newest checkpoint cut off the file
    anchor = _anchor(sessions, folders)
    assert not anchor.intact
    assert (
        f"the trail records 1 checkpoint(s) the checkpoints file lacks (the first of entry "
        f"{second.event_id} at {second.at}): the file was cut back or replaced"
    ) in anchor.describe()
    path.unlink()  # or the whole file
    assert (
        "records 2 checkpoint(s) the checkpoints file lacks"
        in _anchor(sessions, folders).describe()
    )


def test_a_lost_key_is_not_remade_once_checkpoints_need_it(sessions, folders):
    keys_dir, data_dir = folders
    _write(sessions)
    _checkpoint(sessions, folders)
    key_path(keys_dir).unlink()
    gone = pytest.raises(AnchorError, match="the anchor key is gone: restore keys/ from backup")
    with gone, transaction(sessions) as s:
        ensure_key(s, keys_dir, data_dir)
    checkpoints_path(data_dir).unlink()  # the trail still remembers its checkpoints
    remembered = pytest.raises(AnchorError, match="records checkpoints made with it")
    with remembered, transaction(sessions) as s:
        ensure_key(s, keys_dir, data_dir)
    assert not key_path(keys_dir).exists()
    anchor = _anchor(sessions, folders)
    assert not anchor.intact and "is gone but 1 checkpoint(s) need it" in anchor.describe()


def test_a_replaced_key_is_named(sessions, folders):
    keys_dir, data_dir = folders
    _write(sessions)
    with transaction(sessions) as s:
        assert ensure_key(s, keys_dir, data_dir)
    key_path(keys_dir).unlink()
    from tracker.audit_anchor_key import create_key

    create_key(keys_dir)  # made by hand, outside the trail
    anchor = _anchor(sessions, folders)
    assert not anchor.intact and "it was replaced; restore keys/ from backup" in (anchor.describe())


def test_problems_are_shown_without_server_paths(sessions, folders):
    keys_dir, data_dir = folders
    _write(sessions)
    _checkpoint(sessions, folders)
    path = checkpoints_path(data_dir)
    path.write_text(path.read_text().replace('"at": "', '"at": "1'))
    anchor = _anchor(sessions, folders)
    assert str(data_dir) in anchor.describe()  # the operator's CLI shows where
    shown = anchor.describe(paths=False)
    assert "checkpoint line 1 was altered or not made with this key" in shown
    assert str(data_dir) not in shown and str(keys_dir) not in shown
