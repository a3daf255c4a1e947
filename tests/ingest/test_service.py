"""Loading files into the database: keyed upserts, rejects, refusals, audit, on both backends."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import inspect, select

from tracker.audit import verify_chain
from tracker.db import transaction
from tracker.ingest import IngestError, exit_code, ingest_files, ingest_inbox
from tracker.ingest import bulk as bulk_module
from tracker.ingest.results import FileResult
from tracker.models import (
    Alias,
    AuditEvent,
    AuditEventValues,
    Document,
    Notification,
    Offender,
    Reject,
    SourceFile,
    TravelRecord,
)

from .conftest import OFFENDER_HEADER, TRAVEL_HEADER

TODAY = date(2026, 11, 23)
OFFENDERS = (
    OFFENDER_HEADER
    + "\n"
    + "\n".join(
        [
            "VR-1,O'Brien,Mary Ann,1980-01-31,2020-05-01,P10Y,Kent Police",
            "VR-2,王,小明,1975-06-01,2019-01-01,indefinite,Met",
            'VR-3,"Smith, Jr",Robert\'); DROP TABLE offenders;--,1970-05-05,2019-01-01,P5Y,Met',
        ]
    )
    + "\n"
)


def load(sessions, settings, kind, *paths, **options):
    options.setdefault("today", TODAY)
    return ingest_files(sessions, kind, list(paths), settings=settings, actor="system", **options)


def rows_of(sessions, model, *columns, order=None):
    with transaction(sessions) as s:
        query = select(*(getattr(model, c) for c in columns))
        return s.execute(query.order_by(order if order is not None else model.id)).all()


def events(sessions, action):
    with transaction(sessions) as s:
        return s.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()


def changes_of(sessions, alteration):
    """An alteration's old and new values, kept beside the chain (the chain names the fields)."""
    with transaction(sessions) as s:
        changes = s.get(AuditEventValues, alteration.id).payload["changes"]
    assert alteration.details["changed"] == sorted(changes)
    return changes


def assert_counts_add_up(result: FileResult):
    assert result.read == result.loaded + result.rejected


# --- offenders ---------------------------------------------------------------------------------


def test_offenders_load_with_text_exactly_as_given(sessions, settings, write_file):
    [result] = load(sessions, settings, "offenders", write_file("offenders.csv", OFFENDERS))
    assert (result.read, result.new, result.rejected, result.refused) == (3, 3, 0, None)
    rows = rows_of(
        sessions,
        Offender,
        "offender_id",
        "family_name",
        "given_names",
        "notification_period",
    )
    assert [tuple(r) for r in rows] == [
        ("VR-1", "O'Brien", "Mary Ann", "P10Y"),
        ("VR-2", "王", "小明", "indefinite"),
        ("VR-3", "Smith, Jr", "Robert'); DROP TABLE offenders;--", "P5Y"),
    ]


def test_a_file_is_recorded_with_its_counts_and_a_collection_entry(sessions, settings, write_file):
    path = write_file("offenders.csv", OFFENDERS)
    [result] = load(sessions, settings, "offenders", path)
    with transaction(sessions) as s:
        source = s.get(SourceFile, result.source_file_id)
        assert (source.name, source.kind, source.format) == ("offenders.csv", "offenders", "csv")
        assert (source.rows_read, source.rows_loaded, source.rows_rejected) == (3, 3, 0)
        assert len(source.sha256) == 64 and source.size_bytes == path.stat().st_size
        [offender] = s.scalars(select(Offender).where(Offender.offender_id == "VR-1")).all()
        assert offender.source_file_id == source.id
    [collection] = events(sessions, "collection")
    assert collection.object_id == str(result.source_file_id)
    assert collection.details["read"] == 3 and collection.details["sha256"] == source.sha256


def test_loading_the_same_file_twice_changes_nothing(sessions, settings, write_file):
    path = write_file("offenders.csv", OFFENDERS)
    load(sessions, settings, "offenders", path)
    before = rows_of(sessions, Offender, "offender_id", "public_id", "updated_at", "source_file_id")
    [again] = load(sessions, settings, "offenders", path)
    assert (again.read, again.new, again.updated, again.unchanged) == (3, 0, 0, 3)
    assert (
        rows_of(sessions, Offender, "offender_id", "public_id", "updated_at", "source_file_id")
        == before
    )
    assert events(sessions, "alteration") == []


def test_a_changed_row_in_a_later_file_updates_and_is_audited(sessions, settings, write_file):
    load(sessions, settings, "offenders", write_file("offenders.csv", OFFENDERS))
    [public_id] = rows_of(sessions, Offender, "public_id", order=Offender.offender_id)[0]
    later = write_file(
        "offenders-2.csv",
        OFFENDER_HEADER + ",status,wanted_since\n"
        "VR-1,O'Brien,Mary Ann,1980-01-31,2020-05-01,indefinite,Kent Police,"
        "wanted,2026-11-01\n",
    )
    [result] = load(sessions, settings, "offenders", later)
    assert (result.new, result.updated, result.unchanged) == (0, 1, 0)
    with transaction(sessions) as s:
        offender = s.scalars(select(Offender).where(Offender.offender_id == "VR-1")).one()
        assert (offender.status, offender.notification_period) == ("wanted", "indefinite")
        assert offender.wanted_since == date(2026, 11, 1)
        assert offender.public_id == public_id  # never changes once given
        assert offender.source_file_id == result.source_file_id
    [alteration] = events(sessions, "alteration")
    assert (alteration.object_type, alteration.object_id) == ("offender", "VR-1")
    assert changes_of(sessions, alteration) == {
        "notification_period": {"old": "P10Y", "new": "indefinite"},
        "status": {"old": "active", "new": "wanted"},
        "wanted_since": {"old": None, "new": "2026-11-01"},
    }
    assert alteration.details["line"] == 2


