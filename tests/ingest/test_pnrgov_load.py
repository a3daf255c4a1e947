"""PNRGOV pushes loaded into the database on both backends: the 48 h, 24 h and gate-close
pushes of a booking update one journey; `tracker ingest travel FILE.pnr` and the inbox take
them like any travel file (issue 22)."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner
from sqlalchemy import func, select

from tracker.cli import main
from tracker.db import transaction
from tracker.ingest import ingest_files, ingest_inbox
from tracker.models import Reject, SourceFile, TravelRecord

from . import pnrgov_builder as pnr

TODAY = date(2026, 11, 23)
PASSPORT = "P/GBR/123456789/GBR/12JUL80/M/23JAN30/HAWTHORN/DAVID"
RETURN_LEG = pnr.tvl("101226", "0905", "BKK", "LHR", "BA", "10")


def push(control: str, with_passport: bool, with_second: bool) -> str:
    """One push of booking ABC123 (two legs), and of booking XYZ789 (one traveller)."""
    first = pnr.traveller("HAWTHORN", "DAVIDMR", "1", [PASSPORT] if with_passport else [])
    second = [pnr.traveller("QUILL", "ANNAMRS", "2")] if with_second else []
    bookings = [
        pnr.booking("ABC123", [first, *second], [pnr.tvl(), RETURN_LEG]),
        pnr.booking("XYZ789", [pnr.traveller("MARLOWE", "KITMSTR", "1")]),
    ]
    return pnr.interchange([pnr.message(bookings)], control=control)


def load(sessions, settings, *paths):
    return ingest_files(
        sessions, "travel", list(paths), settings=settings, actor="system", today=TODAY
    )


def test_three_pushes_of_a_booking_update_one_journey(sessions, settings, write_file):
    pushes = [
        write_file("ba9-48h.pnr", push("0048", with_passport=False, with_second=False)),
        write_file("ba9-24h.pnr", push("0024", with_passport=True, with_second=True)),
        write_file("ba9-gate.pnr", push("0000", with_passport=True, with_second=True)),
    ]
    results = [load(sessions, settings, path)[0] for path in pushes]
    assert [(r.read, r.loaded, r.rejected) for r in results] == [(3, 3, 0), (5, 5, 0), (5, 5, 0)]
    assert [(r.new, r.updated, r.unchanged) for r in results] == [(3, 0, 0), (2, 2, 1), (0, 0, 5)]
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(TravelRecord)) == 5
        hawthorn = s.scalars(
            select(TravelRecord)
            .where(TravelRecord.family_name == "HAWTHORN")
            .order_by(TravelRecord.departure_time)
        ).all()
        formats = s.scalars(select(SourceFile.format)).all()
    assert [r.record_id for r in hawthorn] == [
        "ABC123-1-BA9-LHR-20261127",
        "ABC123-1-BA10-BKK-20261210",
    ]
    assert [r.direction for r in hawthorn] == ["out", "in"]
    assert {r.source for r in hawthorn} == {"pnrgov-bapnr"}
    assert {r.booking_ref for r in hawthorn} == {"ABC123"}
    assert {r.date_of_birth for r in hawthorn} == {date(1980, 7, 12)}  # from the 24 h push
    assert set(formats) == {"pnrgov"}


def test_a_group_booking_is_rejected_alone_and_no_contact_detail_is_stored(
    sessions, settings, write_file
):
    bookings = [
        pnr.booking("GRP001", [["TIF+SEETHE WORLD:G:15", *pnr.CONTACT_AND_PAYMENT]]),
        pnr.booking("ABC123", [pnr.traveller()]),
    ]
    text = pnr.interchange([pnr.message(bookings)])
    [result] = load(sessions, settings, write_file("push.pnr", text))
    assert (result.read, result.loaded, result.rejected) == (2, 1, 1)
    with transaction(sessions) as s:
        [reject] = s.scalars(select(Reject)).all()
        stored = [tuple(row) for row in s.execute(select(TravelRecord.__table__)).all()]
    assert reject.raw == "TIF+SEETHE WORLD:G:15'"
    assert "group booking of 15 seats" in reject.reason
    kept = repr(stored) + reject.raw + reject.reason
    # whole values: a fragment such as "4111" may occur in a stored time's microseconds
    for secret in ("7946 0001", "EXAMPLE", "4111111111111111", "SW1A", "1251234567890"):
        assert secret not in kept
    assert result.reject_file is not None
    assert "4111111111111111" not in result.reject_file.read_text(encoding="utf-8")


def test_a_name_over_the_contracts_limit_rejects_that_traveller_naming_it(
    sessions, settings, write_file
):
    travellers = [pnr.traveller("X" * 5000, "JOHNMR", "1"), pnr.traveller("QUILL", "ANNAMRS", "2")]
    text = pnr.interchange([pnr.message([pnr.booking("ABC123", travellers)])])
    [result] = load(sessions, settings, write_file("push.pnr", text))
    assert (result.read, result.loaded, result.rejected) == (2, 1, 1)
    with transaction(sessions) as s:
        [reject] = s.scalars(select(Reject)).all()
    assert reject.column == "family_name (TIF or SSR DOCS)"
    assert "200" in reject.reason


def test_the_inbox_takes_pnr_files_and_pnrgov_sent_as_edi(sessions, settings, write_file):
    write_file("ba9-24h.pnr", push("0024", with_passport=True, with_second=True))
    inbox = write_file("lhr-pnr.edi", push("0000", with_passport=True, with_second=True)).parent
    results = ingest_inbox(sessions, inbox, settings=settings, actor="system", today=TODAY)
    assert [(r.path.name, r.format, r.read, r.rejected) for r in results] == [
        ("ba9-24h.pnr", "pnrgov", 5, 0),
        ("lhr-pnr.edi", "pnrgov", 5, 0),
    ]
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(TravelRecord)) == 5


def test_tracker_ingest_travel_loads_a_pnr_file_end_to_end(
    monkeypatch, db_url, data_dir, write_file
):
    monkeypatch.setenv("TRACKER_DATA_DIR", str(data_dir))
    monkeypatch.delenv("TRACKER_USER", raising=False)
    runner = CliRunner()
    add = ["--db", db_url, "--user", "ada", "users", "add", "ada", "--role", "admin"]
    assert runner.invoke(main, add).exit_code == 0
    path = write_file("ba9-gate.pnr", push("0000", with_passport=True, with_second=True))
    result = runner.invoke(main, ["--db", db_url, "--user", "ada", "ingest", "travel", str(path)])
    assert result.exit_code == 0, result.output
    assert (
        result.stdout == f"{path}: read 5, loaded 5 (new 5, updated 0, unchanged 0), rejected 0\n"
    )
    bookings = [pnr.booking("GRP001", [["TIF+TOUR:G:9"]]), pnr.booking("DEF456", [pnr.traveller()])]
    group = pnr.interchange([pnr.message(bookings)])
    bad = write_file("group.pnr", group)
    result = runner.invoke(main, ["--db", db_url, "--user", "ada", "ingest", "travel", str(bad)])
    assert result.exit_code == 3, result.output
    assert "read 2, loaded 1 (new 1, updated 0, unchanged 0), rejected 1" in result.stdout
