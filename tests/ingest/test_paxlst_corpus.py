"""The PAXLST habits corpus (tests/data/paxlst): every file loads every traveller it can, with
the right leg's flight and airports, and says what it repaired (issue 18)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tracker.ingest.formats.paxlst import PaxlstReader

CORPUS = Path(__file__).resolve().parent.parent / "data" / "paxlst"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_corpus_file_gives_its_expected_travellers(name):
    expected = EXPECTED[name]
    reader = PaxlstReader(CORPUS / name, expected["home_country"], date(2026, 11, 23))
    rows = [row for chunk in reader.chunks() for row in chunk]
    found = []
    for row, wanted in zip(rows, expected["travellers"], strict=True):
        values = {key: (row.values or {}).get(key) for key in wanted if key != "problem"}
        found.append(values | ({"problem": row.problem[1]} if row.problem else {}))
    assert found == expected["travellers"]
    assert len(reader.warnings) == expected["warnings"], reader.warnings


def test_the_corpus_covers_every_file_in_its_folder():
    assert {p.name for p in CORPUS.glob("*.edi")} == set(EXPECTED)
