"""The daily report's charts as separate SVG images.

Drawing with matplotlib takes a noticeable fraction of a second per chart, so the routes keep
each drawing for a while (``tracker.web.cache``), keyed by the run and its figures. The same
chart functions and titles as the printable report (``tracker.reports.daily``) are used.
"""

from __future__ import annotations

from tracker.reports import charts
from tracker.reports.daily import DailyFigures

CHART_NAMES = (
    "new_flags",
    "open_flags",
    "trend",
    "by_force",
    "bands",
    "probabilities",
    "rejects",
    "timings",
)


def draw_chart(figures: DailyFigures, name: str) -> str:
    """One chart of the daily report, by name (the names of ``render_daily_report``)."""
    if name == "new_flags":
        return charts.stacked_by_severity(figures.new_flags, "New flags by kind")
    if name == "open_flags":
        return charts.stacked_by_severity(figures.open_flags, "Open flags by kind")
    if name == "trend":
        return charts.trend(figures.trend, f"Last {len(figures.trend)} runs")
    if name == "by_force":
        return charts.bars(figures.open_by_force, "Open flags by managing force")
    if name == "bands":
        return charts.bars(figures.links_by_band, "Links by band")
    if name == "probabilities":
        return charts.histogram(figures.probabilities, "Match probability of links")
    if name == "rejects":
        return charts.bars(
            {f"{c}: {r}"[:60]: n for c, r, n in figures.rejects_by_reason[:15]},
            "Rejected rows by reason",
            colour="#a61e4d",
        )
    if name == "timings":
        return charts.bars(figures.timings, "Stage timings", unit="seconds", colour="#555")
    raise KeyError(name)


def fingerprint(figures: DailyFigures) -> tuple:
    """Changes when the figures do (a decision closes a flag; a new run arrives)."""
    return (figures.run.id, figures.total_open, figures.total_new, figures.run.status)
