"""The one place exported cells are made safe to open in a spreadsheet (OWASP CSV injection;
data contract: no CSV or XLSX cell begins with = + - @ unless it is a number)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from tracker.tabular import SafeCsvWriter, csv_text, plain, safe_cell

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