def test_a_duplicate_key_in_one_file_means_the_last_row_wins(sessions, settings, write_file):
    text = (
        OFFENDER_HEADER
        + "\n"
        + "\n".join(
            [
                "VR-1,Smith,John,1980-01-31,2020-05-01,P10Y,Kent",
                "VR-2,Jones,Ann,1981-01-31,2020-05-01,P10Y,Kent",
                "VR-1,Smith,John,1980-01-31,2020-05-01,P7Y,Kent",
                "VR-2,Jones,Ann,1981-01-31,2020-05-01,P10Y,Kent",
            ]
        )
        + "\n"
    )
    [result] = load(
        sessions, settings, "offenders", write_file("offenders.csv", text), chunk_rows=2
    )
    assert (result.read, result.new, result.updated, result.unchanged) == (4, 2, 1, 1)
    assert rows_of(sessions, Offender, "offender_id", "notification_period") == [
        ("VR-1", "P7Y"),
        ("VR-2", "P10Y"),
    ]
    [alteration] = events(sessions, "alteration")
    assert changes_of(sessions, alteration) == {
        "notification_period": {"old": "P10Y", "new": "P7Y"}
    }


def test_a_duplicate_key_within_one_chunk_is_merged_before_writing(sessions, settings, write_file):
    text = (
        OFFENDER_HEADER + "\nVR-1,Smith,John,1980-01-31,2020-05-01,P10Y,Kent\n"
        "VR-1,Smyth,John,1980-01-31,2020-05-01,P10Y,Kent\n"
    )
    [result] = load(sessions, settings, "offenders", write_file("offenders.csv", text))
    assert (result.new, result.updated) == (1, 1)
    assert rows_of(sessions, Offender, "family_name") == [("Smyth",)]


# --- rejects -----------------------------------------------------------------------------------


def test_rejected_rows_go_whole_to_the_reject_file_and_the_rejects_table(
    sessions, settings, write_file
):
    text = (
        OFFENDER_HEADER
        + ",sex\n"
        + "\n".join(
            [
                "VR-1,Smith,John,1980-01-31,2020-05-01,P10Y,Kent,M",
                'VR-2,"Jones, ""Ann""",Ann,1985-13-01,2020-05-01,P10Y,Kent,F',
                "VR-3,Brown,Bob,1980-01-31,2020-05-01,ten years,Kent,Q",
                "VR-4,Short,Row",
            ]
        )
        + "\n"
    )
    [result] = load(sessions, settings, "offenders", write_file("offenders.csv", text))
    assert (result.read, result.loaded, result.rejected) == (4, 1, 3)
    assert_counts_add_up(result)
    expected_path = (
        settings.rejects_dir / f"load-{result.source_file_id}" / "offenders.csv.rejects.csv"
    )
    assert result.reject_file == expected_path
    with open(expected_path, encoding="utf-8", newline="") as handle:
        written = list(csv.reader(handle))
    assert written == [
        ["source_file", "line", "column", "reason", "raw"],
        [
            "offenders.csv",
            "3",
            "date_of_birth",
            "date_of_birth: '1985-13-01' is not a date (expected YYYY-MM-DD)",
            'VR-2,"Jones, ""Ann""",Ann,1985-13-01,2020-05-01,P10Y,Kent,F',
        ],
        [
            "offenders.csv",
            "4",
            "sex, notification_period",
            "sex: 'Q' is not one of M, F, X; notification_period: 'ten years' is not a "
            "notification period (expected indefinite or an ISO 8601 period in years and months, "
            "e.g. P10Y or P2Y6M)",
            "VR-3,Brown,Bob,1980-01-31,2020-05-01,ten years,Kent,Q",
        ],
        ["offenders.csv", "5", "", "has 3 cells but the header row has 8", "VR-4,Short,Row"],
    ]
    table = rows_of(sessions, Reject, "source_file_id", "line", "column", "raw")
    assert [tuple(r) for r in table] == [
        (result.source_file_id, 3, "date_of_birth", written[1][4]),
        (result.source_file_id, 4, "sex, notification_period", written[2][4]),
        (result.source_file_id, 5, None, "VR-4,Short,Row"),
    ]
    with transaction(sessions) as s:
        assert s.get(SourceFile, result.source_file_id).reject_file == str(expected_path)


def test_a_rejected_row_that_looks_like_a_formula_is_marked_in_the_reject_file(
    sessions, settings, write_file
):
    row = '=HYPERLINK("http://example.invalid"),Smith,John,1980-13-31,2020-05-01,P10Y,Kent'
    [result] = load(
        sessions,
        settings,
        "offenders",
        write_file("offenders.csv", OFFENDER_HEADER + "\n" + row + "\n"),
    )
    assert result.rejected == 1
    with open(result.reject_file, encoding="utf-8", newline="") as handle:
        written = list(csv.reader(handle))
    assert written[1][4] == "'" + row  # opening the file in a spreadsheet runs nothing
    assert [r.raw for r in rows_of(sessions, Reject, "raw")] == [row]  # the table keeps it as sent


