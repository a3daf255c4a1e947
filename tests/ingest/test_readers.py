"""CSV and JSON Lines readers: chunks, line numbers, raw text kept, whole-file refusals."""

from __future__ import annotations

import pytest

from tracker.ingest.formats import format_of
from tracker.ingest.formats.delimited import CsvReader
from tracker.ingest.formats.jsonl import JsonLinesReader
from tracker.ingest.formats.rows import FileRefused, raw_text
from tracker.schemas import MULTI_VALUED, TravelRow, columns_of, required_columns_of

COLUMNS = ("offender_id", "family_name", "given_names", "nationalities")
REQUIRED = ("offender_id", "family_name")


def csv_rows(path, size=10_000):
    reader = CsvReader(path, COLUMNS, REQUIRED)
    chunks = list(reader.chunks(size))
    return [row for chunk in chunks for row in chunk], reader, chunks


def jsonl_rows(path):
    reader = JsonLinesReader(path, COLUMNS, MULTI_VALUED)
    return [row for chunk in reader.chunks() for row in chunk], reader


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.csv", "csv"),
        ("A.CSV", "csv"),
        ("t.jsonl", "jsonl"),
        ("x.edi", "paxlst"),
        ("x.PAXLST", "paxlst"),
        ("x.txt", None),
        ("noending", None),
    ],
)
def test_the_format_comes_from_the_file_ending(tmp_path, name, fmt):
    assert format_of(tmp_path / name) == fmt


def test_rows_keep_line_numbers_and_their_raw_text(write_file):
    path = write_file("o.csv", "offender_id,family_name\r\nVR-1,Smith\r\n\r\nVR-2,Jones\r\n")
    rows, _, _ = csv_rows(path)
    assert [(r.line, r.values) for r in rows] == [
        (2, {"offender_id": "VR-1", "family_name": "Smith"}),
        (4, {"offender_id": "VR-2", "family_name": "Jones"}),
    ]
    assert raw_text(rows[0].raw) == "VR-1,Smith"


def test_a_byte_order_mark_and_header_case_do_not_matter(write_file):
    path = write_file("o.csv", "\ufeffOffender_ID, FAMILY_NAME \nVR-1,Smith\n")
    rows, _, _ = csv_rows(path)
    assert rows[0].values == {"offender_id": "VR-1", "family_name": "Smith"}


def test_quoted_commas_quotes_and_newlines_stay_inside_their_cell(write_file):
    text = 'offender_id,family_name,given_names\nVR-1,"Smith, Jr","Mary ""Molly""\nAnn"\nVR-2,X,Y\n'
    rows, _, _ = csv_rows(write_file("o.csv", text))
    assert rows[0].values["family_name"] == "Smith, Jr"
    assert rows[0].values["given_names"] == 'Mary "Molly"\nAnn'
    assert rows[0].raw == 'VR-1,"Smith, Jr","Mary ""Molly""\nAnn"\n'
    assert rows[1].line == 4


def test_unknown_columns_are_ignored_with_one_warning(write_file):
    text = "offender_id,family_name,shoe_size,notes\nVR-1,Smith,9,x\nVR-2,Jones,10,y\n"
    rows, reader, _ = csv_rows(write_file("o.csv", text))
    assert rows[0].values == {"offender_id": "VR-1", "family_name": "Smith"}
    assert reader.warnings == ["ignored unknown column(s): shoe_size, notes"]


def test_empty_and_blank_cells_mean_not_known(write_file):
    text = "offender_id,family_name,given_names\nVR-1,Smith,  \n"
    rows, _, _ = csv_rows(write_file("o.csv", text))
    assert rows[0].values == {"offender_id": "VR-1", "family_name": "Smith"}


def test_a_row_with_the_wrong_number_of_cells_is_a_row_problem(write_file):
    text = "offender_id,family_name\nVR-1,Smith,extra\nVR-2,J\n"
    rows, _, _ = csv_rows(write_file("o.csv", text))
    assert rows[0].problem == (None, "has 3 cells but the header row has 2")
    assert rows[1].values == {"offender_id": "VR-2", "family_name": "J"}


