"""Retention reaches the copies: an erased passenger's names leave the audit values, the rejects
table and the reject files, and the audit chain still verifies."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select

from tracker.audit import verify_chain
from tracker.db import transaction
from tracker.ingest.service import ingest_files
from tracker.models import AuditEvent, AuditEventValues, Reject
from tracker.services.reject_retention import erase_old_rejects
from tracker.services.retention import erase_unmatched_travel
from tracker.settings import DatabaseSettings, Settings

HEADER = (
    "record_id,source,family_name,given_names,date_of_birth,direction,departure_country,"
    "arrival_country,departure_time"
)
ROW = "R1,api-test,{name},Tessa,1990-02-03,out,GBR,THA,2026-01-10T09:00:00+00:00"
BAD = "R2,api-test,Rejectedperson,Rhea,1991-03-04,out,GBR,THA,2026-01-10T09:00:00"  # no offset
NAMES = ("Passengerone", "Passengeronne", "Rejectedperson")
LATER = date(2030, 1, 1)  # long after the loads: every copy is past retention


def _load(sessions, settings, tmp_path):
    """A passenger corrected by a later file (an alteration entry with both names) and a
    rejected row carrying another passenger's name."""
    paths = []
    for n, rows in enumerate(([ROW.format(name=NAMES[0])], [ROW.format(name=NAMES[1]), BAD])):
        path = tmp_path / "inbox" / f"travel-{n}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
        paths.append(path)
    results = ingest_files(
        sessions, "travel", paths, settings=settings, actor="system", today=date(2026, 1, 11)
    )
    assert results[1].updated == 1 and results[1].rejected == 1
    return results[1].reject_file


def _copies_of_names(sessions) -> str:
    with transaction(sessions) as s:
        kept = [json.dumps(v.payload) for v in s.scalars(select(AuditEventValues))]
        kept += [json.dumps(e.details) for e in s.scalars(select(AuditEvent))]
        kept += [r.raw for r in s.scalars(select(Reject))]
    return "\n".join(kept)


def test_retention_erases_a_passengers_names_from_audit_values_and_rejects(
    sessions, db_url, tmp_path
):
    settings = Settings(database=DatabaseSettings(url=db_url), data_dir=tmp_path / "data")
    reject_file = _load(sessions, settings, tmp_path)
    assert NAMES[2] in reject_file.read_text(encoding="utf-8")
    copies = _copies_of_names(sessions)
    assert all(name in copies for name in NAMES)

    with transaction(sessions) as s:
        travel = erase_unmatched_travel(s, LATER, days=30)
        rejects = erase_old_rejects(s, settings.rejects_dir, LATER, days=30)
    assert (travel.erased, travel.audit_values_erased) == (1, 1)
    assert (rejects.rows, rejects.files) == (1, 1)
    assert not reject_file.exists()
    assert not any(name in _copies_of_names(sessions) for name in NAMES)
    with transaction(sessions) as s:
        assert verify_chain(s).intact
        [alteration] = s.scalars(select(AuditEvent).filter_by(action="alteration")).all()
        assert "family_name" in alteration.details["changed"]  # which field, not its values
        erasures = s.scalars(
            select(AuditEvent).filter_by(action="erasure").order_by(AuditEvent.id)
        ).all()
        assert [e.object_type for e in erasures] == ["travel_records", "rejects"]
        assert erasures[0].details["audit_values_erased"] == 1
        assert erasures[0].details["erased_values"] == [[alteration.id, alteration.id]]
        assert erasures[1].details == {"rows": 1, "files": 1, "cutoff": "2029-12-02"}


def test_recent_rejects_are_kept(sessions, db_url, tmp_path):
    settings = Settings(database=DatabaseSettings(url=db_url), data_dir=tmp_path / "data")
    reject_file = _load(sessions, settings, tmp_path)
    with transaction(sessions) as s:
        outcome = erase_old_rejects(s, settings.rejects_dir, date.today(), days=30)
    assert (outcome.rows, outcome.files) == (0, 0)
    assert reject_file.exists()
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(Reject)) == 1
