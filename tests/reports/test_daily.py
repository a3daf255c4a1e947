"""The daily report: self-contained HTML with its charts, counts only, escaped."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from factories import add_flag, add_link, add_model, add_offender, add_run, add_travel, add_user

from tracker.db import transaction
from tracker.models import Decision
from tracker.reports.daily import ReportError, collect_daily_figures, write_daily_report


@pytest.fixture
def report_html(sessions, tmp_path) -> str:
    with transaction(sessions) as s:
        run = add_run(s, date(2026, 3, 10))
        run.stage_timings = {"ingest": 1.5, "match": 3.25}
        run.counts = {"retention": {"erased": 7}}
        force = "<script>alert('x')</script> Constabulary"
        add_flag(
            s,
            add_offender(s, managing_force=force, family_name="Secretname"),
            run,
            severity="critical",
        )
        add_flag(s, add_offender(s), run, kind="late_change", severity="low")
        out = write_daily_report(s, tmp_path / "report.html", run.id)
    return out.read_text(encoding="utf-8")


def test_report_contains_its_charts_inline(report_html):
    assert report_html.count("<svg") >= 8
    assert 'href="http' not in report_html and "src=" not in report_html
    assert "purl.org" not in report_html
    assert "<img" not in report_html and "<script" not in report_html


def test_report_has_counts_not_names(report_html):
    assert "Secretname" not in report_html
    assert "unnotified_travel" in report_html
    assert "travel records that matched no one were erased" in report_html
    assert ">7<" in report_html


def test_report_figures(sessions):
    with transaction(sessions) as s:
        run = add_run(s)
        add_flag(s, add_offender(s), run, severity="critical")
        figures = collect_daily_figures(s)
    assert figures.total_new == 1 and figures.new_critical == 1
    assert figures.open_by_kind == {"unnotified_travel": 1}


def test_report_without_runs_says_so(sessions):
    with pytest.raises(ReportError, match="no run yet"), transaction(sessions) as s:
        collect_daily_figures(s)


def test_matching_health_says_when_there_were_no_decisions(report_html):
    assert "Matching health (last 30 days)" in report_html
    assert (
        "No links were confirmed or dismissed by analysts from 2026-02-09 to\n2026-03-10"
        in report_html
    )


def _cells(html: str, band: str) -> list[str]:
    row = re.search(rf"<tr><td>{band}</td>(.*?)</tr>", html, re.S).group(1)
    return re.findall(r"<td>([^<]*)</td>", row)


def test_matching_health_per_band_in_the_window_to_the_run(sessions, tmp_path):
    with transaction(sessions) as s:
        run = add_run(s, date(2026, 3, 10))
        model = add_model(s, 1, run)
        ann = add_user(s, "ann", "analyst")
        verdicts = [
            (0.99, "confirm", 3),
            (0.97, "confirm", 9),
            (0.96, "dismiss", 1),
            (0.6, "dismiss", 5),
            (0.99, "confirm", 11),
        ]  # the 11th: after the run
        for probability, decision, day in verdicts:
            offender, travel = add_offender(s), add_travel(s)
            link = add_link(s, run, travel, offender, probability, model=model)
            flag = add_flag(
                s,
                offender,
                run,
                travel_pk=travel.id,
                link_id=link.id,
                match_probability=probability,
            )
            s.add(
                Decision(
                    flag_id=flag.id,
                    user_id=ann.id,
                    decision=decision,
                    reason="checked",
                    decided_at=datetime(2026, 3, day, 9, tzinfo=UTC),
                )
            )
        s.flush()
        figures = collect_daily_figures(s, run.id)
        html = write_daily_report(s, tmp_path / "report.html", run.id).read_text("utf-8")
    assert [(r.band, r.decided, r.confirmed) for r in figures.health] == [
        ("match", 3, 2),
        ("review", 1, 0),
        ("all", 4, 2),
    ]
    assert "Matching health (last 30 days)" in html and "No links were confirmed" not in html
    assert _cells(html, "match") == ["3", "2", "1", "66.7%", "0.973"]
    assert _cells(html, "review") == ["1", "0", "1", "0.0%", "0.600"]
    assert _cells(html, "all") == ["4", "2", "2", "50.0%", "0.880"]