def test_broken_quoting_is_a_row_problem_and_reading_goes_on(write_file):
    rows, _, _ = csv_rows(write_file("o.csv", 'offender_id,family_name\nVR-1,"Sm"ith\nVR-2,J\n'))
    assert rows[0].problem == (None, "not valid CSV: ',' expected after '\"'")
    assert rows[1].values["offender_id"] == "VR-2"


def test_a_nul_character_is_a_row_problem_naming_its_column(write_file):
    rows, _, _ = csv_rows(write_file("o.csv", "offender_id,family_name\nVR-1,Sm\x00ith\n"))
    assert rows[0].problem == ("family_name", "contains a NUL character, which cannot be stored")


def test_rows_come_in_chunks_of_the_size_asked(write_file):
    body = "".join(f"VR-{i},N{i}\n" for i in range(25))
    _, _, chunks = csv_rows(write_file("o.csv", "offender_id,family_name\n" + body), size=10)
    assert [len(c) for c in chunks] == [10, 10, 5]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "is empty: a header row is expected"),
        ("given_names\nMary\n", "has no offender_id, family_name column in its header row"),
        ("offender_id,family_name,FAMILY_NAME\n", "names column 'family_name' twice"),
    ],
)
def test_a_file_without_a_usable_header_is_refused(write_file, text, reason):
    with pytest.raises(FileRefused, match=reason):
        csv_rows(write_file("o.csv", text))


def test_a_latin1_file_is_refused_naming_the_byte_and_line(write_file):
    path = write_file("o.csv", "offender_id,family_name\nVR-1,Smith\nVR-2,Müller\n", "latin-1")
    with pytest.raises(FileRefused) as refused:
        csv_rows(path)
    assert str(refused.value) == (
        "is not UTF-8 text: byte 0xFC at offset 41 (line 3) is not UTF-8; "
        "save the file as UTF-8 and load it again"
    )


def test_a_binary_file_is_refused(write_file):
    with pytest.raises(FileRefused, match="is not UTF-8 text"):
        csv_rows(write_file("o.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))


def test_the_travel_schema_header_is_what_the_reader_requires():
    required = required_columns_of(TravelRow)
    assert set(required) == {
        "record_id",
        "source",
        "family_name",
        "direction",
        "departure_country",
        "arrival_country",
        "departure_time",
    }
    assert set(required) <= set(columns_of(TravelRow))


# --- JSON Lines --------------------------------------------------------------------------------


def test_json_lines_give_the_same_values_as_csv_cells(write_file):
    text = (
        '{"offender_id": "VR-1", "Family_Name": "Smith", "given_names": null, '
        '"nationalities": ["GBR", "IRL"]}\n'
        "\n"
        '{"offender_id": 17, "family_name": "  ", "nationalities": "THA|VNM"}\n'
    )
    rows, _ = jsonl_rows(write_file("o.jsonl", text))
    assert [(r.line, r.values) for r in rows] == [
        (1, {"offender_id": "VR-1", "family_name": "Smith", "nationalities": ["GBR", "IRL"]}),
        (3, {"offender_id": "17", "nationalities": "THA|VNM"}),
    ]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (
            '{"offender_id": "VR-1",',
            (None, "not valid JSON: Expecting property name enclosed in double quotes (column 24)"),
        ),
        ('["VR-1"]', (None, "not a JSON object")),
        (
            '{"family_name": ["A", "B"]}',
            ("family_name", "is a JSON array, but this column takes one value"),
        ),
        (
            '{"family_name": {"a": 1}}',
            ("family_name", "is a JSON object, but this column takes a value"),
        ),
        ('{"family_name": "A", "FAMILY_NAME": "B"}', ("family_name", "given twice")),
        (
            '{"family_name": "A\\u0000B"}',
            ("family_name", "contains a NUL character, which cannot be stored"),
        ),
        (
            '{"family_name": "\\ud800"}',
            ("family_name", "contains an unpaired surrogate escape, not text"),
        ),
    ],
)
def test_a_json_line_that_breaks_the_format_is_a_row_problem(write_file, line, problem):
    rows, _ = jsonl_rows(write_file("o.jsonl", line + "\n"))
    assert rows[0].problem == problem
    assert rows[0].raw == line + "\n"


