"""PAXLST passenger lists become travel rows: every shape a border feed sends, pinned down."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.ingest.formats.paxlst import PaxlstReader
from tracker.ingest.formats.paxlst_segments import split_segments
from tracker.ingest.formats.rows import FileRefused

TODAY = date(2026, 11, 23)


def read_rows(path, home_country="GBR"):
    reader = PaxlstReader(path, home_country, TODAY)
    rows = [row for chunk in reader.chunks() for row in chunk]
    return rows, reader


def test_a_normal_message_gives_one_row_per_passenger(write_file, build_paxlst):
    b = build_paxlst
    text = b.interchange(
        [
            b.message(
                [
                    b.passenger(
                        "O?'BRIEN", "MARY ANN:JANE", "F", "850412", "IRL", "P7654321", "IRL"
                    ),
                    b.passenger("MÜLLER", "HANS", "M", "991231", "D", "C01X00T47", "D"),
                ]
            )
        ]
    )
    rows, reader = read_rows(write_file("flight.paxlst", text))
    assert [r.problem for r in rows] == [None, None]
    first, second = (r.values for r in rows)
    assert first == {
        "record_id": "000123-1-0001",
        "source": "paxlst-apiba",
        "family_name": "O'BRIEN",
        "given_names": "MARY ANN JANE",
        "sex": "F",
        "date_of_birth": "1985-04-12",
        "nationality": "IRL",
        "doc_type": "P",
        "doc_number": "P7654321",
        "doc_issuing_country": "IRL",
        "direction": "out",
        "departure_port": "LHR",
        "arrival_port": "BKK",
        "departure_country": "GBR",
        "arrival_country": "THA",
        "departure_time": "2026-03-01T10:40:00+00:00",
        "carrier": "BA",
        "flight_number": "BA9",
        "traveller_kind": "passenger",
    }
    assert second["record_id"] == "000123-1-0002"
    assert second["family_name"] == "MÜLLER" and second["nationality"] == "D"
    assert reader.warnings == []


def test_each_row_keeps_its_line_and_its_segments_unchanged(write_file, build_paxlst):
    b = build_paxlst
    text = b.interchange([b.message([b.passenger("O?'BRIEN", "MARY")])])
    rows, _ = read_rows(write_file("flight.edi", text))
    assert rows[0].line == 11  # UNA, UNB, UNH, 7 flight segments, then the NAD
    assert rows[0].raw.startswith("NAD+FL+++O?'BRIEN:MARY'\nATT+2++M'")
    assert rows[0].raw.endswith("LOC+91+GBR'")


def test_a_one_line_interchange_reads_the_same(write_file, build_paxlst):
    b = build_paxlst
    message = [b.message([b.passenger("SMITH", "JOHN"), b.passenger("JONES", "ANN", "F")])]
    many, _ = read_rows(write_file("a.paxlst", b.interchange(message)))
    one, _ = read_rows(write_file("b.paxlst", b.interchange(message, one_line=True)))
    assert [r.values for r in one] == [r.values for r in many]
    assert {r.line for r in one} == {1}


def test_without_una_the_default_delimiters_apply(write_file, build_paxlst):
    b = build_paxlst
    text = b.interchange([b.message([b.passenger("SMITH", "JOHN")])], una=False)
    rows, _ = read_rows(write_file("flight.paxlst", text))
    assert rows[0].values["family_name"] == "SMITH"


def test_una_can_change_the_delimiters(write_file, build_paxlst):
    b = build_paxlst
    text = b.interchange([b.message([b.passenger("O?'BRIEN", "JOHN")])], una=False)
    custom = text.replace("'", "~").replace("?~", "?'")  # terminator ~, quote now plain
    rows, _ = read_rows(write_file("flight.paxlst", "UNA:+.? ~" + custom))
    assert rows[0].values["family_name"] == "O'BRIEN"


def test_the_release_character_keeps_delimiters_in_a_name(write_file, build_paxlst):
    b = build_paxlst
    text = b.interchange([b.message([b.passenger("SMITH?+JONES", "ANN?:MARIE")])])
    rows, _ = read_rows(write_file("flight.paxlst", text))
    assert rows[0].values["family_name"] == "SMITH+JONES"
    assert rows[0].values["given_names"] == "ANN:MARIE"


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        ("850412", "1985-04-12"),
        ("991231", "1999-12-31"),
        ("050101", "2005-01-01"),
        ("261122", "2026-11-22"),
        ("261124", "1926-11-24"),
        ("19850412", "1985-04-12"),
    ],
)
def test_a_two_digit_birth_year_is_never_in_the_future(write_file, build_paxlst, born, expected):
    b = build_paxlst
    text = b.interchange([b.message([b.passenger(born=born)])])
    rows, _ = read_rows(write_file("flight.paxlst", text))
    assert rows[0].values["date_of_birth"] == expected


def test_local_departure_time_takes_the_airport_offset(write_file, build_paxlst):
    b = build_paxlst
    summer = b.interchange([b.message([b.passenger()], departure="LHR", departs="2607011040")])
    bangkok = b.interchange([b.message([b.passenger()], departure="BKK", arrival="LHR")])
    london, _ = read_rows(write_file("a.paxlst", summer))
    thai, _ = read_rows(write_file("b.paxlst", bangkok))
    assert london[0].values["departure_time"] == "2026-07-01T10:40:00+01:00"
    assert thai[0].values["departure_time"] == "2026-03-01T10:40:00+07:00"


def test_direction_follows_the_departure_country_against_the_home_country(write_file, build_paxlst):
    b = build_paxlst
    inbound = b.interchange([b.message([b.passenger()], departure="BKK", arrival="LHR")])
    rows, _ = read_rows(write_file("in.paxlst", inbound))
    assert rows[0].values["direction"] == "in"
    assert rows[0].values["departure_country"] == "THA"
    outbound_from_usa = b.interchange([b.message([b.passenger()], departure="JFK")])
    rows, _ = read_rows(write_file("us.paxlst", outbound_from_usa), home_country="USA")
    assert rows[0].values["direction"] == "out"


def test_a_crew_list_is_loaded_too(write_file, build_paxlst):
    b = build_paxlst
    text = b.interchange([b.message([b.passenger(qualifier="FM")], document_code="250")])
    rows, _ = read_rows(write_file("crew.paxlst", text))
    assert rows[0].problem is None and rows[0].values["family_name"] == "SMITH"


def test_a_passenger_with_an_unreadable_birth_date_is_rejected_alone(write_file, build_paxlst):
    b = build_paxlst
    text = b.interchange(
        [
            b.message(
                [
                    b.passenger("GOOD", "ONE"),
                    b.passenger("BAD", "DATE", born="851332"),
                    b.passenger("GOOD", "TWO"),
                ]
            )
        ]
    )
    rows, _ = read_rows(write_file("flight.paxlst", text))
    assert [r.problem is None for r in rows] == [True, False, True]
    assert rows[1].problem == (
        "date_of_birth",
        "'851332' is not a date (expected YYMMDD or CCYYMMDD)",
    )
    assert rows[1].raw.startswith("NAD+FL+++BAD:DATE'")


def test_a_passenger_without_a_surname_keeps_its_values_for_the_schema(write_file, build_paxlst):
    b = build_paxlst
    text = b.interchange([b.message([b.passenger(""), b.passenger("KEPT")])])
    rows, _ = read_rows(write_file("flight.paxlst", text))
    assert "family_name" not in rows[0].values  # the travel schema rejects it: required
    assert rows[0].labels["family_name"] == "NAD"
    assert rows[1].values["family_name"] == "KEPT"


def test_a_truncated_file_rejects_the_unfinished_message_whole(write_file, build_paxlst):
    b = build_paxlst
    first = b.message([b.passenger("ONE")], reference="1")
    second = b.message([b.passenger("TWO"), b.passenger("THREE")], reference="2")
    text = b.interchange([first, second])
    cut = text[: text.index("NAD+FL+++THREE") + 10]  # mid-segment, as a broken transfer leaves it
    rows, reader = read_rows(write_file("flight.paxlst", cut))
    assert rows[0].problem is None and rows[0].values["family_name"] == "ONE"
    # Issue 18, habit 7: one rejected row per traveller of the message, each with its segments,
    # so the reject file and the summary count the same.
    assert [row.values for row in rows[1:]] == [None, None]
    assert [row.problem for row in rows[1:]] == [
        (None, "message 2 rejected whole: ends in the middle of a segment: the file is truncated")
    ] * 2
    assert [row.count for row in rows[1:]] == [1, 1]
    assert rows[1].raw.startswith("NAD+FL+++TWO") and rows[2].raw.startswith("NAD+FL+++T")
    assert "no UNZ trailer: the interchange may be truncated" in reader.warnings


def test_a_message_cut_at_a_segment_boundary_is_rejected_whole(write_file, build_paxlst):
    b = build_paxlst
    text = b.interchange([b.message([b.passenger("ONE"), b.passenger("TWO")])])
    cut = text[: text.index("CNT+42")]
    rows, _ = read_rows(write_file("flight.paxlst", cut))
    assert len(rows) == 2 and [row.count for row in rows] == [1, 1]
    assert all("has no UNT trailer" in row.problem[1] for row in rows)


def test_control_counts_that_disagree_load_the_message_with_warnings(write_file, build_paxlst):
    # Senders' trailers disagree with their messages (issue 18, habit 1): the travellers load,
    # and each mismatch is warned about with both numbers.
    b = build_paxlst
    text = b.interchange([b.message([b.passenger("ONE"), b.passenger("TWO")], unt_count=152)])
    text = text.replace("CNT+42:2", "CNT+42:206").replace("UNZ+1+", "UNZ+099+")
    rows, reader = read_rows(write_file("flight.paxlst", text))
    assert [row.problem for row in rows] == [None, None]
    assert [row.values["family_name"] for row in rows] == ["ONE", "TWO"]
    assert reader.warnings == [
        "message 1: UNT counts 152 segments but the message has 24; loaded all the same",
        "message 1: CNT+42 says 206 travellers but 2 follow; loaded all the same",
        "UNZ counts 099 messages but the interchange has 1; loaded all the same",
    ]


def test_a_wrong_unt_reference_loads_the_message_with_a_warning(write_file, build_paxlst):
    b = build_paxlst
    text = b.interchange([b.message([b.passenger("ONE")])]).replace("UNT+17+1'", "UNT+17+9'")
    rows, reader = read_rows(write_file("flight.paxlst", text))
    assert rows[0].problem is None
    assert any("UNT reference '9' differs from the UNH reference '1'" in w for w in reader.warnings)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"departure": "XQX"}, "names departure airport 'XQX' (LOC+125), which is not a known"),
        ({"arrival": "QQQ"}, "names arrival airport 'QQQ' (LOC+87), which is not a known"),
        ({"departs": "26030110"}, "has departure time '26030110' (DTM+189), which is not"),
        ({"document_code": "266"}, "is not a passenger (BGM+745) or crew (BGM+250) list"),
    ],
)
def test_a_missing_flight_fact_rejects_every_passenger_of_the_message(
    write_file, build_paxlst, change, reason
):
    b = build_paxlst
    good = b.message([b.passenger("KEPT")], reference="1")
    bad = b.message([b.passenger("A"), b.passenger("B")], reference="2", **change)
    rows, _ = read_rows(write_file("flight.paxlst", b.interchange([good, bad])))
    assert rows[0].problem is None
    assert len(rows) == 3  # one rejected row for each of the message's two passengers
    assert all(row.count == 1 and reason in row.problem[1] for row in rows[1:])


def test_the_character_set_named_in_unb_is_honoured(write_file, build_paxlst):
    b = build_paxlst
    text = b.interchange([b.message([b.passenger("GARCÍA", "JOSÉ")])], syntax="UNOC")
    rows, _ = read_rows(write_file("flight.paxlst", text, encoding="latin-1"))
    assert rows[0].values["family_name"] == "GARCÍA"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("offender_id,family_name\nVR-1,SMITH\n", "is not a UN/EDIFACT interchange"),
        ("UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'", "does not begin with a UNA or UNB segment"),
        ("", "holds no complete segment"),
        ("UNB+UNOA:4'UNZ+0+1'", r"UNB header \(line 1\) without a sender or an interchange"),
    ],
)
def test_a_file_that_is_not_an_interchange_is_refused_whole(write_file, content, reason):
    path = write_file("junk.paxlst", content)
    with pytest.raises(FileRefused, match=reason):
        read_rows(path)


def test_a_byte_outside_the_declared_character_set_is_read_through_the_fallback(
    write_file, build_paxlst
):
    # Issue 18, habit 2: UNB says UNOA, one name holds a Latin-1 byte (0xCD, Í) and another a
    # Windows-1252 one (0x87). The file loads; each byte is read as Windows-1252 and warned about.
    b = build_paxlst
    text = b.interchange([b.message([b.passenger("GARCÍA"), b.passenger("DAGGER‡")])])
    data = text.encode("cp1252")
    rows, reader = read_rows(write_file("flight.paxlst", data))
    assert [row.values["family_name"] for row in rows] == ["GARCÍA", "DAGGER‡"]
    [warning] = reader.warnings
    offset = data.index(b"\xcd")
    assert warning == (
        f"2 byte(s) that are not UNOA text as UNB declares (the first, 0xCD, at "
        f"offset {offset:,}) read as CP1252; the travellers loaded"
    )


def test_utf8_names_under_unoa_are_read_as_utf8(write_file, build_paxlst):
    b = build_paxlst
    text = b.interchange([b.message([b.passenger("GARCÍA", "JOSÉ")])], syntax="UNOA")
    rows, reader = read_rows(write_file("flight.paxlst", text))
    assert rows[0].values["family_name"] == "GARCÍA" and reader.warnings == []


def test_segments_split_on_unreleased_terminators_only():
    from pydifact.control import Characters

    spans, leftover = split_segments("A+B?'C'\nD+E'F", 0, Characters())
    assert [(s, e, line) for s, e, line in spans] == [(0, 7, 1), (8, 12, 2)]
    assert leftover == "F"


def test_a_second_interchange_in_one_file_keeps_its_own_references(write_file, build_paxlst):
    b = build_paxlst
    first = b.interchange([b.message([b.passenger("ONE")])], control="000001")
    second = b.interchange(
        [b.message([b.passenger("TWO")])], control="000002", sender="APIEI", una=False
    )
    rows, _ = read_rows(write_file("two.paxlst", first + second))
    assert [(r.values["source"], r.values["record_id"]) for r in rows] == [
        ("paxlst-apiba", "000001-1-0001"),
        ("paxlst-apiei", "000002-1-0001"),
    ]


@pytest.mark.parametrize(
    ("departure", "arrival", "direction"),
    [
        ("LHR", "BKK", "out"),
        ("BKK", "LHR", "in"),
        ("JFK", "CDG", "transit"),
        ("LHR", "MAN", "transit"),
    ],  # a domestic leg neither leaves nor enters
)
def test_direction_is_transit_when_the_leg_touches_no_home_airport(
    write_file, build_paxlst, departure, arrival, direction
):
    # Issue 18, habit 5: a leg between two foreign airports is not an arrival.
    b = build_paxlst
    text = b.interchange([b.message([b.passenger()], departure=departure, arrival=arrival)])
    rows, _ = read_rows(write_file("flight.paxlst", text))
    assert rows[0].values["direction"] == direction


def test_crew_are_marked_as_crew(write_file, build_paxlst):
    b = build_paxlst
    crew_list = b.interchange([b.message([b.passenger("PILOT")], document_code="250")])
    rows, _ = read_rows(write_file("crew.paxlst", crew_list))
    assert rows[0].values["traveller_kind"] == "crew"
    mixed = b.interchange([b.message([b.passenger("FLYER")])]).replace(
        "NAD+FL+++FLYER", "NAD+FM+++FLYER"
    )
    passengers = b.interchange([b.message([b.passenger("FLYER")])])
    assert read_rows(write_file("mixed.paxlst", mixed))[0][0].values["traveller_kind"] == "crew"
    assert read_rows(write_file("pax.paxlst", passengers))[0][0].values["traveller_kind"] == (
        "passenger"
    )


@pytest.mark.parametrize(
    ("habit", "change"),
    [
        ("a tag with a trailing space", lambda t: t.replace("NAD+FL", "NAD +FL")),
        ("lines indented by a space", lambda t: "\n".join(" " + line for line in t.split("\n"))),
        ("CR-only line ends", lambda t: t.replace("\n", "\r")),
        ("stray text after UNZ", lambda t: t + "END OF TRANSMISSION\n"),
        (
            "UNA naming * and $ as separators",
            lambda t: t.replace("UNA:+.? '", "UNA*$.? '").replace("+", "$").replace(":", "*"),
        ),
    ],
)
def test_senders_layout_habits_still_load_every_traveller(write_file, build_paxlst, habit, change):
    # Issue 18, habit 6.
    b = build_paxlst
    text = change(b.interchange([b.message([b.passenger("ONE"), b.passenger("TWO")])]))
    rows, _ = read_rows(write_file("flight.paxlst", text))
    assert [row.values["family_name"] for row in rows if row.problem is None] == ["ONE", "TWO"]


def _two_leg_message(b, passengers, first=("ATL", "ORD", "QQ877"), second=("ORD", "JFK", "QQ827")):
    """A message in the style of the US CBP guide's example: a TDT per leg, LOC+92 calls."""
    lines = b.message(passengers)
    head_end = next(i for i, line in enumerate(lines) if line.startswith("NAD+F"))
    legs = []
    for (dep, arr, flight), (departs, arrives) in zip(
        (first, second),
        (("2603011040", "2603011240"), ("2603011400", "2603011700")),
        strict=True,
    ):
        legs += [
            f"TDT+20+{flight}+++QQ",
            f"LOC+92+{dep}",
            f"DTM+189:{departs}:201",
            f"LOC+92+{arr}",
            f"DTM+232:{arrives}:201",
        ]
    kept = [line for line in lines[:head_end] if not line.startswith(("TDT", "LOC", "DTM"))]
    message = kept + legs + lines[head_end:]
    return [*message[:-1], f"UNT+{len(message)}+1"]  # the trailer counts the message as built


