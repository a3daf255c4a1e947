"""Screening a manifest: travellers stored once, hits scored with the stored model, the
same answer as the nightly's, one screening per Idempotency-Key."""

from __future__ import annotations

from datetime import date

import pytest
from manifests import csv_body, jsonl_body
from screening_world import manifest_of, screen
from sqlalchemy import func, select

from tracker.db import transaction
from tracker.models import AuditEvent, Link, Run, Screening, ScreeningHit, SourceFile, TravelRecord
from tracker.services.linking import run_matching
from tracker.services.screening import ScreeningRefused, show_screening


def test_a_manifest_is_stored_scored_and_explained(sessions, world, population):
    rows = manifest_of(population)
    outcome = screen(sessions, world, csv_body(rows))
    assert outcome.status == "screened" and not outcome.duplicate
    assert outcome.travellers_read == len(rows) and outcome.travellers_rejected == 0
    assert sum(hit.band == "match" for hit in outcome.hits) >= 20
    assert all(hit.reasons for hit in outcome.hits)
    with transaction(sessions) as s:
        screening = s.get(Screening, outcome.id)
        source = s.get(SourceFile, screening.source_file_id)
        assert source.kind == "travel" and source.format == "csv" and source.rows_loaded == 60
        stored = s.scalar(
            select(func.count())
            .select_from(TravelRecord)
            .where(TravelRecord.source == "api-screen")
        )
        assert stored == len(rows)
        actions = set(s.scalars(select(AuditEvent.action).where(AuditEvent.actor == "ann")))
        assert {"collection", "combination"} <= actions


def test_the_same_key_gives_the_first_screening_and_stores_nothing_twice(
    sessions, world, population
):
    body = csv_body(manifest_of(population))
    first = screen(sessions, world, body)
    again = screen(sessions, world, body)
    assert again.duplicate and again.id == first.id and again.hits == first.hits
    other_key = screen(sessions, world, body, key="k2")
    assert other_key.id != first.id and not other_key.duplicate
    assert [h.offender_id for h in other_key.hits] == [h.offender_id for h in first.hits]
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(Screening)) == 2
        stored = s.scalar(
            select(func.count())
            .select_from(TravelRecord)
            .where(TravelRecord.source == "api-screen")
        )
        assert stored == 60
    with pytest.raises(ScreeningRefused, match="another manifest"):
        screen(sessions, world, body + b"\n", key="k1")


def test_json_lines_and_rejects(sessions, world, population):
    rows = manifest_of(population, 10)
    rows[3]["direction"] = "sideways"
    outcome = screen(sessions, world, jsonl_body(rows), content_type="application/x-ndjson")
    assert outcome.travellers_read == 10 and outcome.travellers_rejected == 1
    with transaction(sessions) as s:
        source = s.get(SourceFile, s.get(Screening, outcome.id).source_file_id)
        assert source.format == "jsonl" and source.rows_rejected == 1


EDIFACT = "application/edifact"


def test_refusals(sessions, world, population):
    with pytest.raises(ScreeningRefused, match="content type") as refused:
        screen(sessions, world, b"x", content_type="text/plain")
    assert refused.value.code == "content_type"
    with pytest.raises(ScreeningRefused, match="no PAXLST or PNRGOV") as refused:
        screen(
            sessions, world, b"UNB+UNOA:4+X+Y+260301:0640+1'", content_type="application/edifact"
        )
    assert refused.value.code == "message_type"
    with pytest.raises(ScreeningRefused, match="empty"):
        screen(sessions, world, b"")
    with pytest.raises(PermissionError):
        screen(sessions, world, b"x", sender="lee")


def test_screening_agrees_with_the_nightly(sessions, world, population):
    """Three manifests (the counts then moved in memory, one traveller's row changed by the
    last) and the night after: the same links, probabilities and explanations."""
    rows = manifest_of(population)
    screen(sessions, world, csv_body(rows[:20]), key="a")
    screen(sessions, world, csv_body(rows[20:]), key="b")
    rows[5]["given_names"] = ""
    rows[6]["date_of_birth"] = ""
    outcome = screen(sessions, world, csv_body(rows[:20]), key="c")
    with transaction(sessions) as s:
        run = Run(as_of=date(2026, 3, 10))
        s.add(run)
        s.flush()
        run_matching(s, run)
        hits = {
            hit.travel_pk: hit
            for hit in s.scalars(
                select(ScreeningHit).where(ScreeningHit.screening_id == outcome.id)
            )
        }
        pks = list(
            s.scalars(
                select(TravelRecord.id).where(
                    TravelRecord.source == "api-screen",
                    TravelRecord.record_id.in_([r["record_id"] for r in rows[:20]]),
                )
            )
        )
        links = {
            link.travel_pk: link
            for link in s.scalars(
                select(Link).where(Link.run_id == run.id, Link.travel_pk.in_(pks))
            )
        }
    assert set(hits) == set(links) and len(hits) >= 10
    for pk, hit in hits.items():
        link = links[pk]
        assert hit.offender_pk == link.offender_pk and hit.band == link.band
        assert hit.match_probability == pytest.approx(link.match_probability, abs=1e-6)
        assert hit.match_weight == pytest.approx(link.match_weight, abs=1e-6)
        assert hit.explanation == link.explanation


def test_show_screening(sessions, world, population):
    outcome = screen(sessions, world, csv_body(manifest_of(population, 4)))
    with transaction(sessions) as s:
        assert show_screening(s, "ann", outcome.id).id == outcome.id