def test_no_reject_file_is_written_when_nothing_is_rejected(sessions, settings, write_file):
    [result] = load(sessions, settings, "offenders", write_file("offenders.csv", OFFENDERS))
    assert result.reject_file is None
    assert not settings.rejects_dir.exists()


def test_a_nightly_run_keeps_its_rejects_together(sessions, settings, write_file):
    from tracker.models import Run

    with transaction(sessions) as s:
        run = Run(kind="nightly", as_of=TODAY)
        s.add(run)
        s.flush()
        run_id = run.id
    bad = write_file("offenders.csv", OFFENDER_HEADER + "\nVR-1,A,B,x,2020-01-01,P5Y,K\n")
    [result] = load(sessions, settings, "offenders", bad, run_id=run_id)
    folder = settings.rejects_dir / f"run-{run_id}"
    assert result.reject_file == folder / "offenders.csv.rejects.csv"


# --- refusals ----------------------------------------------------------------------------------


def latin1_offenders(write_file, good_rows: int):
    """An offenders file that is UTF-8 until its last row, written in Latin-1."""
    good = "".join(f"VR-{i},Smith,John,1980-01-31,2020-05-01,P10Y,Kent\n" for i in range(good_rows))
    return write_file(
        "offenders.csv",
        OFFENDER_HEADER + "\n" + good + "VR-9,Müller,J,1980-01-01,2020-01-01,P5Y,Kent\n",
        "latin-1",
    )


def test_a_file_that_cannot_be_read_is_refused_whole_and_nothing_of_it_stays(
    sessions, settings, write_file
):
    path = latin1_offenders(write_file, 5)
    [result] = load(sessions, settings, "offenders", path, chunk_rows=2)
    assert result.refused.startswith("is not UTF-8 text: byte 0xFC")
    assert (result.read, result.loaded, result.rejected, result.reject_file) == (0, 0, 0, None)
    assert result.summary() == f"{path}: refused, nothing loaded: {result.refused}"
    assert rows_of(sessions, Offender, "offender_id") == []
    with transaction(sessions) as s:
        source = s.get(SourceFile, result.source_file_id)
        assert source.error == result.refused and source.rows_loaded == 0
    assert not any(settings.data_dir.rglob("*.partial"))
    [collection] = events(sessions, "collection")
    assert collection.details["refused"] == result.refused


@pytest.mark.parametrize(
    ("name", "kind", "message"),
    [
        ("missing.csv", "offenders", "missing.csv: no such file"),
        (
            "offenders.txt",
            "offenders",
            "offenders.txt: unknown format .txt; expected .csv, .jsonl, or .edi/.paxlst/.pnr "
            "for travel",
        ),
        (
            "flight.paxlst",
            "offenders",
            "flight.paxlst: PAXLST files hold travel records, not offenders",
        ),
    ],
)
def test_files_that_cannot_be_loaded_at_all_stop_the_load_before_it_starts(
    sessions, settings, write_file, tmp_path, name, kind, message
):
    good = write_file("offenders.csv", OFFENDERS)
    if name != "missing.csv":
        write_file(name, "x")
    with pytest.raises(IngestError) as refused:
        load(sessions, settings, kind, good, tmp_path / "inbox" / name)
    assert message in str(refused.value) and str(refused.value).endswith("nothing was loaded")
    assert rows_of(sessions, Offender, "offender_id") == []


def test_a_folder_is_not_a_file(sessions, settings, tmp_path):
    with pytest.raises(IngestError, match="is a folder, not a file"):
        load(sessions, settings, "offenders", tmp_path)


# --- the other kinds ---------------------------------------------------------------------------


@pytest.fixture
def register(sessions, settings, write_file):
    load(sessions, settings, "offenders", write_file("offenders.csv", OFFENDERS))


def test_notifications_need_their_offender_on_the_register(
    sessions, settings, write_file, register
):
    text = (
        "notification_id,offender_id,kind,notified_on,effective_on,departure_date,"
        "destination_countries\n"
        "N-1,VR-1,initial,2020-05-02,2020-05-01,,\n"
        "N-2,VR-404,periodic,2021-05-01,,,\n"
        "N-3,VR-2,foreign_travel,2026-03-01T09:15:00+01:00,,2026-03-10,THA|VNM\n"
        "N-4,VR-2,foreign_travel,2026-03-01,,,\n"
    )
    [result] = load(sessions, settings, "notifications", write_file("notifications.csv", text))
    assert (result.read, result.loaded, result.rejected) == (4, 2, 2)
    rows = rows_of(
        sessions,
        Notification,
        "notification_id",
        "notified_on",
        "notified_at",
        "destination_countries",
    )
    assert [tuple(r) for r in rows] == [
        ("N-1", date(2020, 5, 2), None, None),
        ("N-3", date(2026, 3, 1), datetime(2026, 3, 1, 8, 15, tzinfo=UTC), "THA|VNM"),
    ]
    with transaction(sessions) as s:
        reasons = s.scalars(select(Reject.reason).order_by(Reject.line)).all()
    assert reasons == [
        "offender_id: 'VR-404' is not in the register (load it with the offenders file first)",
        "departure_date: required for a foreign_travel notification",
    ]


def test_a_notification_moved_to_another_offender_is_an_update(
    sessions, settings, write_file, register
):
    header = "notification_id,offender_id,kind,notified_on\n"
    load(
        sessions,
        settings,
        "notifications",
        write_file("n1.csv", header + "N-1,VR-1,weekly,2026-01-01\n"),
    )
    [result] = load(
        sessions,
        settings,
        "notifications",
        write_file("n2.csv", header + "N-1,VR-2,weekly,2026-01-01\n"),
    )
    assert result.updated == 1
    [alteration] = events(sessions, "alteration")
    assert changes_of(sessions, alteration) == {"offender_id": {"old": "VR-1", "new": "VR-2"}}


