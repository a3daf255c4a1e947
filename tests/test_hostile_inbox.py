"""A night that survives any file (issue 18): a hostile inbox beside good files completes every
stage, ends `partial` (exit 3), keeps the good rows, quarantines what it cannot read and never
opens what a symbolic link points at."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from click.testing import CliRunner
from factories import copy_inbox
from sqlalchemy import select

from tracker.cli import main
from tracker.db import transaction
from tracker.models import AuditEvent, Run, TravelRecord
from tracker.pipeline import STAGES, NightlyOptions, run_nightly
from tracker.settings import DatabaseSettings, Settings
from tracker.synthetic import generate

AS_OF = date(2026, 11, 20)
SECRET = "TOP-SECRET-LINE-OF-A-FILE-OUTSIDE-THE-INBOX"
TRAVEL_JSON = (
    '{{"record_id": "H{i}", "source": "api-hostile", "family_name": {name}, '
    '"direction": "out", "departure_country": "GBR", "arrival_country": "PAK", '
    '"departure_time": "2026-11-19T06:40:00Z"}}\n'
)


def _hostile_inbox(tmp_path: Path) -> Path:
    source = tmp_path / "generated"
    generate(source, offenders=60, travel=600, seed=5, as_of=AS_OF)
    inbox = copy_inbox(source, tmp_path / "inbox")
    names = ['"KHAN"', "1" * 4301, "NaN", "1e99999", '"' + "N" * 1_000_000 + '"']
    (inbox / "travel-hostile.jsonl").write_text(
        "".join(TRAVEL_JSON.format(i=i, name=name) for i, name in enumerate(names))
    )
    (inbox / "travel-latin1.csv").write_bytes("record_id,source\nX1,caf\xe9\n".encode("latin-1"))
    paxlst = next(inbox.glob("*.paxlst"), None) or next(inbox.glob("*.edi"))
    paxlst.write_text(paxlst.read_text().replace("UNZ+", "UNZ+0099", 1))  # a trailer that lies
    outside = tmp_path / "outside.csv"
    outside.write_text(SECRET + "\n")
    (inbox / "notifications-link.csv").symlink_to(outside)
    return inbox


def test_a_hostile_inbox_completes_every_stage_and_ends_partial(sessions, db_url, tmp_path):
    inbox = _hostile_inbox(tmp_path)
    data_dir = tmp_path / "data"
    result = run_nightly(
        sessions,
        NightlyOptions(
            inbox=inbox,
            as_of=AS_OF,
            outbox=tmp_path / "outbox",
            settings=Settings(database=DatabaseSettings(url=db_url), data_dir=data_dir),
            now=datetime(2026, 11, 20, 2, tzinfo=UTC),
        ),
    )
    assert result.status == "partial", result.error
    assert list(result.stage_timings) == list(STAGES)
    quarantined = {q["file"]: q for q in result.counts["ingest"]["quarantined"]}
    assert set(quarantined) == {"travel-latin1.csv", "notifications-link.csv"}
    moved = data_dir / "quarantine" / f"run-{result.run_id}" / "travel-latin1.csv"
    assert moved.exists() and "UTF-8" in moved.with_name(moved.name + ".reason.txt").read_text()
    assert quarantined["notifications-link.csv"]["moved_to"] is None
    assert (inbox / "notifications-link.csv").is_symlink()  # left where it was, never opened
    with transaction(sessions) as s:
        hostile = list(
            s.scalars(select(TravelRecord.family_name).where(TravelRecord.source == "api-hostile"))
        )
        assert hostile == ["KHAN"]  # the good row of the hostile file loaded, the rest rejected
        assert s.scalar(select(Run.status).where(Run.id == result.run_id)) == "partial"
        trail = " ".join(str(e.details) for e in s.scalars(select(AuditEvent)))
    seen = [
        trail,
        result.log_file.read_text(),
        result.summary(),
        *(
            p.read_text(errors="replace")
            for p in (tmp_path / "outbox").iterdir()
            if p.suffix in (".html", ".csv", ".json", ".atom")
        ),
    ]
    assert not any(SECRET in text for text in seen)
    assert "NOT LOADED travel-latin1.csv" in result.summary()
    warnings_file = data_dir / "rejects" / f"run-{result.run_id}" / "warnings.csv"
    assert "UNZ counts 0099" in warnings_file.read_text()
    assert str(warnings_file) in result.summary()
    report = result.outputs["report"].read_text()
    assert "Repaired or ignored while loading" in report and "UNZ counts 0099" in report
    assert "Files not loaded" in report and "travel-latin1.csv" in report
    assert "left in the inbox, unread" in report  # the symbolic link


def test_the_nightly_command_exits_3_when_the_night_is_partial(db_url, tmp_path):
    inbox = _hostile_inbox(tmp_path)
    outcome = CliRunner().invoke(
        main,
        [
            "--db",
            db_url,
            "nightly",
            "--inbox",
            str(inbox),
            "--as-of",
            "2026-11-20",
            "--outbox",
            str(tmp_path / "out"),
        ],
        env={"TRACKER_DATA_DIR": str(tmp_path / "data")},
    )
    assert outcome.exit_code == 3, outcome.output
    assert "what to do:" in outcome.output
