"""The nightly job end to end on a small synthetic inbox: converges, locks, recovers."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from factories import copy_inbox
from sqlalchemy import func, select

from tracker.db import make_session_factory, transaction
from tracker.models import Flag, Offender, Run, TravelRecord
from tracker.pipeline import STAGES, Nightly, NightlyOptions, run_nightly
from tracker.services.locks import LockHeld, acquire_run_lock
from tracker.settings import DatabaseSettings, Settings
from tracker.synthetic import generate

AS_OF = date(2026, 11, 20)


@pytest.fixture(scope="session")
def synthetic_inbox(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("inbox-source")
    generate(folder, offenders=120, travel=1200, seed=21, as_of=AS_OF)
    return folder


def _options(tmp_path: Path, inbox: Path, db_url: str, **overrides) -> NightlyOptions:
    values = dict(
        inbox=inbox,
        as_of=AS_OF,
        outbox=tmp_path / "outbox",
        settings=Settings(database=DatabaseSettings(url=db_url), data_dir=tmp_path / "data"),
        now=datetime(2026, 11, 20, 2, tzinfo=UTC),
    )
    values.update(overrides)
    return NightlyOptions(**values)


def _state(sessions) -> dict:
    with transaction(sessions) as s:
        return {
            "offenders": s.scalar(select(func.count()).select_from(Offender)),
            "travel": s.scalar(select(func.count()).select_from(TravelRecord)),
            "flags": sorted(s.scalars(select(Flag.flag_key))),
            "statuses": sorted(s.scalars(select(Flag.status))),
        }


def test_a_clean_run_does_every_stage_and_writes_its_outputs(
    sessions, db_url, tmp_path, synthetic_inbox
):
    inbox = copy_inbox(synthetic_inbox, tmp_path / "inbox")
    result = run_nightly(sessions, _options(tmp_path, inbox, db_url))
    assert result.status == "succeeded", result.error
    assert list(result.stage_timings) == list(STAGES)
    assert result.counts["ingest"]["rejected"] == 0
    assert result.counts["match"]["links"].get("match", 0) > 0
    assert sum(sum(v.values()) for v in result.counts["new_flags"].values()) > 0
    for name in ("report", "queue csv", "queue xlsx"):
        assert result.outputs[name].exists()
    report = result.outputs["report"].read_text(encoding="utf-8")
    # written last: the run's final status and every earlier stage's timing
    assert 'status <span class="">succeeded</span>' in report and ">running<" not in report
    assert all(f"<td>{stage.capitalize()}</td>" in report for stage in STAGES[:-1])
    assert not any(inbox.iterdir())  # processed files were archived
    assert (tmp_path / "data" / "archive" / f"run-{result.run_id}" / "offenders.csv").exists()
    assert result.log_file.read_text().count("stage finished") == len(STAGES)
    with transaction(sessions) as s:
        run = s.get(Run, result.run_id)
        assert run.status == "succeeded" and run.finished_at is not None
        assert set(run.stage_timings) == set(STAGES)


def test_a_second_run_of_the_same_night_adds_nothing(sessions, db_url, tmp_path, synthetic_inbox):
    first = copy_inbox(synthetic_inbox, tmp_path / "first")
    run_nightly(sessions, _options(tmp_path, first, db_url))
    before = _state(sessions)
    again = copy_inbox(synthetic_inbox, tmp_path / "again")
    result = run_nightly(sessions, _options(tmp_path, again, db_url))
    assert result.status == "succeeded"
    assert sum(sum(v.values()) for v in result.counts["new_flags"].values()) == 0
    assert _state(sessions) == before


def test_a_run_killed_mid_stage_then_rerun_gives_the_clean_result(
    sessions, db_url, tmp_path, synthetic_inbox, database_factory
):
    clean_url = database_factory.migrated_url()
    clean_sessions = make_session_factory(database_factory.engine(clean_url))
    clean_inbox = copy_inbox(synthetic_inbox, tmp_path / "c-in")
    run_nightly(clean_sessions, _options(tmp_path / "c", clean_inbox, clean_url))
    expected = _state(clean_sessions)

    class Killed(BaseException):
        """Stands for the process being killed: not an Exception, so nothing records it."""

    def killed_during_compliance(self):
        raise Killed()

    inbox = copy_inbox(synthetic_inbox, tmp_path / "k-in")
    original = Nightly.stage_compliance
    Nightly.stage_compliance = killed_during_compliance
    try:
        with pytest.raises(Killed):
            run_nightly(sessions, _options(tmp_path / "k", inbox, db_url, archive=False))
    finally:
        Nightly.stage_compliance = original
    with transaction(sessions) as s:
        assert s.scalars(select(Run.status)).one() == "running"  # left as the kill found it
    result = run_nightly(sessions, _options(tmp_path / "k", inbox, db_url))
    assert result.status == "succeeded"
    assert _state(sessions) == expected


def test_two_runs_started_together_leave_the_state_of_one(
    sessions, db_url, tmp_path, synthetic_inbox
):
    inboxes = [copy_inbox(synthetic_inbox, tmp_path / f"in{i}") for i in range(2)]
    outcomes: list = []
    # one installation: one data folder (its anchor key and checkpoints) for both runs
    installation = Settings(database=DatabaseSettings(url=db_url), data_dir=tmp_path / "data")

    def start(i: int) -> None:
        try:
            outcomes.append(
                run_nightly(
                    sessions,
                    _options(
                        tmp_path / f"o{i}",
                        inboxes[i],
                        db_url,
                        wait_seconds=600,
                        settings=installation,
                    ),
                )
            )
        except LockHeld as exc:  # pragma: no cover - with a long wait this should not happen
            outcomes.append(exc)

    threads = [threading.Thread(target=start, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(getattr(o, "status", None) == "succeeded" for o in outcomes)
    new = [sum(sum(v.values()) for v in o.counts["new_flags"].values()) for o in outcomes]
    assert min(new) == 0  # the second found the first's flags in place
    state = _state(sessions)
    assert len(state["flags"]) == len(set(state["flags"]))


def test_a_second_run_is_refused_while_one_holds_the_lock(
    sessions, db_url, tmp_path, synthetic_inbox
):
    inbox = copy_inbox(synthetic_inbox, tmp_path / "in")
    with acquire_run_lock(sessions, holder="elsewhere:1"), pytest.raises(LockHeld):
        run_nightly(sessions, _options(tmp_path, inbox, db_url))


def test_a_failed_stage_marks_the_run_failed(
    sessions, db_url, tmp_path, synthetic_inbox, monkeypatch
):
    def broken(self):
        raise RuntimeError("the feed folder is read-only")

    monkeypatch.setattr(Nightly, "stage_feed", broken)
    result = run_nightly(
        sessions, _options(tmp_path, copy_inbox(synthetic_inbox, tmp_path / "in"), db_url)
    )
    assert result.status == "failed"
    assert "stage feed failed" in result.error and "read-only" in result.error
    assert "traceback" in result.log_file.read_text()


def test_the_bands_follow_the_thresholds_given(sessions, db_url, tmp_path, synthetic_inbox):
    from tracker.matching.settings import LinkSettings
    from tracker.models import Link

    inbox = copy_inbox(synthetic_inbox, tmp_path / "inbox")
    strict = LinkSettings(match_threshold=0.999999, review_threshold=0.9)
    result = run_nightly(sessions, _options(tmp_path, inbox, db_url, link_settings=strict))
    assert result.status == "succeeded", result.error
    with transaction(sessions) as s:
        links = s.execute(select(Link.band, Link.match_probability)).all()
    assert links and all(p >= 0.9 for _, p in links)
    assert all((band == "match") == (p >= 0.999999) for band, p in links)
    assert any(band == "review" for band, _ in links)


def test_the_outbox_review_queue_marks_formula_looking_text(sessions, db_url, tmp_path):
    from factories import add_flag, add_offender, add_run
    from openpyxl import load_workbook

    with transaction(sessions) as s:
        add_flag(s, add_offender(s, offender_id="@VR-1"), add_run(s), summary="=1+1")
    options = _options(tmp_path, tmp_path / "inbox", db_url)
    options.outbox.mkdir()
    nightly = Nightly(sessions, options)
    nightly.stage_exports()
    text = nightly.outputs["queue csv"].read_text(encoding="utf-8")
    assert "'=1+1" in text and "'@VR-1" in text
    assert ",=" not in text and ",@" not in text
    sheet = load_workbook(nightly.outputs["queue xlsx"]).active
    assert {"'=1+1", "'@VR-1"} <= set(next(sheet.iter_rows(min_row=2, values_only=True)))


def test_each_run_anchors_the_audit_trail_outside_the_database(sessions, db_url, tmp_path):
    from tracker.audit_anchor import checkpoints_path, verify_anchor
    from tracker.audit_anchor_key import key_path

    inbox = tmp_path / "empty-inbox"
    inbox.mkdir()
    options = _options(tmp_path, inbox, db_url)
    result = run_nightly(sessions, options)
    assert result.status == "succeeded", result.error
    exported = json.loads(result.outputs["audit"].read_text())
    assert result.outputs["audit"].name == "audit-checkpoint-2026-11-20.json"
    settings = options.settings
    assert oct(key_path(settings.keys_dir).stat().st_mode & 0o777) == "0o600"
    [line] = checkpoints_path(settings.data_dir).read_text().splitlines()
    assert json.loads(line) == exported
    with transaction(sessions) as s:
        anchor = verify_anchor(s, settings.keys_dir, settings.data_dir)
    assert anchor.intact and anchor.latest.event_id == exported["event_id"] > 0

    checkpoints_path(settings.data_dir).write_text(line.replace('"at": "', '"at": "1') + "\n")
    again = run_nightly(sessions, options)
    assert again.status == "failed"
    assert "audit checkpoint failed: the audit trail no longer matches its checkpoints" in (
        again.error
    )


def test_a_night_does_not_vouch_for_a_trail_that_does_not_verify(
    sessions, db_url, tmp_path, engine, backend
):
    """Entries after the last checkpoint, with their kept values deleted: the checkpoints
    still match, the chain does not; the night fails rather than checkpoint it."""
    from sqlalchemy import text

    from tracker.audit import record_event
    from tracker.audit_anchor import checkpoints_path

    inbox = tmp_path / "empty-inbox"
    inbox.mkdir()
    options = _options(tmp_path, inbox, db_url)
    assert run_nightly(sessions, options).status == "succeeded"
    with transaction(sessions) as s:
        evidence = record_event(
            s,
            actor="system",
            action="alteration",
            object_type="offender",
            object_id="VR-1",
            values={"postcode": {"old": "AB1 2CD"}},
        )
    with engine.begin() as conn:  # as the database's owner: the guard refuses anyone else
        if backend == "postgresql":
            conn.execute(text("ALTER TABLE audit_event_values DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_event_values_refuse_delete"))
        conn.execute(text("DELETE FROM audit_event_values"))
        if backend == "postgresql":
            conn.execute(text("ALTER TABLE audit_event_values ENABLE TRIGGER USER"))
    lines = checkpoints_path(options.settings.data_dir).read_text().splitlines()
    again = run_nightly(sessions, options)
    assert again.status == "failed"
    assert again.error == (
        f"audit checkpoint failed: the audit trail is broken at entry "
        f"{evidence.id}: the values of entry {evidence.id} (offender) were "
        "deleted: only a travel record's kept values are ever erased; see "
        "`tracker audit verify`"
    )
    assert checkpoints_path(options.settings.data_dir).read_text().splitlines() == lines


def test_a_night_does_not_remake_a_lost_anchor_key(sessions, db_url, tmp_path):
    from tracker.audit_anchor_key import key_path

    inbox = tmp_path / "empty-inbox"
    inbox.mkdir()
    options = _options(tmp_path, inbox, db_url)
    assert run_nightly(sessions, options).status == "succeeded"
    key_path(options.settings.keys_dir).unlink()
    again = run_nightly(sessions, options)
    assert again.status == "failed"
    assert again.error.startswith(
        "audit checkpoint failed: the anchor key is gone: restore keys/ from backup"
    )
    assert not key_path(options.settings.keys_dir).exists()


TRAVEL_HEADER = (
    "record_id,source,family_name,given_names,date_of_birth,direction,"
    "departure_country,arrival_country,departure_time"
)


def _small_inbox(folder: Path, record_id: str) -> Path:
    """One passenger's travel file and one file refused whole (quarantined)."""
    folder.mkdir(parents=True)
    (folder / "travel.csv").write_text(
        f"{TRAVEL_HEADER}\n{record_id},api-test,Passengerone,Tessa,1990-02-03,out,GBR,THA,"
        "2026-11-10T09:00:00+00:00\n",
        encoding="utf-8",
    )
    (folder / "travel-broken.csv").write_text("not,a,travel,header\n1,2,3,4\n", encoding="utf-8")
    return folder