def test_aliases_and_documents_are_keyed_as_the_contract_says(
    sessions, settings, write_file, register
):
    aliases = (
        "offender_id,family_name,given_names,kind\nVR-1,Murphy,Mary,previous_name\n"
        "VR-1,Murphy,Mary,alias\nVR-2,Wong,Siu Ming,transliteration\n"
    )
    [a] = load(sessions, settings, "aliases", write_file("aliases.csv", aliases))
    assert (a.new, a.updated) == (2, 1)
    assert rows_of(sessions, Alias, "family_name", "kind") == [
        ("Murphy", "alias"),
        ("Wong", "transliteration"),
    ]
    documents = (
        "offender_id,doc_type,doc_number,issuing_country,expires_on\n"
        "VR-1,P,ab-12 34<<,GBR,2030-01-01\nVR-2,P,AB-12 34<<,D,\n"
        "VR-3,P,ab-12 34<<,GBR,2031-01-01\n"
    )
    [d] = load(sessions, settings, "documents", write_file("documents.csv", documents))
    assert (d.new, d.updated) == (2, 1)
    rows = rows_of(sessions, Document, "doc_number", "issuing_country", "expires_on")
    assert sorted(tuple(r) for r in rows) == [
        ("AB-12 34<<", "D", None),
        ("ab-12 34<<", "GBR", date(2031, 1, 1)),
    ]
    [_, moved] = events(sessions, "alteration")
    assert moved.object_id == "P|ab-12 34<<|GBR"
    assert changes_of(sessions, moved) == {
        "offender_id": {"old": "VR-1", "new": "VR-3"},
        "expires_on": {"old": "2030-01-01", "new": "2031-01-01"},
    }


# --- travel ------------------------------------------------------------------------------------

TRAVEL_ROWS = [
    "LHR1,api-lhr,SMITH,JOHN,1985-04-12,M,GBR,P,123 456-789,GBR,out,LHR,BKK,GBR,THA,"
    "2026-03-01T23:40:00-05:00,BA,BA9",
    "LHR2,api-lhr,NGUYỄN,VĂN AN,,U,VNM,,,,in,SGN,LHR,VNM,GBR,2026-03-02T01:10:00+07:00,,",
]


def test_travel_records_keep_the_instant_and_the_local_departure_date(
    sessions, settings, write_file
):
    path = write_file("travel.csv", TRAVEL_HEADER + "\n" + "\n".join(TRAVEL_ROWS) + "\n")
    [result] = load(sessions, settings, "travel", path)
    assert (result.new, result.rejected) == (2, 0)
    rows = rows_of(
        sessions,
        TravelRecord,
        "record_id",
        "departure_time",
        "departure_local_date",
    )
    assert [tuple(r) for r in rows] == [
        ("LHR1", datetime(2026, 3, 2, 4, 40, tzinfo=UTC), date(2026, 3, 1)),
        ("LHR2", datetime(2026, 3, 1, 18, 10, tzinfo=UTC), date(2026, 3, 2)),
    ]


def test_transit_crew_and_a_booking_reference_load_as_the_contract_adds_them(
    sessions, settings, write_file
):
    header = TRAVEL_HEADER + ",traveller_kind,booking_ref"
    row = (
        "JFK1,api-jfk,SMITH,JOHN,1985-04-12,M,USA,P,123,USA,transit,JFK,CDG,USA,FRA,"
        "2026-03-01T23:40:00-05:00,AF,AF9,crew,ABC123"
    )
    [result] = load(sessions, settings, "travel", write_file("travel.csv", f"{header}\n{row}\n"))
    assert (result.new, result.rejected) == (1, 0)
    assert rows_of(sessions, TravelRecord, "direction", "traveller_kind", "booking_ref") == [
        ("transit", "crew", "ABC123")
    ]


def test_travel_from_json_lines_matches_travel_from_csv(sessions, settings, write_file):
    line = (
        '{"record_id": "J1", "source": "api-man", "family_name": "KHAN", "direction": "out",'
        ' "departure_country": "GBR", "arrival_country": "PAK", "extra": 1,'
        ' "departure_time": "2026-03-01T06:40:00Z", "date_of_birth": null}\n'
    )
    [result] = load(sessions, settings, "travel", write_file("travel-extra.jsonl", line * 2))
    assert (result.read, result.new, result.unchanged) == (2, 1, 1)
    assert result.warnings == ["ignored unknown column(s): extra"]


def test_a_hostile_json_number_rejects_its_row_and_the_file_loads(sessions, settings, write_file):
    good = (
        '{"record_id": "J1", "source": "api-man", "family_name": "KHAN", "direction": "out",'
        ' "departure_country": "GBR", "arrival_country": "PAK",'
        ' "departure_time": "2026-03-01T06:40:00Z"}\n'
    )
    hostile = [
        good.replace('"KHAN"', value).replace("J1", f"J{i}")
        for i, value in enumerate(["1" * 4301, "NaN", "1e99999"], start=2)
    ]
    path = write_file("travel-extra.jsonl", good + "".join(hostile))
    [result] = load(sessions, settings, "travel", path)
    assert (result.read, result.new, result.rejected) == (4, 1, 3)
    with transaction(sessions) as s:
        assert list(s.scalars(select(TravelRecord.family_name))) == ["KHAN"]


