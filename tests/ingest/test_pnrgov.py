"""PNRGOV bookings become travel rows: names as bookings write them, SSR DOCS, legs, the
booking reference, and nothing of the contact or payment details (issue 22)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tracker.ingest.formats import detect_edifact_message_type, known_format
from tracker.ingest.formats.pnrgov import PnrgovReader
from tracker.ingest.formats.pnrgov_docs import document_values
from tracker.ingest.formats.pnrgov_names import booked_name

from . import pnrgov_builder as pnr

TODAY = date(2026, 11, 23)
CORPUS = Path(__file__).resolve().parent.parent / "data" / "pnrgov"
PASSPORT = "P/GBR/123456789/GBR/12JUL80/M/23JAN30/HAWTHORN/DAVID"


def read_rows(path, home_country="GBR"):
    reader = PnrgovReader(path, home_country, TODAY)
    rows = [row for chunk in reader.chunks() for row in chunk]
    return rows, reader


def test_the_guide_example_gives_one_row_per_traveller_per_leg():
    rows, reader = read_rows(CORPUS / "01-guide-example-codeshare.pnr")
    assert reader.warnings == []
    assert [r.problem for r in rows] == [None, None, None]
    first, second, third = (r.values for r in rows)
    assert first == {
        "record_id": "2QX7KP-1-SQ609-ICN-20261127",
        "source": "pnrgov-1a",
        "booking_ref": "2QX7KP",
        "family_name": "HAWTHORN",
        "given_names": "DAVID",
        "sex": "M",
        "date_of_birth": "1972-09-10",
        "nationality": "GBR",
        "doc_type": "P",
        "doc_number": "XA3364288",
        "doc_issuing_country": "GBR",
        "direction": "transit",
        "departure_port": "ICN",
        "arrival_port": "SIN",
        "departure_country": "KOR",
        "arrival_country": "SGP",
        "departure_time": "2026-11-27T16:40:00+09:00",
        "carrier": "SQ",
        "flight_number": "SQ609",
        "traveller_kind": "passenger",
    }
    assert second["given_names"] == "ASTRID MARIE" and second["flight_number"] == "SQ609"
    assert third["record_id"] == "X49V9U-3-SQ322-SIN-20261210"
    assert third["direction"] == "in" and third["departure_time"] == "2026-12-10T09:05:00+08:00"


def test_contact_and_payment_details_are_never_kept(write_file):
    text = pnr.interchange([pnr.message([pnr.booking("ABC123", [pnr.traveller()])])])
    rows, _ = read_rows(write_file("push.pnr", text))
    [row] = rows
    kept = " ".join([row.raw, *map(str, row.values.values())])
    for secret in ("7946", "EXAMPLE", "4111", "SW1A", "GBP", "1251234567890"):
        assert secret not in kept
    assert row.raw.splitlines()[0] == "TIF+HAWTHORN+DAVIDMR:A:1'"


@pytest.mark.parametrize(
    ("family", "given", "expected"),
    [
        ("JONES", "JOHNMR", ("JONES", "JOHN", "M")),
        ("SMITH", "JOHNMRS", ("SMITH", "JOHN", "F")),
        ("SMITH", "ANNMS", ("SMITH", "ANN", "F")),
        ("SMITH", "ANNMISS", ("SMITH", "ANN", "F")),
        ("SMITH", "TOMMSTR", ("SMITH", "TOM", "M")),
        ("SMITH", "JOHNDR", ("SMITH", "JOHN", None)),
        ("SMITH", "JOHNPROF", ("SMITH", "JOHN", None)),
        ("LINDQVIST", "ASTRID MARIE MRS", ("LINDQVIST", "ASTRID MARIE", "F")),
        ("SMITH", "TOMMSTR CHD", ("SMITH", "TOM", "M")),
        ("SMITH", "TOMMSTRCHD", ("SMITH", "TOM", "M")),
        ("RUITER", "MISTY", ("RUITER", "MISTY", None)),
        ("RUITER", "MISTYINF", ("RUITER", "MISTY", None)),
        ("YY", "MOANMISS", ("Y", "MOAN", "F")),
        ("SMITH", "A", ("SMITH", "A", None)),
        ("IVANOV", "ALEKSANDR", ("IVANOV", "ALEKSANDR", None)),
        ("IVANOV", "ALEKSANDRMR", ("IVANOV", "ALEKSANDR", "M")),
        ("HASSAN", "AMR", ("HASSAN", "AMR", None)),
        ("ATUYETMAIVAN", "MISS", ("ATUYETMAIVAN", None, "F")),
        ("NG", "WEIMR", ("NG", "WEI", "M")),
    ],
)
def test_titles_are_stripped_and_doubled_surnames_undoubled(family, given, expected):
    name = booked_name(family, given)
    assert (name.family_name, name.given_names, name.sex) == expected


def test_ssr_docs_gives_the_document_birth_date_sex_and_passport_name():
    assert document_values(PASSPORT, TODAY) == {
        "doc_type": "P",
        "doc_number": "123456789",
        "doc_issuing_country": "GBR",
        "nationality": "GBR",
        "date_of_birth": "1980-07-12",
        "sex": "M",
        "family_name": "HAWTHORN",
        "given_names": "DAVID",
    }
    infant = document_values("/P/KR/JR3364288/KR/10SEP25/FI/05JUL30/PARK/SEO YUN/", TODAY)
    assert infant["doc_issuing_country"] == "KOR" and infant["sex"] == "F"
    assert infant["date_of_birth"] == "2025-09-10"
    card = document_values("I/DEU/L01X00T47/DEU/01JAN1990/F/01JAN2031/BRANDT/KLARA/MARIA", TODAY)
    assert card["doc_type"] == "I" and card["given_names"] == "KLARA MARIA"
    assert card["date_of_birth"] == "1990-01-01"


def test_the_passport_name_wins_and_without_docs_the_birth_date_is_empty(write_file):
    travellers = [
        pnr.traveller("HAWTHORNE", "DAVEMR", "1", [PASSPORT]),
        pnr.traveller("QUILL", "ANNAMRS", "2"),
    ]
    text = pnr.interchange([pnr.message([pnr.booking("ABC123", travellers)])])
    rows, _ = read_rows(write_file("push.pnr", text))
    documented, booked = (r.values for r in rows)
    assert (documented["family_name"], documented["given_names"]) == ("HAWTHORN", "DAVID")
    assert documented["date_of_birth"] == "1980-07-12"
    assert (booked["family_name"], booked["given_names"], booked["sex"]) == ("QUILL", "ANNA", "F")
    assert "date_of_birth" not in booked and "doc_number" not in booked
    assert booked["booking_ref"] == documented["booking_ref"] == "ABC123"


def test_a_docs_birth_date_that_is_no_date_rejects_that_traveller_alone(write_file):
    bad = "P/GBR/123456789/GBR/31FEB80/M/23JAN30/HAWTHORN/DAVID"
    travellers = [pnr.traveller("HAWTHORN", "DAVIDMR", "1", [bad]), pnr.traveller("QUILL")]
    text = pnr.interchange([pnr.message([pnr.booking("ABC123", travellers)])])
    rows, _ = read_rows(write_file("push.pnr", text))
    assert rows[0].problem[0] == "date_of_birth"
    assert "'31FEB80' in SSR DOCS is not a date" in rows[0].problem[1]
    assert "message 1, segment 10 (TIF, line 13)" in rows[0].problem[1]
    assert rows[1].problem is None


def test_a_group_booking_without_names_is_rejected_alone_with_the_reason(write_file):
    group = ["TIF+SEETHE WORLD:G:15"]
    bookings = [pnr.booking("GRP001", [group]), pnr.booking("ABC123", [pnr.traveller()])]
    text = pnr.interchange([pnr.message(bookings)])
    rows, _ = read_rows(write_file("push.pnr", text))
    assert rows[0].values is None and rows[0].raw == "TIF+SEETHE WORLD:G:15'"
    assert rows[0].problem[1] == (
        "message 1, segment 10 (TIF, line 13): 'SEETHE WORLD' is a group booking of 15 "
        "seats (TIF qualifier G) with no individual names; nothing to match"
    )
    assert rows[1].problem is None and rows[1].values["family_name"] == "HAWTHORN"


def test_an_infant_on_an_adults_name_gets_a_row_and_the_infants_docs(write_file):
    adult = [
        "TIF+PARK+JIHOMR:A:1+SEOYUN:IN",
        pnr.docs("/P/KOR/M1234567/KOR/10SEP72/M/05JUL30/PARK/JIHO/"),
        pnr.docs("/P/KOR/M7654321/KOR/10SEP25/FI/05JUL30/PARK/SEO YUN/"),
    ]
    text = pnr.interchange([pnr.message([pnr.booking("ABC123", [adult])])])
    rows, _ = read_rows(write_file("push.pnr", text))
    parent, infant = (r.values for r in rows)
    assert (parent["given_names"], parent["doc_number"]) == ("JIHO", "M1234567")
    assert (infant["given_names"], infant["doc_number"], infant["sex"]) == (
        "SEO YUN",
        "M7654321",
        "F",
    )
    assert infant["record_id"] == "ABC123-1I1-BA9-LHR-20261127"


def test_each_leg_of_the_itinerary_is_a_row_and_open_segments_none(write_file):
    legs = [
        pnr.tvl(),
        "TVL+++++OPEN",
        pnr.tvl("101226", "0905", "BKK", "LHR", "BA", "10"),
    ]
    text = pnr.interchange([pnr.message([pnr.booking("ABC123", [pnr.traveller()], legs)])])
    rows, _ = read_rows(write_file("push.pnr", text))
    assert [(r.values["record_id"], r.values["direction"]) for r in rows] == [
        ("ABC123-1-BA9-LHR-20261127", "out"),
        ("ABC123-1-BA10-BKK-20261210", "in"),
    ]


def test_a_booking_without_itinerary_flies_the_messages_own_flight(write_file):
    text = pnr.interchange([pnr.message([pnr.booking("ABC123", [pnr.traveller()], [])])])
    rows, _ = read_rows(write_file("push.pnr", text))
    assert rows[0].values["flight_number"] == "BA9"
    assert rows[0].values["departure_time"] == "2026-11-27T10:40:00+00:00"


def test_the_pushes_of_one_booking_keep_the_same_record_ids(write_file):
    ids = []
    for hours, name in ((48, "MR"), (24, "MR"), (0, "MR")):
        extra = [pnr.traveller("QUILL", "ANNAMRS", "2")] if hours < 48 else []
        travellers = [pnr.traveller("HAWTHORN", f"DAVID{name}", "1"), *extra]
        text = pnr.interchange(
            [pnr.message([pnr.booking("ABC123", travellers)])], control=f"00{hours:02d}"
        )
        rows, _ = read_rows(write_file(f"push-{hours}.pnr", text))
        ids.append([r.values["record_id"] for r in rows])
    assert ids[0] == ["ABC123-1-BA9-LHR-20261127"]
    assert ids[1] == ids[2] == ["ABC123-1-BA9-LHR-20261127", "ABC123-2-BA9-LHR-20261127"]


def test_control_counts_that_disagree_load_with_warnings(write_file):
    bookings = [pnr.booking("ABC123", [pnr.traveller()])]
    text = pnr.interchange([pnr.message(bookings, eqn=3, unt=99)])
    text = text.replace("UNZ+1+", "UNZ+7+").replace("UNE+1+", "UNE+4+")
    rows, reader = read_rows(write_file("push.pnr", text))
    assert rows[0].problem is None
    assert sorted(reader.warnings) == sorted(
        [
            "message 1: UNT counts 99 segments but the message has 19; loaded all the same",
            "message 1: EQN counts 3 bookings but 1 follow; loaded all the same",
            "UNE counts 4 messages but the group has 1; loaded all the same",
            "UNZ counts 7 groups but the interchange has 1; loaded all the same",
        ]
    )


@pytest.mark.parametrize("shape", ["one_line", "cr", "custom_una", "no_una", "after_unz"])
def test_the_same_booking_reads_the_same_whatever_its_layout(write_file, shape):
    messages = [pnr.message([pnr.booking("ABC123", [pnr.traveller(documents=[PASSPORT])])])]
    plain, _ = read_rows(write_file("plain.pnr", pnr.interchange(messages)))
    text = pnr.interchange(messages, one_line=shape == "one_line", una=shape != "no_una")
    if shape == "cr":
        text = text.replace("\n", "\r")
    if shape == "custom_una":
        text = text.replace("UNA:+.? '", "UNA:+.? ~").replace("'", "~")
    if shape == "after_unz":
        text += "\nGARBAGE WITHOUT A TERMINATOR"
    rows, reader = read_rows(write_file("shaped.pnr", text))
    assert [r.values for r in rows] == [r.values for r in plain]
    expected = ["text after the last complete segment was ignored"] if shape == "after_unz" else []
    assert reader.warnings == expected


def test_a_byte_outside_the_declared_set_is_repaired_with_a_warning(write_file):
    text = pnr.interchange(
        [pnr.message([pnr.booking("ABC123", [pnr.traveller("GARC\xcdA", "ANAMS")])])],
        syntax="UNOC",
    )
    data = text.encode("latin-1").replace(b"ANAMS", b"AN\x92AMS")
    rows, reader = read_rows(write_file("push.pnr", data))
    assert rows[0].values["family_name"] == "GARCÍA"
    assert rows[0].values["given_names"] == "AN\u2019A"
    assert len(reader.warnings) == 1 and "0x92" in reader.warnings[0]


def test_a_truncated_message_rejects_its_travellers_keeping_only_their_tif(write_file):
    travellers = [pnr.traveller(), pnr.traveller("QUILL", "ANNAMRS", "2")]
    text = pnr.interchange([pnr.message([pnr.booking("ABC123", travellers)])])
    cut = text[: text.index("TVL+271126:1040:281126:0630+LHR", text.index("QUILL"))]
    rows, _ = read_rows(write_file("push.pnr", cut))
    assert [r.raw for r in rows] == ["TIF+HAWTHORN+DAVIDMR:A:1'", "TIF+QUILL+ANNAMRS:A:2'"]
    assert all("message 1 rejected whole: has no UNT trailer" in r.problem[1] for r in rows)


def test_a_message_of_another_type_is_rejected_whole(write_file):
    text = pnr.interchange([pnr.message([pnr.booking("ABC123", [pnr.traveller()])])])
    rows, _ = read_rows(write_file("push.pnr", text.replace("PNRGOV:11", "PAXLST:11")))
    assert rows[0].problem[1] == "message 1 rejected whole: is a PAXLST message, not PNRGOV"


def test_thousands_of_travellers_without_any_flight_are_each_rejected_with_the_reason(
    write_file,
):
    travellers = [pnr.traveller(f"NAME{i}", "JOHNMR", str(i), contact=False) for i in range(3000)]
    text = pnr.interchange([pnr.message([pnr.booking("ABC123", travellers, [])], flight="")])
    rows, _ = read_rows(write_file("push.pnr", text))
    assert len(rows) == 3000 and all(r.values is None for r in rows)
    assert rows[-1].problem[1].startswith("message 1, segment 3008 (TIF, line 3011): the booking")
    assert "has no flight" in rows[-1].problem[1]


def test_binary_bytes_give_a_refusal_or_rejects_never_a_traceback(write_file):
    from tracker.ingest.formats.rows import FileRefused

    with pytest.raises(FileRefused, match="not a UN/EDIFACT interchange"):
        read_rows(write_file("junk.pnr", bytes(range(256)) * 40))
    text = pnr.interchange([pnr.message([pnr.booking("ABC123", [pnr.traveller()])])])
    noisy = text.encode().replace(b"DAVIDMR", b"\x00\xff\xfe\x01MR")
    rows, reader = read_rows(write_file("noisy.pnr", noisy))
    assert len(rows) == 1 and reader.warnings


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("PNRGOV", "PNRGOV"),
        ("PAXLST", "PAXLST"),
        ("INVOIC", None),
    ],
)
def test_the_message_type_is_told_from_the_unh(content, expected):
    text = pnr.interchange([pnr.message([pnr.booking("ABC123", [pnr.traveller()])])])
    text = text.replace("PNRGOV:11", f"{content}:11")
    assert detect_edifact_message_type(text) == expected
    assert detect_edifact_message_type(text.encode()) == expected


@pytest.mark.parametrize("body", ["", "record_id,source\n1,a\n", '{"a": 1}\n', "UNB+junk"])
def test_what_is_not_an_edifact_interchange_has_no_message_type(body):
    assert detect_edifact_message_type(body) is None


def test_an_edi_file_holding_pnrgov_is_read_as_pnrgov(write_file):
    text = pnr.interchange([pnr.message([pnr.booking("ABC123", [pnr.traveller()])])])
    assert known_format(write_file("push.edi", text)) == "pnrgov"
    assert known_format(write_file("push.pnr", text)) == "pnrgov"


def test_the_guides_tif_examples_read_as_the_decision_note_says():
    rows, reader = read_rows(CORPUS / "02-guide-tif-examples.pnr")
    assert reader.warnings == []
    names = [
        (r.values["family_name"], r.values.get("given_names"), r.values.get("sex"))
        if r.values
        else r.problem[1]
        for r in rows
    ]
    assert names == [
        ("FENWICK", "JOHN", "M"),
        ("Y", "WEN", "F"),
        ("ALINHDAO", None, "F"),
        ("FENWICK", "POPPY", None),
        "message 1, segment 20 (TIF, line 22): 'SUNNY TOURS' is a group booking of 12 seats "
        "(TIF qualifier G) with no individual names; nothing to match",
    ]
    assert {r.values["booking_ref"] for r in rows[:4]} == {"QWE5RT"}
    assert rows[0].values["direction"] == "in" and rows[0].values["flight_number"] == "LH900"


def test_the_corpus_covers_every_file_in_its_folder():
    assert {p.name for p in CORPUS.glob("*.pnr")} == {
        "01-guide-example-codeshare.pnr",
        "02-guide-tif-examples.pnr",
    }


def test_a_booking_sent_without_its_src_still_gives_its_travellers(write_file):
    text = pnr.interchange([pnr.message([pnr.booking("ABC123", [pnr.traveller()])])])
    rows, _ = read_rows(write_file("push.pnr", text.replace("SRC'\n", "", 1)))
    assert [r.values["record_id"] for r in rows] == ["ABC123-1-BA9-LHR-20261127"]


def test_a_leg_at_an_unknown_airport_rejects_that_legs_rows_alone(write_file):
    legs = [pnr.tvl(), pnr.tvl("101226", "0905", "QQQ", "LHR", "BA", "10")]
    text = pnr.interchange([pnr.message([pnr.booking("ABC123", [pnr.traveller()], legs)])])
    rows, _ = read_rows(write_file("push.pnr", text))
    assert rows[0].problem is None
    assert rows[1].problem == (
        None,
        "message 1, segment 19 (TVL, line 22): the flight names departure airport 'QQQ', "
        "which is not a known IATA airport",
    )
    assert rows[1].raw.endswith("TVL+101226:0905:281126:0630+QQQ+LHR+BA+10:Y'")


def test_a_segment_that_cannot_be_parsed_is_named_without_quoting_it(write_file):
    text = pnr.interchange([pnr.message([pnr.booking("ABC123", [pnr.traveller()])])])
    broken = text.replace("FOP+CC", "4111111111111111\nFOP+CC")
    rows, _ = read_rows(write_file("push.pnr", broken))
    assert rows[0].problem[1] == "message 1 rejected whole: segment on line 19 cannot be parsed"
    assert rows[0].raw == "TIF+HAWTHORN+DAVIDMR:A:1'"
