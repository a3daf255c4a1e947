"""The daily report: self-contained HTML with its charts, counts only, escaped."""

from __future__ import annotations

from datetime import date

import pytest
from factories import add_flag, add_offender, add_run

from tracker.db import transaction
from tracker.reports.daily import ReportError, collect_daily_figures, write_daily_report


@pytest.fixture
def report_html(sessions, tmp_path) -> str:
    with transaction(sessions) as s:
        run = add_run(s, date(2026, 3, 10))
        run.stage_timings = {"ingest": 1.5, "match": 3.25}
        run.counts = {"retention": {"erased": 7}}
        force = "<script>alert('x')</script> Constabulary"
        add_flag(s, add_offender(s, managing_force=force, family_name="Secretname"), run,
                 severity="critical")  # fmt: skip
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