def test_a_name_over_the_contracts_limit_rejects_its_row_alone(sessions, settings, write_file):
    rows = [row.split(",") for row in TRAVEL_ROWS]
    rows[0][TRAVEL_HEADER.split(",").index("family_name")] = "N" * 10_000_000
    text = TRAVEL_HEADER + "\n" + "\n".join(",".join(row) for row in rows) + "\n"
    [result] = load(sessions, settings, "travel", write_file("travel.csv", text))
    assert (result.read, result.new, result.rejected) == (2, 1, 1)
    reason = next(csv.DictReader(result.reject_file.open(encoding="utf-8")))["reason"]
    assert reason.endswith("is longer than 200 characters, the contract's limit for names")


def test_a_json_number_or_boolean_where_text_is_expected_rejects_its_row(
    sessions, settings, write_file
):
    good = (
        '{"record_id": "J1", "source": "api-man", "family_name": "KHAN", "direction": "out",'
        ' "departure_country": "GBR", "arrival_country": "PAK",'
        ' "departure_time": "2026-03-01T06:40:00Z"}\n'
    )
    lines = [
        good,
        good.replace('"KHAN"', "12345").replace("J1", "J2"),
        good.replace('"KHAN"', "true").replace("J1", "J3"),
        good.replace('"api-man"', "7").replace("J1", "J4"),
    ]
    [result] = load(sessions, settings, "travel", write_file("travel-x.jsonl", "".join(lines)))
    assert (result.read, result.new, result.rejected) == (4, 1, 3)
    reasons = [row["reason"] for row in csv.DictReader(result.reject_file.open(encoding="utf-8"))]
    assert reasons[0] == "family_name: is a JSON number or true/false where text is expected"
    # where the contract takes a number or a yes/no, JSON's own number and boolean are the value
    offender = (
        '{"offender_id": "VR-7", "family_name": "Ng", "given_names": "Li",'
        ' "date_of_birth": "1980-01-01", "requirement_start": "2020-05-01",'
        ' "notification_period": "P10Y", "managing_force": "Kent Police",'
        ' "fixed_abode": false, "height_cm": 180}\n'
    )
    [loaded] = load(sessions, settings, "offenders", write_file("offenders.jsonl", offender))
    assert (loaded.new, loaded.rejected) == (1, 0), loaded.summary()


def test_travel_from_paxlst_loads_and_rejects_a_bad_passenger_alone(
    sessions, settings, write_file, build_paxlst
):
    b = build_paxlst
    text = b.interchange(
        [
            b.message(
                [
                    b.passenger("SMITH", "JOHN"),
                    b.passenger("DOE", "JANE", nationality="XXX"),
                    b.passenger("ROE", "RICHARD"),
                ]
            )
        ]
    )
    [result] = load(sessions, settings, "travel", write_file("flight.edi", text))
    assert (result.read, result.loaded, result.rejected) == (3, 2, 1)
    assert rows_of(sessions, TravelRecord, "source", "record_id", "direction") == [
        ("paxlst-apiba", "000123-1-0001", "out"),
        ("paxlst-apiba", "000123-1-0003", "out"),
    ]
    with transaction(sessions) as s:
        [reject] = s.scalars(select(Reject)).all()
    assert (reject.line, reject.column) == (18, "nationality (NAT+2)")
    assert reject.reason == "nationality (NAT+2): 'XXX' is not an ISO 3166-1 alpha-3 country code"
    assert reject.raw.startswith("NAD+FL+++DOE:JANE'")


def test_a_paxlst_trailer_that_disagrees_loads_every_passenger_and_says_so(
    sessions, settings, write_file, build_paxlst
):
    b = build_paxlst
    text = b.interchange([b.message([b.passenger("SMITH"), b.passenger("ROE")])])
    text = text.replace("CNT+42:2", "CNT+42:206")
    [result] = load(sessions, settings, "travel", write_file("flight.edi", text))
    assert (result.read, result.loaded, result.rejected) == (2, 2, 0)
    assert result.warnings == [
        "message 1: CNT+42 says 206 travellers but 2 follow; loaded all the same"
    ]


def test_a_truncated_paxlst_file_counts_its_lost_passengers_as_rejected(
    sessions, settings, write_file, build_paxlst
):
    b = build_paxlst
    text = b.interchange([b.message([b.passenger("A"), b.passenger("B"), b.passenger("C")])])
    cut = text[: text.index("NAD+FL+++C") + 9]
    [result] = load(sessions, settings, "travel", write_file("flight.paxlst", cut))
    assert (result.read, result.loaded, result.rejected) == (3, 0, 3)
    assert exit_code([result]) == 1
    # the reject file agrees with the summary: one row per lost passenger (issue 18, habit 7)
    rejected = list(csv.DictReader(result.reject_file.open(encoding="utf-8")))
    assert len(rejected) == 3
    assert [row["raw"][:10] for row in rejected] == ["NAD+FL+++A", "NAD+FL+++B", "NAD+FL+++"]


def test_a_file_in_many_chunks_loads_like_one_and_reloads_unchanged(sessions, settings, write_file):
    rows = [
        f"R{i},api-lhr,SMITH,JOHN,1985-04-12,M,GBR,P,{i:09d},GBR,out,LHR,BKK,GBR,THA,"
        f"2026-03-01T10:40:00+01:00,BA,BA9"
        for i in range(250)
    ]
    rows[100] = rows[100].replace(",out,", ",sideways,")
    path = write_file("travel.csv", TRAVEL_HEADER + "\n" + "\n".join(rows) + "\n")
    [result] = load(sessions, settings, "travel", path, chunk_rows=40)
    assert (result.read, result.loaded, result.rejected) == (250, 249, 1)
    assert len(rows_of(sessions, TravelRecord, "id")) == 249
    [again] = load(sessions, settings, "travel", path, chunk_rows=40)
    assert (again.unchanged, again.rejected) == (249, 1)