def _boarding(passenger, embarks=None, debarks=None):
    extra = ([f"LOC+178+{embarks}"] if embarks else []) + (
        [f"LOC+179+{debarks}"] if debarks else []
    )
    return [passenger[0], *extra, *passenger[1:]]


def test_each_traveller_gets_the_leg_their_loc_178_and_179_name(write_file, build_paxlst):
    # Issue 18, habits 3 and 4: legs given only as LOC+92, several legs in one message.
    b = build_paxlst
    message = _two_leg_message(
        b,
        [
            _boarding(b.passenger("FIRSTLEG"), "ATL", "ORD"),
            _boarding(b.passenger("SECONDLEG"), "ORD", "JFK"),
            _boarding(b.passenger("THROUGH"), "ATL", "JFK"),
            _boarding(b.passenger("BOARDSLAST"), "ORD"),  # the last leg's port alone settles it
        ],
    )
    rows, _ = read_rows(write_file("cbp.paxlst", b.interchange([message])), home_country="USA")
    facts = {
        r.values["family_name"]: (
            r.values["flight_number"],
            r.values["departure_port"],
            r.values["arrival_port"],
        )
        for r in rows
    }
    assert facts == {
        "FIRSTLEG": ("QQ877", "ATL", "ORD"),
        "SECONDLEG": ("QQ827", "ORD", "JFK"),
        "THROUGH": ("QQ877", "ATL", "JFK"),
        "BOARDSLAST": ("QQ827", "ORD", "JFK"),
    }
    second = next(r for r in rows if r.values["family_name"] == "SECONDLEG")
    assert second.values["departure_time"] == "2026-03-01T14:00:00-06:00"  # ORD's local time