def test_json_booleans_and_whole_floats_read_as_their_contract_text(write_file):
    reader = JsonLinesReader(
        write_file("o.jsonl", '{"fixed_abode": false, "height_cm": 180.0}\n'),
        ("fixed_abode", "height_cm"),
    )
    [[row]] = list(reader.chunks())
    assert row.values == {"fixed_abode": "no", "height_cm": "180"}


def test_unknown_json_keys_are_warned_about_once(write_file):
    text = '{"offender_id": "A", "x": 1}\n{"offender_id": "B", "x": 2, "y": 3}\n'
    _, reader = jsonl_rows(write_file("o.jsonl", text))
    assert reader.warnings == ["ignored unknown column(s): x, y"]


def test_a_latin1_json_lines_file_is_refused(write_file):
    with pytest.raises(FileRefused, match=r"byte 0xE9 at offset 20 \(line 1\)"):
        jsonl_rows(write_file("o.jsonl", '{"family_name": "Ren\u00e9"}\n', "latin-1"))


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("1" * 4301, "a number of 4,301 digits; no field holds more than 64"),
        ("-" + "9" * 65, "a number of 65 digits; no field holds more than 64"),
        ("NaN", "NaN is not a value the contract accepts"),
        ("Infinity", "Infinity is not a value the contract accepts"),
        ("-Infinity", "-Infinity is not a value the contract accepts"),
        ("1e99999", "the number 1e99999 is out of range"),
    ],
)
def test_a_json_number_no_field_can_hold_rejects_its_row_alone(write_file, value, problem):
    text = f'{{"family_name": {value}}}\n{{"family_name": "Okafor"}}\n'
    rows, _ = jsonl_rows(write_file("o.jsonl", text))
    assert rows[0].problem == (None, problem)
    assert rows[1].problem is None and rows[1].values == {"family_name": "Okafor"}


def test_a_file_without_a_header_row_is_refused_without_echoing_its_first_row(write_file):
    path = write_file("travel.csv", "T1,api-lhr,SMITH,JOHN,1985-04-12,M,GBR,P,123456789\n")
    reader = CsvReader(path, ("record_id", "source", "family_name"), ("record_id",))
    with pytest.raises(FileRefused) as refused:
        list(reader.chunks())
    assert "is the header row missing?" in str(refused.value)
    assert "SMITH" not in str(refused.value) and "123456789" not in str(refused.value)


@pytest.mark.parametrize(
    "document",
    [
        {"offender_id": "VR-1", "family_name": "SMITH", "given_names": "  ", "nationalities": ""},
        {"offender_id": " VR-1 ", "family_name": "O'Brien", "given_names": "\t"},
        {"offender_id": "VR-1", "nationalities": "FRA"},
    ],
)
def test_an_object_of_contract_columns_and_text_reads_as_the_key_by_key_path_reads_it(
    write_file, document
):
    reader = JsonLinesReader(write_file("t.jsonl", ""), COLUMNS, MULTI_VALUED, frozenset())
    fast = reader._plain_values(document)
    assert fast is not None
    assert fast == reader._checked_values(1, "{}", document)


@pytest.mark.parametrize(
    "document",
    [
        {"Offender_ID": "VR-1"},
        {"offender_id": 1},
        {"nationalities": ["FRA"]},
        {"offender_id": None},
        {"offender_id": "VR-1", "unknown": "x"},
    ],
)
def test_an_object_with_anything_else_goes_key_by_key(write_file, document):
    reader = JsonLinesReader(write_file("t.jsonl", ""), COLUMNS, MULTI_VALUED, frozenset())
    assert reader._plain_values(document) is None