def test_a_big_sqlite_load_rebuilds_the_secondary_indexes_it_set_aside(
    sessions, settings, write_file, engine, monkeypatch
):
    monkeypatch.setattr(bulk_module, "BULK_INDEX_THRESHOLD_ROWS", 0)
    before = {ix["name"] for ix in inspect(engine).get_indexes("offenders")}
    assert len(before) > 1  # secondary indexes beside the key's
    [result] = load(sessions, settings, "offenders", write_file("offenders.csv", OFFENDERS))
    assert result.new == 3
    assert {ix["name"] for ix in inspect(engine).get_indexes("offenders")} == before


# --- big files: read and checked in a second process -----------------------------------------


def notification_lines(count, offenders=("VR-1", "VR-2", "VR-3")):
    return [
        f"N-{i},{offenders[i % len(offenders)]},periodic,2026-0{1 + i % 9}-0{1 + i % 7}"
        for i in range(count)
    ]


def test_a_big_file_loads_the_same_whether_checked_here_or_in_a_second_process(
    sessions, settings, write_file, register, monkeypatch
):
    """Duplicates within a chunk and across chunks, keys stored before, rows only the model
    judges and rejects: the forked reader must give exactly the in-process outcome."""
    from tracker.ingest import load as load_module

    header = "notification_id,offender_id,kind,notified_on\n"
    first = write_file("first.csv", header + "\n".join(notification_lines(30)) + "\n")
    lines = notification_lines(300)
    lines[5] = lines[6]  # the same key twice in one chunk
    lines[250] = lines[20].rsplit(",", 1)[0] + ",2026-09-09"  # changed, chunks later
    lines[7] = "N-7,VR-404,periodic,2026-01-01"  # not on the register
    lines[8] = "N-8,VR-1,periodic,not a date"
    lines[9] = "N-9,VR-1,periodic,2026-02-01,extra"  # a cell too many
    lines[40] = "N-40,VR-2,foreign_travel,2026-03-01"  # needs a departure date
    second = write_file("second.csv", header + "\n".join(lines) + "\n")

    def outcome(in_child: bool):
        monkeypatch.setattr(load_module, "can_fork", lambda: in_child)
        used = []
        real = load_module.run_in_child
        monkeypatch.setattr(load_module, "run_in_child", lambda *a: used.append(1) or real(*a))
        results = [
            load(sessions, settings, "notifications", path, chunk_rows=16)[0]
            for path in (first, second, second)
        ]
        assert bool(used) == in_child
        counts = [(r.read, r.new, r.updated, r.unchanged, r.rejected) for r in results]
        stored = rows_of(
            sessions,
            Notification,
            "notification_id",
            "offender_pk",
            "kind",
            "notified_on",
            order=Notification.notification_id,
        )
        with transaction(sessions) as s:
            rejects = s.execute(select(Reject.line, Reject.reason).order_by(Reject.id)).all()
            s.execute(Notification.__table__.delete())
            s.execute(Reject.__table__.delete())
        return counts, [tuple(r) for r in stored], [tuple(r) for r in rejects]

    here, there = outcome(False), outcome(True)
    assert there == here
    counts, stored, rejects = there
    assert counts[1:] == [(300, 268, 1, 27, 4), (300, 0, 2, 294, 4)]  # N-20 flips twice
    assert len(rejects) == 8


def test_settling_keeps_rows_that_share_a_line_in_file_order(sessions):
    """A one-line PAXLST interchange puts every passenger on line 1: of two rows with one key
    the later must still win, whatever order a set would give their positions (1 and 8)."""
    from tracker.ingest.columnar import PreparedCells
    from tracker.ingest.kinds import KINDS
    from tracker.ingest.upsert import Upserter

    ids = [f"R{i}" for i in range(10)]
    ids[8] = "R1"
    prepared = PreparedCells(
        lines=[1] * 10,
        columns={
            "source": ["paxlst-APIBA"] * 10,
            "record_id": ids,
            "family_name": [f"F{i}" for i in range(10)],
        },
    )
    with transaction(sessions) as s:
        upserter = Upserter(s, KINDS["travel"], actor="system", run_id=None)
        settled = upserter.settle(prepared, set())
    assert [record["family_name"] for _, record in settled.checked] == ["F1", "F8"]
    assert len(settled.rows) == 8


def test_a_big_file_that_turns_out_unreadable_in_the_second_process_is_refused_whole(
    sessions, settings, write_file
):
    path = latin1_offenders(write_file, 400)  # 20 chunks: read in the second process
    [result] = load(sessions, settings, "offenders", path, chunk_rows=20)
    assert result.refused.startswith("is not UTF-8 text: byte 0xFC")
    assert rows_of(sessions, Offender, "offender_id") == []


# --- many small files ------------------------------------------------------------------------


def flight_list(build_paxlst, control, *families, nationality="GBR"):
    b = build_paxlst
    passengers = [b.passenger(family, nationality=nationality) for family in families]
    return b.interchange([b.message(passengers)], control=control)