def test_a_traveller_whose_leg_cannot_be_told_is_rejected_alone(write_file, build_paxlst):
    b = build_paxlst
    message = _two_leg_message(
        b,
        [
            _boarding(b.passenger("KNOWN"), "ATL", "ORD"),
            b.passenger("UNKNOWN"),
            _boarding(b.passenger("ELSEWHERE"), "LAX"),
            _boarding(b.passenger("ONLYDEBARKS"), None, "JFK"),
        ],
    )
    rows, _ = read_rows(write_file("cbp.paxlst", b.interchange([message])), home_country="USA")
    assert rows[0].problem is None
    assert "names neither a port of embarkation (LOC+178)" in rows[1].problem[1]
    assert "boards at 'LAX' (LOC+178), where no leg of the flight departs" in rows[2].problem[1]
    # leaving at JFK says nothing of boarding at ATL or at ORD: not a guess, a reject
    assert "leaves at 'JFK' (LOC+179) but names no other port" in rows[3].problem[1]


def test_a_port_called_twice_boards_at_its_last_call_before_debarking(write_file, build_paxlst):
    b = build_paxlst
    lines = b.message([_boarding(b.passenger("RETURNS"), "LHR", "JFK")])
    head_end = next(i for i, line in enumerate(lines) if line.startswith("NAD+F"))
    calls = [("LHR", "2603011040"), ("DUB", "2603011300"), ("LHR", "2603011600"), ("JFK", None)]
    legs = ["TDT+20+QQ1+++QQ"]
    for airport_code, departs in calls:
        legs += [f"LOC+92+{airport_code}"] + ([f"DTM+189:{departs}:201"] if departs else [])
    kept = [line for line in lines[:head_end] if not line.startswith(("TDT", "LOC", "DTM"))]
    message = kept + legs + lines[head_end:]
    rows, _ = read_rows(write_file("f.paxlst", b.interchange([message])))
    assert rows[0].values["departure_time"] == "2026-03-01T16:00:00+00:00"
    assert (rows[0].values["departure_port"], rows[0].values["arrival_port"]) == ("LHR", "JFK")


