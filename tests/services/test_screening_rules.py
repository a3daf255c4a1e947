"""The rules a screening runs for its hits: pre-departure flags raised once per booking with
no run, left alone by the nightly, and the level-one decision taken from the profile."""

from __future__ import annotations

import importlib.util
from datetime import date

import pytest
from factories import add_user
from manifests import csv_body
from screening_world import SCREENED_TRAVEL, manifest_of, screen
from sqlalchemy import func, select

from tracker.db import transaction
from tracker.models import Flag, Run, Screening
from tracker.services.compliance import evaluate_compliance
from tracker.services.linking import run_matching

PENDING = "pending_departure_without_notice"


def _pending(session):
    return list(session.scalars(select(Flag).where(Flag.kind == PENDING).order_by(Flag.id)))


def test_hits_departing_without_notice_raise_one_flag_per_booking(sessions, world, population):
    outcome = screen(sessions, world, csv_body(manifest_of(population)))
    flagged = [hit for hit in outcome.hits if hit.flag_id is not None]
    assert flagged and len(flagged) == len(outcome.hits)
    with transaction(sessions) as s:
        flags = _pending(s)
        assert len(flags) == len(flagged)
        flag = flags[0]
        assert flag.run_id is None and flag.screening_id == outcome.id
        assert flag.severity == "critical" and flag.status == "open"
        assert {"screening_id", "hit_id", "travel"} <= set(flag.evidence)
        assert flag.evidence["travel"]["travel_pk"] == flag.travel_pk
        assert "Booked to leave on 2026-03-11" in flag.summary
        summary = s.get(Screening, outcome.id).summary
        assert set(summary["flags"]) == {f.id for f in flags}
        # match-band hits on high-risk offenders leaving within 72 hours: level one
        matched = {h.flag_id for h in outcome.hits if h.band == "match"}
        assert set(summary["level_one"]) == matched
    again = screen(sessions, world, csv_body(manifest_of(population)), key="again")
    assert {h.flag_id for h in again.hits} == {h.flag_id for h in outcome.hits}
    with transaction(sessions) as s:
        assert len(_pending(s)) == len(flagged)
        assert s.scalar(SCREENED_TRAVEL) == 60


def test_the_nightly_leaves_pre_departure_flags_alone(sessions, world, population):
    screen(sessions, world, csv_body(manifest_of(population, 10)))
    with transaction(sessions) as s:
        before = [(f.id, f.status, f.summary) for f in _pending(s)]
        run = Run(as_of=date(2026, 3, 12))
        s.add(run)
        s.flush()
        run_matching(s, run)
        evaluate_compliance(s, run)
    with transaction(sessions) as s:
        assert [(f.id, f.status, f.summary) for f in _pending(s)] == before
        assert before


@pytest.mark.skipif(
    importlib.util.find_spec("tracker.services.alerts") is None,
    reason="the alerts use case (tracker.services.alerts) is merged separately",
)
def test_level_one_hits_raise_one_alert_per_flag(sessions, world, population):
    outcome = screen(sessions, world, csv_body(manifest_of(population)))
    matched = {h.flag_id for h in outcome.hits if h.band == "match"}
    assert {a.flag_id for a in outcome.alerts} == matched
    assert all(a.severity == "level_one" and a.flight == "TG123" for a in outcome.alerts)
    again = screen(sessions, world, csv_body(manifest_of(population)), key="again")
    assert {a.alert_id for a in again.alerts} <= {a.alert_id for a in outcome.alerts}
    with transaction(sessions) as s:
        from tracker.models import Alert

        assert s.scalar(select(func.count()).select_from(Alert)) == len(matched)


def test_a_flag_with_no_run_is_in_the_queue_the_flag_page_and_the_export(
    sessions, world, population
):
    from tracker.review.queue import QueueFilter
    from tracker.services.flags import FlagFilters, export_flags
    from tracker.services.review import list_queue, show_flag

    screen(sessions, world, csv_body(manifest_of(population, 4)))
    with transaction(sessions) as s:
        flag = _pending(s)[0]
        queue = list_queue(s, "ann", QueueFilter(kinds=(PENDING,)))
        assert flag.id in {row["flag_id"] for row in queue.rows}
        view = show_flag(s, "ann", flag.id)
        weights = [row["weight"] for row in view.evidence.comparison if row["weight"]]
        assert weights  # the screening hit explains the match
        exported = export_flags(s, "ann", FlagFilters(kinds=(PENDING,)))
        assert {row["flag_id"]: row["run_id"] for row in exported}[flag.id] is None


def test_a_border_system_is_told_an_alert_was_raised_not_why(sessions, world, population):
    """The reason names the offender's status or risk level: people read it, tokens do not."""
    from tracker.services.screening import show_screening
    from tracker.services.tokens import create_token

    with transaction(sessions) as s:
        add_user(s, "ada", "admin")
        create_token(s, "ada", "feed", ["manifests:write"], sources=["api-screen"])
    pushed = screen(sessions, world, csv_body(manifest_of(population)), sender="token:feed")
    assert pushed.alerts and all(a.reason is None for a in pushed.alerts)
    assert all(a.flight and a.severity == "level_one" for a in pushed.alerts)
    with transaction(sessions) as s:
        by_token = show_screening(s, "token:feed", pushed.id)
        by_person = show_screening(s, "ann", pushed.id)
    assert all(a.reason is None for a in by_token.alerts)
    assert all("risk offender" in a.reason or "wanted" in a.reason for a in by_person.alerts)