def test_small_files_load_together_yet_each_keeps_its_record_counts_and_entry(
    sessions, settings, write_file, build_paxlst
):
    paths = [
        write_file("a.edi", flight_list(build_paxlst, "000001", "ADAMS", "BAKER")),
        write_file("b.edi", flight_list(build_paxlst, "000002", "CLARK")),
        write_file("c.edi", flight_list(build_paxlst, "000003", "DAVIS", "EVANS", "FOX")),
    ]
    results = load(sessions, settings, "travel", *paths, chunk_rows=2)
    assert [(r.path.name, r.read, r.new, r.rejected) for r in results] == [
        ("a.edi", 2, 2, 0),
        ("b.edi", 1, 1, 0),
        ("c.edi", 3, 3, 0),
    ]
    by_file = dict(rows_of(sessions, SourceFile, "id", "name"))
    stored = rows_of(sessions, TravelRecord, "family_name", "source_file_id")
    assert {(family, by_file[source]) for family, source in stored} == {
        ("ADAMS", "a.edi"),
        ("BAKER", "a.edi"),
        ("CLARK", "b.edi"),
        ("DAVIS", "c.edi"),
        ("EVANS", "c.edi"),
        ("FOX", "c.edi"),
    }
    collections = events(sessions, "collection")
    assert [(e.details["file"], e.details["read"], e.details["new"]) for e in collections] == [
        ("a.edi", 2, 2),
        ("b.edi", 1, 1),
        ("c.edi", 3, 3),
    ]
    assert [e.object_id for e in collections] == [str(r.source_file_id) for r in results]
    with transaction(sessions) as s:
        assert verify_chain(s).intact


def test_a_small_file_that_cannot_be_read_is_refused_alone_while_its_neighbours_load(
    sessions, settings, write_file, build_paxlst
):
    good = write_file("a.edi", flight_list(build_paxlst, "000001", "ADAMS"))
    # No UNB header: not an interchange at all. (A stray byte no longer refuses a file: it is
    # read through the fallback character set, see test_paxlst.)
    bad = write_file(
        "b.edi", flight_list(build_paxlst, "000002", "MULLER", "NEVER").split("UNH+", 1)[1]
    )
    later = write_file("c.edi", flight_list(build_paxlst, "000003", "CLARK"))
    results = load(sessions, settings, "travel", good, bad, later)
    assert [r.refused is None for r in results] == [True, False, True]
    assert results[1].refused.startswith("is not a UN/EDIFACT interchange")
    assert (results[1].read, results[1].loaded) == (0, 0)
    assert exit_code(results) == 3
    assert sorted(f for (f,) in rows_of(sessions, TravelRecord, "family_name")) == [
        "ADAMS",
        "CLARK",
    ]
    with transaction(sessions) as s:
        refused = s.get(SourceFile, results[1].source_file_id)
        assert (refused.name, refused.error) == ("b.edi", results[1].refused)
    assert [e.details["file"] for e in events(sessions, "collection")] == [
        "b.edi",
        "a.edi",
        "c.edi",
    ]  # the refusal is recorded as it is found; the loaded files' entries follow


def test_each_small_file_has_its_own_rejects(sessions, settings, write_file, build_paxlst):
    paths = [
        write_file("a.edi", flight_list(build_paxlst, "000001", "ADAMS", nationality="XXX")),
        write_file("b.edi", flight_list(build_paxlst, "000002", "BAKER")),
        write_file("c.edi", flight_list(build_paxlst, "000003", "CLARK", nationality="YYY")),
    ]
    results = load(sessions, settings, "travel", *paths, run_id=None)
    assert [(r.loaded, r.rejected) for r in results] == [(0, 1), (1, 0), (0, 1)]
    assert results[1].reject_file is None
    for result, code in ((results[0], "XXX"), (results[2], "YYY")):
        with open(result.reject_file, encoding="utf-8", newline="") as stream:
            [row] = list(csv.DictReader(stream))
        assert row["source_file"] == result.path.name and f"'{code}'" in row["reason"]
    with transaction(sessions) as s:
        sources = sorted(s.scalars(select(Reject.source_file_id)).all())
    assert sources == sorted([results[0].source_file_id, results[2].source_file_id])
    assert not any(settings.data_dir.rglob("*.partial"))


def test_a_record_repeated_in_a_later_small_file_updates_and_names_that_file(
    sessions, settings, write_file
):
    row = TRAVEL_ROWS[0]
    first = write_file("travel-1.csv", TRAVEL_HEADER + "\n" + row + "\n")
    second = write_file(
        "travel-2.csv",
        TRAVEL_HEADER
        + "\n"
        + row.replace(",BA9", ",BA11")
        + "\n"
        + row.replace(",BA9", ",BA11")
        + "\n",
    )
    one, two = load(sessions, settings, "travel", first, second)
    assert (one.new, one.updated, one.unchanged) == (1, 0, 0)
    assert (two.new, two.updated, two.unchanged) == (0, 1, 1)
    assert rows_of(sessions, TravelRecord, "flight_number", "source_file_id") == [
        ("BA11", two.source_file_id)
    ]
    [alteration] = events(sessions, "alteration")
    assert alteration.details["source_file_id"] == two.source_file_id
    assert changes_of(sessions, alteration) == {"flight_number": {"old": "BA9", "new": "BA11"}}