def test_departure_and_arrival_may_be_written_in_either_order(write_file, build_paxlst):
    b = build_paxlst
    lines = b.message([b.passenger("ONE")])
    dep = lines.index("LOC+125+LHR")
    lines[dep : dep + 4] = [lines[dep + 2], lines[dep + 3], lines[dep], lines[dep + 1]]
    rows, _ = read_rows(write_file("f.paxlst", b.interchange([lines])))
    assert (rows[0].values["departure_port"], rows[0].values["arrival_port"]) == ("LHR", "BKK")


def test_on_a_one_leg_list_loc_178_and_179_do_not_move_the_traveller(write_file, build_paxlst):
    b = build_paxlst
    message = b.message([_boarding(b.passenger("CONNECTING"), "MAN", "HKT")])
    rows, _ = read_rows(write_file("flight.paxlst", b.interchange([message])))
    assert (rows[0].values["departure_port"], rows[0].values["arrival_port"]) == ("LHR", "BKK")


@pytest.mark.parametrize("count", ["²", "9" * 5000, "12a", ""])
def test_a_control_count_that_is_no_number_is_warned_about_never_a_crash(
    write_file, build_paxlst, count
):
    b = build_paxlst
    text = b.interchange([b.message([b.passenger("ONE")])]).replace("UNT+17+", f"UNT+{count}+")
    rows, reader = read_rows(write_file("flight.paxlst", text))
    assert rows[0].problem is None and rows[0].values["family_name"] == "ONE"
    assert any(w.startswith("message 1: UNT counts") for w in reader.warnings)


def test_a_message_rejected_whole_counts_travellers_written_with_spaces(write_file, build_paxlst):
    b = build_paxlst
    text = b.interchange(
        [b.message([b.passenger("A"), b.passenger("B"), b.passenger("C")], document_code="266")]
    ).replace("NAD+FL", "NAD +FL")
    rows, _ = read_rows(write_file("flight.paxlst", text))
    assert len(rows) == 3 and all("rejected whole" in row.problem[1] for row in rows)
    assert [row.line for row in rows] == sorted({row.line for row in rows})


def test_a_windows_1252_byte_under_unoc_is_read_as_windows_1252(write_file, build_paxlst):
    # ISO 8859-1 has only control characters at 0x80-0x9F: a right quote (0x92) sent under UNOC
    b = build_paxlst
    text = b.interchange([b.message([b.passenger("O’NEILL")])], syntax="UNOC")
    rows, reader = read_rows(write_file("flight.paxlst", text.encode("cp1252")))
    assert rows[0].values["family_name"] == "O’NEILL"
    [warning] = reader.warnings
    assert warning.startswith("1 byte(s) that are control characters in UNOC (the first, 0x92,")
