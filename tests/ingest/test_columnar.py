"""Validating by columns gives exactly what validating row by row gives: the same records, the
same rejects with the same reasons, for every kind; and the CSV block reader splits files as
the record-by-record reader does."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tracker.ingest.columnar import (
    ColumnValidator,
    cell_chunks,
    prepare_cells,
    records_of,
    row_at,
)
from tracker.ingest.field_checks import FieldCheck
from tracker.ingest.formats.delimited import CsvReader
from tracker.ingest.formats.rows import CellChunk, SourceRow
from tracker.ingest.kinds import KINDS
from tracker.ingest.rejects import rejected_row
from tracker.ingest.row_rules import ROW_RULES
from tracker.schemas import KNOWN_OFFENDERS, ROW_MODELS, columns_of
from tracker.schemas.common import row_problems

# Cells a sender might write in each column: valid ones, near misses and junk.
IDS = ["VR-1", "VR-2", "VR-3", " VR-1 ", "VR-9", "", "   ", "\x1cVR-2", "X" * 70]
DATES = [
    "2026-03-01",
    "1985-04-12",
    "2024-02-29",
    "2023-02-29",
    " 2026-03-01",
    "2026-3-1",
    "01/03/2026",
    "",
    " ",
]
DATETIMES = [
    "2026-03-01T06:40:00+00:00",
    "2026-03-01T06:40:00Z",
    "2026-03-01 23:40-05:00",
    "2026-03-01T06:40:00",
    "2026-02-30T06:40:00+00:00",
    "20260301T064000Z",
    "",
    "2026-03-01T06:40:00.5+0100",
    "2026-03-02T12:40:00+08:00",
]  # the instant of 23:40-05:00 on another date
COUNTRIES = ["GBR", "THA", "D", "GBD", "gbr", "XXX", "", " GBR"]
COUNTRY_LISTS = ["GBR", "GBR|THA", "gbr| tha", "GBR||", "|", "XXX|GBR", ""]
PORTS = ["LHR", "bkk", " MAN ", "LH", "TOOLONG", "L-R", ""]
TEXT = st.one_of(
    st.text(alphabet=string.ascii_letters + " ÜüЖ王'-,\"\t", max_size=8),
    st.sampled_from(["N" * 200, "N" * 201, "t" * 2_000, "t" * 2_001]),  # at and over the limits
)
CELLS: dict[str, st.SearchStrategy] = {
    "offender_id": st.sampled_from(IDS),
    "notification_id": st.sampled_from(["N1", "N2", "N3", " N1", "", "N" * 65]),
    "record_id": st.sampled_from(["R1", "R2", "R3", "R4", " R1", "", "R" * 101]),
    "source": st.sampled_from(["api-lhr", "api-man", "", "s" * 101]),
    "kind": st.sampled_from(
        [
            "initial",
            "periodic",
            "change_name",
            "change_address",
            "foreign_travel",
            "travel_return",
            "weekly",
            "alias",
            "previous_name",
            "nickname",
            "bogus",
            "",
        ]
    ),
    "notified_on": st.sampled_from(DATES + DATETIMES),
    "departure_time": st.sampled_from(DATETIMES),
    "destination_countries": st.sampled_from(COUNTRY_LISTS),
    "nationalities": st.sampled_from(COUNTRY_LISTS),
    "sex": st.sampled_from(["M", "F", "X", "U", "m", ""]),
    "direction": st.sampled_from(["out", "in", "OUT", ""]),
    "doc_type": st.sampled_from(["P", "I", "V", "D", "O", "Q", ""]),
    "doc_number": st.sampled_from(["123456789", " AB 12 ", "", "9" * 65, "P1"]),
    "flight_number": st.sampled_from(["BA9", "", "F" * 21]),
    "notification_period": st.sampled_from(
        ["P10Y", "P2Y6M", "indefinite", "INDEFINITE", "P0Y", "10 years", ""]
    ),
    "jurisdiction": st.sampled_from(["uk-ew", "us-sorna", "UK-EW", ""]),
    "tier": st.sampled_from(["1", "2", "3", "4", " 2", ""]),
    "risk_level": st.sampled_from(["low", "very_high", "extreme", ""]),
    "status": st.sampled_from(["active", "wanted", "in_custody", "lost", ""]),
    "fixed_abode": st.sampled_from(["yes", "no", "YES", "true", "maybe", ""]),
    "height_cm": st.sampled_from(["180", "+175", "29", "301", "tall", ""]),
    "postcode": st.sampled_from(["ME1 1AA", " ME1 1AA ", "P" * 21, ""]),
}


def cell_strategy(column: str) -> st.SearchStrategy:
    if column in CELLS:
        return CELLS[column]
    if "date" in column or column in (
        "effective_on",
        "wanted_since",
        "requirement_start",
        "expires_on",
        "return_date",
    ):
        return st.sampled_from(DATES)
    if "country" in column or column == "nationality":
        return st.sampled_from(COUNTRIES)
    if column.endswith("_port"):
        return st.sampled_from(PORTS)
    return TEXT


def rows_strategy(kind: str) -> st.SearchStrategy[list[SourceRow]]:
    columns = columns_of(ROW_MODELS[kind])

    @st.composite
    def rows(draw):
        count = draw(st.integers(0, 12))
        made = []
        for line in range(2, 2 + count):
            values = {}
            for column in columns:
                cell = draw(cell_strategy(column))
                if cell and not cell.isspace():  # as the readers give rows: blanks left out
                    values[column] = cell
            made.append(SourceRow(line, f"raw {line}\n", values))
        if made and draw(st.booleans()):
            made.append(SourceRow(99, "broken\n", problem=(None, "has 3 cells but 18")))
        return made

    return rows()


KNOWN = {"VR-1": 11, "VR-2": 12, "VR-3": 13}


def by_rows(kind, rows):
    """What the row model says of each row on its own: the records of the valid ones (built
    as the load builds them) and the rejects with their reasons."""
    spec = KINDS[kind]
    known = KNOWN if spec.needs_offender else None
    context = None if known is None else {KNOWN_OFFENDERS: known}
    valid, rejected = [], []
    for row in rows:
        if row.problem is not None:
            rejected.append(rejected_row(row, [row.problem]))
            continue
        try:
            model = spec.model.model_validate(row.values, context=context)
        except ValidationError as exc:
            rejected.append(rejected_row(row, row_problems(exc, spec.model)))
            continue
        pks = [known.get(model.offender_id)] if spec.needs_offender else None
        valid.append((row.line, records_of(spec, [model], pks)[0]))
    return valid, [(r.line, r.column, r.reason, r.raw) for r in rejected]


def by_columns(kind, rows, validator=None):
    spec = KINDS[kind]
    known = KNOWN if spec.needs_offender else None
    chunk = CellChunk.from_rows(rows, columns_of(spec.model))
    validator = validator or ColumnValidator(spec.model)
    prepared = prepare_cells(chunk, spec, validator, known)
    valid = [(line, row_at(prepared.columns, i)) for i, line in enumerate(prepared.lines)]
    valid = sorted(valid + prepared.checked, key=lambda item: item[0])
    rejected = [(r.line, r.column, r.reason, r.raw) for r in prepared.rejected]
    assert prepared.read == sum(row.count for row in rows)
    return valid, rejected


@pytest.mark.parametrize("kind", list(KINDS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_columns_give_the_records_and_rejects_rows_give(kind, data):
    rows = data.draw(rows_strategy(kind))
    assert by_columns(kind, rows) == by_rows(kind, rows)


@pytest.mark.parametrize("kind", list(KINDS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_what_a_column_remembers_from_one_chunk_does_not_change_the_next(kind, data):
    validator = ColumnValidator(KINDS[kind].model)
    for _ in range(3):
        rows = data.draw(rows_strategy(kind))
        assert by_columns(kind, rows, validator) == by_rows(kind, rows)


def test_every_cross_field_rule_of_every_row_model_has_its_column_predicate():
    for model in ROW_MODELS.values():
        assert set(ROW_RULES[model]) == set(model.__pydantic_decorators__.model_validators)


def test_a_clean_column_is_checked_without_judging_each_cell():
    check = FieldCheck("departure_country", ROW_MODELS["travel"])
    values, failing = check.column(["GBR", "THA", "GBR"])
    assert (values, failing) == (["GBR", "THA", "GBR"], set())
    values, failing = check.column(["GBR", "XXX", "", "THA"])
    assert failing == {1, 2}  # not a country; missing where one is required


def test_dates_and_defaults_are_filled_in_and_trimmed_ids_judged_by_the_model():
    offenders = ROW_MODELS["offenders"]
    assert FieldCheck("jurisdiction", offenders).column(["", "us-sorna"]) == (
        ["uk-ew", "us-sorna"],
        set(),
    )
    assert FieldCheck("offender_id", offenders).column([" VR-1", "VR-2"]) == (
        ["VR-1", "VR-2"],
        set(),
    )
    values, failing = FieldCheck("requirement_start", offenders).column(["2020-05-01", "2020"])
    assert str(values[0]) == "2020-05-01" and failing == {1}


# --- the CSV block reader ----------------------------------------------------------------------

HEADER = "record_id,source,family_name"
CSV_LINES = st.sampled_from(
    [
        "R1,api-lhr,SMITH",
        'R2,api-lhr,"O\'NEILL, JR"',
        'R3,api-lhr,"SAID ""THE"" ONE"',
        "",
        "   ",
        "R4,api-lhr",
        "R5,api-lhr,SMITH,EXTRA",
        'R6,api-lhr,"TWO\nLINES"',
        "R7,api-lhr,NUL\x00",
        'R8,api-lhr,"UNCLOSED',
        "R9,,",
        'R10,api-lhr,a"b',
        'R11,api-lhr,"x"y',
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(CSV_LINES, max_size=14),
    size=st.integers(1, 5),
    ending=st.sampled_from(["\n", "\r\n"]),
)
def test_the_block_reader_reads_what_the_record_reader_reads(tmp_path_factory, lines, size, ending):
    path: Path = tmp_path_factory.mktemp("csv") / "travel.csv"
    path.write_bytes((HEADER + ending + ending.join(lines) + ending).encode())
    model = ROW_MODELS["travel"]

    def reader():
        return CsvReader(path, columns_of(model), ("record_id", "source", "family_name"))

    rows = [row for chunk in reader().chunks(size) for row in chunk]
    expected = CellChunk.from_rows(rows, columns_of(model))
    blocks = list(cell_chunks(reader(), model, size))
    assert [line for b in blocks for line in b.lines] == expected.lines
    assert [raw for b in blocks for raw in b.raws] == expected.raws
    got_values = [b.values_of(i) for b in blocks for i in range(len(b.lines))]
    assert got_values == [expected.values_of(i) for i in range(len(expected.lines))]
    broken = [(r.line, r.raw, r.problem) for b in blocks for r in b.broken]
    assert sorted(broken) == sorted((r.line, r.raw, r.problem) for r in expected.broken)


def test_one_instant_written_at_two_offsets_keeps_each_local_date():
    """The rules count in the sender's local date: 23:40 at -05:00 and 12:40 next day at
    +08:00 are one instant (equal as datetimes) but fall on different dates."""
    rows = [
        SourceRow(
            line,
            f"raw {line}\n",
            {
                "record_id": f"R{line}",
                "source": "api-lhr",
                "family_name": "SMITH",
                "direction": "out",
                "departure_country": "GBR",
                "arrival_country": "THA",
                "departure_time": departure,
            },
        )
        for line, departure in ((2, "2026-03-01T23:40:00-05:00"), (3, "2026-03-02T12:40:00+08:00"))
    ]
    valid, _ = by_columns("travel", rows)
    assert [str(record["departure_local_date"]) for _, record in valid] == [
        "2026-03-01",
        "2026-03-02",
    ]
    assert valid == by_rows("travel", rows)[0]
