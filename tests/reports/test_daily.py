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
    assert report_html.count("<svg") >= 7  # no trend chart with one run
    assert 'href="http' not in report_html and "src=" not in report_html
    assert "purl.org" not in report_html
    assert "<img" not in report_html and "<script" not in report_html


def test_report_has_counts_not_names(report_html):
    assert "Secretname" not in report_html
    assert "Unnotified travel" in report_html and "unnotified_travel" not in report_html
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


def test_one_run_has_no_trend_chart_but_a_sentence(report_html):
    assert "A trend needs two runs at least" in report_html
    assert "Last 1 runs" not in report_html and "last 1 runs" not in report_html
    assert "This is the first run, so there is nothing to compare with yet." in report_html


def test_critical_cases_link_to_their_flag_pages(sessions, tmp_path):
    with transaction(sessions) as s:
        run = add_run(s, date(2026, 3, 10))
        offender = add_offender(s, family_name="Secretname", managing_force="Kent Police")
        critical = add_flag(s, offender, run, kind="whereabouts_unknown", severity="critical")
        add_flag(s, add_offender(s), run, severity="high")
        out = write_daily_report(s, tmp_path / "r.html", run.id, web_url="https://t.example/")
        figures = collect_daily_figures(s, run.id)
    html = out.read_text(encoding="utf-8")
    assert [c["id"] for c in figures.critical_cases] == [critical.id]
    assert f'<a href="https://t.example/flags/{critical.id}">#{critical.id}</a>' in html
    assert "Whereabouts unknown" in html and "Kent Police" in html
    assert "Secretname" not in html


def test_second_run_shows_the_trend_and_the_change_per_kind(sessions, tmp_path):
    with transaction(sessions) as s:
        first = add_run(s, date(2026, 3, 9))
        for _ in range(3):
            add_flag(s, add_offender(s), first, kind="late_change")
        second = add_run(s, date(2026, 3, 10))
        add_flag(s, add_offender(s), second, kind="late_change", severity="critical")
        add_flag(s, add_offender(s), second, kind="overdue_weekly")
        figures = collect_daily_figures(s, second.id)
        html = write_daily_report(s, tmp_path / "r.html", second.id).read_text("utf-8")
    assert figures.previous_run.id == first.id
    assert figures.change_in_new("late_change") == -2
    assert figures.change_in_new("overdue_weekly") == 1
    assert figures.change_in_new("unnotified_travel") == 0
    assert '<td class="down">-2</td>' in html and '<td class="up">+1</td>' in html
    assert "A trend needs two runs" not in html
    assert f"with those of run {first.id}" in html
    assert '<a href="/flags/' in html  # relative to the web application without a base URL


def test_the_web_base_url_for_the_report_links_is_a_setting(monkeypatch):
    from tracker.settings import read_settings

    monkeypatch.setenv("TRACKER_WEB_BASE_URL", "https://tracker.unit.example")
    assert read_settings().web.base_url == "https://tracker.unit.example"
    monkeypatch.delenv("TRACKER_WEB_BASE_URL")
    assert read_settings().web.base_url == ""


def test_the_days_level_one_alerts_show_their_time_to_acknowledge(sessions, tmp_path):
    from tracker.models import Alert

    raised = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    with transaction(sessions) as s:
        run = add_run(s, date(2026, 3, 10))
        flags = [add_flag(s, add_offender(s, family_name="Secretname"), run) for _ in range(3)]
        s.add_all(
            [
                Alert(
                    flag_id=flags[0].id,
                    reason="r",
                    raised_at=raised,
                    state="acknowledged",
                    acknowledged_by="ann",
                    acknowledged_at=raised.replace(minute=4, second=30),
                ),
                Alert(
                    flag_id=flags[1].id,
                    reason="r",
                    raised_at=raised,
                    state="escalated",
                    escalated_at=raised.replace(minute=15),
                ),
                Alert(flag_id=flags[2].id, reason="r", raised_at=datetime(2026, 3, 9, tzinfo=UTC)),
            ]
        )
        s.flush()
        out = write_daily_report(s, tmp_path / "r.html", run.id, web_url="https://t.example")
        figures = collect_daily_figures(s, run.id)
    assert [(a["state"], a["minutes_to_acknowledge"]) for a in figures.alerts] == [
        ("acknowledged", 4.5),
        ("escalated", None),
    ]
    html = out.read_text(encoding="utf-8")
    assert "Level-one alerts of the day" in html and "<td>4.5</td>" in html
    assert "not yet" in html and "Secretname" not in html