def test_a_later_night_erases_an_old_runs_archive_and_quarantine(sessions, db_url, tmp_path):
    first = run_nightly(sessions, _options(tmp_path, _small_inbox(tmp_path / "in1", "R1"), db_url))
    assert first.status == "partial", first.error  # partial: a file was quarantined
    data = tmp_path / "data"
    archived = data / "archive" / f"run-{first.run_id}"
    quarantined = data / "quarantine" / f"run-{first.run_id}"
    assert (archived / "travel.csv").exists() and (quarantined / "travel-broken.csv").exists()
    with transaction(sessions) as s:  # the first night was long ago: cutoff is 2026-10-21
        s.get(Run, first.run_id).started_at = datetime(2026, 10, 1, 2, tzinfo=UTC)

    later = run_nightly(sessions, _options(tmp_path, _small_inbox(tmp_path / "in2", "R2"), db_url))
    assert later.status == "partial", later.error
    assert not archived.exists() and not quarantined.exists()
    assert (data / "archive" / f"run-{later.run_id}" / "travel.csv").exists()  # its own stays
    assert (data / "quarantine" / f"run-{later.run_id}" / "travel-broken.csv").exists()
    retention = later.counts["retention"]
    assert retention["run_folders_erased"] == {"archive": 1, "quarantine": 1, "warnings": 0}
    assert "1 archived run folder and 1 quarantined run folder erased" in later.summary()
