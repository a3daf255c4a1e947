"""Permission-matrix rows for the analysts' actions: links, flags, review, matching, reports."""

from __future__ import annotations

from datetime import date

from service_matrix import ServiceCase
from sqlalchemy import select

from tracker.models import Link, TravelRecord
from tracker.review.queue import QueueFilter
from tracker.services.flags import FlagFilters, export_flags, list_flags
from tracker.services.link_export import export_links
from tracker.services.match_health import HealthWindow, read_match_health
from tracker.services.matcher import evaluate_run, train_matching_model
from tracker.services.offenders import show_offender
from tracker.services.reports import read_run_figures, write_daily_report
from tracker.services.review import (
    assign_flags,
    decide_flag,
    decide_flags,
    list_queue,
    show_flag,
)


def _evaluate(session, who, world, tmp_path):
    """The world's one link, against a truth file that agrees with it."""
    source, record = session.execute(
        select(TravelRecord.source, TravelRecord.record_id).join(
            Link, Link.travel_pk == TravelRecord.id
        )
    ).one()
    truth = tmp_path / "truth.csv"
    truth.write_text(
        f"travel_source,travel_record_id,offender_id\n{source},{record},{world.offender_id}\n"
    )
    return evaluate_run(session, who, truth, world.run_id)


CASES = [
    ServiceCase("links.export", lambda s, who, w, tmp: export_links(s, who, w.run_id)),
    ServiceCase(
        "review.queue",
        lambda s, who, w, tmp: list_queue(s, who, QueueFilter()),
        audit="consultation",
    ),
    ServiceCase(
        "review.escalations",
        lambda s, who, w, tmp: list_queue(s, who, QueueFilter(escalated_only=True)),
        audit="consultation",
    ),
    ServiceCase(
        "review.show", lambda s, who, w, tmp: show_flag(s, who, w.flag_id), audit="consultation"
    ),
    ServiceCase(
        "review.decide",
        lambda s, who, w, tmp: decide_flag(s, who, w.flag_id, "confirm", "seen on the CCTV"),
        audit="decision",
    ),
    ServiceCase(
        "flags.read",
        lambda s, who, w, tmp: list_flags(s, who, FlagFilters()),
        audit="consultation",
        label="flags.read list",
    ),
    ServiceCase(
        "flags.read",
        lambda s, who, w, tmp: export_flags(s, who, FlagFilters(statuses=("open",))),
        audit="consultation",
        label="flags.read export",
    ),
    ServiceCase("match.evaluate", _evaluate),
    ServiceCase(
        "match.health",
        lambda s, who, w, tmp: read_match_health(s, who, HealthWindow(date(2026, 3, 10))),
    ),
    ServiceCase(
        "match.train",
        lambda s, who, w, tmp: train_matching_model(s, who, retrain=True),
        audit="alteration",
    ),
    ServiceCase(
        "report.read",
        lambda s, who, w, tmp: read_run_figures(s, who, w.run_id),
        label="report.read figures",
    ),
    ServiceCase(
        "report.read",
        lambda s, who, w, tmp: write_daily_report(s, who, tmp / "daily.html", w.run_id),
        label="report.read daily file",
    ),
    ServiceCase(
        "offenders.show",
        lambda s, who, w, tmp: show_offender(s, who, w.offender_id),
        audit="consultation",
    ),
    ServiceCase(
        "review.assign",
        lambda s, who, w, tmp: assign_flags(s, who, [w.flag_id], "me"),
        audit="alteration",
    ),
    ServiceCase(
        "review.decide",
        lambda s, who, w, tmp: decide_flags(s, who, [w.flag_id], "dismiss", "not them"),
        audit="decision",
        label="review.decide several",
    ),
]
