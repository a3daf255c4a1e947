"""What screening keeps in memory follows the database: a register entry added after a
screening is met by the next one; PAXLST interchanges are screened as the nightly reads them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from factories import add_document, add_offender
from manifests import csv_body, manifest_rows
from screening_world import DEPARTURE, screen

from tracker.db import transaction
from tracker.models import Screening, SourceFile

PAXLST = Path(__file__).resolve().parent.parent / "data" / "paxlst"


def _traveller(record_id: str, family: str, doc: str) -> dict:
    import pandas as pd

    travel = pd.DataFrame(
        [
            {
                "travel_key": record_id,
                "family_name": family,
                "given_names": "Alexandra",
                "date_of_birth": "1979-05-17",
                "sex": "F",
                "nationality": "GBR",
                "doc_number": doc,
                "doc_issuing_country": "GBR",
            }
        ]
    )
    return manifest_rows(travel, DEPARTURE)[0]


def test_an_offender_added_after_a_screening_is_met_by_the_next(sessions, world):
    first = screen(sessions, world, csv_body([_traveller("a", "QUILLFEATHER", "Q1234567")]))
    assert first.hits == []
    with transaction(sessions) as s:
        offender = add_offender(
            s,
            offender_id="VR-NEW-0001",
            public_id="pub-new-0001",
            family_name="QUILLFEATHER",
            given_names="Alexandra",
            date_of_birth=date(1979, 5, 17),
            sex="F",
            nationalities="GBR",
            risk_level="low",
        )
        add_document(s, offender, "Q1234567")
        offender_id = offender.offender_id
    again = screen(
        sessions, world, csv_body([_traveller("b", "QUILLFEATHER", "Q1234567")]), key="k2"
    )
    assert [(h.offender_id, h.band) for h in again.hits] == [(offender_id, "match")]


def test_a_paxlst_interchange_is_screened_with_its_warnings(sessions, world):
    body = (PAXLST / "01-control-counts-disagree.edi").read_bytes()
    outcome = screen(sessions, world, body, content_type="application/edifact")
    assert outcome.status == "screened" and outcome.travellers_read == 2
    assert any("CNT" in warning or "count" in warning for warning in outcome.warnings)
    with transaction(sessions) as s:
        source = s.get(SourceFile, s.get(Screening, outcome.id).source_file_id)
        assert source.format == "paxlst" and source.rows_loaded == 2
