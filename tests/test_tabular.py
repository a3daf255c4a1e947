"""The one place exported cells are made safe to open in a spreadsheet (OWASP CSV injection;
data contract: no CSV or XLSX cell begins with = + - @ unless it is a number)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest

import tracker
from tracker.tabular import (
    Column,
    SafeCsvWriter,
    csv_text,
    plain,
    probability,
    render,
    safe_cell,
    sheet_value,
)

HOSTILE = [
    '=HYPERLINK("http://example.invalid","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "   =1+1",
    " \t@x",
    "\uff1d1+1",  # full-width equals sign
]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_looking_text_gets_the_text_mark(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["Smith", "O'Brien", "1-2", "a=b", "", "VR-1", " x", 0, -1.5, -3, 2.25, None, True]
)
def test_plain_text_and_numbers_are_left_as_they_are(value):
    assert safe_cell(value) == value and type(safe_cell(value)) is type(value)


def test_a_negative_number_stays_a_number_in_the_csv():
    text = csv_text(("a", "b"), [{"a": -1.5, "b": "-1.5"}])
    assert text.splitlines() == ["a,b", "-1.5,'-1.5"]


def test_the_row_writer_marks_every_cell():
    buffer = io.StringIO()
    SafeCsvWriter(buffer).writerows([["=1", "ok", "@2"]])
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == ["'=1", "ok", "'@2"]


def test_dates_are_written_as_iso_text():
    assert plain(date(2026, 3, 1)) == "2026-03-01" and plain("x") == "x"


# --- render: every listing's one way out -----------------------------------------------------

RENDER_ROWS = [
    {"flag_id": 7, "summary": '=HYPERLINK("x")', "due_on": date(2026, 3, 1), "p": 0.93251},
    {"flag_id": 12, "summary": "plain", "due_on": None, "p": None},
]
RENDER_COLUMNS = [
    Column("flag_id", "flag", align=">"),
    Column("due_on"),
    Column("p", "p(match)", align=">", shown=probability),
    "summary",
]


def test_render_table_aligns_columns_under_their_headings_and_adds_the_footer():
    text = render(RENDER_ROWS, RENDER_COLUMNS, "table", footer="2 flags")
    lines = text.splitlines()
    assert lines[0] == "flag  due_on      p(match)  summary"
    assert lines[1] == '   7  2026-03-01     0.933  =HYPERLINK("x")'
    assert lines[2] == "  12                        plain"
    assert lines[3] == "2 flags"


def test_render_csv_marks_formula_text_and_keeps_keys_as_headers():
    rows = list(csv.reader(io.StringIO(render(RENDER_ROWS, RENDER_COLUMNS, "csv"))))
    assert rows[0] == ["flag_id", "due_on", "p", "summary"]
    assert rows[1] == ["7", "2026-03-01", "0.93251", '\'=HYPERLINK("x")']


def test_render_json_is_a_list_or_an_envelope_with_items():
    assert json.loads(render(RENDER_ROWS, RENDER_COLUMNS, "json"))[0]["due_on"] == "2026-03-01"
    document = json.loads(render(RENDER_ROWS, ["flag_id"], "json", envelope={"total": 2}))
    assert document == {"total": 2, "items": [{"flag_id": 7}, {"flag_id": 12}]}


def test_render_xlsx_has_a_bold_frozen_filtered_header_typed_cells_and_no_formulas():
    content = render(RENDER_ROWS, RENDER_COLUMNS, "xlsx", sheet="queue")
    sheet = openpyxl.load_workbook(io.BytesIO(content))["queue"]
    assert [c.value for c in sheet[1]] == ["flag_id", "due_on", "p", "summary"]
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    assert sheet["A2"].value == 7 and sheet["C2"].value == pytest.approx(0.93251)
    assert sheet["B2"].value.date() == date(2026, 3, 1)
    assert sheet["D2"].data_type == "s" and sheet["D2"].value.startswith("'=")


def test_render_refuses_an_unknown_format():
    with pytest.raises(ValueError, match="unknown format"):
        render(RENDER_ROWS, RENDER_COLUMNS, "html")


# --- exports a manager forwards unchanged (issue 21) -----------------------------------------

NOISY_ROWS = [
    {"flag_id": 1, "match_probability": 0.9999984298862367, "due_on": date(2026, 3, 1)},
    {"flag_id": 2, "match_probability": 0.87654321, "due_on": None},
    {"flag_id": 3, "match_probability": None, "due_on": None},
]


def test_probabilities_are_rounded_to_four_places_in_the_csv_only_not_the_json():
    rows = list(csv.DictReader(io.StringIO(render(NOISY_ROWS, ["match_probability"], "csv"))))
    assert [r["match_probability"] for r in rows] == ["1.0", "0.8765", ""]
    document = json.loads(render(NOISY_ROWS, ["match_probability"], "json"))
    assert [r["match_probability"] for r in document] == [0.9999984298862367, 0.87654321, None]


def test_probabilities_are_rounded_in_the_workbook_and_dates_are_dates():
    columns = ["flag_id", Column("match_probability", "p", shown=probability), "due_on"]
    sheet = openpyxl.load_workbook(io.BytesIO(render(NOISY_ROWS, columns, "xlsx"))).active
    assert [sheet[f"B{n}"].value for n in (2, 3, 4)] == [1.0, 0.8765, None]
    assert sheet["C2"].is_date and sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["B"].width >= len("match_probability")


def test_only_the_probability_columns_are_rounded():
    assert sheet_value("match_probability", 0.123456) == 0.1235
    assert sheet_value("match_weight", 12.3456789) == 12.3456789
    assert sheet_value("match_probability", 1) == 1 and sheet_value("match_probability", "x") == "x"


def test_every_workbook_the_tracker_writes_goes_through_render():
    package = Path(tracker.__file__).parent
    writers = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "xlsxwriter" in path.read_text(encoding="utf-8")
    )
    assert writers == ["tabular.py"]
