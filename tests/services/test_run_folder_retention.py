"""Retention reaches the run folders: a night's archived inbox files, its quarantined files and
its warnings file go with the travel records once the run is past retention; recent runs'
folders, the current run's and anything a link points at stay."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from factories import add_run
from sqlalchemy import select

from tracker.db import transaction
from tracker.models import AuditEvent, Run
from tracker.services.run_folder_retention import erase_old_run_folders

AS_OF = date(2026, 3, 31)
DAYS = 30  # cutoff 2026-03-01
LONG_AGO = datetime(2026, 1, 5, 2, tzinfo=UTC)
LATELY = datetime(2026, 3, 20, 2, tzinfo=UTC)
TRAVEL = "record_id,family_name\nR1,Passengerone\n"


def _run_started(s, started_at: datetime) -> int:
    run = add_run(s)
    run.started_at = started_at
    s.flush()
    return run.id


def _write(path: Path, text: str = TRAVEL) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _night(data: Path, run_id: int) -> dict[str, Path]:
    """What a night leaves: an archived input file (in a subfolder too), a quarantined file
    with its reason, and a warnings file beside the run's rejects."""
    folder = f"run-{run_id}"
    return {
        "archive": _write(data / "archive" / folder / "travel.csv"),
        "archive sub": _write(data / "archive" / folder / "api" / "travel-2.csv"),
        "quarantine": _write(data / "quarantine" / folder / "broken.csv"),
        "reason": _write(data / "quarantine" / folder / "broken.csv.reason.txt", "unreadable\n"),
        "warnings": _write(data / "rejects" / folder / "warnings.csv", "file,warning\n"),
    }


def _age(paths, when: datetime) -> None:
    """Set files' and their folders' times back, as if written ``when``."""
    stamp = when.timestamp()
    for path in paths:
        os.utime(path, (stamp, stamp), follow_symlinks=False)


def _erase(sessions, data: Path, run_id: int | None = None, days: int = DAYS):
    with transaction(sessions) as s:
        return erase_old_run_folders(s, data, AS_OF, days, run_id=run_id)


def test_an_old_runs_archive_quarantine_and_warnings_are_erased(sessions, tmp_path):
    data = tmp_path / "data"
    with transaction(sessions) as s:
        old = _run_started(s, LONG_AGO)
    files = _night(data, old)
    outcome = _erase(sessions, data)
    assert not any(path.exists() for path in files.values())
    for kind in ("archive", "quarantine", "rejects"):
        assert not (data / kind / f"run-{old}").exists()
    assert outcome.folders == {"archive": 1, "quarantine": 1, "warnings": 1}
    assert outcome.files == {"archive": 2, "quarantine": 2, "warnings": 1}


def test_a_recent_runs_folders_are_kept(sessions, tmp_path):
    data = tmp_path / "data"
    with transaction(sessions) as s:
        recent = _run_started(s, LATELY)
    files = _night(data, recent)
    _age(files.values(), LONG_AGO)  # a run's row decides, not when its files were written
    outcome = _erase(sessions, data)
    assert all(path.exists() for path in files.values())
    assert sum(outcome.files.values()) == 0


def test_the_current_runs_folders_are_never_touched(sessions, tmp_path):
    data = tmp_path / "data"
    with transaction(sessions) as s:
        current = _run_started(s, LONG_AGO)
    files = _night(data, current)
    _erase(sessions, data, run_id=current)
    assert all(path.exists() for path in files.values())


def test_a_folder_without_a_run_row_is_judged_by_its_newest_file(sessions, tmp_path):
    data = tmp_path / "data"
    stale = _night(data, 901)  # no run 901 or 902: a restored copy
    fresh = _night(data, 902)
    _age(stale.values(), LONG_AGO)
    _age(fresh.values(), LONG_AGO)
    _age([fresh["archive sub"]], LATELY)  # one file written lately keeps the whole folder
    _erase(sessions, data)
    assert not (data / "archive" / "run-901").exists()
    assert not (data / "quarantine" / "run-901").exists()
    assert not stale["warnings"].exists()
    assert fresh["archive"].exists() and fresh["archive sub"].exists()


def test_a_link_in_the_archive_is_removed_and_its_target_left(sessions, tmp_path):
    data = tmp_path / "data"
    outside = _write(tmp_path / "elsewhere" / "precious.csv")
    outside_folder = outside.parent
    with transaction(sessions) as s:
        old = _run_started(s, LONG_AGO)
    files = _night(data, old)
    file_link = files["archive"].parent / "link.csv"
    folder_link = files["archive"].parent / "linked-folder"
    file_link.symlink_to(outside)
    folder_link.symlink_to(outside_folder, target_is_directory=True)
    outcome = _erase(sessions, data)
    assert not file_link.is_symlink() and not folder_link.is_symlink()
    assert not (data / "archive" / f"run-{old}").exists()
    assert outside.read_text(encoding="utf-8") == TRAVEL
    assert outcome.files["archive"] == 4  # two files and two links


def test_an_archive_folder_linked_outside_the_data_folder_is_left(sessions, tmp_path):
    data = tmp_path / "data"
    elsewhere = tmp_path / "elsewhere"
    with transaction(sessions) as s:
        old = _run_started(s, LONG_AGO)
    kept = _write(elsewhere / f"run-{old}" / "travel.csv")
    data.mkdir()
    (data / "archive").symlink_to(elsewhere, target_is_directory=True)
    _erase(sessions, data)
    assert kept.exists()


def test_the_erasure_is_logged_with_counts_and_cutoff(sessions, tmp_path):
    data = tmp_path / "data"
    with transaction(sessions) as s:
        old = _run_started(s, LONG_AGO)
        current = _run_started(s, datetime.now(UTC))
    _night(data, old)
    _erase(sessions, data, run_id=current)
    with transaction(sessions) as s:
        [entry] = s.scalars(select(AuditEvent).filter_by(object_type="run_folders")).all()
        assert (entry.action, entry.actor, entry.run_id) == ("erasure", "system", current)
        assert entry.details == {
            "cutoff": "2026-03-01",
            "archive": {"folders": 1, "files": 2},
            "quarantine": {"folders": 1, "files": 2},
            "warnings": {"folders": 1, "files": 1},
        }
        assert "30 days" in entry.justification
        assert s.get(Run, old) is not None  # the run's record stays; only its copies go


def test_reject_files_keep_the_runs_rejects_folder(sessions, tmp_path):
    data = tmp_path / "data"
    with transaction(sessions) as s:
        old = _run_started(s, LONG_AGO)
    files = _night(data, old)
    reject_file = _write(files["warnings"].parent / "travel.csv.rejects.csv")
    outcome = _erase(sessions, data)
    assert not files["warnings"].exists()
    assert reject_file.exists()  # reject_retention's, judged by its load
    assert (outcome.files["warnings"], outcome.folders["warnings"]) == (1, 0)


def test_negative_days_are_refused(sessions, tmp_path):
    with pytest.raises(ValueError, match="0 or more"):
        _erase(sessions, tmp_path / "data", days=-1)


def test_a_run_started_just_before_the_cutoff_is_old(sessions, tmp_path):
    data = tmp_path / "data"
    cutoff = datetime(2026, 3, 1, tzinfo=UTC)
    with transaction(sessions) as s:
        before = _run_started(s, cutoff - timedelta(seconds=1))
        on = _run_started(s, cutoff)
    gone = _night(data, before)
    kept = _night(data, on)
    _erase(sessions, data)
    assert not gone["archive"].exists()
    assert kept["archive"].exists()
