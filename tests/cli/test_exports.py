"""Issue 21, item 10: exports a manager forwards unchanged. The spreadsheets (CSV, XLSX) of
links, flags and the review queue show probabilities to 4 places; JSON keeps the full value;
every workbook has the bold, frozen, filtered header and real dates."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import openpyxl
import pytest
from factories import add_flag, add_link, add_offender, add_run, add_travel

from tracker.db import make_engine, make_session_factory, transaction

NOISY = 0.9999984298862367
ROUNDED = 1.0
MIDDLING = 0.8765432198765


@pytest.fixture
def world(cli, db_url):
    """ann the analyst; one run with two links (one noisy near 1, one in the middle) and an
    open flag on each."""
    assert cli("users", "add", "ann", "--role", "analyst", user="ada").exit_code == 0
    engine = make_engine(db_url)
    with transaction(make_session_factory(engine)) as session:
        run = add_run(session, as_of=date(2026, 3, 10))
        for n, p in enumerate((NOISY, MIDDLING), start=1):
            offender = add_offender(session, offender_id=f"VR-EXPORT-{n}")
            trip = add_travel(session, family_name=offender.family_name, given_names="Alex")
            add_link(session, run, trip, offender, p)
            add_flag(
                session,
                offender,
                run,
                travel_pk=trip.id,
                match_probability=p,
                due_on=date(2026, 3, 1),
            )
    engine.dispose()
    return cli


LISTINGS = [
    ["links", "export"],
    ["flags", "export"],
    ["flags", "list"],
    ["review", "queue"],
]


def _probabilities(records) -> list[float]:
    return sorted(float(r["match_probability"]) for r in records)


@pytest.mark.parametrize("args", LISTINGS, ids=" ".join)
def test_the_csv_shows_probabilities_to_four_places(world, tmp_path, args):
    out = tmp_path / "x.csv"
    result = world(*args, "--format", "csv", "--out", out, user="ann")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert {r["match_probability"] for r in rows} == {"0.8765", "1.0"}


@pytest.mark.parametrize("args", [a for a in LISTINGS if a != ["flags", "list"]], ids=" ".join)
def test_the_json_keeps_the_full_probability(world, tmp_path, args):
    result = world(*args, "--format", "json", user="ann")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    items = document["items"] if isinstance(document, dict) else document
    assert _probabilities(items) == [MIDDLING, NOISY]


@pytest.mark.parametrize("args", [["flags", "list"], ["review", "queue"]], ids=" ".join)
def test_the_workbook_is_ready_to_forward(world, tmp_path, args):
    out = tmp_path / "x.xlsx"
    result = world(*args, "--format", "xlsx", "--out", out, user="ann")
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    assert all(sheet.column_dimensions[letter].width for letter in ("A", "B"))
    values = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet[2:3]]
    assert sorted(v["match_probability"] for v in values) == [0.8765, ROUNDED]
    assert {v["due_on"].date() for v in values} == {date(2026, 3, 1)}