def test_a_failure_while_small_files_load_keeps_none_of_them_and_a_new_load_converges(
    sessions, settings, write_file, build_paxlst, monkeypatch
):
    from tracker.ingest import load as load_module

    paths = [
        write_file("a.edi", flight_list(build_paxlst, "000001", "ADAMS", nationality="XXX")),
        write_file("b.edi", flight_list(build_paxlst, "000002", "BAKER")),
    ]
    real_finish = load_module._Load._finish

    def killed(self, session, upserter):
        raise KeyboardInterrupt  # the operator's Ctrl-C, or the process being stopped

    monkeypatch.setattr(load_module._Load, "_finish", killed)
    with pytest.raises(KeyboardInterrupt):
        load(sessions, settings, "travel", *paths)
    assert rows_of(sessions, TravelRecord, "id") == []
    assert rows_of(sessions, SourceFile, "id") == []
    assert events(sessions, "collection") == []
    assert not any(settings.data_dir.rglob("*.rejects.csv*"))
    monkeypatch.setattr(load_module._Load, "_finish", real_finish)
    results = load(sessions, settings, "travel", *paths)
    assert [(r.loaded, r.rejected) for r in results] == [(0, 1), (1, 0)]


def test_small_files_are_grouped_by_kind_and_size_and_big_ones_load_alone(tmp_path, monkeypatch):
    from tracker.ingest import service

    monkeypatch.setattr(service, "SMALL_FILE_BYTES", 100)
    monkeypatch.setattr(service, "BATCH_BYTES", 250)
    monkeypatch.setattr(service, "BATCH_FILES", 3)

    def file(name, size):
        path = tmp_path / name
        path.write_bytes(b"x" * size)
        return path

    planned = [
        ("offenders", file("o.csv", 10), "csv"),
        ("aliases", file("a1.csv", 10), "csv"),
        ("aliases", file("a2.csv", 10), "csv"),
        ("travel", file("t.csv", 500), "csv"),
        *[("travel", file(f"f{i}.edi", 60), "paxlst") for i in range(6)],
        ("travel", tmp_path / "gone.edi", "paxlst"),
    ]
    names = [[p.name for _, p, _ in batch] for batch in service.batches_of_small_files(planned)]
    assert names == [
        ["o.csv"],
        ["a1.csv", "a2.csv"],
        ["t.csv"],
        ["f0.edi", "f1.edi", "f2.edi"],
        ["f3.edi", "f4.edi", "f5.edi"],
        ["gone.edi"],
    ]


# --- the inbox and the trail ------------------------------------------------------------------


def test_the_inbox_loads_offenders_first_and_ignores_other_files(sessions, settings, write_file):
    write_file("aliases.csv", "offender_id,family_name,given_names\nVR-1,Murphy,Mary\n")
    write_file("offenders.csv", OFFENDERS)
    write_file("truth_links.csv", "x\n")
    write_file("README.txt", "notes")
    results = ingest_inbox(
        sessions,
        write_file("travel.csv", TRAVEL_HEADER + "\n").parent,
        settings=settings,
        actor="system",
        today=TODAY,
    )
    assert [(r.path.name, r.loaded) for r in results] == [
        ("offenders.csv", 3),
        ("aliases.csv", 1),
        ("travel.csv", 0),
    ]


def test_a_symbolic_link_in_the_inbox_is_skipped_unread(sessions, settings, write_file, tmp_path):
    secret = tmp_path / "elsewhere" / "private.csv"
    secret.parent.mkdir()
    secret.write_text("TOP-SECRET-FIRST-LINE\n" + OFFENDERS)
    inbox = write_file("aliases.csv", "offender_id,family_name,given_names\n").parent
    (inbox / "offenders.csv").symlink_to(secret)
    results = ingest_inbox(sessions, inbox, settings=settings, actor="system", today=TODAY)
    skipped = results[0]
    assert skipped.path.name == "offenders.csv" and skipped.loaded == 0
    assert "symbolic link" in skipped.refused and "skipped unread" in skipped.refused
    assert [r.path.name for r in results[1:]] == ["aliases.csv"]
    with transaction(sessions) as s:
        trail = " ".join(str(e.details) for e in s.scalars(select(AuditEvent)))
    assert "TOP-SECRET" not in trail and "private.csv" not in trail


def test_the_audit_trail_stays_intact_through_loads_and_updates(sessions, settings, write_file):
    load(sessions, settings, "offenders", write_file("offenders.csv", OFFENDERS))
    load(sessions, settings, "offenders", write_file("o2.csv", OFFENDERS.replace("P10Y", "P7Y")))
    with transaction(sessions) as s:
        report = verify_chain(s)
    assert report.intact and report.entries == 3


def test_the_acting_user_is_recorded(sessions, settings, write_file):
    ingest_files(
        sessions,
        "offenders",
        [write_file("offenders.csv", OFFENDERS)],
        settings=settings,
        actor="analyst.one",
    )
    [collection] = events(sessions, "collection")
    assert collection.actor == "analyst.one"


@pytest.mark.parametrize(
    ("outcomes", "code"),
    [
        ([(3, 0, None)], 0),
        ([(3, 1, None)], 3),
        ([(0, 2, None)], 1),
        ([(0, 0, "bad")], 1),
        ([(2, 0, None), (0, 0, "bad")], 3),
        ([(0, 0, None)], 0),
        ([], 0),
    ],
)
def test_the_exit_code_follows_the_contract(tmp_path, outcomes, code):
    results = [
        FileResult(
            tmp_path,
            "travel",
            "csv",
            read=loaded + rejected,
            new=loaded,
            rejected=rejected,
            refused=refused,
        )
        for loaded, rejected, refused in outcomes
    ]
    assert exit_code(results) == code
